import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditEntryView, AuditVerifyResult, IntegrityResult } from '../../../shared/audit';
import { Engine } from '../engine';
import { appFiles } from '../case/paths';
import { appendAudit, readAudit } from './trail';

let dir: string;
let engine: Engine;
let caseId: string;
let auditFile: string;
const home = process.env.CASEFILE_HOME;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'casefile-audit-h-'));
  process.env.CASEFILE_HOME = path.join(dir, 'home');
  engine = await Engine.create({ via: 'test' });
  const info = await engine.call('cases.create', { name: 'handlers', dir: path.join(dir, 'case') });
  caseId = info.id;
  auditFile = path.join(info.dir, 'audit.jsonl');
  for (const action of ['events.query', 'cases.close']) {
    await appendAudit(auditFile, { action, params: { note: 'abc' }, result: { status: 'ok' }, via: 'test', caseId });
  }
});
afterEach(async () => {
  await engine.close();
  if (home === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = home;
  await fs.rm(dir, { recursive: true, force: true });
});

describe('audit calls', () => {
  it('audit.list returns contract-valid views, newest first, filtered, and is not itself recorded', async () => {
    const views = await engine.call('audit.list', { caseId, limit: 10 });
    expect(views.map((v) => v.action)).toEqual(['cases.close', 'events.query', 'cases.create']);
    for (const v of views) AuditEntryView.parse(v);
    expect(views[0]!.params).toEqual({ note: 'abc' });
    expect((await engine.call('audit.list', { caseId, action: 'events.query', limit: 10 })).map((v) => v.seq)).toEqual([2]);
    expect((await engine.call('audit.list', { caseId, action: 'cases.*', limit: 10 })).map((v) => v.seq)).toEqual([3, 1]);
    expect((await engine.call('audit.list', { caseId, limit: 1 })).map((v) => v.seq)).toEqual([3]);
    expect(await engine.call('audit.list', { caseId, since: '2999-01-01T00:00:00Z', limit: 10 })).toEqual([]);
    expect((await readAudit(auditFile)).map((e) => e.action)).toEqual(['cases.create', 'events.query', 'cases.close']);
  });

  it('audit.verify and case.verify return contract-valid results and are recorded', async () => {
    const a = AuditVerifyResult.parse(await engine.call('audit.verify', { caseId }));
    expect(a).toMatchObject({ ok: true, entries: 3, headSeq: 3 });
    const c = IntegrityResult.parse(await engine.call('case.verify', { caseId }));
    expect(c).toMatchObject({ ok: true, filesChecked: 0, problems: [] });
    // A clean check is a plain "ok" on the trail.
    expect((await readAudit(auditFile)).slice(-2).map((e) => [e.action, e.result.status, e.result.message])).toEqual([['audit.verify', 'ok', undefined], ['case.verify', 'ok', undefined]]);
    await expect(engine.call('audit.verify', { caseId: 'nope' })).rejects.toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('audit.matchText: a remembered text against the hashed inputs', () => {
  it('names each entry and input whose HMAC the text gives, and leaks neither the salt nor the text', async () => {
    const salt = path.join(dir, 'case', 'audit.salt');
    // Before any typed text was recorded there is no salt: nothing matches (the check's own entry then makes one).
    await expect(fs.stat(salt)).rejects.toThrow();
    expect(await engine.call('audit.matchText', { caseId, text: 'sneha' })).toEqual({ matches: [] });

    await engine.call('events.page', { caseId, filter: { text: 'sneha', files: ['enrich/logs/a.log'], fields: [{ field: 'user', value: 'priya' }] }, limit: 10 });
    await engine.call('events.sql', { caseId, sql: 'SELECT 1 AS one' });
    const seqOf = async (action: string) => (await engine.call('audit.list', { caseId, action, limit: 1 }))[0]!.seq;
    const page = await seqOf('events.page');
    const sql = await seqOf('events.sql');
    const match = (text: string) => engine.call('audit.matchText', { caseId, text });
    expect(await match('sneha')).toEqual({ matches: [{ seq: page, action: 'events.page', path: 'filter.text' }] });
    expect(await match('enrich/logs/a.log')).toEqual({ matches: [{ seq: page, action: 'events.page', path: 'filter.files' }] });
    expect(await match('priya')).toEqual({ matches: [{ seq: page, action: 'events.page', path: 'filter.fields[0].value' }] });
    expect(await match('SELECT 1 AS one')).toEqual({ matches: [{ seq: sql, action: 'events.sql', path: 'sql' }] });
    // Near misses do not match: the HMAC is of the exact text.
    expect(await match('Sneha')).toEqual({ matches: [] });
    expect(await match('sneh')).toEqual({ matches: [] });

    // Each check is on the trail with its text hashed; earlier checks are not counted as uses of the text.
    const checks = await engine.call('audit.list', { caseId, action: 'audit.matchText', limit: 100 });
    expect(checks).toHaveLength(7);
    expect(checks.every((c) => !('hmac' in c.params) && Object.keys(c.params).sort().join() === 'caseId,text')).toBe(true);
    expect(checks[0]!.params.text).toEqual({ hmac: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((await match('sneha')).matches).toHaveLength(1);
    const trail = await fs.readFile(auditFile, 'utf8');
    expect(trail).not.toMatch(/sneha|priya|a\.log|SELECT 1/);
    expect(trail).not.toContain((await fs.readFile(salt, 'utf8')).trim());
  });
});

describe('a case folder that is gone while the case is open', () => {
  it('is not made again by the next entry: the entry goes to the app trail, saying why', async () => {
    // The folder deleted, moved or unmounted under an open case (a pulled USB disk; a test's rm after closing the
    // case while the page's verify was still running).
    const caseDir = path.dirname(auditFile);
    await fs.rm(caseDir, { recursive: true, force: true });
    await engine.call('audit.verify', { caseId }).catch(() => undefined);
    await expect(fs.stat(caseDir)).rejects.toMatchObject({ code: 'ENOENT' });
    const app = await readAudit(appFiles().audit);
    const last = app[app.length - 1]!;
    expect(last).toMatchObject({ action: 'audit.verify', params: { caseId } });
    expect(last.result.message).toMatch(/case audit unavailable: the case folder .* is gone/);
  });
});

describe('a verification that finds a problem', () => {
  it('is recorded as a failure when the trail is broken, and still answers with the whole report', async () => {
    // Someone edits entry 2 (events.query) in the case's file.
    const lines = (await fs.readFile(auditFile, 'utf8')).split('\n');
    lines[1] = lines[1]!.replace('"note":"abc"', '"note":"abd"');
    await fs.writeFile(auditFile, lines.join('\n'));
    const found = await engine.call('audit.verify', { caseId });
    expect(found).toMatchObject({ ok: false, firstBroken: { seq: 2, line: 2 }, headSeq: 1 });
    const entry = (await readAudit(auditFile)).at(-1)!;
    expect(entry.action).toBe('audit.verify');
    expect(entry.result).toEqual({ status: 'error', message: 'verification failed at entry 2: Entry 2 does not match its hash: it was edited.' });
    // The list the Audit view reads shows it as a failed action.
    expect((await engine.call('audit.list', { caseId, action: 'audit.verify', limit: 1 }))[0]!.result.status).toBe('error');
  });

  it('is recorded as a failure when the evidence changed, with what it found', async () => {
    const bundle = path.join(dir, 'bundle');
    await fs.mkdir(bundle, { recursive: true });
    await fs.writeFile(path.join(bundle, 'app.log'), '2023-07-06 03:30:00 INFO hello\n');
    await engine.call('import.paths', { caseId, paths: [bundle] });
    const clean = await engine.call('case.verify', { caseId });
    expect(clean.ok).toBe(true);
    expect((await readAudit(auditFile)).at(-1)!.result).toEqual({ status: 'ok', counts: { files: 1, problems: 0 } });
    // The evidence copy edited behind the case's back.
    const info = await engine.call('cases.get', { caseId });
    const [b] = (await fs.readdir(path.join(info.dir, 'bundles'))).filter((n) => !n.endsWith('.json'));
    const copy = path.join(info.dir, 'bundles', b!, 'app.log');
    await fs.chmod(copy, 0o600);
    await fs.writeFile(copy, '2023-07-06 03:30:00 INFO hellO\n');
    const found = await engine.call('case.verify', { caseId });
    expect(found.ok).toBe(false);
    const entry = (await readAudit(auditFile)).at(-1)!;
    expect(entry).toMatchObject({ action: 'case.verify', result: { status: 'error', counts: { problems: 1 } } });
    expect(entry.result.message).toMatch(/^verification failed: 1 problem; first: .*app\.log: Content changed/);
  });
});
