// Files of the data home the engine reads back (settings.json, the recent-cases list, its own known_hosts, sealed
// profiles): one that is a pipe was waited on forever (every audited call, the Cases view, accepting a host key,
// loading a sealed profile hung), /dev/zero was read on. Each is now a bounded read of a regular file (links followed
// by choice: the data home is the operator's own folder).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { Engine } from './engine';
import { appFiles } from './case/paths';
import { removeDir, tempDir } from '../testkit/tmp';
import { acceptHostKey, casefileKnownHosts } from './transport/hostKeyStore';
import { fingerprint } from './transport/knownHosts';
import { loadSealedProfile } from './crypto/sealedProfile';
import { cryptoFiles } from './crypto/paths';
import type { CryptoService } from './crypto/service';

let root: string;
const home = process.env.CASEFILE_HOME;
const operator = process.env.CASEFILE_OPERATOR;

beforeAll(() => {
  root = tempDir('casefile-home-doors-');
  process.env.CASEFILE_HOME = path.join(root, 'home');
  delete process.env.CASEFILE_OPERATOR;
  mkdirSync(appFiles().home, { recursive: true });
});
afterAll(() => {
  if (home === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = home;
  if (operator !== undefined) process.env.CASEFILE_OPERATOR = operator;
  removeDir(root);
});

const planted = [['a pipe', (f: string) => execFileSync('mkfifo', [f])], ['a link to /dev/zero', (f: string) => symlinkSync('/dev/zero', f)]] as const;

it.each(planted)('settings.json and the recent-cases list %s: audited calls and the case list answer at once', async (_what, make) => {
  make(path.join(appFiles().home, 'settings.json'));
  make(appFiles().recent);
  const engine = await Engine.create({ via: 'test' });
  try {
    const t0 = Date.now();
    const c = await engine.call('cases.create', { name: 'doors', dir: path.join(root, `case-${Date.now()}`) });
    expect((await engine.call('cases.list', {})).map((x) => x.id)).toContain(c.id);
    expect(Date.now() - t0).toBeLessThan(20_000);
    // The entry names the OS user: the settings were not read.
    const entry = JSON.parse(readFileSync(path.join(c.dir, 'audit.jsonl'), 'utf8').trim().split('\n')[0]!) as { operator: { name: string; osUser: string } };
    expect(entry.operator.name).toBe(entry.operator.osUser);
  } finally {
    await engine.close();
    rmSync(path.join(appFiles().home, 'settings.json'), { force: true });
    rmSync(appFiles().recent, { force: true });
  }
}, 60_000);

it.each(planted)('Casefile\'s known_hosts %s: accepting a host key is refused in words, nothing written through it', async (_what, make) => {
  const keyFile = path.join(root, `hostkey-${Date.now()}`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
  const key = readFileSync(`${keyFile}.pub`, 'utf8').split(' ')[1]!;
  make(casefileKnownHosts());
  try {
    const t0 = Date.now();
    await expect(acceptHostKey({ host: '10.0.0.7', port: 22, key, fingerprint: fingerprint(Buffer.from(key, 'base64')) }))
      .rejects.toThrow(`${casefileKnownHosts()} is not a regular file (a device, pipe or socket). Nothing recorded.`);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const st = lstatSync(casefileKnownHosts());
    expect(st.isFIFO() || st.isSymbolicLink()).toBe(true);
  } finally { rmSync(casefileKnownHosts(), { force: true }); }
}, 30_000);

it.each(planted)('a sealed profile %s: loading it is refused in words', async (_what, make) => {
  const file = path.join(path.dirname(cryptoFiles().dir), 'profiles', 'sealed', 'acme.sealed');
  mkdirSync(path.dirname(file), { recursive: true });
  make(file);
  try {
    await expect(loadSealedProfile({} as CryptoService, 'acme')).rejects.toThrow(`Sealed profile "acme": ${file} is not a regular file (a device, pipe or socket).`);
    await expect(loadSealedProfile({} as CryptoService, 'other')).rejects.toThrow('No sealed profile "other".');
  } finally { rmSync(file, { force: true }); }
}, 30_000);
