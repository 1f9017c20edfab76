// The keys an export encrypts to, made by real gpg: one that cannot encrypt (signing only) is refused before the
// export reads anything, in words naming whose key it is, instead of after the redaction and the check.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseInfo } from '../../../shared/domain';
import { GpgLab, gpgAvailable } from '../../testkit/gpg';
import { removeDir, tempDir } from '../../testkit/tmp';
import { oneRecordCase } from '../../testkit/engineCase';
import { readAudit } from '../audit/trail';
import { Engine } from '../engine';

const root = tempDir('casefile-export-recipients-');
let engine: Engine;
let info: CaseInfo;
let lab: GpgLab;

beforeAll(async () => {
  ({ engine, info } = await oneRecordCase(root, 'recipients'));
  lab = GpgLab.create();
}, 120_000);

afterAll(async () => {
  lab?.close();
  await engine?.close();
  removeDir(root);
});

const exportsLeft = () => fs.readdirSync(path.join(root, 'case', 'exports')).filter((n) => !n.startsWith('.staging-'));

describe.runIf(gpgAvailable())('keys an export cannot encrypt to', () => {
  it('a signing-only client key or operator key is refused before anything is written, naming whose key it is', async () => {
    const signOnlyClient = await lab.genKey('Sign Only Client <signonly@client.example>', 'c', 'ed25519');
    const client = await lab.genKey('Client <sec@client.example>', 'c');
    await engine.call('keys.import', { kind: 'client', armored: signOnlyClient.publicArmored });
    await engine.call('keys.import', { kind: 'client', armored: client.publicArmored });
    const before = exportsLeft();
    const run = (to: string) => engine.call('export.run', { caseId: info.id, selection: {}, format: 'jsonl', to });
    await expect(run('signonly@client.example')).rejects.toThrow(
      new RegExp(`^Client key "signonly@client\\.example" \\(${signOnlyClient.fingerprint}\\) cannot be encrypted to: it has no usable encryption subkey`));

    // the operator's own key holds the re-identification map: one that cannot encrypt is said as theirs
    const me = await lab.genKey('Operator <op@casefile.example>', 'p', 'ed25519');
    await engine.call('keys.import', { kind: 'secret', armored: me.secretArmored });
    await expect(run('sec@client.example')).rejects.toThrow(
      new RegExp(`^Your key ${me.fingerprint} cannot be encrypted to: it has no usable encryption subkey .*the re-identification map`));
    expect(exportsLeft()).toEqual(before);
    const blocked = (await readAudit(path.join(root, 'case', 'audit.jsonl'))).filter((e) => e.action === 'export.run');
    expect(blocked.at(-1)?.result.status).toBe('error');

    // with a key of theirs that can encrypt beside it, that one holds the map
    const mine = await lab.genKey('Operator Two <op2@casefile.example>', 'p');
    await engine.call('keys.import', { kind: 'secret', armored: mine.secretArmored });
    const r = await run('sec@client.example');
    expect(r.mapKept).toBe(true);
    expect(exportsLeft()).toEqual([...before, r.exportId]);
  }, 120_000);
});
