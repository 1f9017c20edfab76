import { describe, expect, it } from 'vitest';
import { SiteProfile } from './profile';

const base = {
  name: 'acme', logRoot: '/home/scribble/enrich', capBytes: 1e9,
  jumps: [{ host: 'jump.example', user: 'ops', auth: { kind: 'agent' } }],
  target: { host: '10.0.0.5', user: 'scribble', hostKeys: ['SHA256:' + 'A'.repeat(43)], auth: { kind: 'key', path: '/k' } },
};

describe('site profile', () => {
  it('accepts a profile and fills defaults', () => {
    const p = SiteProfile.parse(base);
    expect(p.jumps[0]!.port).toBe(22);
    expect(p.timezone).toBe('UTC');
    expect(p.allowExec).toBe(false);
  });

  it('has no place for a secret: a passphrase or private key in a profile is refused', () => {
    expect(() => SiteProfile.parse({ ...base, target: { ...base.target, auth: { kind: 'key', path: '/k', passphrase: 'x' } } })).toThrow();
    expect(() => SiteProfile.parse({ ...base, target: { ...base.target, password: 'x' } })).toThrow();
    expect(() => SiteProfile.parse({ ...base, privateKey: '-----BEGIN' })).toThrow();
  });

  it('refuses hostile values', () => {
    for (const bad of [{ name: '../x' }, { logRoot: 'relative/path' }, { capBytes: -1 }, { target: { ...base.target, host: 'a b' } },
      { target: { ...base.target, hostKeys: ['MD5:aa'] } }, { target: { ...base.target, port: 70000 } }, { redaction: { x: 'y'.repeat(300_000) } }]) {
      expect(() => SiteProfile.parse({ ...base, ...bad }), JSON.stringify(bad).slice(0, 80)).toThrow();
    }
  });
});
