// Keys, unlock and sealed bundles end to end with real gpg: import as-is and owner-only, refuse what must not be
// stored, open every bundle format masked, reveal one field, lock drops everything, and afterwards no file in the
// data home or the temp dir holds a decrypted value or the passphrase.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { GpgLab, type GpgKey } from '../../testkit/gpg';
import { removeDir, tempDir } from '../../testkit/tmp';
import { CryptoError } from './errors';
import { cryptoFiles } from './paths';
import { CryptoService } from './service';
import type { Wrapper } from './keystore';

const tok = (p: string) => `${p}-${randomBytes(9).toString('base64url')}`;
const passphrase = tok('pass');
const secrets = { dbPassword: tok('dbpw'), apiToken: tok('tok'), yamlPw: tok('ypw'), iniPw: tok('ipw'), envPw: tok('epw'), user: tok('user') };

let root: string;
let lab: GpgLab;
let me: GpgKey;
let client: GpgKey;
let stranger: GpgKey;
let svc: CryptoService;

beforeAll(async () => {
  root = tempDir('casefile-crypto-');
  process.env.CASEFILE_HOME = path.join(root, 'home');
  process.env.TMPDIR = path.join(root, 'tmp'); // os.tmpdir() follows it: everything the engine writes "to tmp" lands here
  mkdirSync(process.env.TMPDIR, { recursive: true });
  lab = GpgLab.create();
  me = await lab.genKey('Operator <op@example.test>', passphrase);
  client = await lab.genKey('Client <client@example.test>', 'client-pass');
  stranger = await lab.genKey('Stranger <s@example.test>', 'stranger-pass');
  svc = new CryptoService('cli');
});
afterAll(() => { svc?.dispose(); lab?.close(); removeDir(root); });

async function err(p: Promise<unknown> | (() => unknown)): Promise<CryptoError> {
  const e = await (typeof p === 'function' ? Promise.resolve().then(p) : p).then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(CryptoError);
  return e as CryptoError;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  try { walk(dir); } catch { /* absent */ }
  return out;
}

/** Every needle, as UTF-8 and UTF-16, in no file under dirs. */
function expectNowhere(dirs: string[], needles: string[]): void {
  for (const f of dirs.flatMap(filesUnder)) {
    const b = readFileSync(f);
    for (const n of needles) {
      for (const enc of ['utf8', 'utf16le'] as const) expect(b.includes(Buffer.from(n, enc)), `${n} in ${f}`).toBe(false);
    }
  }
}

describe('keystore', () => {
  it('a sealed file met before any key is imported says to import one', async () => {
    const e = await err(svc.open({ bytes: await lab.encrypt('{"a":"b"}', { to: [me.fingerprint] }), name: 'first.json.gpg' }));
    expect(e.kind).toBe('not_for_my_keys');
    expect(e.message).toBe(`This file is not encrypted to any of your keys; it is for ${me.keyIds[1]}. You have no secret key in Casefile yet: import yours (Keys, or casefile key import <file>), then open the file again.`);
  });

  it('imports an armored secret key as-is, owner-only, passphrase-protected, openable from every door', async () => {
    const info = await svc.keystore.importSecret(Buffer.from(me.secretArmored));
    expect(info).toMatchObject({ fingerprint: me.fingerprint, protection: 'passphrase', doors: ['desktop', 'cli', 'browser'], userIds: [me.uid] });
    expect(info.keyIds).toEqual(me.keyIds);
    const file = cryptoFiles().secret(me.fingerprint);
    expect(readFileSync(file, 'utf8')).toBe(me.secretArmored);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(statSync(cryptoFiles().dir).mode & 0o077).toBe(0);
    expect(statSync(cryptoFiles().index).mode & 0o077).toBe(0);
    expect((await svc.keystore.listSecret()).map((k) => k.fingerprint)).toEqual([me.fingerprint]);
  });

  it('refuses keys it must not store, and writes nothing for them', async () => {
    const before = filesUnder(cryptoFiles().dir).map((f) => [f, readFileSync(f, 'utf8')]);
    const bare = await lab.genKey('Bare <bare@example.test>', '');
    expect((await err(svc.keystore.importSecret(Buffer.from(bare.secretArmored)))).message).toMatch(/no passphrase/);
    expect((await err(svc.keystore.importSecret(Buffer.from(client.publicArmored)))).message).toMatch(/public key/);
    expect((await err(svc.keystore.importClients(Buffer.from(client.secretArmored)))).message).toMatch(/secret key/);
    expect((await err(svc.keystore.importSecret(Buffer.from('-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nZm9v\n-----END PGP PRIVATE KEY BLOCK-----\n')))).kind).toBe('bad_key');
    expect((await err(svc.keystore.importSecret(randomBytes(3000)))).kind).toBe('bad_key');
    expect(filesUnder(cryptoFiles().dir).map((f) => [f, readFileSync(f, 'utf8')])).toEqual(before);
  });

  it('keeps client public keys and finds keys by fingerprint, key id or user id', async () => {
    const [c] = await svc.keystore.importClients(Buffer.from(client.publicArmored));
    expect(c!.fingerprint).toBe(client.fingerprint);
    expect((await svc.keystore.recipient('client@example')).getFingerprint().toUpperCase()).toBe(client.fingerprint);
    expect((await svc.keystore.recipient(me.keyIds[1]!)).getFingerprint().toUpperCase()).toBe(me.fingerprint);
    expect((await err(svc.keystore.recipient('example.test'))).message).toMatch(/more than one key/);
    expect((await err(svc.keystore.recipient('nobody'))).kind).toBe('no_key');
  });

  it('a safeStorage-wrapped key opens only where the wrapper is', async () => {
    const aesKey = randomBytes(32);
    const wrapper: Wrapper = {
      name: 'safeStorage',
      wrap: async (d) => { const iv = randomBytes(12); const c = createCipheriv('aes-256-gcm', aesKey, iv); const body = Buffer.concat([c.update(d), c.final()]); return Buffer.concat([iv, c.getAuthTag(), body]); },
      unwrap: async (d) => { const b = Buffer.from(d); const c = createDecipheriv('aes-256-gcm', aesKey, b.subarray(0, 12)); c.setAuthTag(b.subarray(12, 28)); return Buffer.concat([c.update(b.subarray(28)), c.final()]); },
    };
    const desktop = new CryptoService('desktop', wrapper);
    const info = await desktop.keystore.importSecret(Buffer.from(stranger.secretArmored));
    expect(info).toMatchObject({ protection: 'passphrase+safeStorage', doors: ['desktop'] });
    expect(readFileSync(cryptoFiles().secret(stranger.fingerprint)).includes(Buffer.from('PGP PRIVATE KEY'))).toBe(false);
    await desktop.unlock(stranger.fingerprint, 'stranger-pass');
    expect((await err(svc.unlock(stranger.fingerprint, 'stranger-pass'))).message).toMatch(/desktop app/);
    desktop.dispose();
    await svc.keystore.remove(stranger.fingerprint);
    expect(() => statSync(cryptoFiles().secret(stranger.fingerprint))).toThrow();
  });
});

describe('unlock and sealed bundles', () => {
  const json = () => JSON.stringify({ db: { host: 'db.internal', user: secrets.user, password: secrets.dbPassword }, api: { token: secrets.apiToken }, ports: [5432, 6432], tls: true, note: null });

  it('says a file for a locked key needs unlocking, and a wrong passphrase is wrong', async () => {
    const sealed = await lab.encrypt(json(), { to: [me.fingerprint] });
    expect((await err(svc.open({ bytes: sealed, name: 'creds.json.gpg' }))).kind).toBe('locked');
    expect((await err(svc.unlock(me.fingerprint, 'not-the-passphrase'))).kind).toBe('wrong_passphrase');
    expect(svc.state().locked).toBe(true);
  });

  it('opens a JSON bundle masked: paths and kinds, no values, no lengths', async () => {
    const state = await svc.unlock('op@example.test', passphrase);
    expect(state.locked).toBe(false);
    expect(state.keys[0]!.secondsLeft).toBeGreaterThan(0);
    const sealed = await lab.encrypt(json(), { to: [me.fingerprint], armor: true });
    const opened = await svc.open({ bytes: sealed, name: 'creds.json.asc' });
    expect(opened.format).toBe('json');
    expect(opened.fields).toEqual([
      { path: ['db'], kind: 'object' }, { path: ['db', 'host'], kind: 'string' }, { path: ['db', 'user'], kind: 'string' },
      { path: ['db', 'password'], kind: 'string' }, { path: ['api'], kind: 'object' }, { path: ['api', 'token'], kind: 'string' },
      { path: ['ports'], kind: 'array' }, { path: ['ports', '0'], kind: 'number' }, { path: ['ports', '1'], kind: 'number' },
      { path: ['tls'], kind: 'boolean' }, { path: ['note'], kind: 'null' },
    ]);
    const shown = JSON.stringify(opened);
    for (const v of [...Object.values(secrets), 'db.internal']) expect(shown).not.toContain(v);
    expect(opened.fields.every((f) => Object.keys(f).sort().join() === 'kind,path')).toBe(true);
    expect(opened.sha256).toMatch(/^[0-9a-f]{64}$/);

    expect(svc.reveal(opened.sessionId, ['db', 'password'])).toEqual({ value: secrets.dbPassword, kind: 'string' });
    expect(svc.reveal(opened.sessionId, ['ports', '1']).value).toBe('6432');
    expect((await err(() => svc.reveal(opened.sessionId, ['db']))).message).toMatch(/section/);
    expect((await err(() => svc.reveal(opened.sessionId, ['db', 'nope']))).kind).toBe('no_field');
    expect((await err(() => svc.reveal(opened.sessionId, ['__proto__']))).kind).toBe('no_field');
  });

  it('opens YAML, INI and .env bundles, and by password or session key', async () => {
    const yaml = `db:\n  password: "${secrets.yamlPw}"\nlist:\n  - a\n`;
    const ini = `[db]\npassword = ${secrets.iniPw}\n; comment\n[api]\ntoken: "${secrets.apiToken}"\n`;
    const env = `# creds\nexport DB_PASSWORD=${secrets.envPw}\nAPI_TOKEN='${secrets.apiToken}' \n`;
    const y = await svc.open({ bytes: await lab.encrypt(yaml, { to: [me.fingerprint] }), name: 'site.yaml.gpg' });
    expect(y.format).toBe('yaml');
    expect(svc.reveal(y.sessionId, ['db', 'password']).value).toBe(secrets.yamlPw);
    const i = await svc.open({ bytes: await lab.encrypt(ini, { to: [me.fingerprint] }), name: 'creds.gpg' });
    expect(i.format).toBe('ini');
    expect(i.fields.map((f) => f.path.join('.'))).toEqual(['db', 'db.password', 'api', 'api.token']);
    expect(svc.reveal(i.sessionId, ['api', 'token']).value).toBe(secrets.apiToken);
    const e = await svc.open({ bytes: await lab.encrypt(env, { password: 'bundle-pw' }), name: 'prod.env.gpg' }, { password: 'bundle-pw' });
    expect(e.format).toBe('env');
    expect(svc.reveal(e.sessionId, ['DB_PASSWORD']).value).toBe(secrets.envPw);
    expect(svc.reveal(e.sessionId, ['API_TOKEN']).value).toBe(secrets.apiToken);
    const msg = await lab.encrypt(json(), { to: [me.fingerprint] });
    const sk = await svc.open({ bytes: msg, name: 'x.json.gpg' }, { sessionKey: await lab.sessionKey(msg, passphrase) });
    expect(svc.reveal(sk.sessionId, ['api', 'token']).value).toBe(secrets.apiToken);
  });

  it('reports other people\'s files, corrupt files and unparseable content without writing anything', async () => {
    const home = filesUnder(process.env.CASEFILE_HOME!).map((f) => [f, statSync(f).mtimeMs]);
    const notMine = await err(svc.open({ bytes: await lab.encrypt(json(), { to: [client.fingerprint] }), name: 'c.json.gpg' }));
    expect(notMine.kind).toBe('not_for_my_keys');
    expect(notMine.recipients).toEqual([client.keyIds[1]]);
    expect(notMine.message).toBe(`This file is not encrypted to any of your keys; it is for ${client.keyIds[1]}. Ask its sender to seal it to your key (${me.keyIds[0]}), or import the secret key it is for.`);
    const good = await lab.encrypt(json(), { to: [me.fingerprint] });
    expect((await err(svc.open({ bytes: good.subarray(0, good.length - 20), name: 'c.json.gpg' }))).kind).toBe('corrupt');
    const bad = await err(svc.open({ bytes: await lab.encrypt(`{"password": "${secrets.dbPassword}", oops}`, { to: [me.fingerprint] }), name: 'c.json.gpg' }));
    expect(bad.kind).toBe('corrupt');
    expect(bad.message).not.toContain(secrets.dbPassword);
    expect((await err(svc.open({ file: path.join(root, 'missing.gpg') }))).kind).toBe('corrupt');
    expect(filesUnder(process.env.CASEFILE_HOME!).map((f) => [f, statSync(f).mtimeMs])).toEqual(home);
  });

  it('refuses a file with no named fields (a plain token, a key file, an empty file) with a sentence, not an empty tree', async () => {
    const pem = `-----BEGIN OPENSSH PRIVATE KEY-----\n${secrets.apiToken}\n-----END OPENSSH PRIVATE KEY-----\n`;
    for (const [name, text] of [['token.txt.gpg', `${secrets.apiToken}\n`], ['id_ed25519.gpg', pem], ['empty.yaml.gpg', ''], ['n.json.gpg', '42']] as const) {
      const e = await err(svc.open({ bytes: await lab.encrypt(text, { to: [me.fingerprint] }), name }));
      expect(e.kind, name).toBe('unsupported');
      expect(e.message, name).toMatch(/no named fields/);
      expect(e.message).not.toContain(secrets.apiToken);
    }
    expect(svc.sessions.list().filter((s) => /token|id_ed25519|empty|^n\./.test(s.name))).toEqual([]);
  });

  it('says a sealed binary file is not text, not that it is bad YAML', async () => {
    const binary = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256); // NULs and bytes no UTF-8 holds
    const latin1 = Buffer.from('password: caf\xe9\n', 'latin1'); // reads as YAML when decoded leniently
    for (const [name, bytes] of [['blob.dat.gpg', binary], ['creds.yaml.gpg', latin1]] as const) {
      const e = await err(svc.open({ bytes: await lab.encrypt(bytes, { to: [me.fingerprint] }), name }));
      expect(e.kind, name).toBe('corrupt');
      expect(e.message, name).toBe('The decrypted content is not text (binary, or not UTF-8): Casefile opens credential bundles in JSON, YAML, INI or .env. Check that this is the file you meant.');
    }
  });

  it('encrypts to a client key and to the operator key so gpg reads both', async () => {
    const toClient = await svc.encryptTo(['client@example.test'], Buffer.from('for the client'));
    expect((await lab.decrypt(Buffer.from(toClient), 'client-pass')).toString()).toBe('for the client');
    const [mine] = await svc.operatorKeys();
    const toMe = await svc.encryptTo([mine!], Buffer.from('re-identification map'), me.fingerprint);
    expect((await lab.decrypt(Buffer.from(toMe), passphrase)).toString()).toBe('re-identification map');
  });

  it('lock closes every open bundle; nothing decrypted or secret is left in any file', async () => {
    const opened = await svc.open({ bytes: await lab.encrypt(json(), { to: [me.fingerprint] }), name: 'creds.json.gpg' });
    expect(svc.sessions.list().length).toBeGreaterThan(1);
    svc.lock();
    expect(svc.state()).toEqual({ locked: true, keys: [] });
    expect(svc.sessions.list()).toEqual([]);
    expect((await err(() => svc.reveal(opened.sessionId, ['db', 'password']))).kind).toBe('no_session');
    expectNowhere([process.env.CASEFILE_HOME!, process.env.TMPDIR!], [...Object.values(secrets), passphrase]);
  });
});
