// Secrets on screen (issue 16), at the contract: every call that hands records to the UI masks what the
// redaction detectors call secrets, so no answer carries a planted secret; events.reveal gives one field back and
// the trail records which record and field, never the value. Hostile reveal requests get clear errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { EventDetail, EventRow } from '../../../shared/domain';
import { Engine } from '../engine';
import { FAILED_TASK, PLANTED, writePlantedSecretsBundle } from '../../testkit/plantedSecrets';
import { removeDir, tempDir } from '../../testkit/tmp';
import { SECRET_MASK } from '../redact/onScreen';

const root = tempDir('casefile-secrets-');
let engine: Engine;
let caseId = '';
let caseDir = '';
const SECRETS = Object.values(PLANTED);
const leaks = (answer: unknown) => SECRETS.filter((s) => JSON.stringify(answer).includes(s));

beforeAll(async () => {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  engine = await Engine.create({ via: 'test' });
  const info = await engine.call('cases.create', { name: 'secrets', dir: path.join(root, 'case') });
  caseId = info.id; caseDir = info.dir;
  await engine.call('import.paths', { caseId, paths: [writePlantedSecretsBundle(path.join(root, 'bundle'))] });
}, 120_000);
afterAll(async () => { await engine?.close(); removeDir(root); });

async function rows(): Promise<EventRow[]> {
  return (await engine.call('events.page', { caseId, filter: {}, limit: 100, extraFields: ['password', 'db_user'] })).rows;
}

describe('secrets on screen', () => {
  it('the stored events hold every planted secret (the test can fail)', async () => {
    const all = await engine.call('events.sql', { caseId, sql: 'SELECT raw FROM events', reveal: true });
    expect(leaks(all)).toEqual(SECRETS);
  });

  it('pages, details, traces, context and field values carry none of them', async () => {
    const page = await rows();
    expect(page.length).toBe(10);
    expect(leaks(page)).toEqual([]);
    const db = page.find((r) => r.message?.includes('postgresql://'))!;
    expect(db.message).toContain(`postgresql://enrich:${SECRET_MASK}@db.acme.example`);
    expect(db.masked).toEqual(['message']);
    const settings = page.find((r) => r.message === 'Settings loaded')!;
    expect(settings.extra).toEqual({ password: SECRET_MASK, db_user: 'enrich' });
    expect(settings.masked).toEqual(['extra:password']);
    // Personal data stays visible: the operator investigates people.
    expect(page.find((r) => r.message === 'User login')!.masked).toBeUndefined();

    for (const r of page) {
      const d = await engine.call('events.get', { caseId, id: r.id });
      expect(leaks(d)).toEqual([]);
    }
    const key = (await engine.call('events.get', { caseId, id: page.find((r) => r.level === 'ERROR')!.id })) as EventDetail;
    expect(key.masked).toContain('raw');
    expect(key.raw).toMatch(new RegExp(`loaded key\n${SECRET_MASK}`));
    const set = (await engine.call('events.get', { caseId, id: settings.id })) as EventDetail;
    expect(set.fields.password).toBe(SECRET_MASK);
    expect(set.masked).toEqual(expect.arrayContaining(['raw', 'fields:/password']));

    const trace = await engine.call('chains.trace', { caseId, key: '9a1e3c55-0c1d-4e8a-9f6b-2d7c4b1a0e11' });
    expect(trace.events.length).toBe(5);
    expect(leaks(trace)).toEqual([]);
    expect(leaks(await engine.call('events.around', { caseId, id: db.id, seconds: 3600, perSource: 50 }))).toEqual([]);
    // A failed chain's reason is a log line: masked in the list, the trace and the tree alike.
    const failed = await engine.call('chains.list', { caseId, statuses: ['failure'], limit: 10 });
    expect(failed.chains.map((c) => c.key)).toEqual([FAILED_TASK]);
    expect(failed.chains[0]!.failureReason).toContain(`postgresql://enrich:${SECRET_MASK}@db.acme.example`);
    expect(leaks(failed)).toEqual([]);
    expect(leaks(await engine.call('chains.trace', { caseId, key: FAILED_TASK }))).toEqual([]);
    expect(leaks(await engine.call('events.fieldValues', { caseId, filter: {}, field: 'password', limit: 10 }))).toEqual([]);
    expect(leaks(await engine.call('events.page', { caseId, filter: { text: PLANTED.dbPassword }, limit: 10 }))).toEqual([]);
    // The SQL door masks as the screen does, unless the call asks to reveal (the CLI's --reveal-secrets).
    const sql = await engine.call('events.sql', { caseId, sql: `SELECT raw, message, fields, fields->>'password' AS password FROM events` });
    expect(leaks(sql)).toEqual([]);
    expect(sql.masked).toBeGreaterThanOrEqual(SECRETS.length);
  });

  it('reveals one field on request and audits which, never the value', async () => {
    const page = await rows();
    const db = page.find((r) => r.message?.includes('postgresql://'))!;
    const settings = page.find((r) => r.message === 'Settings loaded')!;
    expect((await engine.call('events.reveal', { caseId, id: db.id, field: 'message' })).value).toContain(PLANTED.dbPassword);
    expect((await engine.call('events.reveal', { caseId, id: settings.id, field: 'extra:password' })).value).toBe(PLANTED.fieldPassword);
    expect((await engine.call('events.reveal', { caseId, id: settings.id, field: 'fields:/password' })).value).toBe(PLANTED.fieldPassword);
    expect((await engine.call('events.reveal', { caseId, id: settings.id, field: 'raw' })).value).toContain(PLANTED.fieldPassword);
    const trail = readFileSync(path.join(caseDir, 'audit.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { action: string; params: Record<string, unknown> });
    const reveals = trail.filter((e) => e.action === 'events.reveal');
    expect(reveals.map((e) => [e.params.id, e.params.field])).toEqual([[db.id, 'message'], [settings.id, 'extra:password'], [settings.id, 'fields:/password'], [settings.id, 'raw']]);
    // (An earlier test searched for a secret by its text: that search is the operator's own words, kept as typed.)
    expect(leaks(trail.filter((e) => e.action !== 'events.page'))).toEqual([]);
    expect(leaks(reveals)).toEqual([]);
  });

  it('refuses hostile reveal requests with a clear error', async () => {
    const id = (await rows())[0]!.id;
    for (const field of ['fields:/__proto__/polluted', 'fields:/../../etc/passwd', 'fields:/password/0/x', 'nope', 'extra:constructor', 'fields:']) {
      await expect(engine.call('events.reveal', { caseId, id, field }), field).rejects.toThrow(/has no field/);
    }
    await expect(engine.call('events.reveal', { caseId, id: 987654321, field: 'message' })).rejects.toThrow(/No event with id/);
    await expect(engine.call('events.reveal', { caseId, id, field: 'x'.repeat(5000) })).rejects.toThrow();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("the page's doors cannot ask the SQL door to reveal: one field at a time is the only way a secret reaches a page", async () => {
    await engine.close();
    engine = await Engine.create({ via: 'browser' });
    const opened = await engine.call('cases.open', { dir: caseDir });
    await expect(engine.call('events.sql', { caseId: opened.id, sql: 'SELECT raw FROM events', reveal: true })).rejects.toThrow(/command line/);
    // Masked rows come once the page door's background text index has been built (SQL waits for a writer).
    let masked: unknown = null;
    await expect.poll(async () => {
      masked = await engine.call('events.sql', { caseId: opened.id, sql: 'SELECT raw FROM events' }).catch(() => null);
      return masked !== null;
    }, { timeout: 60_000 }).toBe(true);
    expect(JSON.stringify(masked)).toContain(SECRET_MASK);
    expect(leaks(masked)).toEqual([]);
  });
});
