// Through the contract, as the UI and CLI see it: every answer and every event of the keys and sealed calls is
// recorded, and no unrevealed value of a bundle ever appears in them; the one revealed field appears only in its
// reveal; the audit trail names file sha256 and field paths but holds no value, passphrase or passphrase hash; and
// after lock and quit no file in the data home, the case folder or the temp dir holds a value or the passphrase.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EVENT_NAMES } from '../../../shared/contract';
import { Engine } from '../engine';
import { GpgLab, type GpgKey } from '../../testkit/gpg';
import { removeDir, tempDir } from '../../testkit/tmp';

const tok = (p: string) => `${p}-${randomBytes(9).toString('base64url')}`;
const passphrase = tok('pass');
const bundlePassword = tok('bpw');
const values = { host: tok('host'), user: tok('user'), password: tok('pw'), token: tok('tok'), dsn: tok('dsn') };
const revealed = values.password;
const unrevealed = Object.values(values).filter((v) => v !== revealed);

let root: string;
let lab: GpgLab;
let me: GpgKey;
let engine: Engine;
const copied: string[] = [];
const seen: { call: string; answer: string }[] = [];
const events: string[] = [];

async function call(name: string, input: unknown): Promise<unknown> {
  try {
    const out = await engine.invoke(name, input);
    seen.push({ call: name, answer: JSON.stringify(out) });
    return out;
  } catch (e) {
    seen.push({ call: name, answer: JSON.stringify(e) + String((e as Error).message) });
    throw e;
  }
}
const fails = (name: string, input: unknown) => call(name, input).then(() => { throw new Error(`${name} should fail`); }, (e: Error) => e.message);

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.isFile()) out.push(path.join(d, e.name));
    }
  };
  try { walk(dir); } catch { /* absent */ }
  return out;
}

beforeAll(async () => {
  root = tempDir('casefile-sealed-contract-');
  process.env.CASEFILE_HOME = path.join(root, 'home');
  process.env.TMPDIR = path.join(root, 'tmp');
  mkdirSync(process.env.TMPDIR, { recursive: true });
  lab = GpgLab.create();
  me = await lab.genKey('Operator <op@example.test>', passphrase);
  engine = await Engine.create({ via: 'test', host: { copy: async (v) => { copied.push(v); } } });
  for (const name of EVENT_NAMES) engine.on(name, (p) => events.push(JSON.stringify(p)));
});
afterAll(async () => { await engine?.close(); lab?.close(); removeDir(root); });

it('never answers or pushes an unrevealed value; audits paths and sha256 only', async () => {
  const kase = (await call('cases.create', { name: 'sealed', dir: path.join(root, 'case') })) as { id: string; dir: string };
  await call('keys.import', { kind: 'secret', armored: me.secretArmored });
  expect(await fails('keys.unlock', { ref: me.fingerprint, passphrase: 'wrong' })).toMatch(/Wrong passphrase/);
  const state = (await call('keys.unlock', { ref: 'op@example.test', passphrase })) as { locked: boolean };
  expect(state.locked).toBe(false);
  expect(events.some((e) => e.includes(me.fingerprint))).toBe(true); // keys.state pushed

  const bundle = JSON.stringify({ db: { host: values.host, user: values.user, password: values.password }, api: { token: values.token }, dsn: values.dsn });
  const sealedFile = path.join(root, 'creds.json.gpg');
  writeFileSync(sealedFile, await lab.encrypt(bundle, { to: [me.fingerprint] }));
  const sha256 = createHash('sha256').update(readFileSync(sealedFile)).digest('hex');

  const opened = (await call('sealed.open', { source: { file: sealedFile, caseId: kase.id } })) as { sessionId: string; sha256: string; fields: { path: string[] }[] };
  expect(opened.sha256).toBe(sha256);
  expect(opened.fields.map((f) => f.path.join('.'))).toContain('db.password');
  await call('sealed.list', {});
  const r = (await call('sealed.reveal', { sessionId: opened.sessionId, path: ['db', 'password'], caseId: kase.id })) as { value: string };
  expect(r.value).toBe(revealed);
  await call('sealed.copy', { sessionId: opened.sessionId, path: ['db', 'password'], caseId: kase.id });
  expect(copied).toEqual([revealed]);
  expect(await fails('sealed.reveal', { sessionId: opened.sessionId, path: ['db'] })).toMatch(/section/);

  // Password-sealed upload (browser mode), wrong then right password.
  const upload = (await lab.encrypt(`TOKEN=${values.token}\n`, { password: bundlePassword })).toString('base64');
  expect(await fails('sealed.open', { source: { content: upload, name: 'x.env.gpg' }, password: 'nope' })).toMatch(/Wrong password/);
  const byPw = (await call('sealed.open', { source: { content: upload, name: 'x.env.gpg' }, password: bundlePassword })) as { sessionId: string };
  await call('sealed.close', { sessionId: byPw.sessionId });
  await call('keys.list', {});
  await call('keys.state', {});
  expect((await call('keys.lock', {})) as { locked: boolean }).toMatchObject({ locked: true });
  expect(await fails('sealed.reveal', { sessionId: opened.sessionId, path: ['api', 'token'] })).toMatch(/no longer open/);

  // Answers and events: the revealed value only in its reveal; the others nowhere.
  for (const s of seen) {
    for (const v of unrevealed) expect(s.answer, `${s.call}`).not.toContain(v);
    if (s.call !== 'sealed.reveal') expect(s.answer, s.call).not.toContain(revealed);
    expect(s.answer, s.call).not.toContain(passphrase);
  }
  for (const e of events) for (const v of [...Object.values(values), passphrase]) expect(e).not.toContain(v);

  // The audit trails: entries for reveal and copy name the field and the file, never values or secrets.
  const caseTrail = readFileSync(path.join(kase.dir, 'audit.jsonl'), 'utf8');
  const appTrail = readFileSync(path.join(process.env.CASEFILE_HOME!, 'app-audit.jsonl'), 'utf8');
  const entries = [...caseTrail.trim().split('\n'), ...appTrail.trim().split('\n')].map((l) => JSON.parse(l) as { action: string; params: Record<string, unknown>; result: { status: string } });
  const reveal = entries.find((e) => e.action === 'sealed.reveal' && e.result.status === 'ok')!;
  expect(reveal.params).toMatchObject({ field: 'db.password', sha256, name: 'creds.json.gpg', caseId: kase.id });
  expect(entries.find((e) => e.action === 'sealed.copy')!.params).toMatchObject({ field: 'db.password', sha256 });
  expect(entries.find((e) => e.action === 'sealed.open' && e.result.status === 'ok')!.params).toMatchObject({ sha256, recipients: [me.keyIds[1]] });
  expect(entries.filter((e) => e.action === 'keys.unlock').map((e) => e.result.status).sort()).toEqual(['error', 'ok']);
  expect(entries.find((e) => e.action === 'keys.import')!.params).toEqual({ kind: 'secret', fingerprints: [me.fingerprint] });
  const trails = caseTrail + appTrail;
  const hashPrefixes = [passphrase, bundlePassword].flatMap((p) => [createHash('sha256').update(p).digest('hex').slice(0, 16)]);
  for (const needle of [...Object.values(values), passphrase, bundlePassword, ...hashPrefixes, 'PRIVATE KEY']) expect(trails).not.toContain(needle);

  // After quit: no value and no passphrase in any file of the data home, the case or the temp dir.
  await engine.close();
  for (const f of [process.env.CASEFILE_HOME!, kase.dir, process.env.TMPDIR!].flatMap(filesUnder)) {
    const b = readFileSync(f);
    for (const n of [...Object.values(values), passphrase, bundlePassword]) {
      expect(b.includes(Buffer.from(n)), `${n} in ${f}`).toBe(false);
      expect(b.includes(Buffer.from(n, 'utf16le')), `${n} in ${f}`).toBe(false);
    }
  }
});

it('seals a profile gpg reads, imports it sealed, and refuses a non-profile', async () => {
  engine = await Engine.create({ via: 'cli' });
  await engine.invoke('keys.import', { kind: 'secret', armored: me.secretArmored }); // again: replaces the stored copy
  await engine.invoke('keys.unlock', { ref: me.fingerprint, passphrase });
  const profile = { name: 'acme', target: { host: 'enrich.acme.internal', user: 'scribble', auth: { kind: 'agent' } }, logRoot: '/home/scribble/enrich', capBytes: 1e9 };
  const plain = path.join(root, 'acme.json');
  writeFileSync(plain, JSON.stringify(profile));
  const sealed = (await engine.invoke('sealed.seal', { file: plain, to: [me.fingerprint] })) as { out: string };
  expect((await lab.decrypt(readFileSync(sealed.out), passphrase)).toString()).toBe(JSON.stringify(profile));
  const info = (await engine.invoke('profiles.importSealed', { source: { file: sealed.out } })) as { name: string; hosts: string[] };
  expect(info).toMatchObject({ name: 'acme', hosts: ['enrich.acme.internal'] });
  const kept = path.join(process.env.CASEFILE_HOME!, 'profiles', 'sealed', 'acme.sealed');
  expect(readFileSync(kept).equals(readFileSync(sealed.out))).toBe(true); // still sealed on disk

  writeFileSync(plain, JSON.stringify({ name: 'bad', target: { host: 'x' } }));
  const bad = (await engine.invoke('sealed.seal', { file: plain, to: [me.fingerprint], out: path.join(root, 'bad.json.asc') })) as { out: string };
  await expect(engine.invoke('profiles.importSealed', { source: { file: bad.out } })).rejects.toMatchObject({ message: expect.stringMatching(/not a valid site profile/) });
  expect(filesUnder(path.join(process.env.CASEFILE_HOME!, 'profiles')).map((f) => path.basename(f))).toEqual(['acme.sealed']);
  await expect(engine.invoke('sealed.copy', { sessionId: 'x', path: ['a'] })).rejects.toMatchObject({ message: expect.stringMatching(/no longer open/) });
  await engine.close();
});

it('refuses to replace an existing sealed file unless asked: the file byte-identical, the refusal audited', async () => {
  engine = await Engine.create({ via: 'cli' });
  await engine.invoke('keys.import', { kind: 'secret', armored: me.secretArmored });
  const dir = path.join(root, 'no-clobber');
  mkdirSync(dir);
  const plain = path.join(dir, 'site.json');
  writeFileSync(plain, '{"name":"new"}');
  const before = randomBytes(300);
  for (const out of [`${plain}.asc`, path.join(dir, 'chosen.asc')]) {
    writeFileSync(out, before);
    const input = { file: plain, to: [me.fingerprint], ...(out === `${plain}.asc` ? {} : { out }) };
    await expect(engine.invoke('sealed.seal', input)).rejects.toMatchObject({ error: {
      code: 'conflict', message: `${out} already exists; sealing does not replace a file unless asked (--force on the command line, overwrite: true in the call).`,
    } });
    expect(readFileSync(out).equals(before), out).toBe(true);
    const r = (await engine.invoke('sealed.seal', { ...input, overwrite: true })) as { out: string };
    expect(r.out).toBe(out);
    expect((await lab.decrypt(readFileSync(out), passphrase)).toString()).toBe('{"name":"new"}');
  }
  expect(readdirSync(dir).sort()).toEqual(['chosen.asc', 'site.json', 'site.json.asc']); // no temp file left behind
  // A new name is written as before, without asking.
  const fresh = (await engine.invoke('sealed.seal', { file: plain, to: [me.fingerprint], out: path.join(dir, 'fresh.asc') })) as { out: string };
  expect((await lab.decrypt(readFileSync(fresh.out), passphrase)).toString()).toBe('{"name":"new"}');
  await engine.close();
  const trail = readFileSync(path.join(process.env.CASEFILE_HOME!, 'app-audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; params: { file?: string; overwrite?: boolean }; result: { status: string; message?: string } });
  const seals = trail.filter((e) => e.action === 'sealed.seal' && e.params.file === plain).map((e) => [e.result.status, e.params.overwrite ?? false, /already exists/.test(e.result.message ?? '')]);
  expect(seals).toEqual([['error', false, true], ['ok', true, false], ['error', false, true], ['ok', true, false], ['ok', false, false]]);
  expect(trail.some((e) => JSON.stringify(e).includes(passphrase))).toBe(false);
});

it('says what a path that is not a sealed file is: missing, a folder, a device', async () => {
  engine = await Engine.create({ via: 'cli' });
  expect(await fails('sealed.open', { source: { file: path.join(root, 'missing.gpg') } })).toMatch(/^No such file: .*missing\.gpg$/);
  expect(await fails('sealed.open', { source: { file: root } })).toMatch(/is a folder, not a file/);
  expect(await fails('sealed.open', { source: { file: '/dev/null' } })).toMatch(/is not a regular file/);
  expect(await fails('sealed.seal', { file: root, to: [me.fingerprint] })).toMatch(/is a folder/);
  await engine.close();
});

it('records how a file was opened: by key when a password given along was not what opened it', async () => {
  engine = await Engine.create({ via: 'cli' });
  await engine.invoke('keys.import', { kind: 'secret', armored: me.secretArmored });
  await engine.invoke('keys.unlock', { ref: me.fingerprint, passphrase });
  const byKey = path.join(root, 'opened-by.json.gpg');
  writeFileSync(byKey, await lab.encrypt('{"a":"b"}', { to: [me.fingerprint] }));
  const byPassword = path.join(root, 'opened-by.env.gpg');
  writeFileSync(byPassword, await lab.encrypt('A=b\n', { password: bundlePassword }));
  for (const input of [{ source: { file: byKey } }, { source: { file: byKey }, password: 'typed-anyway' }, { source: { file: byPassword }, password: bundlePassword }]) {
    await engine.invoke('sealed.open', input);
  }
  await engine.close();
  const trail = readFileSync(path.join(process.env.CASEFILE_HOME!, 'app-audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; params: { file?: string; openedBy?: string } });
  const opens = trail.filter((e) => e.action === 'sealed.open' && [byKey, byPassword].includes(e.params.file ?? '')).map((e) => [path.basename(e.params.file!), e.params.openedBy]);
  expect(opens).toEqual([['opened-by.json.gpg', 'key'], ['opened-by.json.gpg', 'key'], ['opened-by.env.gpg', 'password']]);
});

it('a key a sealed file repeats (JSON, YAML, INI, .env, nested too): every entry its own field and reveal, a warning with names and lines only; a profile refuses it', async () => {
  engine = await Engine.create({ via: 'cli' });
  await engine.invoke('keys.import', { kind: 'secret', armored: me.secretArmored });
  await engine.invoke('keys.unlock', { ref: me.fingerprint, passphrase });
  const [a, b, c] = [tok('a'), tok('b'), tok('c')];
  const files: [string, string, string, string][] = [
    ['dup.json', `{"db": {"password": "${a}", "password": "${b}"},\n "token": "${c}"}`, 'db.password', 'db.password appears 2 times (line 1). Most loaders use the last one.'],
    ['dup.yaml', `db:\n  password: ${a}\n  password: ${b}\ntoken: ${c}\n`, 'db.password', 'db.password appears 2 times (lines 2 and 3). Loaders differ: most use the last one, some refuse the file.'],
    ['dup.ini', `[db]\npassword=${a}\npassword=${b}\n[x]\ntoken=${c}\n`, 'db.password', 'db.password appears 2 times (lines 2 and 3). Loaders differ: most use the last one, some refuse the file.'],
    ['dup.env', `DB_PASSWORD=${a}\nDB_PASSWORD=${b}\nTOKEN=${c}\n`, 'DB_PASSWORD', 'DB_PASSWORD appears 2 times (lines 1 and 2). Most loaders use the last one.'],
  ];
  for (const [name, text, key, message] of files) {
    const file = path.join(root, `${name}.gpg`);
    writeFileSync(file, await lab.encrypt(text, { to: [me.fingerprint] }));
    const o = (await engine.invoke('sealed.open', { source: { file } })) as { sessionId: string; fields: { path: unknown[] }[]; duplicates: { message: string; path: unknown[] }[]; duplicateKeys: number };
    expect(JSON.stringify(o), name).not.toMatch(new RegExp(`${a}|${b}|${c}`));
    expect(o.duplicates.map((d) => [d.path, d.message]), name).toEqual([[key.split('.'), message]]);
    const entries = o.fields.filter((f) => typeof f.path.at(-1) === 'object');
    expect(entries.map((f) => f.path), name).toEqual([1, 2].map((n) => [...key.split('.').slice(0, -1), { key: key.split('.').at(-1), n }]));
    const got = [];
    for (const f of entries) got.push(((await engine.invoke('sealed.reveal', { sessionId: o.sessionId, path: f.path })) as { value: string }).value);
    expect(got, name).toEqual([a, b]);
    await engine.invoke('sealed.close', { sessionId: o.sessionId });
  }
  // A sealed profile (the engine acts on it; nobody reads it field by field) with a setting given twice is refused.
  const plain = path.join(root, 'dup-profile.json');
  writeFileSync(plain, '{"name": "acme", "target": {"host": "a.example", "host": "b.example", "user": "u", "auth": {"kind": "agent"}}, "logRoot": "/l", "capBytes": 1000}');
  const sealed = (await engine.invoke('sealed.seal', { file: plain, to: [me.fingerprint] })) as { out: string };
  await expect(engine.invoke('profiles.importSealed', { source: { file: sealed.out } })).rejects.toMatchObject({ message: 'The sealed profile gives a setting more than once: target.host appears 2 times (line 1). Keep the one you mean and seal it again.' });
  await engine.close();
  const trail = readFileSync(path.join(process.env.CASEFILE_HOME!, 'app-audit.jsonl'), 'utf8');
  expect(trail).not.toMatch(new RegExp(`${a}|${b}|${c}`));
  const entries = trail.trim().split('\n').map((l) => JSON.parse(l) as { action: string; params: { field?: string; name?: string }; result: { message?: string } });
  // The open records what it did before; the refused profile's entry gives its sentence, as every refusal does.
  expect(entries.filter((e) => JSON.stringify(e).includes('appears')).map((e) => [e.action, e.result.message])).toEqual([['profiles.importSealed', 'The sealed profile gives a setting more than once: target.host appears 2 times (line 1). Keep the one you mean and seal it again.']]);
  const reveals = entries.filter((e) => e.action === 'sealed.reveal' && e.params.name?.startsWith('dup.'));
  expect(reveals.map((e) => e.params.field)).toEqual(['db.password#1', 'db.password#2', 'db.password#1', 'db.password#2', 'db.password#1', 'db.password#2', 'DB_PASSWORD#1', 'DB_PASSWORD#2']);
}, 180_000);
