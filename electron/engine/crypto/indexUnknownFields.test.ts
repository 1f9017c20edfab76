// A key index written by a newer Casefile holds fields this one does not know: on the index and on each key. Before,
// the next change here (importing or removing a key) wrote the index back with only the fields it knew, and the newer
// version's data was gone without a word. They are now kept through every rewrite, and never shown: not in keys.list
// (the renderer), not in an answer, not in the app's trail. Real gpg keys, a real index file, the real engine.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GpgLab, gpgAvailable, type GpgKey } from '../../testkit/gpg';
import { removeDir, tempDir } from '../../testkit/tmp';
import { Engine } from '../engine';
import { cryptoFiles } from './paths';

const root = tempDir('casefile-index-unknown-');
const saved = process.env.CASEFILE_HOME;
let engine: Engine;
let lab: GpgLab;
let me: GpgKey;
let client: GpgKey;
let other: GpgKey;

/** What a newer Casefile might have added: a marker that must survive in the file and show nowhere else. */
const MARK = 'newer-casefile-field-7f3a';
const newerOnKey = { label: `${MARK}-label`, policy: { rotate: 'yearly', notes: [`${MARK}-note`, 1, null] } };
const newerOnIndex = { trust: { model: 'tofu', seen: [`${MARK}-seen`] }, version2Hint: true };

const index = () => JSON.parse(fs.readFileSync(cryptoFiles().index, 'utf8')) as Record<string, unknown> & { secret: Record<string, unknown>[]; clients: Record<string, unknown>[] };

beforeAll(async () => {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  engine = await Engine.create({ via: 'test' });
  if (!gpgAvailable()) return;
  lab = GpgLab.create();
  me = await lab.genKey('Operator <op@casefile.example>', 'p');
  client = await lab.genKey('Client <sec@client.example>', 'c');
  other = await lab.genKey('Other <other@client.example>', 'o');
}, 120_000);
afterAll(async () => {
  lab?.close();
  await engine?.close();
  if (saved === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = saved;
  removeDir(root);
});

describe.runIf(gpgAvailable())('fields a newer Casefile wrote in the key index', () => {
  it('are kept on the index and on each key when this one adds and removes keys, and never shown or recorded', async () => {
    await engine.call('keys.import', { kind: 'secret', armored: me.secretArmored });
    await engine.call('keys.import', { kind: 'client', armored: client.publicArmored });
    // The newer version's index: its fields beside ours, on the index and on both keys.
    const written = index();
    fs.writeFileSync(cryptoFiles().index, JSON.stringify({
      ...written, ...newerOnIndex,
      secret: written.secret.map((k) => ({ ...k, ...newerOnKey })),
      clients: written.clients.map((k) => ({ ...k, ...newerOnKey })),
    }));

    // Rewritten by an import, a removal and a re-import of a key that has them.
    await engine.call('keys.import', { kind: 'client', armored: other.publicArmored });
    await engine.call('keys.remove', { ref: other.fingerprint });
    await engine.call('keys.import', { kind: 'client', armored: client.publicArmored });

    const after = index();
    expect(after).toMatchObject({ version: 1, ...newerOnIndex });
    expect(after.secret).toEqual([expect.objectContaining({ fingerprint: me.fingerprint, ...newerOnKey })]);
    expect(after.clients).toEqual([expect.objectContaining({ fingerprint: client.fingerprint, ...newerOnKey })]);

    // Shown and answered with the known fields only.
    const list = await engine.call('keys.list', {});
    expect(JSON.stringify(list)).not.toContain(MARK);
    expect(Object.keys(list.secret[0]!).sort()).toEqual(['algorithm', 'created', 'doors', 'fingerprint', 'importedAt', 'keyIds', 'protection', 'secondsLeft', 'userIds', 'version']);
    expect(Object.keys(list.clients[0]!).sort()).toEqual(['algorithm', 'created', 'fingerprint', 'importedAt', 'keyIds', 'userIds', 'version']);
    // The key still works: unlocked, then removed by a reference that finds it through the kept index.
    await engine.call('keys.unlock', { ref: me.fingerprint, passphrase: 'p' });
    await engine.call('keys.lock', { ref: me.fingerprint });
    expect(fs.readFileSync(path.join(process.env.CASEFILE_HOME!, 'app-audit.jsonl'), 'utf8')).not.toContain(MARK);
  }, 120_000);
});
