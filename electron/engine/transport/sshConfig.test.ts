import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, removeDir } from '../../testkit/tmp';
import { configHosts, importSshConfigHost } from './sshConfig';
import { pullHandlers } from './handlers';
import type { EngineContext } from '../api';

const dir = tempDir();
afterAll(() => removeDir(dir));
const opts = { logRoot: '/home/scribble/enrich', capBytes: 1e9, home: '/home/op' };

describe('ssh_config import', () => {
  const marker = path.join(dir, 'ran');
  const text = `
Host *
  ServerAliveInterval 30
Match exec "touch ${marker}"
  User hijacked
Host bastion
  HostName jump.acme.example
  User ops
  Port 2222
  IdentityFile ~/.ssh/jump_ed25519
  IdentitiesOnly yes
Host acme-enrich
  HostName 10.20.0.5
  User scribble
  ProxyJump bastion
  IdentityFile ~/.ssh/acme_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile ~/.ssh/acme_known_hosts
  CanonicalizeHostName yes
Host two-hop
  HostName 10.9.9.9
  ProxyJump admin@outer.example:2200,bastion
`;

  it('builds a profile named after the alias, with the jump host resolved through the same config', () => {
    const p = importSshConfigHost(text, 'acme-enrich', opts);
    expect(p.name).toBe('acme-enrich');
    expect(p.target).toMatchObject({ host: '10.20.0.5', port: 22, user: 'scribble', auth: { kind: 'key', path: '/home/op/.ssh/acme_ed25519' }, knownHostsFile: '/home/op/.ssh/acme_known_hosts' });
    expect(p.jumps).toEqual([expect.objectContaining({ host: 'jump.acme.example', port: 2222, user: 'ops', auth: { kind: 'key', path: '/home/op/.ssh/jump_ed25519' } })]);
    expect(p.logRoot).toBe('/home/scribble/enrich');
  });

  it('never runs Match exec', () => {
    const p = importSshConfigHost(text, 'acme-enrich', opts);
    expect(existsSync(marker)).toBe(false);
    expect(p.target.user).toBe('scribble');
  });

  it('follows a ProxyJump list in order, with user@host:port entries', () => {
    const p = importSshConfigHost(text, 'two-hop', opts);
    expect(p.jumps.map((j) => `${j.user}@${j.host}:${j.port}`)).toEqual(['admin@outer.example:2200', 'ops@jump.acme.example:2222']);
    expect(p.target.host).toBe('10.9.9.9');
  });

  it('lists the concrete hosts of a config', () => {
    expect(configHosts(text)).toEqual(['bastion', 'acme-enrich', 'two-hop']);
  });

  it('reads a config named `~/…` in the operator\'s home, as the app\'s form takes it (no shell expands it there)', async () => {
    writeFileSync(path.join(dir, 'acme_config'), text);
    const home = process.env.HOME;
    process.env.HOME = dir;
    try {
      const p = await pullHandlers['profiles.importSshConfig']({} as EngineContext, { host: 'acme-enrich', file: '~/acme_config', logRoot: '/srv', capBytes: 1e9 });
      expect(p.target.host).toBe('10.20.0.5');
      expect(p.jumps.map((j) => j.host)).toEqual(['jump.acme.example']);
      await expect(pullHandlers['profiles.importSshConfig']({} as EngineContext, { host: 'acme-enrich', file: '~/missing', logRoot: '/srv', capBytes: 1e9 }))
        .rejects.toThrow(`No such file: ${path.join(dir, 'missing')}`);
    } finally { process.env.HOME = home; }
  });

  it('refuses a name no Host block matches (ssh would dial it as it is; from a config it is a typo), naming the hosts', () => {
    expect(() => importSshConfigHost(text, 'acme-enrch', opts)).toThrow('No Host block of this config matches "acme-enrch"; its hosts: bastion, acme-enrich, two-hop.');
    // A wildcard block that sets something for the name is a match.
    expect(importSshConfigHost(`${text}\nHost *.acme.example\n  User deploy\n`, 'db.acme.example', opts).target).toMatchObject({ host: 'db.acme.example', user: 'deploy' });
  });

  it('refuses a config path that names a device, a folder or a huge file, before reading it (/dev/zero never ends)', async () => {
    const read = (file: string) => pullHandlers['profiles.importSshConfig']({} as EngineContext, { host: 'acme-enrich', file, logRoot: '/srv', capBytes: 1e9 });
    await expect(read('/dev/zero')).rejects.toThrow('/dev/zero is not a regular file (a device, pipe or socket).');
    await expect(read(dir)).rejects.toThrow(`${dir} is a folder, not a file.`);
    writeFileSync(path.join(dir, 'huge_config'), Buffer.alloc(2 * 1024 * 1024, 0x23));
    await expect(read(path.join(dir, 'huge_config'))).rejects.toThrow(/huge_config is too large to be an OpenSSH client config \(2,097,152 bytes; at most 1,048,576\)/);
  });
});
