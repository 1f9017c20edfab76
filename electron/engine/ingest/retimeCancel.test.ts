// A cancel during a re-time: the statement DuckDB is running is interrupted and the transaction rolls back, so the
// case keeps its zone and every table as it was; the job ends cancelled in a sentence that says so, the trail records
// it, and a re-time after it still gives what an import in the new zone gives.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { Engine } from '../engine';
import { removeDir, tempDir } from '../../testkit/tmp';
import { compareAllTables, compareCases, IMPORT_TABLES } from '../../testkit/compareCases';
import { generateTree } from '../../testkit/synth/generate';
import { readAudit } from '../audit/trail';
import { CaseHandle } from '../case/caseStore';
import { CaseDb } from '../store/db';
import { resetDerived } from '../correlate/derivation';
import { RETIME_ACTION, retimeCase } from './retime';
import type { JobInfo } from '../../../shared/contract';

let root: string;
let tree: string;
let engine: Engine;
const home = process.env.CASEFILE_HOME;

beforeAll(async () => {
  root = tempDir();
  process.env.CASEFILE_HOME = path.join(root, 'home');
  engine = await Engine.create({ via: 'test' });
  tree = (await generateTree(path.join(root, 'gen'), { targetBytes: 2_000_000, seed: 3 })).root;
}, 120_000);
afterAll(async () => {
  await engine.close();
  if (home === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = home;
  removeDir(root);
});

/** A case of the generated tree imported in `zone`, settled and closed. */
async function imported(name: string, zone: string): Promise<string> {
  const dir = path.join(root, name);
  const c = await engine.call('cases.create', { name, dir, timezone: zone });
  await engine.call('import.paths', { caseId: c.id, paths: [tree] });
  await engine.context.jobs.settled(c.id);
  await engine.call('cases.close', { caseId: c.id });
  return dir;
}

/** Every table of case a against case b (compareAllTables), the tables it must hold named. */
async function everyTable(a: string, b: string): Promise<Record<string, { onlyA: number; onlyB: number }>> {
  const diff = await compareAllTables(a, b);
  expect(Object.keys(diff)).toEqual(expect.arrayContaining(['event_store', 'files', 'meta', 'chains', 'event_minutes', 'digest_pending', 'extract_pending']));
  return Object.fromEntries(Object.entries(diff).map(([t, d]) => [t, { onlyA: d.onlyA, onlyB: d.onlyB }]));
}

const same = (d: Record<string, { onlyA: number; onlyB: number }>) => Object.fromEntries(Object.keys(d).map((t) => [t, { onlyA: 0, onlyB: 0 }]));

it('cancelled inside its transaction: every table and the zone as before, the job and the trail say cancelled; a re-time after it = an import in the zone', async () => {
  const dir = await imported('a', 'Asia/Kolkata');
  const before = path.join(root, 'a-before');
  cpSync(dir, before, { recursive: true });
  const { id } = await engine.call('cases.open', { dir });
  // The cancel comes once the event times are rewritten inside the transaction, as it writes the file rows.
  const seen: JobInfo[] = [];
  const off = engine.on('job.progress', (j) => {
    if (j.caseId !== id || j.kind !== 'retime') return;
    seen.push(j);
    if (j.step?.phase === 'retime-files') engine.context.jobs.cancel(j.jobId);
  });
  const sentence = 'The change of the site zone to Europe/Berlin was cancelled: nothing was changed, the case keeps its zone Asia/Kolkata and its times.';
  try {
    await expect(engine.call('cases.setTimezone', { caseId: id, timezone: 'Europe/Berlin', expect: 'Asia/Kolkata' }))
      .rejects.toMatchObject({ error: { code: 'cancelled', message: sentence } });
  } finally { off(); }
  expect(seen.map((j) => j.step?.phase)).toEqual(expect.arrayContaining(['retime-stamps', 'retime-files']));
  expect(seen.at(-1)).toMatchObject({ state: 'cancelled', code: 'cancelled', error: sentence });
  expect((await engine.call('cases.get', { caseId: id })).timezone.zone).toBe('Asia/Kolkata');
  await engine.context.jobs.settled(id);
  expect(await readAudit(path.join(dir, 'audit.jsonl'), { action: RETIME_ACTION })).toEqual([]);
  const calls = await readAudit(path.join(dir, 'audit.jsonl'), { action: 'cases.setTimezone' });
  expect(calls.map((e) => [e.result.status, e.result.message])).toEqual([['error', sentence]]);
  await engine.call('cases.close', { caseId: id });
  const diff = await everyTable(dir, before);
  expect(diff).toEqual(same(diff));

  // Again, to its end: what an import in Berlin gives.
  const again = await engine.call('cases.open', { dir });
  const res = await engine.call('cases.setTimezone', { caseId: again.id, timezone: 'Europe/Berlin' });
  expect(res.retimed.events).toBeGreaterThan(1000);
  await engine.context.jobs.settled(again.id);
  await engine.call('cases.close', { caseId: again.id });
  const berlin = await imported('b', 'Europe/Berlin');
  const tables = { ...IMPORT_TABLES, event_minutes: 'SELECT * FROM {db}.event_minutes', event_hours: 'SELECT * FROM {db}.event_hours',
    extract_pending: 'SELECT * FROM {db}.extract_pending', digest_pending: 'SELECT * FROM {db}.digest_pending' };
  const d = await compareCases(dir, berlin, tables);
  for (const [t, r] of Object.entries(d)) expect({ t, onlyA: r.onlyA, onlyB: r.onlyB }).toEqual({ t, onlyA: 0, onlyB: 0 });
  expect(d.event_store!.rows).toBeGreaterThan(1000);
}, 300_000);

it('a statement running when the cancel comes is interrupted (it would not end by itself), and rolled back', async () => {
  const dir = await imported('c', 'UTC');
  const before = path.join(root, 'c-before');
  cpSync(dir, before, { recursive: true });
  const h = await CaseHandle.open(dir);
  const stop = new AbortController();
  try {
    // A statement that runs for hours stands in for a long one of a large case; the cancel comes while it runs.
    const long = async (db: CaseDb) => {
      await resetDerived(db);
      setTimeout(() => stop.abort(new Error('cancelled by the test')), 300);
      await db.run('CREATE TEMP TABLE endless AS SELECT sum(i) AS s FROM range(1000000000000000) t(i)');
    };
    await expect(h.withWriter((db) => retimeCase(db, 'Asia/Tokyo', { resetDerived: long, signal: stop.signal }))).rejects.toThrow('cancelled by the test');
  } finally { await h.close(); }
  const diff = await everyTable(dir, before);
  expect(diff).toEqual(same(diff));
}, 120_000);
