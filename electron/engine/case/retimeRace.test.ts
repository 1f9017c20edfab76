// Two changes of the site zone asked of one case at once (two windows, a double click): one runs, the other is
// refused in words that say why, and they never interleave. A real engine, case and DuckDB file.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../shared/contract';
import { readAudit } from '../audit/trail';
import { Engine } from '../engine';
import { RETIME_ACTION } from '../ingest/retime';
import { generateTree } from '../../testkit/synth/generate';
import { removeDir, tempDir } from '../../testkit/tmp';

const root = tempDir('casefile-retime-race-');
const home = process.env.CASEFILE_HOME;
let engine: Engine;
let caseId: string;
const audit = () => readAudit(path.join(root, 'case', 'audit.jsonl'), { action: RETIME_ACTION });
const BUSY = 'A change of the site zone is running in this case. Change the site zone when it has finished.';

beforeAll(async () => {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  engine = await Engine.create({ via: 'test' });
  const tree = (await generateTree(path.join(root, 'gen'), { targetBytes: 400_000, seed: 5 })).root;
  caseId = (await engine.call('cases.create', { name: 'race', dir: path.join(root, 'case'), timezone: 'Asia/Kolkata' })).id;
  await engine.call('import.paths', { caseId, paths: [tree] });
  await engine.context.jobs.settled(caseId);
}, 120_000);
afterAll(async () => {
  await engine.close();
  if (home === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = home;
  removeDir(root);
});

describe('two changes of the site zone at once', () => {
  it('asked in the same moment: one runs to its end, the other is refused, saying why; one re-time in the trail', async () => {
    const zones = ['Europe/Berlin', 'Asia/Tokyo'];
    const [a, b] = await Promise.allSettled(zones.map((timezone) => engine.call('cases.setTimezone', { caseId, timezone })));
    const results = [a!, b!];
    const won = results.findIndex((r) => r.status === 'fulfilled');
    expect(won, JSON.stringify(results)).toBeGreaterThanOrEqual(0);
    const lost = results[1 - won]!;
    expect(lost.status).toBe('rejected');
    expect((lost as PromiseRejectedResult).reason).toMatchObject({ error: { code: 'conflict', message: BUSY } });
    await engine.context.jobs.settled(caseId);
    expect((await engine.call('cases.get', { caseId })).timezone.zone).toBe(zones[won]);
    expect((await audit()).map((e) => (e.params as { to: string }).to)).toEqual([zones[won]]);
    // the refused one never became a job
    expect(engine.context.jobs.list(caseId).filter((j) => j.kind === 'retime')).toHaveLength(1);
  }, 120_000);

  it('asked while the first is inside its transaction: refused, the plan says busy; the first then cancelled leaves the zone as it was', async () => {
    const zone = (await engine.call('cases.get', { caseId })).timezone.zone;
    const entries = (await audit()).length;
    process.env.CASEFILE_HOLD = 'retime-midway';
    try {
      const held = new Promise<JobInfo>((resolve) => {
        const off = engine.on('job.progress', (j) => {
          if (j.caseId === caseId && j.kind === 'retime' && j.state === 'running' && j.step?.phase.startsWith('retime-')) { off(); resolve(j); }
        });
      });
      const first = engine.call('cases.setTimezone', { caseId, timezone: 'America/New_York' });
      void first.catch(() => undefined);
      const job = await held;
      await expect(engine.call('cases.setTimezone', { caseId, timezone: 'Australia/Sydney' })).rejects.toMatchObject({ error: { code: 'conflict', message: BUSY } });
      expect(await engine.call('cases.timezonePlan', { caseId, timezone: 'Australia/Sydney' })).toMatchObject({ busy: BUSY });
      expect(engine.context.jobs.cancel(job.jobId)).toBe(true);
      await expect(first).rejects.toMatchObject({ error: { code: 'cancelled' } });
    } finally {
      delete process.env.CASEFILE_HOLD;
    }
    await engine.context.jobs.settled(caseId);
    expect((await engine.call('cases.get', { caseId })).timezone.zone).toBe(zone);
    expect(await audit()).toHaveLength(entries);
  }, 120_000);

  it('asked as the first ends (its chains still building): it waits its turn and re-times what the first made, never both at once', async () => {
    const entries = (await audit()).length;
    let second: Promise<unknown> | null = null;
    const off = engine.on('job.progress', (j) => {
      if (j.caseId === caseId && j.kind === 'retime' && j.state === 'done' && !second) {
        second = engine.call('cases.setTimezone', { caseId, timezone: 'Europe/Lisbon' });
      }
    });
    let r: Awaited<ReturnType<typeof engine.call<'cases.setTimezone'>>>;
    try {
      r = await engine.call('cases.setTimezone', { caseId, timezone: 'Pacific/Auckland' });
      expect(second).not.toBeNull();
    } finally { off(); }
    const r2 = await second! as typeof r;
    expect(r.retimed.to).toBe('Pacific/Auckland');
    expect(r2.retimed).toMatchObject({ from: ['Pacific/Auckland'], to: 'Europe/Lisbon' });
    await engine.context.jobs.settled(caseId);
    expect((await engine.call('cases.get', { caseId })).timezone.zone).toBe('Europe/Lisbon');
    expect((await audit()).slice(entries).map((e) => (e.params as { to: string }).to)).toEqual(['Pacific/Auckland', 'Europe/Lisbon']);
    const jobs = engine.context.jobs.list(caseId).filter((j) => j.kind === 'retime' && j.state === 'done').slice(0, 2);
    const [later, earlier] = jobs;
    expect(later!.startedAt! >= earlier!.endedAt!).toBe(true);
  }, 120_000);
});
