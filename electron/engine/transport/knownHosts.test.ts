import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { tempDir, removeDir } from '../../testkit/tmp';
import { fingerprint, formatHashedEntry, lookup, parseKnownHosts, entryMatchesHost } from './knownHosts';

let dir: string;
const keys: Record<string, { blob: Buffer; line: string; fp: string }> = {};
beforeAll(() => {
  dir = tempDir();
  for (const [name, type] of [['a', 'ed25519'], ['b', 'ed25519'], ['r', 'rsa'], ['e', 'ecdsa']] as const) {
    const f = path.join(dir, name);
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', f]);
    const line = readFileSync(`${f}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
    const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${f}.pub`], { encoding: 'utf8' }).split(/\s+/)[1]!;
    keys[name] = { blob: Buffer.from(line.split(' ')[1]!, 'base64'), line, fp };
  }
});
afterAll(() => removeDir(dir));

/** What OpenSSH itself finds for a name in a file (`ssh-keygen -F`). */
const sshKeygenFinds = (file: string, name: string) => spawnSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8' }).stdout.includes('found');

describe('known_hosts', () => {
  it('fingerprints exactly as ssh-keygen -l prints them', () => {
    for (const k of Object.values(keys)) expect(fingerprint(k.blob)).toBe(k.fp);
  });

  it('matches plain, [host]:port, wildcard and negated names the way ssh-keygen -F does', () => {
    const file = path.join(dir, 'plain');
    writeFileSync(file, [
      `# comment`, ``,
      `web1.example.com,10.0.0.5 ${keys.a!.line}`,
      `[jump.example.com]:2222 ${keys.b!.line}`,
      `*.corp.example,!bad.corp.example ${keys.r!.line}`,
      `node?.lab ${keys.e!.line}`,
    ].join('\n'));
    const entries = parseKnownHosts(readFileSync(file, 'utf8'));
    const cases: [string, number][] = [['web1.example.com', 22], ['10.0.0.5', 22], ['10.0.0.6', 22], ['jump.example.com', 2222],
      ['jump.example.com', 22], ['x.corp.example', 22], ['bad.corp.example', 22], ['node1.lab', 22], ['node12.lab', 22], ['WEB1.example.com', 22]];
    for (const [host, port] of cases) {
      const ours = entries.some((e) => entryMatchesHost(e, host, port));
      expect(ours, `${host}:${port}`).toBe(sshKeygenFinds(file, port === 22 ? host : `[${host}]:${port}`));
    }
  });

  it('reads files hashed by ssh-keygen -H, and ssh-keygen -F finds the entries we hash', () => {
    const file = path.join(dir, 'hashed');
    writeFileSync(file, `web1.example.com ${keys.a!.line}\n[jump.example.com]:2222 ${keys.b!.line}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^\|1\|/);
    expect(text).not.toContain('web1');
    const entries = parseKnownHosts(text);
    expect(lookup(entries, 'web1.example.com', 22, keys.a!.blob).status).toBe('known');
    expect(lookup(entries, 'jump.example.com', 2222, keys.b!.blob).status).toBe('known');
    expect(lookup(entries, 'jump.example.com', 22, keys.b!.blob).status).toBe('unknown');

    const ours = path.join(dir, 'ours');
    writeFileSync(ours, `${formatHashedEntry('db.example.com', 22, keys.a!.blob)}\n${formatHashedEntry('10.1.1.1', 2200, keys.r!.blob)}\n`);
    expect(sshKeygenFinds(ours, 'db.example.com')).toBe(true);
    expect(sshKeygenFinds(ours, '[10.1.1.1]:2200')).toBe(true);
    expect(sshKeygenFinds(ours, '10.1.1.1')).toBe(false);
  });

  it('says known, unknown, changed and revoked', () => {
    const entries = parseKnownHosts([
      `h1 ${keys.a!.line}`,
      `h2 ${keys.r!.line}`,
      `@revoked * ${keys.b!.line}`,
      `@cert-authority *.example ${keys.e!.line}`,
    ].join('\n'));
    expect(lookup(entries, 'h1', 22, keys.a!.blob)).toEqual({ status: 'known', knownTypes: ['ssh-ed25519'] });
    expect(lookup(entries, 'h1', 22, keys.r!.blob).status).toBe('changed');
    expect(lookup(entries, 'h2', 22, keys.a!.blob)).toEqual({ status: 'changed', knownTypes: ['ssh-rsa'] });
    expect(lookup(entries, 'h3', 22, keys.a!.blob).status).toBe('unknown');
    expect(lookup(entries, 'h1', 22, keys.b!.blob).status).toBe('revoked');
    // A CA line neither vouches for a host key (certificates are not supported) nor makes it look changed.
    expect(lookup(entries, 'x.example', 22, keys.e!.blob).status).toBe('unknown');
  });

  it('skips malformed lines and keys that lie about their type, never throws on junk', () => {
    const mislabelled = `h1 ssh-rsa ${keys.a!.line.split(' ')[1]}`;
    const entries = parseKnownHosts(`${mislabelled}\nh1 ssh-ed25519 !!!\n|1|short|x ssh-ed25519 AAAA\n@weird h1 ${keys.a!.line}\n`);
    expect(entries).toHaveLength(0);
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => { parseKnownHosts(s); }));
  });
});
