// The key and sealed-file commands as an operator runs them: real CLI processes, real gpg, passphrases from a file
// descriptor or a terminal without echo (a real pty via `script`), clear non-zero exits on every failure.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GpgLab, type GpgKey } from '../../testkit/gpg';
import { removeDir, tempDir } from '../../testkit/tmp';
import { CLI_BIN, runCliChild } from '../../testkit/cliChild';

const passphrase = `pp-${randomBytes(6).toString('hex')}`;
const secret = `pw-${randomBytes(6).toString('hex')}`;

let root: string;
let lab: GpgLab;
let me: GpgKey;
let other: GpgKey;
let env: NodeJS.ProcessEnv;

const cli = (args: string[], fd3?: string) => runCliChild(args, env, fd3);

beforeAll(async () => {
  root = tempDir('casefile-cli-keys-');
  env = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
  lab = GpgLab.create();
  me = await lab.genKey('Operator <op@example.test>', passphrase);
  other = await lab.genKey('Other <other@example.test>', 'other-pass');
  writeFileSync(path.join(root, 'me.sec.asc'), me.secretArmored);
  writeFileSync(path.join(root, 'other.pub.asc'), other.publicArmored);
  writeFileSync(path.join(root, 'creds.json.gpg'), await lab.encrypt(JSON.stringify({ db: { user: 'enrich', password: secret } }), { to: [me.fingerprint] }));
});
afterAll(() => { lab?.close(); removeDir(root); });

it('imports and lists keys with their protection and doors', async () => {
  const imp = await cli(['key', 'import', path.join(root, 'me.sec.asc')]);
  expect(imp.code, imp.stderr).toBe(0);
  expect(imp.stdout).toContain(me.fingerprint);
  expect((await cli(['key', 'import', '--client', path.join(root, 'other.pub.asc')])).code).toBe(0);
  const list = await cli(['key', 'list', '--json']);
  const r = JSON.parse(list.stdout) as { secret: { fingerprint: string; protection: string; doors: string[] }[]; clients: { fingerprint: string }[] };
  expect(r.secret).toMatchObject([{ fingerprint: me.fingerprint, protection: 'passphrase', doors: ['desktop', 'cli', 'browser'] }]);
  expect(r.clients.map((c) => c.fingerprint)).toEqual([other.fingerprint]);
  expect((await cli(['key', 'list'])).stdout).toMatch(/passphrase\s+desktop,cli,browser/);
});

it('opens masked, reveals one value with --passphrase-fd, and fails clearly', async () => {
  const file = path.join(root, 'creds.json.gpg');
  const masked = await cli(['open', file, '--passphrase-fd', '3'], `${passphrase}\n`);
  expect(masked.code, masked.stderr).toBe(0);
  expect(masked.stdout).toMatch(/password\s+••••• \(string\)/);
  expect(masked.stdout).not.toContain(secret);
  expect(masked.stdout).not.toContain('enrich');

  const revealed = await cli(['open', file, '--reveal', 'db.password', '--passphrase-fd', '3'], `${passphrase}\n`);
  expect(revealed.code, revealed.stderr).toBe(0);
  expect(revealed.stdout).toBe(`${secret}\n`);

  const wrong = await cli(['open', file, '--reveal', 'db.password', '--passphrase-fd', '3'], 'nope\n');
  expect(wrong.code).not.toBe(0);
  expect(wrong.stderr).toMatch(/Wrong passphrase/);
  expect(wrong.stdout).toBe('');

  writeFileSync(path.join(root, 'theirs.gpg'), await lab.encrypt('{"a":1}', { to: [other.fingerprint] }));
  const theirs = await cli(['open', path.join(root, 'theirs.gpg')]);
  expect(theirs.code).not.toBe(0);
  expect(theirs.stderr).toMatch(new RegExp(`not encrypted to any of your keys.*${other.keyIds[1]}`));

  writeFileSync(path.join(root, 'cut.gpg'), readFileSync(file).subarray(0, 60));
  const cut = await cli(['open', path.join(root, 'cut.gpg'), '--passphrase-fd', '3'], `${passphrase}\n`);
  expect(cut.code).not.toBe(0);
  expect(cut.stderr).toMatch(/damaged|truncated|not a readable/i);

  // An empty descriptor (a pipe with nothing in it) is said to be empty, not tried as a wrong passphrase.
  const empty = await cli(['open', file, '--passphrase-fd', '3'], '');
  expect(empty.code).toBe(1);
  expect(empty.stderr.trim()).toBe('casefile: File descriptor 3 gave no passphrase (its first line is empty): write the passphrase to it, one line.');

  const noTty = await cli(['open', file]);
  expect(noTty.code).not.toBe(0);
  expect(noTty.stderr).toMatch(/--passphrase-fd/);
});

it('lists each entry of a repeated .env key masked with a warning, reveals each by its number, refuses the bare name', async () => {
  const [first, second] = [`a-${randomBytes(6).toString('hex')}`, `b-${randomBytes(6).toString('hex')}`];
  const file = path.join(root, 'dup.env.gpg');
  writeFileSync(file, await lab.encrypt(`DB_USER=enrich\nDB_PASSWORD=${first}\n\nDB_PASSWORD=${second}\n`, { to: [me.fingerprint] }));
  const warning = 'Warning: DB_PASSWORD appears 2 times (lines 2 and 4). Most loaders use the last one.';
  const masked = await cli(['open', file, '--passphrase-fd', '3'], `${passphrase}\n`);
  expect(masked.code, masked.stderr).toBe(0);
  expect(masked.stdout.split('\n').slice(1)).toEqual([warning, 'DB_USER  ••••• (string)', 'DB_PASSWORD#1  ••••• (string)', 'DB_PASSWORD#2  ••••• (string)', '']);
  // Each entry by its number (the first is revealed through the contract in crypto/contract.test.ts); the warning on stderr.
  const r = await cli(['open', file, '--reveal', 'DB_PASSWORD#2', '--passphrase-fd', '3'], `${passphrase}\n`);
  expect([r.code, r.stdout, r.stderr.trim()]).toEqual([0, `${second}\n`, warning]);
  const bare = await cli(['open', file, '--reveal', 'DB_PASSWORD', '--passphrase-fd', '3'], `${passphrase}\n`);
  expect(bare.code).not.toBe(0);
  expect(bare.stderr).toContain('DB_PASSWORD appears 2 times in this file: name one entry, DB_PASSWORD#1, DB_PASSWORD#2.');
  for (const x of [masked, bare]) expect(x.stdout + x.stderr).not.toMatch(new RegExp(`${first}|${second}`));
}, 180_000);

it('says what a file\'s signature means in a sentence, not as a status word', async () => {
  const stranger = await lab.genKey('Stranger <stranger@example.test>', 'stranger-pass');
  const signed = path.join(root, 'signed-by-stranger.json.gpg');
  writeFileSync(signed, await lab.encrypt('{"a":"b"}', { to: [me.fingerprint], signWith: stranger }));
  const r = await cli(['open', signed, '--passphrase-fd', '3'], `${passphrase}\n`);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain(`Signed by key ${stranger.keyIds[0]}, which is not among your keys or client keys: the signature is not checked. Import the signer's public key as a client key to check it.`);
  expect(r.stdout).not.toContain('unknown_key');
});

it('asks on a terminal without echoing the passphrase', async () => {
  const cmd = `${process.execPath} ${CLI_BIN} open ${path.join(root, 'creds.json.gpg')} --reveal db.password`;
  const p = spawn('script', ['-qec', cmd, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let seen = '';
  let typed = false;
  p.stdout.on('data', (d: Buffer) => {
    seen += d.toString();
    // Type only once asked, as a person would (input sent earlier is echoed by the terminal before raw mode).
    if (!typed && seen.includes('Passphrase for')) { typed = true; setTimeout(() => p.stdin.write(`${passphrase}\r`), 200); }
  });
  await new Promise((r) => p.on('close', r));
  expect(seen).toContain('Passphrase for Operator <op@example.test>');
  expect(seen).toContain(secret);
  expect(seen).not.toContain(passphrase);
});

it('seals a file gpg reads, signed', async () => {
  const plain = path.join(root, 'site.json');
  writeFileSync(plain, '{"name":"acme"}');
  const r = await cli(['seal', plain, '--to', 'other@example.test', '--to', me.fingerprint, '--sign', me.fingerprint, '--passphrase-fd', '3'], `${passphrase}\n`);
  expect(r.code, r.stderr).toBe(0);
  const sealed = readFileSync(`${plain}.asc`);
  expect((await lab.decrypt(sealed, 'other-pass')).toString()).toBe('{"name":"acme"}');
  expect((await lab.decrypt(sealed, passphrase)).toString()).toBe('{"name":"acme"}');
});

it('seal refuses to replace an existing file (exit 1, the file unchanged) unless --force', async () => {
  const plain = path.join(root, 'refuse.json');
  writeFileSync(plain, '{"name":"second"}');
  for (const [out, args] of [[`${plain}.asc`, []], [path.join(root, 'refuse-chosen.asc'), ['--out', path.join(root, 'refuse-chosen.asc')]]] as const) {
    writeFileSync(out, 'earlier bytes\n');
    const r = await cli(['seal', plain, '--to', me.fingerprint, ...args]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim()).toBe(`casefile: ${out} already exists; sealing does not replace a file unless asked (--force on the command line, overwrite: true in the call).`);
    expect(readFileSync(out, 'utf8')).toBe('earlier bytes\n');
    // Signing: refused before any passphrase is asked (none is given here, and there is no terminal to ask on).
    const signed = await cli(['seal', plain, '--to', me.fingerprint, '--sign', me.fingerprint, ...args]);
    expect(signed.code, signed.stderr).toBe(1);
    expect(signed.stderr.trim()).toBe(r.stderr.trim());
    expect(readFileSync(out, 'utf8')).toBe('earlier bytes\n');
    const forced = await cli(['seal', plain, '--to', me.fingerprint, ...args, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect((await lab.decrypt(readFileSync(out), passphrase)).toString()).toBe('{"name":"second"}');
  }
});
