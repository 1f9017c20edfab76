// A key index (keys/index.json) that parses but is not one, or is hostile in size or depth: an array, 10,000 and
// 1,000,000 levels deep, 100 MB, a key whose fingerprint is a path out of the keys folder, a field of the kind a newer
// Casefile adds (kept through a rewrite) nested too deep to write back. Each is said as damaged, naming the file;
// nothing throws another way, no key file is read or removed through the path, the index is left byte for byte. An
// index that is not a file (a pipe, a link to /dev/zero, a folder) is said as damaged too, at once; so is a stored key
// file that is not one, or is missing or far too large. (damagedIndex.test.ts
// has the cut-short, emptied and garbled ones, with gpg-made keys; indexUnknownFields.test.ts the kept fields.)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../../testkit/tmp';
import { Keystore } from './keystore';
import { cryptoFiles } from './paths';

const root = tempDir('casefile-index-shapes-');
let indexFile = '';
const outside = path.join(root, 'outside.key');
const saved = process.env.CASEFILE_HOME;
beforeAll(() => {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  indexFile = cryptoFiles().index;
  fs.mkdirSync(path.dirname(indexFile), { recursive: true });
  fs.writeFileSync(outside, 'not yours');
});
afterAll(() => {
  if (saved === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = saved;
  removeDir(root);
});

const key = (fingerprint: string) => ({
  fingerprint, keyIds: ['0123456789ABCDEF'], userIds: ['x'], version: 4, algorithm: 'eddsa', created: '2026-01-01T00:00:00.000Z',
  importedAt: '2026-01-01T00:00:00.000Z', protection: 'passphrase',
});
const trick = path.relative(path.dirname(indexFile), outside).replace(/\.key$/, '');

const shapes: Array<[string, () => string]> = [
  ['an array', () => '[]'],
  ['an object of the wrong version', () => JSON.stringify({ version: 2, secret: [], clients: [] })],
  ['10,000 levels deep', () => `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
  ['10,000 levels deep inside its keys', () => `{"version":1,"secret":${'['.repeat(10_000)}${']'.repeat(10_000)},"clients":[]}`],
  ['1,000,000 levels deep', () => `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`],
  ['100 MB', () => JSON.stringify({ version: 1, secret: [], clients: [], pad: 'x'.repeat(100 << 20) })],
  ['a newer field 5,000 levels deep (JSON.stringify cannot write it back)', () => JSON.stringify({ version: 1, secret: [], clients: [] }).replace(/}$/, `,"newer":${'['.repeat(5_000)}${']'.repeat(5_000)}}`)],
  ['a newer field on a key 100 levels deep', () => JSON.stringify({ version: 1, secret: [{ ...key('A'.repeat(40)), newer: JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`) as unknown }], clients: [] })],
  ['a key whose fingerprint is a path out of the folder', () => JSON.stringify({ version: 1, secret: [key(trick)], clients: [] })],
];

it.each(shapes)('%s: said as damaged, naming the file; nothing read or removed through it; the index left as it was', async (_how, make) => {
  const bad = make();
  fs.writeFileSync(indexFile, bad);
  const ks = new Keystore();
  const damaged = `The key index ${indexFile} is damaged (`;
  for (const call of [() => ks.listSecret(), () => ks.listClients(), () => ks.remove(trick), () => ks.remove('0123456789ABCDEF'), () => ks.loadSecret(trick), () => ks.recipient(trick)]) {
    const err = await call().then(() => null, (e: Error) => e);
    expect(err?.message.startsWith(damaged), err?.message).toBe(true);
  }
  expect(fs.readFileSync(outside, 'utf8')).toBe('not yours');
  expect(fs.statSync(indexFile).size).toBe(Buffer.byteLength(bad));
  expect(fs.readFileSync(indexFile, 'utf8') === bad).toBe(true);
}, 60_000);

const notFiles: Array<[string, RegExp, () => void]> = [
  ['a pipe', /not a regular file/, () => execFileSync('mkfifo', [indexFile])],
  ['a link to /dev/zero (size 0, never ends)', /not a regular file/, () => fs.symlinkSync('/dev/zero', indexFile)],
  ['a folder', /a folder, not a file/, () => fs.mkdirSync(indexFile)],
];

it.each(notFiles)('%s: said as damaged at once, naming the file; left as it was', async (_how, why, make) => {
  fs.rmSync(indexFile, { force: true });
  make();
  try {
    const ks = new Keystore();
    for (const call of [() => ks.listSecret(), () => ks.remove('0123456789ABCDEF')]) {
      const err = await call().then(() => null, (e: Error) => e);
      expect(err?.message.startsWith(`The key index ${indexFile} is damaged (`), err?.message).toBe(true);
      expect(err?.message).toMatch(why);
    }
    expect(fs.lstatSync(indexFile).isFile()).toBe(false);
  } finally {
    fs.rmSync(indexFile, { recursive: true, force: true });
  }
}, 20_000);

it('a field named __proto__, on the index or a key, changes no prototype and the index still reads', async () => {
  fs.writeFileSync(indexFile, `{"version":1,"__proto__":{"polluted":1},"secret":[${JSON.stringify(key('B'.repeat(40))).replace(/}$/, ',"__proto__":{"polluted":1}}')}],"clients":[]}`);
  const [k] = await new Keystore().listSecret();
  expect(k?.fingerprint).toBe('B'.repeat(40));
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getPrototypeOf(k)).toBe(Object.prototype);
});

const keyFiles: Array<[string, RegExp, (file: string) => void]> = [
  ['missing', /No such file/, () => undefined],
  ['a pipe', /not a regular file/, (f) => execFileSync('mkfifo', [f])],
  ['a link to /dev/zero', /not a regular file/, (f) => fs.symlinkSync('/dev/zero', f)],
  ['a folder', /is a folder/, (f) => fs.mkdirSync(f)],
  ['4 MB', /too large to be a stored key/, (f) => fs.writeFileSync(f, Buffer.alloc(4 << 20))],
];

it.each(keyFiles)('a stored key file %s: said at once, naming the file, for the operator\'s key and a client\'s', async (_how, why, make) => {
  const secret = 'C'.repeat(40);
  const client = 'D'.repeat(40);
  const { protection: _, ...clientKey } = key(client);
  fs.writeFileSync(indexFile, JSON.stringify({ version: 1, secret: [key(secret)], clients: [{ ...clientKey, userIds: ['client'], keyIds: ['1111111111111111'] }] }));
  fs.mkdirSync(path.dirname(cryptoFiles().client(client)), { recursive: true });
  for (const f of [cryptoFiles().secret(secret), cryptoFiles().client(client)]) { fs.rmSync(f, { recursive: true, force: true }); make(f); }
  try {
    const ks = new Keystore();
    for (const [file, call] of [[cryptoFiles().secret(secret), () => ks.loadSecret(secret)], [cryptoFiles().client(client), () => ks.clientKey(client)], [cryptoFiles().client(client), () => ks.clientKeys()]] as const) {
      const err = await call().then(() => null, (e: Error) => e);
      expect(err?.message).toMatch(/^A stored key cannot be read: /);
      expect(err?.message).toMatch(why);
      expect(err?.message).toContain(file);
    }
  } finally {
    for (const f of [cryptoFiles().secret(secret), cryptoFiles().client(client)]) fs.rmSync(f, { recursive: true, force: true });
  }
}, 20_000);

describe('an index near its bound (8 MB)', () => {
  const MAX = 8 << 20;
  const many = (n: number, pad = 0) => JSON.stringify({
    version: 1, newer: 'k'.repeat(pad), clients: [],
    secret: Array.from({ length: n }, (_, i) => ({ ...key(i.toString(16).toUpperCase().padStart(40, '0')), newer: { list: [1, 2, 3] } })),
  });

  it('rewritten compact when indented it would pass the bound, so the next read still accepts it', async () => {
    const text = many(20_000);
    expect(Buffer.byteLength(text)).toBeLessThan(MAX);
    expect(Buffer.byteLength(JSON.stringify(JSON.parse(text), null, 2))).toBeGreaterThan(MAX);
    fs.writeFileSync(indexFile, text);
    const ks = new Keystore();
    await ks.remove('5'.padStart(40, '0'));
    const after = await ks.listSecret();
    expect(after).toHaveLength(19_999);
    expect(fs.statSync(indexFile).size).toBeLessThan(MAX);
    const kept = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as { newer: string; secret: { newer: unknown }[] };
    expect(kept.newer).toBe('');
    expect(kept.secret.every((k) => JSON.stringify(k.newer) === '{"list":[1,2,3]}')).toBe(true);
  }, 60_000);

  it('an import that would pass it is refused, saying so: the index left as it was, no key file written', async () => {
    const n = 20_000;
    const text = many(n, MAX - Buffer.byteLength(many(n)) - 100); // 100 bytes short of the bound: a key entry is more
    expect(Buffer.byteLength(text)).toBe(MAX - 100);
    fs.writeFileSync(indexFile, text);
    const { publicKey } = await openpgp.generateKey({ userIDs: [{ name: 'Client', email: 'c@client.example' }], type: 'ecc', format: 'armored' });
    const err = await new Keystore().importClients(Buffer.from(publicKey)).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(new RegExp(`^The key index ${indexFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} would grow to [\\d,]+ bytes, past the 8,388,608 a key index may hold: nothing was changed`));
    expect(fs.readFileSync(indexFile, 'utf8') === text).toBe(true);
    expect(fs.existsSync(path.dirname(cryptoFiles().client('E'.repeat(40)))) ? fs.readdirSync(path.dirname(cryptoFiles().client('E'.repeat(40)))) : []).toEqual([]);
    expect(await new Keystore().listSecret()).toHaveLength(n);
  }, 60_000);
});

it('a key entered twice (an index written by hand): listed once, the last; named by its fingerprint, it is one key and removed whole', async () => {
  const fpr = 'F'.repeat(40);
  fs.writeFileSync(indexFile, JSON.stringify({ version: 1, secret: [{ ...key(fpr), userIds: ['first'] }, key('1'.repeat(40)), { ...key(fpr), userIds: ['second'] }], clients: [] }));
  const ks = new Keystore();
  expect((await ks.listSecret()).map((k) => [k.fingerprint, k.userIds[0]])).toEqual([[fpr, 'second'], ['1'.repeat(40), 'x']]);
  expect((await ks.findSecret(fpr)).userIds).toEqual(['second']);
  expect((await ks.remove(fpr)).key.fingerprint).toBe(fpr);
  expect((JSON.parse(fs.readFileSync(indexFile, 'utf8')) as { secret: { fingerprint: string }[] }).secret.map((k) => k.fingerprint)).toEqual(['1'.repeat(40)]);
});
