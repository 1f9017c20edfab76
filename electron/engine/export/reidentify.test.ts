// The exports' history and token re-identification through the contract, on real exports made by the real engine
// with a real operator key (made by gpg, imported into the keystore): what is listed, who a token stands for, and
// every hostile input (path tricks, too many tokens, a tampered, foreign or other key's map) refused with nothing
// returned; the trail names the tokens, never an original.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseInfo } from '../../../shared/domain';
import { ContractFailure, Engine } from '../engine';
import { GpgLab, type GpgKey } from '../../testkit/gpg';
import { removeDir, tempDir } from '../../testkit/tmp';
import { readAudit } from '../audit/trail';
import { caseFiles } from '../case/paths';
import { mapsToSearch } from './reidentify';

const root = tempDir('casefile-reidentify-');
const USER = 'venkata.subramanian';
const CLIENT_ID = 'GAMMA1234';
const lines = [
  { asctime: '2023-07-28 16:54:53,016', name: 'app', levelname: 'INFO', message: 'login ok', user: USER, created: 1690543493.016 },
  { asctime: '2023-07-28 16:54:54,016', name: 'app', levelname: 'ERROR', message: `login failed for ${USER} customer ${CLIENT_ID}`, user: USER, created: 1690543494.016 },
].map((o) => JSON.stringify(o)).join('\n') + '\n';

let engine: Engine;
let info: CaseInfo;
let lab: GpgLab;
let me: GpgKey;
let other: GpgKey;

const tokenOf = (dir: string, type: string) => new RegExp(`<${type}:[A-Z2-7]{10}>`).exec(fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8'))![0];
const errorOf = (p: Promise<unknown>) => p.then(() => { throw new Error('should have failed'); }, (e: unknown) => (e instanceof ContractFailure ? e.error : { code: '?', message: String(e) }));
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const reid = (input: Record<string, unknown>) => engine.invoke('export.reidentify', { caseId: info.id, ...input });

beforeAll(async () => {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  const bundle = path.join(root, 'bundle');
  fs.mkdirSync(path.join(bundle, 'enrich/logs/app'), { recursive: true });
  fs.writeFileSync(path.join(bundle, 'enrich/logs/app/app.json.log'), lines);
  lab = GpgLab.create();
  me = await lab.genKey('Operator <op@example.test>', 'op-pass');
  other = await lab.genKey('Someone Else <else@example.test>', 'else-pass');
  engine = await Engine.create({ via: 'test' });
  info = await engine.call('cases.create', { name: 'reid', dir: path.join(root, 'case') });
  await engine.call('import.paths', { caseId: info.id, paths: [bundle] });
}, 120_000);

afterAll(async () => {
  await engine?.close();
  lab?.close();
  removeDir(root);
});

describe('export.list', () => {
  it('lists what each export wrote (redacted selection, counts, recipient, map) and the runs that wrote nothing, newest first', async () => {
    // no key of mine yet: this export keeps no map
    const bare = await engine.call('export.run', { caseId: info.id, selection: { where: "level = 'ERROR'" }, format: 'jsonl', plaintext: true });
    await errorOf(engine.call('export.run', { caseId: info.id, selection: { since: '2030-01-01T00:00:00Z' }, format: 'csv', plaintext: true }));
    const { exports } = await engine.call('export.list', { caseId: info.id });
    expect(exports.map((e) => e.state)).toEqual(['failed', 'complete']);
    const [failed, done] = exports;
    expect(failed).toMatchObject({ exportId: null, format: 'csv', message: 'The selection holds no events: nothing was exported.' });
    expect(done).toMatchObject({
      exportId: bare.exportId, format: 'jsonl', events: 1, recipient: null, mapKept: false, mapPresent: false, dir: bare.dir,
      byType: bare.byType, byRule: bare.byRule, files: bare.files, rules: bare.rules, pseudonymScope: 'per-export',
    });
    expect(done!.selection).toBe(bare.selection);
    expect(done!.selection).toContain('level');
    expect(JSON.stringify(exports)).not.toContain(USER);
    // reidentifying its tokens: it kept no map, and said so
    const token = tokenOf(bare.dir, 'user');
    expect(await errorOf(reid({ text: token, exportId: bare.exportId }))).toMatchObject({ code: 'not_found', message: expect.stringContaining('kept no re-identification map') as unknown });
    expect(await errorOf(reid({ text: token }))).toMatchObject({ code: 'not_found', message: expect.stringContaining('holds no re-identification map') as unknown });
  }, 120_000);
});

describe('export.reidentify', () => {
  let first: { exportId: string; dir: string };
  let second: { exportId: string; dir: string };

  beforeAll(async () => {
    await engine.call('keys.import', { kind: 'secret', armored: me.secretArmored });
    // two exports to one client with the per-client key (kept encrypted to my key: unlocked to read it back): one
    // token for the user in both; locked again after
    await engine.call('keys.unlock', { ref: me.fingerprint, passphrase: 'op-pass' });
    first = await engine.call('export.run', { caseId: info.id, selection: {}, format: 'jsonl', plaintext: true, pseudonymScope: 'per-client', client: 'acme' });
    second = await engine.call('export.run', { caseId: info.id, selection: { where: "level = 'ERROR'" }, format: 'jsonl', plaintext: true, pseudonymScope: 'per-client', client: 'acme' });
    await engine.call('keys.lock', {});
  }, 120_000);

  it('says the key is locked, then finds every token in pasted text, one original for a per-client token in two maps', async () => {
    const user = tokenOf(first.dir, 'user');
    const customer = tokenOf(first.dir, 'client_id');
    expect(tokenOf(second.dir, 'user')).toBe(user);
    const pasted = `${user} failed 300 times; who is ${customer}? and <user:ZZZZZZZZZZ>, <weird:ABCDEFGHIJ>, <secret:key-value>, ${user} again`;
    expect(await errorOf(reid({ text: pasted }))).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/which is locked: unlock it first/) as unknown });
    await engine.call('keys.unlock', { ref: me.fingerprint, passphrase: 'op-pass' });
    const r = await engine.call('export.reidentify', { caseId: info.id, text: pasted });
    expect(r.searched).toEqual([first.exportId, second.exportId]);
    expect(r.notFound).toEqual(['<user:ZZZZZZZZZZ>', '<weird:ABCDEFGHIJ>']);
    expect(r.found.map((f) => [f.token, f.type, f.original])).toEqual([[user, 'user', USER], [customer, 'client_id', CLIENT_ID]]);
    const u = r.found[0]!;
    expect(u.exports.map((e) => e.exportId)).toEqual([first.exportId, second.exportId]);
    // the first event it was seen in, in each export: an event of the case
    const ids = (await engine.call('events.page', { caseId: info.id, filter: {}, limit: 10 })).rows.map((row) => row.id);
    for (const e of u.exports) expect(ids).toContain(e.firstEventId);
    expect(u.exportId).toBe(first.exportId);
    // one export only
    const only = await engine.call('export.reidentify', { caseId: info.id, text: customer, exportId: second.exportId });
    expect(only).toMatchObject({ searched: [second.exportId], found: [{ token: customer, original: CLIENT_ID, exportId: second.exportId }] });
    expect((await engine.call('export.list', { caseId: info.id })).exports.find((e) => e.exportId === first.exportId)).toMatchObject({ mapKept: true, mapPresent: true, client: 'acme', pseudonymScope: 'per-client' });
  }, 120_000);

  it('records each call naming the tokens and the maps searched, never an original; writes nothing else to the case or the home', async () => {
    const user = tokenOf(first.dir, 'user');
    const snapshot = (dir: string) => new Map(walk(dir).map((f) => [f, fs.statSync(f).mtimeMs]));
    const caseBefore = snapshot(info.dir);
    const r = await engine.call('export.reidentify', { caseId: info.id, text: `who is ${user}` });
    expect(r.found[0]!.original).toBe(USER);
    const changed = [...snapshot(info.dir)].filter(([f, m]) => caseBefore.get(f) !== m).map(([f]) => path.relative(info.dir, f)).sort();
    expect(changed).toEqual(['audit.jsonl', 'audit.jsonl.head']);
    const entries = await readAudit(path.join(info.dir, 'audit.jsonl'), { action: 'export.reidentify' });
    expect(entries.at(-1)).toMatchObject({ params: { tokens: [user], searched: [first.exportId, second.exportId] }, result: { status: 'ok', counts: { tokens: 1, found: 1, notFound: 0 } } });
    expect(entries.some((e) => e.result.status === 'error')).toBe(true); // the locked call is recorded too
    // the original is in the evidence and the database; nowhere else in the case, and nowhere in the home
    const outside = (f: string) => !/^(bundles|case\.duckdb)/.test(path.relative(info.dir, f));
    for (const f of [...walk(info.dir).filter(outside), ...walk(path.join(root, 'home'))]) {
      expect(fs.readFileSync(f).includes(USER), path.relative(root, f)).toBe(false);
    }
  }, 120_000);

  it('refuses hostile input at the contract: path tricks in the export id, too much text, too many tokens, no token', async () => {
    for (const exportId of ['../exports', '/etc/passwd', `${first.exportId}\u0000x`, `../${first.exportId}`, `${first.exportId}/..`, '']) {
      expect((await errorOf(reid({ text: '<user:AAAAAAAAAA>', exportId }))).code, JSON.stringify(exportId)).toBe('invalid_input');
    }
    expect((await errorOf(reid({ text: 'x'.repeat(400_001) }))).code).toBe('invalid_input');
    const many = Array.from({ length: 1001 }, (_, i) => `<user:${Array.from({ length: 10 }, (_, k) => B32[(i >> (5 * k)) & 31]).join('')}>`).join(' ');
    expect(await errorOf(reid({ text: many }))).toMatchObject({ code: 'invalid_input', message: '1001 distinct tokens: look up at most 1000 at a time.' });
    expect(await errorOf(reid({ text: 'no token here <secret:key-value>' }))).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('No pseudonym') as unknown });
    expect(await errorOf(reid({ text: '<user:AAAAAAAAAA>', exportId: '20990101T000000-00000000' }))).toMatchObject({ code: 'not_found', message: 'No export 20990101T000000-00000000 in this case.' });
    // a thousand tokens: one pass, all not found
    const thousand = many.split(' ').slice(0, 1000).join('\n');
    expect((await engine.call('export.reidentify', { caseId: info.id, text: thousand })).notFound).toHaveLength(1000);
  }, 120_000);

  it('a tampered map, another export\'s map under this name, or a map to another key: a clear error and nothing returned', async () => {
    const user = tokenOf(first.dir, 'user');
    const file = caseFiles(info.dir).exportMap(first.exportId);
    const good = fs.readFileSync(file);
    try {
      // another export's map under this export's name (a genuine map to my key: its own id inside says whose it is)
      fs.writeFileSync(file, fs.readFileSync(caseFiles(info.dir).exportMap(second.exportId)));
      expect(await errorOf(reid({ text: user }))).toMatchObject({ code: 'conflict', message: expect.stringContaining(`is not the re-identification map of export ${first.exportId}`) as unknown });
      // one byte changed inside the armored body
      const text = good.toString('utf8');
      const at = text.indexOf('\n\n') + 40;
      fs.writeFileSync(file, text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1));
      const tampered = await errorOf(reid({ text: user }));
      expect(tampered.message).toContain(`The re-identification map of export ${first.exportId}`);
      expect(tampered.message).toContain('Nothing was returned.');
      // encrypted to someone else's key
      fs.writeFileSync(file, await lab.encrypt(JSON.stringify({ exportId: first.exportId, entries: [{ token: user, type: 'user', original: 'mallory', firstEvent: '1' }] }), { to: [other.fingerprint], armor: true }));
      const foreign = await errorOf(reid({ text: user }));
      expect(foreign.message).toContain(`The re-identification map of export ${first.exportId}`);
      expect(JSON.stringify(foreign)).not.toContain('mallory');
      // a link in place of the map is not followed
      fs.rmSync(file);
      fs.symlinkSync(caseFiles(info.dir).exportMap(second.exportId), file);
      expect((await engine.call('export.reidentify', { caseId: info.id, text: user })).searched).toEqual([second.exportId]);
    } finally {
      fs.rmSync(file, { force: true });
      fs.writeFileSync(file, good);
    }
    expect((await engine.call('export.reidentify', { caseId: info.id, text: user })).found).toHaveLength(1);
  }, 120_000);
});

function walk(dir: string): string[] {
  const out: string[] = [];
  const go = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) go(p);
      else if (e.isFile()) out.push(p);
    }
  };
  if (fs.existsSync(dir)) go(dir);
  return out;
}

it('searches maps oldest first, exports of the same second by when their maps were written (ids alone sort them at random)', () => {
  const dir = tempDir();
  try {
    fs.mkdirSync(path.join(dir, 'redaction'));
    const later = '20261128T130501-00000000'; // sorts first by id, written second
    const earlier = '20261128T130501-ffffffff';
    const before = '20261128T130459-99999999';
    for (const [id, at] of [[later, 3000], [earlier, 2000], [before, 1000]] as const) {
      fs.writeFileSync(caseFiles(dir).exportMap(id), 'x');
      fs.utimesSync(caseFiles(dir).exportMap(id), at, at);
    }
    expect(mapsToSearch(dir)).toEqual([before, earlier, later]);
  } finally { removeDir(dir); }
});
