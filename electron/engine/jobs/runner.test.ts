import { describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../shared/contract';
import { JobRunner } from './runner';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/** A job body the test finishes by hand, recording when it started and whether its signal fired. */
function gate() {
  let open!: (v: string) => void;
  const done = new Promise<string>((r) => { open = r; });
  const seen = { started: false, aborted: false };
  const work = async (signal: AbortSignal) => {
    seen.started = true;
    signal.addEventListener('abort', () => { seen.aborted = true; open('stopped'); });
    const out = await done;
    signal.throwIfAborted();
    return out;
  };
  return { open, work, seen };
}

describe('job runner', () => {
  it('runs one job at a time per case, in order, and cases in parallel', async () => {
    const events: JobInfo[] = [];
    const jobs = new JobRunner((i) => events.push(i));
    const a1 = gate(); const a2 = gate(); const b1 = gate();
    const r1 = jobs.run('A', 'import', a1.work, { jobId: 'a1' });
    const r2 = jobs.run('A', 'import', a2.work, { jobId: 'a2' });
    const r3 = jobs.run('B', 'import', b1.work, { jobId: 'b1' });
    await tick();
    expect([a1.seen.started, a2.seen.started, b1.seen.started]).toEqual([true, false, true]);
    expect(jobs.list('A').map((j) => [j.jobId, j.state])).toEqual([['a1', 'running'], ['a2', 'queued']]);
    a1.open('one');
    expect(await r1).toBe('one');
    await tick();
    expect(a2.seen.started).toBe(true);
    a2.open('two'); b1.open('three');
    expect(await Promise.all([r2, r3])).toEqual(['two', 'three']);
    expect(events.filter((e) => e.jobId === 'a1').map((e) => e.state)).toEqual(['queued', 'running', 'done']);
    expect(events.every((e) => e.kind === 'import')).toBe(true);
    await jobs.drain();
  });

  it('ends a cancelled queued job at once, while the job ahead of it runs on; the next one still waits its turn', async () => {
    // The operator cancels an import queued behind a long pull: the panel must not say "running" until the pull ends.
    const events: JobInfo[] = [];
    const jobs = new JobRunner((i) => events.push(i));
    const pull = gate(); const queued = gate(); const next = gate();
    const r1 = jobs.run('A', 'pull', pull.work, { jobId: 'p' });
    const r2 = jobs.run('A', 'import', queued.work, { jobId: 'q' });
    await tick();
    expect(jobs.cancel('q')).toBe(true);
    await expect(r2).rejects.toMatchObject({ code: 'cancelled', message: 'The import job was cancelled.' });
    expect(jobs.list('A').map((j) => [j.jobId, j.state])).toEqual([['p', 'running'], ['q', 'cancelled']]);
    expect(events.filter((e) => e.jobId === 'q').map((e) => e.state)).toEqual(['queued', 'cancelled']);
    const r3 = jobs.run('A', 'import', next.work, { jobId: 'n' });
    await tick();
    expect([pull.seen.aborted, queued.seen.started, next.seen.started]).toEqual([false, false, false]);
    pull.open('pulled');
    expect(await r1).toBe('pulled');
    await tick();
    expect(next.seen.started).toBe(true);
    next.open('imported');
    expect(await r3).toBe('imported');
    await jobs.drain();
  });

  it('cancels a running job through its signal and a queued one before it starts', async () => {
    const jobs = new JobRunner(() => undefined);
    const running = gate(); const queued = gate();
    const r1 = jobs.run('A', 'export', running.work, { jobId: 'r' });
    const r2 = jobs.run('A', 'export', queued.work, { jobId: 'q' });
    await tick();
    expect(jobs.cancel('q')).toBe(true);
    expect(jobs.cancel('r')).toBe(true);
    await expect(r1).rejects.toMatchObject({ code: 'cancelled', message: 'The export job was cancelled.' });
    await expect(r2).rejects.toMatchObject({ code: 'cancelled' });
    expect(running.seen.aborted).toBe(true);
    expect(queued.seen.started).toBe(false);
    expect(jobs.list('A').map((j) => [j.jobId, j.state, j.error])).toEqual([['q', 'cancelled', 'The export job was cancelled.'], ['r', 'cancelled', 'The export job was cancelled.']]);
    expect(jobs.cancel('r')).toBe(false); // finished: nothing to cancel
    expect(jobs.cancel('nope')).toBe(false);
    await jobs.drain();
  });

  it('shutdown cancels a running background job but waits for a running foreground one', async () => {
    const fg = new JobRunner(() => undefined);
    const work = gate();
    const r = fg.run('A', 'import', work.work);
    await tick();
    const drained = fg.drain();
    await tick();
    expect(work.seen.aborted).toBe(false);
    work.open('done');
    await drained;
    expect(await r).toBe('done');

    const bg = new JobRunner(() => undefined);
    const index = gate();
    const ri = bg.run('A', 'text-index', index.work, { background: true });
    await tick();
    await bg.drain();
    expect(index.seen.aborted).toBe(true);
    await expect(ri).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('a preempting job (an import) does not wait behind a background one on its case: that one is cancelled; another case\'s runs on; other jobs wait', async () => {
    const r = new JobRunner(() => undefined);
    const [index, other, imp] = [gate(), gate(), gate()];
    const ri = r.run('A', 'text-index', index.work, { background: true });
    const ro = r.run('B', 'text-index', other.work, { background: true });
    await tick();
    const second = r.run('A', 'text-index', gate().work, { background: true }); // background work queues as before
    await tick();
    expect(index.seen.aborted).toBe(false);
    const rimp = r.run('A', 'import', imp.work, { preempt: true });
    await expect(ri).rejects.toMatchObject({ code: 'cancelled' });
    await expect(second).rejects.toMatchObject({ code: 'cancelled' });
    await tick();
    expect(imp.seen.started).toBe(true);
    expect(other.seen.aborted).toBe(false);
    imp.open('imported');
    expect(await rimp).toBe('imported');
    other.open('indexed');
    expect(await ro).toBe('indexed');
    // An export (not preempting) waits its turn behind the index.
    const again = gate();
    const ra = r.run('B', 'text-index', again.work, { background: true });
    await tick();
    const exp = gate();
    const re = r.run('B', 'export', exp.work);
    await tick();
    expect(again.seen.aborted).toBe(false);
    expect(exp.seen.started).toBe(false);
    again.open('indexed');
    await ra;
    await tick();
    expect(exp.seen.started).toBe(true);
    exp.open('exported');
    expect(await re).toBe('exported');
  });

    it('a failed job rejects with its own error and the next one still runs', async () => {
    const jobs = new JobRunner(() => undefined);
    const bad = jobs.run('A', 'import', async () => { throw Object.assign(new Error('disk full'), { code: 'internal' }); });
    const next = jobs.run('A', 'import', async (_s, progress) => { progress({ phase: 'copy', done: 1, total: 2, unit: 'files' }); return 7; });
    await expect(bad).rejects.toThrow('disk full');
    expect(await next).toBe(7);
    const [last, first] = jobs.list('A');
    expect(first).toMatchObject({ state: 'failed', error: 'disk full' });
    expect(last).toMatchObject({ state: 'done', step: { phase: 'copy', done: 1, total: 2, unit: 'files' } });
    await jobs.drain();
  });

  it('refuses a second live job with the same id', async () => {
    const jobs = new JobRunner(() => undefined);
    const g = gate();
    const r = jobs.run('A', 'import', g.work, { jobId: 'same' });
    await expect(jobs.run('B', 'import', async () => 1, { jobId: 'same' })).rejects.toMatchObject({ code: 'conflict' });
    g.open('x');
    await r;
    expect(await jobs.run('A', 'import', async () => 2, { jobId: 'same' })).toBe(2); // finished ids may be reused
    await jobs.drain();
  });

  it('says a quiet job is alive at least every heartbeat', async () => {
    const events: JobInfo[] = [];
    const jobs = new JobRunner((i) => events.push(i), 40);
    const g = gate();
    const r = jobs.run('A', 'pull', g.work, { jobId: 'quiet' });
    await tick(200);
    expect(events.filter((e) => e.state === 'running').length).toBeGreaterThanOrEqual(3);
    g.open('done');
    await r;
    await jobs.drain();
  });

  it('publishes a step that starts a new phase at once, even right after the last publish (an export\'s long setup)', async () => {
    const events: JobInfo[] = [];
    // a heartbeat far beyond the test: only the step itself can publish it
    const jobs = new JobRunner((i) => events.push(i), 60_000);
    const g = gate();
    const r = jobs.run('A', 'export', async (signal, progress) => {
      progress({ phase: 'setup', done: 0, total: 10, unit: 'rows' });
      return g.work(signal);
    }, { jobId: 'phases' });
    await tick(20);
    expect(events.filter((e) => e.step?.phase === 'setup').length).toBeGreaterThanOrEqual(1);
    g.open('done');
    await r;
    await jobs.drain();
  });

  it('publishes a phase\'s last step before the next phase, though it came within the throttle (the final count of a step)', async () => {
    const events: JobInfo[] = [];
    const jobs = new JobRunner((i) => events.push(i), 60_000);
    await jobs.run('A', 'correlate', async (_s, progress) => {
      progress({ phase: 'identifiers', done: 2000, total: 2101, unit: 'files' });
      progress({ phase: 'identifiers', done: 2101, total: 2101, unit: 'files' }); // within the throttle of the first
      progress({ phase: 'chains', done: 2101, total: 2101, unit: 'files' });
    }, { jobId: 'last-step' });
    await jobs.drain();
    const steps = events.filter((e) => e.state === 'running' && e.step).map((e) => `${e.step!.phase} ${e.step!.done}`);
    expect(steps).toEqual(['identifiers 2000', 'identifiers 2101', 'chains 2101']);
  });

  it('drain cancels what is queued and waits for what runs', async () => {
    const jobs = new JobRunner(() => undefined);
    const running = gate(); const queued = gate();
    const r1 = jobs.run('A', 'import', running.work);
    const r2 = jobs.run('A', 'import', queued.work);
    r2.catch(() => undefined);
    await tick();
    let drained = false;
    const d = jobs.drain().then(() => { drained = true; });
    await tick(20);
    expect(drained).toBe(false); // still waiting for the running job
    running.open('finished');
    await d;
    expect(await r1).toBe('finished');
    await expect(r2).rejects.toMatchObject({ code: 'cancelled' });
    expect(queued.seen.started).toBe(false);
  });
});
