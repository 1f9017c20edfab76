// Audit policy as the contract declares it, written to real trail files: secrets never reach audit.jsonl (nor any
// digest of them), sensitive values are keyed HMACs that match across entries, plain fields stay readable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { createHash, createHmac } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { CALL_NAMES, specOf, type CallSpec } from '../../../shared/contract';
import { defineCall } from '../../../shared/contract/define';
import { Engine } from '../engine';
import { canonicalJson } from './canonical';
import { auditEntry, isAudited } from './policy';
import { auditSalt, hmacHex } from './salt';
import { appendAudit, readAudit, verifyAudit } from './trail';

let dir: string;
const home = process.env.CASEFILE_HOME;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'casefile-policy-'));
  process.env.CASEFILE_HOME = path.join(dir, 'home');
});
afterAll(async () => {
  if (home === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = home;
  await fs.rm(dir, { recursive: true, force: true });
});

/** A call shaped like the ones pull and keys will add: secrets and sensitive fields, nested and in arrays. */
const probe = defineCall({
  input: z.object({
    caseId: z.string(),
    host: z.string(),
    passphrase: z.string(),
    auth: z.object({ user: z.string(), password: z.string(), sessionKey: z.string() }),
    hops: z.array(z.object({ host: z.string(), password: z.string() })),
    note: z.string(),
  }),
  output: z.object({}),
  access: 'write', audit: 'always',
  secret: ['passphrase', 'auth.password', 'auth.sessionKey', 'hops.password'],
  sensitive: ['host', 'auth.user', 'hops.host'],
}) as unknown as CallSpec;

function setPath(obj: Record<string, unknown>, dotted: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = dotted.split('.') as [string, ...string[]];
  return { ...obj, [head]: rest.length ? setPath((obj[head] as Record<string, unknown>) ?? {}, rest.join('.'), value) : value };
}

/** Every trace a value could leave: itself, its base64, the first 8 hex of its sha256 and of an HMAC under the salt. */
function traces(value: string, salt: Buffer): string[] {
  return [value, Buffer.from(value).toString('base64'), createHash('sha256').update(value).digest('hex').slice(0, 8), hmacHex(salt, value).slice(0, 8)];
}

describe('audit policy from the contract', () => {
  it('every secret field of every call (and of a probe call) never reaches audit.jsonl, nor any digest of it', async () => {
    const file = path.join(dir, 'secrets', 'audit.jsonl');
    const salt = await auditSalt(path.join(dir, 'secrets', 'audit.salt'));
    const fields: { name: string; spec: CallSpec; field: string }[] = [
      ...CALL_NAMES.flatMap((name) => (specOf(name).secret ?? []).map((field) => ({ name, spec: specOf(name), field }))),
      ...(probe.secret ?? []).map((field) => ({ name: 'probe.call', spec: probe, field })),
    ];
    const markers: string[] = [];
    for (const [i, f] of fields.entries()) {
      const marker = `s3cr3t-${i}-${f.field}-correct-horse`;
      markers.push(marker);
      let input: Record<string, unknown> = { caseId: 'c', host: 'h', auth: { user: 'u' }, hops: [{ host: 'a' }, { host: 'b' }] };
      input = f.field.startsWith('hops.')
        ? { ...input, hops: [{ host: 'a', password: marker }, { host: 'b', password: marker }] }
        : setPath(input, f.field, marker);
      expect(isAudited(f.spec, input) || f.spec.audit === 'never' || f.spec.audit === 'handler').toBe(true);
      const entry = auditEntry(f.spec, input, { status: 'error', message: `login as u with ${marker} refused` }, (t) => hmacHex(salt, t));
      await appendAudit(file, { action: f.name, ...entry, via: 'test' });
    }
    expect(fields.length).toBeGreaterThanOrEqual(4);
    const text = await fs.readFile(file, 'utf8');
    for (const m of markers) for (const t of traces(m, salt)) expect(text).not.toContain(t);
    expect(text).toContain('[secret] refused');
    expect((await verifyAudit(file)).ok).toBe(true);
  });

  it('sensitive values are HMACs under the trail salt: equal values match, other values and other trails do not', async () => {
    const fileA = path.join(dir, 'a', 'audit.jsonl');
    const saltA = await auditSalt(path.join(dir, 'a', 'audit.salt'));
    const saltB = await auditSalt(path.join(dir, 'b', 'audit.salt'));
    expect(saltA.equals(saltB)).toBe(false);
    const base = { caseId: 'c', passphrase: 'p', auth: { user: 'acme-ops', password: 'x', sessionKey: 'k' }, note: 'plain note' };
    const write = async (host: string, salt: Buffer) => {
      const entry = auditEntry(probe, { ...base, host, hops: [{ host: 'jump.acme.example', password: 'x' }] }, { status: 'ok' }, (t) => hmacHex(salt, t));
      await appendAudit(fileA, { action: 'probe.call', ...entry, via: 'test' });
    };
    await write('sftp.acme.example', saltA);
    await write('sftp.acme.example', saltA);
    await write('sftp.other.example', saltA);
    await write('sftp.acme.example', saltB);
    const [e1, e2, e3, e4] = (await readAudit(fileA)).map((e) => e.params as Record<string, { hmac: string } & Record<string, unknown>>);
    expect(e1!.host).toEqual({ hmac: createHmac('sha256', saltA).update('sftp.acme.example').digest('hex') });
    expect(e2!.host).toEqual(e1!.host);
    expect(e3!.host).not.toEqual(e1!.host);
    expect(e4!.host).not.toEqual(e1!.host);
    expect(e1!.auth).toEqual({ user: { hmac: hmacHex(saltA, 'acme-ops') } });
    expect(e1!.hops).toEqual([{ host: { hmac: hmacHex(saltA, 'jump.acme.example') } }]);
    expect(e1!.note).toBe('plain note');
    const text = await fs.readFile(fileA, 'utf8');
    for (const v of ['sftp.acme.example', 'acme-ops', 'jump.acme.example']) expect(text).not.toContain(v);
  });

  it('a salt is made once, owner-only, and a damaged one is refused rather than replaced', async () => {
    const f = path.join(dir, 'salt-once', 'audit.salt');
    const [a, b] = await Promise.all([auditSalt(f), auditSalt(f)]);
    expect(a.equals(b)).toBe(true);
    expect(a).toHaveLength(32);
    expect((await fs.stat(f)).mode & 0o777).toBe(0o600);
    expect((await fs.readdir(path.dirname(f))).sort()).toEqual(['audit.salt']);
    const bad = path.join(dir, 'salt-bad', 'audit.salt');
    await fs.mkdir(path.dirname(bad), { recursive: true });
    await fs.writeFile(bad, 'short\n');
    await expect(auditSalt(bad)).rejects.toThrow(/damaged/);
  });

  it('through the engine: plain fields stay readable, cursor pages are not recorded, no salt without sensitive values', async () => {
    const engine = await Engine.create({ via: 'test' });
    try {
      const info = await engine.call('cases.create', { name: 'policy', dir: path.join(dir, 'engine-case') });
      await engine.call('events.page', { caseId: info.id, filter: { levels: ['ERROR'], regex: false }, limit: 10 });
      await engine.call('events.page', { caseId: info.id, filter: {}, limit: 10, after: { ts: null, id: 5 } });
      await engine.call('events.histogram', { caseId: info.id, filter: {}, buckets: 10 });
      const entries = await readAudit(path.join(info.dir, 'audit.jsonl'));
      expect(entries.map((e) => e.action)).toEqual(['cases.create', 'events.page']);
      expect(entries[1]!.params).toEqual({ caseId: info.id, filter: { levels: ['ERROR'], regex: false }, limit: 10 });
      await expect(fs.stat(path.join(info.dir, 'audit.salt'))).rejects.toThrow();
    } finally {
      await engine.close();
    }
  });

  it('through the engine: text the operator types (search, field values, paths, SQL, chain text, trace key, a saved view) is an HMAC, as in an export; which filter kinds were used stays readable', async () => {
    const engine = await Engine.create({ via: 'test' });
    try {
      const info = await engine.call('cases.create', { name: 'typed', dir: path.join(dir, 'typed-case') });
      const caseId = info.id;
      const secret = 'hunter2-Sup3rS3cret';
      const filter = { text: secret, regex: false, fields: [{ field: 'user', value: `${secret}-user` }], files: [`/var/log/${secret}.log`] };
      await engine.call('events.page', { caseId, filter, limit: 10 });
      await engine.call('events.page', { caseId, filter, limit: 10 });
      await engine.call('events.fieldValues', { caseId, filter, field: 'user', limit: 5 });
      await engine.call('events.sql', { caseId, sql: `SELECT count(*) AS n FROM events WHERE message LIKE '%${secret}%'` });
      // An error that quotes the query does not undo its HMAC.
      await expect(engine.call('events.sql', { caseId, sql: `SELEC '${secret}'` })).rejects.toThrow();
      await engine.call('chains.list', { caseId, text: secret, limit: 10 });
      await engine.call('chains.trace', { caseId, key: secret });
      await engine.call('views.save', { caseId, view: { name: 'mine', filter, columns: [] } });
      const file = path.join(info.dir, 'audit.jsonl');
      const text = await fs.readFile(file, 'utf8');
      expect(text).not.toContain(secret);
      const salt = await auditSalt(path.join(info.dir, 'audit.salt'));
      const h = (v: string) => ({ hmac: hmacHex(salt, v) });
      const hashed = { text: h(secret), regex: false, fields: [{ field: 'user', value: h(`${secret}-user`) }], files: { hmac: hmacHex(salt, canonicalJson([`/var/log/${secret}.log`])) } };
      const by = (a: string) => entries.filter((e) => e.action === a).map((e) => e.params);
      const entries = await readAudit(file);
      expect(by('events.page')).toEqual([{ caseId, filter: hashed, limit: 10 }, { caseId, filter: hashed, limit: 10 }]);
      expect(by('events.fieldValues')).toEqual([{ caseId, filter: hashed, field: 'user', limit: 5 }]);
      expect(by('chains.list')[0]).toMatchObject({ text: h(secret) });
      expect(by('chains.trace')).toEqual([{ caseId, key: h(secret) }]);
      expect(by('views.save')).toEqual([{ caseId, view: { name: 'mine', filter: hashed, columns: [] } }]);
      const sql = entries.filter((e) => e.action === 'events.sql');
      expect(sql.map((e) => Object.keys(e.params.sql as object))).toEqual([['hmac'], ['hmac']]);
      expect(sql[1]!.result.status).toBe('error');
      // The audit view shows these entries as they are recorded.
      const views = await engine.call('audit.list', { caseId, action: 'events.page', limit: 10 });
      expect(views[0]!.params).toEqual({ caseId, filter: hashed, limit: 10 });
      expect((await verifyAudit(file)).ok).toBe(true);
    } finally {
      await engine.close();
    }
  });
  it('client rules: word lists, patterns, domains and hosts are HMACs (saved, refused, or given to an export); counts, types, actions and kinds stay readable', async () => {
    const engine = await Engine.create({ via: 'test' });
    try {
      const info = await engine.call('cases.create', { name: 'rules', dir: path.join(dir, 'rules-case') });
      const caseId = info.id;
      const rules = {
        patterns: [{ type: 'kyc', regex: 'KYC-Zelda[0-9]+', action: 'pseudonymise' as const }],
        domains: ['zelda-bank.example'], hosts: ['db1.zelda-bank.example'],
        words: [{ type: 'customer', words: ['Zelda Fitzgerald', 'Ottoline Morrell'], action: 'pseudonymise' as const }],
        secretKeys: ['sessionKey'], harvestKinds: ['user', 'host'],
      };
      await engine.call('redact.rules.save', { caseId, rules });
      // A pattern RE2 refuses: the error names it, the entry does not.
      await expect(engine.call('redact.rules.save', { caseId, rules: { ...rules, patterns: [{ type: 'kyc', regex: 'Zelda(', action: 'pseudonymise' }] } })).rejects.toThrow();
      const file = path.join(info.dir, 'audit.jsonl');
      const text = await fs.readFile(file, 'utf8');
      for (const s of ['Zelda', 'Ottoline', 'zelda-bank']) expect(text).not.toContain(s);
      const salt = await auditSalt(path.join(info.dir, 'audit.salt'));
      const h = (v: unknown) => ({ hmac: hmacHex(salt, typeof v === 'string' ? v : canonicalJson(v)) });
      const saves = (await readAudit(file)).filter((e) => e.action === 'redact.rules.save');
      expect(saves[0]!.params).toEqual({ caseId, rules: {
        patterns: [{ type: 'kyc', regex: h(rules.patterns[0]!.regex), action: 'pseudonymise' }],
        domains: h(rules.domains), hosts: h(rules.hosts),
        words: [{ type: 'customer', words: h(rules.words[0]!.words), action: 'pseudonymise' }],
        secretKeys: ['sessionKey'], harvestKinds: ['user', 'host'],
      } });
      expect(saves[0]!.result).toEqual({ status: 'ok', counts: { patterns: 1, wordLists: 1, words: 2, domains: 1, hosts: 1, secretKeys: 1, harvestKinds: 2 } });
      expect(saves[1]!.result.status).toBe('error');
      // An export given a rules file (casefile export --rules) records them the same way.
      const exp = auditEntry(specOf('export.run'), { caseId, selection: {}, format: 'jsonl', plaintext: true, rules }, { status: 'ok' }, (t) => hmacHex(salt, t));
      expect(JSON.stringify(exp)).not.toContain('Zelda');
      expect((exp.params.rules as { words: unknown[] }).words).toEqual([{ type: 'customer', words: h(rules.words[0]!.words), action: 'pseudonymise' }]);
      // A site profile's rules (profiles.save, to the app trail) are one HMAC; the counts stay readable.
      const profile = { name: 'zelda', target: { host: 'sftp.example', user: 'ops', auth: { kind: 'agent' as const } }, logRoot: '/srv/logs', capBytes: 1e9, redaction: { words: [{ type: 'customer', words: ['Zelda Fitzgerald'] }] } };
      const spec = specOf('profiles.save');
      const saved = auditEntry(spec, { profile }, { status: 'ok' }, (t) => hmacHex(salt, t));
      expect(JSON.stringify(saved)).not.toContain('Zelda F');
      expect((saved.params.profile as { redaction: unknown }).redaction).toEqual(h(profile.redaction));
      expect(spec.auditCounts?.({ profile } as never)).toMatchObject({ wordLists: 1, words: 1 });
    } finally {
      await engine.close();
    }
  });
});
