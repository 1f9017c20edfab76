import { describe, expect, it } from 'vitest';
import { SiteProfile } from '../../../shared/profile';
import { checkDraft, draftOf, fieldLabel, emptyDraft, emptyHop, type ProfileDraft } from './profileDraft';

const filled = (): ProfileDraft => ({
  ...emptyDraft(), name: 'acme',
  jumps: [{ ...emptyHop(), user: 'ops', host: 'bastion.acme.example' }],
  target: { ...emptyHop(), user: 'scribble', host: '10.0.4.12', port: '2222', auth: 'key', keyPath: '/home/op/.ssh/acme_ed25519' },
  cap: '500MB', timezone: 'Asia/Kolkata',
});

describe('the profile form draft', () => {
  it('becomes the profile the schema stores, sizes read as the CLI reads them', () => {
    const r = checkDraft(filled());
    expect(r.errors).toBeUndefined();
    expect(r.profile).toEqual(SiteProfile.parse({
      name: 'acme', jumps: [{ user: 'ops', host: 'bastion.acme.example', auth: { kind: 'agent' } }],
      target: { user: 'scribble', host: '10.0.4.12', port: 2222, auth: { kind: 'key', path: '/home/op/.ssh/acme_ed25519' } },
      logRoot: '/home/scribble/enrich', capBytes: 500_000_000, timezone: 'Asia/Kolkata',
    }));
  });

  it('names each wrong field, the jump hosts by their place', () => {
    const d = filled();
    d.name = '-x';
    d.jumps[0]!.host = '-oProxyCommand=touch /tmp/p';
    d.jumps[0]!.port = '22a';
    d.target.auth = 'key'; d.target.keyPath = '';
    d.target.hostKeys = 'SHA256:short';
    d.logRoot = 'relative/logs';
    d.cap = 'lots';
    d.timezone = 'Asia/Kolkatta';
    const { errors } = checkDraft(d);
    expect(Object.keys(errors ?? {}).sort()).toEqual(['cap', 'jumps.0.host', 'jumps.0.port', 'logRoot', 'name', 'target.hostKeys', 'target.keyPath', 'timezone']);
    expect(errors?.timezone).toMatch(/not a time zone/);
    expect(errors?.['jumps.0.port']).toMatch(/port number/);
    expect(errors?.['target.keyPath']).toBe('required');
    expect(fieldLabel('jumps.0.port')).toBe('jump host 1: port');
    expect(fieldLabel('target.keyPath')).toBe('target: key file');
  });

  it('a stored profile comes back unchanged through the form, the parts it does not edit included', () => {
    const stored = SiteProfile.parse({
      name: 'globex', jumps: [{ user: 'ops', host: 'jump', port: 22, hostKeys: ['SHA256:' + 'A'.repeat(43)], knownHostsFile: '/etc/ssh/k', auth: { kind: 'agent' } }],
      target: { user: 'u', host: 't', auth: { kind: 'agent' } }, logRoot: '/srv/logs', capBytes: 2_000_000_000, timezone: 'UTC', allowExec: true,
      notes: 'VPN first', redaction: { words: ['Globex'] }, exportKey: { fingerprint: 'A'.repeat(40) },
    });
    expect(checkDraft(draftOf(stored)).profile).toEqual(stored);
  });
});
