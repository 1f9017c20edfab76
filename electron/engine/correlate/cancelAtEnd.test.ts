// A cancel that races the end of the chain build (the operator's Cancel, a close, a preempting re-time arriving just
// as the correlate job finishes). Whatever moment it lands, the job is either done with everything built, or
// cancelled with its marks saying what is left, which the next open finishes: never chains without their marks
// cleared, nor a job said cancelled whose work is in. Real engine, real DuckDB files; the cancel is placed on the
// build's own statements (its last one before COMMIT, the COMMIT, the memory limit put back after it).
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readAudit } from '../audit/trail';
import { Engine } from '../engine';
import { CORRELATE_JOB_ACTION } from '../ingest/handlers';
import { correlationPending } from '../ingest/correlationStage';
import { CaseDb } from '../store/db';
import { compareCases, IMPORT_TABLES } from '../../testkit/compareCases';
import { generateTree } from '../../testkit/synth/generate';
import { removeDir, tempDir } from '../../testkit/tmp';

const root = tempDir('casefile-cancel-at-end-');
const home = process.env.CASEFILE_HOME;
let engine: Engine;
let tree: string;
const reference = path.join(root, 'reference');
const TABLES = {
  ...IMPORT_TABLES, event_minutes: 'SELECT * FROM {db}.event_minutes', extract_pending: 'SELECT * FROM {db}.extract_pending',
  correlate_pending: 'SELECT * FROM {db}.correlate_pending', digest_pending: 'SELECT * FROM {db}.digest_pending',
};

beforeAll(async () => {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  engine = await Engine.create({ via: 'test' });
  tree = (await generateTree(path.join(root, 'gen'), { targetBytes: 1_000_000, seed: 7 })).root;
  const c = await engine.call('cases.create', { name: 'reference', dir: reference, timezone: 'UTC' });
  await engine.call('import.paths', { caseId: c.id, paths: [tree] });
  await engine.context.jobs.settled(c.id);
  await engine.call('cases.close', { caseId: c.id });
}, 180_000);
afterEach(() => { vi.restoreAllMocks(); });
afterAll(async () => {
  await engine.close();
  if (home === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = home;
  removeDir(root);
});

type Moment = 'before the commit' | 'on the commit' | 'after the commit' | 'as the job returns';

/** Cancels the case's correlate job at `moment` of its chain build (the transaction that empties correlate_pending). */
function cancelAt(moment: Moment, caseId: () => string | null): { fired: () => boolean } {
  let inChains = false;
  let fired = false;
  const cancel = () => {
    const id = caseId();
    const job = id ? engine.context.jobs.list(id).find((j) => j.kind === 'correlate' && (j.state === 'running' || j.state === 'queued')) : undefined;
    if (job && !fired) { fired = true; engine.context.jobs.cancel(job.jobId); }
  };
  const run = CaseDb.prototype.run;
  vi.spyOn(CaseDb.prototype, 'run').mockImplementation(async function (this: CaseDb, sql, params) {
    const out = await run.call(this, sql, params);
    if (sql === 'DELETE FROM correlate_pending') {
      inChains = true;
      if (moment === 'before the commit') cancel();
    }
    if (inChains && moment === 'after the commit' && sql.startsWith('SET memory_limit')) cancel();
    return out;
  });
  const tx = CaseDb.prototype.tx;
  vi.spyOn(CaseDb.prototype, 'tx').mockImplementation(async function <T>(this: CaseDb, fn: () => Promise<T>) {
    let mine = false;
    const out = await tx.call(this, async () => {
      const r = await fn();
      // the COMMIT is the next statement: the cancel lands as it starts
      if (inChains && !mine && moment === 'on the commit') { mine = true; setImmediate(cancel); }
      return r;
    });
    if (mine || (inChains && moment === 'as the job returns')) cancel();
    return out as T;
  });
  return { fired: () => fired };
}

describe('a cancel racing the end of the chain build', () => {
  const moments: Moment[] = ['before the commit', 'on the commit', 'after the commit', 'as the job returns'];
  moments.forEach((moment, i) => {
    it(`${moment}: done with everything built, or cancelled and finished by the next open; the same tables as an import left alone`, async () => {
      const dir = path.join(root, `case-${i}`);
      let id: string | null = null;
      const spy = cancelAt(moment, () => id);
      const c = await engine.call('cases.create', { name: `cancel ${moment}`, dir, timezone: 'UTC' });
      id = c.id;
      // events first: the import's call does not wait for (nor fail with) the correlate job it queues
      await engine.call('import.paths', { caseId: c.id, paths: [tree], eventsFirst: true });
      await engine.context.jobs.settled(c.id);
      vi.restoreAllMocks();
      expect(spy.fired(), 'the cancel was placed').toBe(true);
      const job = engine.context.jobs.list(c.id).find((j) => j.kind === 'correlate')!;
      expect(['done', 'cancelled']).toContain(job.state);
      const pending = await correlationPending(engine.context.getCase(c.id).db);
      const ended = await readAudit(path.join(dir, 'audit.jsonl'), { action: CORRELATE_JOB_ACTION });
      if (job.state === 'done') {
        // done means done: nothing left for the next run, and no entry saying it was cut short
        expect(pending).toBe(false);
        expect(ended).toEqual([]);
      } else {
        // cancelled means what is left is marked, recorded in the trail, and finished by the next open
        expect(job.code).toBe('cancelled');
        expect(ended.map((e) => e.result.status)).toEqual(['error']);
        expect(pending).toBe(true);
        await engine.call('cases.close', { caseId: c.id });
        const again = await engine.call('cases.open', { dir });
        await engine.context.jobs.settled(again.id);
        expect(engine.context.jobs.list(again.id).find((j) => j.kind === 'correlate')).toMatchObject({ state: 'done' });
        id = again.id;
      }
      await engine.call('cases.close', { caseId: id });
      const d = await compareCases(dir, reference, TABLES);
      for (const [t, r] of Object.entries(d)) expect({ t, onlyA: r.onlyA, onlyB: r.onlyB }).toEqual({ t, onlyA: 0, onlyB: 0 });
      expect(d.chains!.rows).toBeGreaterThan(0);
    }, 180_000);
  });
});
