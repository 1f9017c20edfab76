// The job after the events (custody digests, identifiers, chains, the per-minute summary) cancelled by the operator
// while DuckDB builds the chains: the statement running is interrupted and no later one starts, the chain build's
// transaction rolls back, the events stay as imported, the case says its chains are pending, the trail records the
// cancel, and building them again (the app's "Build them now": the open case opened again) gives the tables of an
// import that was never cancelled.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIsLive, type JobInfo } from '../../../shared/contract';
import { Engine } from '../engine';
import { compareCases, IMPORT_TABLES } from '../../testkit/compareCases';
import { generateTree } from '../../testkit/synth/generate';
import { removeDir, tempDir } from '../../testkit/tmp';
import { CaseDb } from '../store/db';

const root = tempDir('casefile-correlation-cancel-');
const home = process.env.CASEFILE_HOME;
let engine: Engine;
let tree = '';

/** Every derived table too: the failure reasons and the timeline's summary beside the import's tables. */
const TABLES = {
  ...IMPORT_TABLES,
  event_reasons: 'SELECT * FROM {db}.event_reasons',
  event_minutes: 'SELECT * FROM {db}.event_minutes',
  event_hours: 'SELECT * FROM {db}.event_hours',
};
const EVENT_TABLES = { bundles: IMPORT_TABLES.bundles!, files: IMPORT_TABLES.files!, event_store: IMPORT_TABLES.event_store! };

beforeAll(async () => {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  await generateTree(path.join(root, 'gen'), { targetBytes: 3_000_000, seed: 5 });
  tree = path.join(root, 'gen', 'enrich');
  engine = await Engine.create({ via: 'test' });
}, 120_000);
afterAll(async () => {
  await engine.close();
  if (home === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = home;
  removeDir(root);
});

const entries = (dir: string) => readFileSync(path.join(dir, 'audit.jsonl'), 'utf8').split('\n').filter(Boolean)
  .map((l) => JSON.parse(l) as { action: string; params: Record<string, unknown>; result: { status: string; message?: string } });

/** The case's correlate job, once it has ended. */
const correlateEnded = (caseId: string, onStep?: (j: JobInfo) => void) => new Promise<JobInfo>((resolve) => {
  const off = engine.on('job.progress', (j) => {
    if (j.caseId !== caseId || j.kind !== 'correlate') return;
    if (jobIsLive(j)) { onStep?.(j); return; }
    off();
    resolve(j);
  });
});

async function tableExists(dir: string, table: string): Promise<boolean> {
  const db = await CaseDb.open(':memory:');
  try {
    await db.run(`ATTACH '${path.join(dir, 'case.duckdb').replace(/'/g, "''")}' AS c (READ_ONLY)`);
    return Number((await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE database_name = 'c' AND table_name = '${table}'`))?.n) > 0;
  } finally { db.close(); }
}

describe('cancelling the job after the events while it builds the chains', () => {
  it('interrupts DuckDB, rolls the build back, keeps the events, says chains are pending; building again equals an uncancelled import', async () => {
    const clean = await engine.call('cases.create', { name: 'clean', dir: path.join(root, 'clean') });
    await engine.call('import.paths', { caseId: clean.id, paths: [tree] });

    const cut = await engine.call('cases.create', { name: 'cut', dir: path.join(root, 'cut') });
    // Cancelled a moment into the chains step: the summary and the chain build are DuckDB statements then.
    let timer: NodeJS.Timeout | undefined;
    const ended = correlateEnded(cut.id, (j) => {
      if (j.step?.phase === 'chains' && !timer) timer = setTimeout(() => void engine.call('jobs.cancel', { jobId: j.jobId }), 20);
    });
    const imported = await engine.call('import.paths', { caseId: cut.id, paths: [tree], eventsFirst: true });
    expect(imported.correlation).toBe('pending');
    const job = await ended;
    expect(timer, 'the job reached its chains step').toBeDefined();
    expect(job.state, job.error).toBe('cancelled');
    await engine.context.openCases().find((c) => c.meta.id === cut.id)!.rest();

    // The events are those of the clean import; the chain build left nothing, and the case says its chains are not built.
    const events = await compareCases(clean.dir, cut.dir, EVENT_TABLES);
    for (const [t, d] of Object.entries(events)) expect(d, t).toMatchObject({ onlyA: 0, onlyB: 0 });
    expect(events.event_store!.rows).toBeGreaterThan(10_000);
    expect(await tableExists(cut.dir, 'chain_events')).toBe(false);
    expect(await tableExists(cut.dir, 'chains')).toBe(false);
    expect((await engine.call('cases.get', { caseId: cut.id })).chainsPending).toBe(true);
    const pending = await engine.call('events.sql', { caseId: cut.id, sql: 'SELECT (SELECT count(*) FROM correlate_pending) + (SELECT count(*) FROM extract_pending) AS n' });
    expect(Number(pending.rows[0]!.n)).toBeGreaterThan(0);
    // The timeline still counts every event (a summary rolled back is not trusted: eventMinutes.ts).
    expect((await engine.call('cases.get', { caseId: cut.id })).eventCount).toBe(events.event_store!.rows);

    // Recorded in the case's trail as a cancelled job is: its entry, an error saying it was cancelled.
    const cancelled = entries(cut.dir).filter((e) => e.action === 'correlate.job');
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]).toMatchObject({ params: { caseId: cut.id, jobId: job.jobId, phase: 'chains' }, result: { status: 'error', message: 'The correlate job was cancelled.' } });

    // "Build them now": the open case opened again runs the job; it resumes (no re-derivation) and ends as the clean one.
    const rebuilt = correlateEnded(cut.id);
    await engine.call('cases.open', { dir: cut.dir });
    expect((await rebuilt).state).toBe('done');
    expect((await engine.call('cases.get', { caseId: cut.id })).chainsPending).toBeUndefined();
    expect(entries(cut.dir).map((e) => e.action)).not.toContain('correlate.rederive');
    for (const id of [clean.id, cut.id]) await engine.context.openCases().find((c) => c.meta.id === id)!.rest();
    const diff = await compareCases(clean.dir, cut.dir, TABLES);
    for (const [t, d] of Object.entries(diff)) {
      expect(d, t).toMatchObject({ onlyA: 0, onlyB: 0 });
      if (t !== 'event_reasons') expect(d.rows, `${t} has rows`).toBeGreaterThan(0);
    }
  }, 240_000);
});
