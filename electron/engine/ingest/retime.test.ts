// Re-timing a case to another site zone gives what an import under that zone gives: every table equal, row for row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { Engine } from '../engine';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';
import { compareCases, IMPORT_TABLES } from '../../testkit/compareCases';
import { readAudit } from '../audit/trail';
import { CaseHandle } from '../case/caseStore';
import { RETIME_ACTION } from './retime';
import { generateTree } from '../../testkit/synth/generate';

let root: string;
let engine: Engine;
const home = process.env.CASEFILE_HOME;

/** Tables a re-time must leave as an import under the new zone leaves them, beyond the import's own. */
const TABLES: Record<string, string> = {
  ...IMPORT_TABLES,
  event_minutes: 'SELECT * FROM {db}.event_minutes',
  event_hours: 'SELECT * FROM {db}.event_hours',
  event_reasons: 'SELECT * FROM {db}.event_reasons',
  extract_pending: 'SELECT * FROM {db}.extract_pending',
  digest_pending: 'SELECT * FROM {db}.digest_pending',
  derivation: 'SELECT * FROM {db}.derivation',
};

const celery = (t: string, i: number, body = '') => `[${t},774: INFO/MainProcess] Task t[320bbda6-e758-49fc-8a26-e8dc29f88f7${i % 10}] received${body}`;
const sys = (asctime: string, i: number) => JSON.stringify({ message: `m${i}`, levelname: i % 3 ? 'INFO' : 'ERROR', name: 'app', asctime, logid: String(i) });

/** Naive stamps (text and JSON) across both DST edges of New York and Berlin, offset stamps, multi-line records, lines without a time. */
function tree(dir: string): string {
  const b = path.join(dir, 'bundle');
  const lf = (lines: string[]) => lines.join('\n') + '\n';
  // 2024-03-10 02:30 does not exist in New York, 2024-11-03 01:30 twice; 2024-03-31 02:30 does not exist in Berlin, 2024-10-27 02:30 twice.
  const stamps = ['2024-03-10 01:59:59', '2024-03-10 02:30:00', '2024-03-10 03:00:00', '2024-03-31 02:30:00', '2024-06-01 12:00:00',
    '2024-10-27 02:30:00', '2024-11-03 01:30:00', '2024-11-03 01:30:00', '2024-11-03 02:10:00', '2024-12-31 23:59:59'];
  writeAt(b, 'enrich/logs/celery/celery-worker.log', lf(stamps.flatMap((t, i) => [celery(t, i), ...(i % 3 ? [] : ['Traceback (most recent call last):', '  File "x.py", line 1', 'ValueError: bad'])])));
  writeAt(b, 'enrich/logs/app/app.json.log', lf([...stamps.map((t, i) => sys(t, i)), 'not json at all', sys('2024-03-10T02:45:00,100', 99), '{"torn": ']));
  // Offsets written in the stamps: absolute, untouched by any zone.
  writeAt(b, 'enrich/logs/app/app.json.log.1', lf(stamps.map((t, i) => sys(`${t.replace(' ', 'T')}+0530`, 100 + i))));
  writeAt(b, 'enrich/logs/doodle/doodle.log', lf(stamps.map((t, i) => `${t},400 INFO line ${i}`)));
  writeAt(b, 'misc/notes.txt', lf(['free text', 'more']));
  return b;
}

beforeAll(async () => {
  root = tempDir();
  process.env.CASEFILE_HOME = path.join(root, 'home');
  engine = await Engine.create({ via: 'test' });
});
afterAll(async () => {
  await engine.close();
  if (home === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = home;
  removeDir(root);
});

async function imported(name: string, zone: string, bundle: string): Promise<{ id: string; dir: string }> {
  const dir = path.join(root, name);
  const c = await engine.call('cases.create', { name, dir, timezone: zone });
  await engine.call('import.paths', { caseId: c.id, paths: [bundle] });
  return { id: c.id, dir };
}

describe('changing the site zone re-times the events read in it', () => {
  it.each([
    ['America/New_York', 'Europe/Berlin'],
    ['UTC', 'America/New_York'],
    ['Europe/Berlin', '+05:30'],
  ])('imported in %s, re-timed to %s = imported in it, every table', async (from, to) => {
    const tag = `${from}-${to}`.replace(/[^a-z0-9]+/gi, '_');
    const bundle = tree(path.join(root, `in-${tag}`));
    const a = await imported(`a-${tag}`, from, bundle);
    const plan = await engine.call('cases.timezonePlan', { caseId: a.id, timezone: to });
    // Celery 10, app.json 11 (+ its torn line and the one without a time inherit), doodle 10: naive; the +0530 file is not.
    expect(plan).toMatchObject({ from: [from], to, files: 3, events: 31, blocked: { files: 0 } });
    const res = await engine.call('cases.setTimezone', { caseId: a.id, timezone: to });
    expect(res.retimed).toEqual({ from: [from], to, files: 3, events: 31 });
    expect(res.timezone).toEqual({ zone: to, how: 'operator', evidence: `set by the operator; 31 events read in ${from} were re-timed to it` });
    const b = await imported(`b-${tag}`, to, bundle);
    const verified = await engine.call('case.verify', { caseId: a.id });
    expect(verified.problems).toEqual([]);
    const entries = await readAudit(path.join(a.dir, 'audit.jsonl'), { action: RETIME_ACTION });
    expect(entries.map((e) => [e.params, e.result.counts])).toEqual([[{ caseId: a.id, from: [from], to, runMark: expect.any(String) }, { files: 3, events: 31 }]]);
    // The call's own entry counts what it re-timed, not the case's events (45 here).
    const call = await readAudit(path.join(a.dir, 'audit.jsonl'), { action: 'cases.setTimezone' });
    expect(call.map((e) => e.result.counts)).toEqual([{ files: 3, events: 31 }]);
    for (const c of [a, b]) await engine.call('cases.close', { caseId: c.id });
    const diff = await compareCases(a.dir, b.dir, TABLES);
    for (const [t, r] of Object.entries(diff)) expect({ t, onlyA: r.onlyA, onlyB: r.onlyB }).toEqual({ t, onlyA: 0, onlyB: 0 });
    expect(diff.event_store!.rows).toBeGreaterThan(40);
    expect(diff.chains!.rows).toBeGreaterThan(0);
    // The times did move (the test would pass on a case that ignored the zone otherwise).
    const h = await CaseHandle.open(a.dir, { readOnly: true });
    try {
      const [r] = await h.db.read<{ z: string; n: number }>(`SELECT any_value(tz_zone) AS z, count(DISTINCT tz_zone)::INTEGER AS n FROM files`);
      expect(r).toEqual({ z: to, n: 1 });
    } finally { await h.close(); }
  }, 120_000);

  it('on a generated tree with every planted fault: imported in Asia/Kolkata and re-timed to Europe/Berlin = imported in it', async () => {
    const g = await generateTree(path.join(root, 'gen'), { targetBytes: 3_000_000, seed: 7, faults: 'all' });
    const a = await imported('a-gen', 'Asia/Kolkata', g.root);
    const res = await engine.call('cases.setTimezone', { caseId: a.id, timezone: 'Europe/Berlin' });
    expect(res.retimed.events).toBeGreaterThan(1000);
    const b = await imported('b-gen', 'Europe/Berlin', g.root);
    expect((await engine.call('case.verify', { caseId: a.id })).problems).toEqual([]);
    for (const c of [a, b]) await engine.call('cases.close', { caseId: c.id });
    const diff = await compareCases(a.dir, b.dir, TABLES);
    for (const [t, r] of Object.entries(diff)) expect({ t, onlyA: r.onlyA, onlyB: r.onlyB }).toEqual({ t, onlyA: 0, onlyB: 0 });
    expect(diff.chain_events!.rows).toBeGreaterThan(100);
  }, 300_000);

  it('the same zone again re-times nothing; a bad zone is refused with nothing changed', async () => {
    const bundle = tree(path.join(root, 'in-same'));
    const a = await imported('a-same', 'Asia/Kolkata', bundle);
    const res = await engine.call('cases.setTimezone', { caseId: a.id, timezone: 'Asia/Kolkata' });
    expect(res.retimed).toMatchObject({ files: 0, events: 0 });
    // Its evidence does not claim a re-time that did not happen (shown in the Cases view and the status bar).
    expect(res.timezone.evidence).toBe('set by the operator; no events had been read in another zone');
    await expect(engine.call('cases.setTimezone', { caseId: a.id, timezone: 'Mars/Base' })).rejects.toThrow(/Unknown timezone/);
    expect((await engine.call('cases.get', { caseId: a.id })).timezone.zone).toBe('Asia/Kolkata');
    await engine.call('cases.close', { caseId: a.id });
  }, 60_000);

  it('a zone written another way is the same zone: nothing re-timed; an offset no zone has is refused', async () => {
    const bundle = tree(path.join(root, 'in-spelling'));
    const a = await imported('a-spelling', 'Asia/Kolkata', bundle);
    // Intl and DuckDB read 'asia/kolkata' as Asia/Kolkata: the files read in it are not re-timed (nor digested again).
    const plan = await engine.call('cases.timezonePlan', { caseId: a.id, timezone: 'asia/kolkata' });
    expect(plan).toMatchObject({ to: 'Asia/Kolkata', events: 0, files: 0 });
    const res = await engine.call('cases.setTimezone', { caseId: a.id, timezone: 'asia/kolkata' });
    expect(res.retimed).toMatchObject({ to: 'Asia/Kolkata', events: 0 });
    expect(res.timezone.zone).toBe('Asia/Kolkata');
    await engine.call('cases.setTimezone', { caseId: a.id, timezone: '+0530' });
    expect((await engine.call('cases.timezonePlan', { caseId: a.id, timezone: '+05:30' })).events).toBe(0);
    for (const z of ['+99:99', '-15:00', '+05:60']) {
      await expect(engine.call('cases.setTimezone', { caseId: a.id, timezone: z })).rejects.toThrow(/Unknown timezone/);
    }
    expect((await engine.call('cases.get', { caseId: a.id })).timezone.zone).toBe('+05:30');
    await engine.call('cases.close', { caseId: a.id });
  }, 60_000);

  it('a change asked from another zone than the case has by its turn (another window changed it) is refused', async () => {
    const bundle = tree(path.join(root, 'in-stale'));
    const a = await imported('a-stale', 'UTC', bundle);
    const plan = await engine.call('cases.timezonePlan', { caseId: a.id, timezone: 'Asia/Tokyo' });
    expect(plan.current).toBe('UTC');
    // Another window's change lands first.
    await engine.call('cases.setTimezone', { caseId: a.id, timezone: 'Europe/Berlin', expect: 'UTC' });
    await expect(engine.call('cases.setTimezone', { caseId: a.id, timezone: plan.to, expect: plan.current })).rejects.toThrow(/changed to Europe\/Berlin.*not changed/);
    expect((await engine.call('cases.get', { caseId: a.id })).timezone.zone).toBe('Europe/Berlin');
    const entries = await readAudit(path.join(a.dir, 'audit.jsonl'), { action: RETIME_ACTION });
    expect(entries.map((e) => e.params.to)).toEqual(['Europe/Berlin']);
    await engine.call('cases.close', { caseId: a.id });
  }, 60_000);

  it('refused while an import runs, nothing changed and nothing queued; made once it has finished', async () => {
    const a = await imported('a-busy', 'UTC', tree(path.join(root, 'in-busy')));
    const g = await generateTree(path.join(root, 'gen-busy'), { targetBytes: 3_000_000, seed: 5 });
    const running = engine.call('import.paths', { caseId: a.id, paths: [g.root] });
    await expect.poll(() => engine.context.jobs.list(a.id).some((j) => j.kind === 'import' && j.state === 'running'), { timeout: 30_000 }).toBe(true);
    const busy = 'An import is running in this case. Change the site zone when it has finished.';
    const plan = await engine.call('cases.timezonePlan', { caseId: a.id, timezone: 'Asia/Tokyo' });
    expect(plan).toMatchObject({ current: 'UTC', events: 31, busy });
    expect(plan.waitsFor).toBeUndefined();
    await expect(engine.call('cases.setTimezone', { caseId: a.id, timezone: plan.to, expect: plan.current })).rejects.toMatchObject({ error: { code: 'conflict', message: busy } });
    expect(engine.context.jobs.list(a.id).filter((j) => j.kind === 'retime')).toEqual([]);
    await running;
    await engine.context.jobs.settled(a.id);
    expect((await engine.call('cases.get', { caseId: a.id })).timezone.zone).toBe('UTC');
    expect(await readAudit(path.join(a.dir, 'audit.jsonl'), { action: RETIME_ACTION })).toEqual([]);
    // The refusal is in the trail as the call's entry.
    const refused = await readAudit(path.join(a.dir, 'audit.jsonl'), { action: 'cases.setTimezone' });
    expect(refused.map((e) => [e.result.status, e.result.message])).toEqual([['error', busy]]);
    const after = await engine.call('cases.timezonePlan', { caseId: a.id, timezone: 'Asia/Tokyo' });
    expect(after.busy).toBeUndefined();
    expect(after.events).toBeGreaterThan(plan.events);
    expect((await engine.call('cases.setTimezone', { caseId: a.id, timezone: 'Asia/Tokyo', expect: 'UTC' })).retimed.events).toBe(after.events);
    await engine.call('cases.close', { caseId: a.id });
  }, 120_000);

  it('files whose zone alone changed (no naive stamps) are audited with the zone they had', async () => {
    const b = path.join(root, 'in-offsets', 'bundle');
    writeAt(b, 'enrich/logs/app/app.json.log', ['2024-06-01T12:00:00+0530', '2024-06-01T12:00:05+0530'].map((t, i) => sys(t, i)).join('\n') + '\n');
    const a = await imported('a-offsets', 'Europe/Berlin', b);
    const res = await engine.call('cases.setTimezone', { caseId: a.id, timezone: 'Asia/Tokyo' });
    expect(res.retimed).toEqual({ from: [], to: 'Asia/Tokyo', files: 0, events: 0 });
    const entries = await readAudit(path.join(a.dir, 'audit.jsonl'), { action: RETIME_ACTION });
    expect(entries.map((e) => [e.params, e.result.counts])).toEqual([[{ caseId: a.id, from: ['Europe/Berlin'], to: 'Asia/Tokyo', runMark: expect.any(String) }, { files: 0, events: 0 }]]);
    await engine.call('cases.close', { caseId: a.id });
  }, 60_000);

  it('refuses, changing nothing, when stamps without a year took their day from context in the old zone', async () => {
    const b = path.join(root, 'in-syslog', 'bundle');
    writeAt(b, 'var/log/syslog', 'Jul  5 09:13:44 host sshd[1]: Accepted\nJul  5 09:14:00 host sshd[1]: closed\n');
    const a = await imported('a-syslog', 'UTC', b);
    const plan = await engine.call('cases.timezonePlan', { caseId: a.id, timezone: 'Asia/Tokyo' });
    expect(plan.blocked.files).toBe(1);
    await expect(engine.call('cases.setTimezone', { caseId: a.id, timezone: 'Asia/Tokyo' })).rejects.toThrow(/without a date or year.*not changed/);
    const info = await engine.call('cases.get', { caseId: a.id });
    expect(info.timezone.zone).toBe('UTC');
    await engine.call('cases.close', { caseId: a.id });
  }, 60_000);
});
