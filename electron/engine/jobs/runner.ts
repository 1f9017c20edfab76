// One model for long work (import now; pull and export next). A job belongs to a case; a case runs one job at a
// time and queues the rest (two imports at once would otherwise share the case's writer and staging folder).
// Each job has an id (the caller's, so it can follow and cancel it before the call returns), an AbortSignal the
// work must honour, progress steps published as `job.progress`, and ends with its result or a typed error.
import { randomUUID } from 'node:crypto';
import { jobIsLive, toContractError, type JobInfo, type JobStep } from '../../../shared/contract';
import { EngineError } from '../util/errors';

/** The work of one job kind. Check `signal` between steps (or pass it down); report with `progress`. */
export type JobWork<T> = (signal: AbortSignal, progress: (step: JobStep) => void, jobId: string) => Promise<T>;

export interface RunOptions<T> {
  jobId?: string;
  background?: boolean;
  /** Cancels the case's background jobs instead of waiting behind them; this job queues them again when it ends (an
   *  import schedules the text index: one rebuilt after the last import held the next import for a minute). */
  preempt?: boolean;
  outcome?: (result: T) => string;
  /** The sentence a cancel ends the job with (what it leaves), instead of "The <kind> job was cancelled.". */
  cancelled?: string;
}

export interface Jobs {
  /**
   * Queues work behind the case's other jobs and resolves with its result (EngineError `cancelled` if cancelled).
   * A `background` job (derived data a later run redoes) is cancelled at shutdown even while it runs, and by a
   * `preempt` job queued on its case.
   * `outcome` says in one sentence what a finished job made (JobInfo.outcome), for a page that only followed it.
   */
  run<T>(caseId: string, kind: string, work: JobWork<T>, opts?: RunOptions<T>): Promise<T>;
  /** Cancels a queued or running job; false when there is no such live job. */
  cancel(jobId: string): boolean;
  list(caseId?: string): JobInfo[];
  /** Resolves when every job queued on the case so far has ended (however it ended). */
  settled(caseId: string): Promise<void>;
}

interface Job { info: JobInfo; controller: AbortController; lastPublished: number; background: boolean; cancelled?: string; unpublished?: boolean }

const HISTORY = 50;
const STEP_EVERY_MS = 100;

export class JobRunner implements Jobs {
  private readonly jobs = new Map<string, Job>();
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly publish: (info: JobInfo) => void, heartbeatMs = 5_000) {
    // Relays time a job call out when they hear nothing for a while: a queued or quiet job still says it is alive.
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      for (const j of this.live()) if (now - j.lastPublished >= heartbeatMs) this.emit(j);
    }, Math.max(50, Math.floor(heartbeatMs / 2)));
    this.heartbeat.unref();
  }

  run<T>(caseId: string, kind: string, work: JobWork<T>, opts: RunOptions<T> = {}): Promise<T> {
    const jobId = opts.jobId ?? randomUUID();
    const existing = this.jobs.get(jobId);
    if (existing && isLive(existing)) return Promise.reject(new EngineError('conflict', `Job ${jobId} is already ${existing.info.state}.`));
    const job: Job = {
      info: { jobId, kind, caseId, state: 'queued', queuedAt: new Date().toISOString(), startedAt: null, endedAt: null, step: null },
      controller: new AbortController(),
      lastPublished: 0,
      background: !!opts.background,
      ...(opts.cancelled ? { cancelled: opts.cancelled } : {}),
    };
    this.jobs.delete(jobId);
    if (opts.preempt) for (const j of this.live()) if (j.background && j.info.caseId === caseId) this.cancel(j.info.jobId);
    this.jobs.set(jobId, job);
    this.emit(job);
    const ahead = this.tails.get(caseId) ?? Promise.resolve();
    // A cancelled queued job ends at once (execute() sees the abort), not when the jobs ahead of it finish: its
    // caller is told now. The queue still waits for those jobs: the next job's turn comes after both.
    const result = untilTurnOrAbort(ahead, job.controller.signal).then(() => this.execute(job, work, opts.outcome));
    const tail = Promise.allSettled([ahead, result]);
    this.tails.set(caseId, tail);
    void tail.then(() => { if (this.tails.get(caseId) === tail) this.tails.delete(caseId); });
    return result;
  }

  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job || !isLive(job)) return false;
    job.controller.abort(cancelledJob(job));
    return true;
  }

  list(caseId?: string): JobInfo[] {
    const all = [...this.jobs.values()].filter((j) => !caseId || j.info.caseId === caseId);
    return [...all.filter(isLive), ...all.filter((j) => !isLive(j)).reverse()].map((j) => ({ ...j.info }));
  }

  /** The live jobs the operator asked for (not background ones): what a shutdown that cancels them stops. */
  work(): JobInfo[] {
    return this.live().filter((j) => !j.background).map((j) => ({ ...j.info }));
  }

  async settled(caseId: string): Promise<void> {
    await this.tails.get(caseId);
  }

  /**
   * Shutdown: queued and background jobs are cancelled, other running ones are waited for, or cancelled too with
   * `cancelRunning` (the operator's Ctrl-C on `casefile serve`: each job still cleans up and says so).
   */
  async drain(cancelRunning = false): Promise<void> {
    for (const j of this.live()) if (cancelRunning || j.info.state === 'queued' || j.background) this.cancel(j.info.jobId);
    await Promise.all([...this.tails.values()]);
    clearInterval(this.heartbeat);
  }

  private async execute<T>(job: Job, work: JobWork<T>, outcome?: (result: T) => string): Promise<T> {
    const { signal } = job.controller;
    if (signal.aborted) throw this.end(job, 'cancelled', signal.reason);
    job.info.state = 'running';
    job.info.startedAt = new Date().toISOString();
    this.emit(job);
    try {
      const out = await work(signal, (step) => {
        // a new phase is said at once: the first step comes right after the 'running' publish, and a long phase (an
        // export's setup) would otherwise show only at the next heartbeat
        const newPhase = step.phase !== job.info.step?.phase;
        // and a phase's last step before the next phase (its final count: "2,101 of 2,101 files", not 2,000 of them)
        if (newPhase && job.unpublished) this.emit(job);
        job.info.step = step;
        if (newPhase || Date.now() - job.lastPublished >= STEP_EVERY_MS) this.emit(job);
        else job.unpublished = true;
      }, job.info.jobId);
      if (outcome) job.info.outcome = outcome(out).slice(0, 500);
      this.end(job, 'done');
      return out;
    } catch (e) {
      throw signal.aborted ? this.end(job, 'cancelled', signal.reason) : this.end(job, 'failed', e);
    }
  }

  /** Marks the job finished and returns the error its call rejects with. */
  private end(job: Job, state: 'done' | 'failed' | 'cancelled', error?: unknown): unknown {
    job.info.state = state;
    job.info.endedAt = new Date().toISOString();
    const err = state === 'cancelled' && !(error instanceof EngineError) ? cancelledJob(job) : error;
    if (state !== 'done') {
      job.info.error = err instanceof Error ? err.message.split('\n')[0]!.slice(0, 500) : String(err);
      const ce = toContractError(err);
      job.info.code = ce.code;
      if (ce.places) job.info.places = ce.places;
    }
    this.emit(job);
    this.trim();
    return err;
  }

  private emit(job: Job): void {
    job.lastPublished = Date.now();
    job.unpublished = false;
    this.publish({ ...job.info });
  }

  private live(): Job[] { return [...this.jobs.values()].filter(isLive); }

  private trim(): void {
    const finished = [...this.jobs.values()].filter((j) => !isLive(j));
    for (const j of finished.slice(0, Math.max(0, finished.length - HISTORY))) this.jobs.delete(j.info.jobId);
  }
}

function isLive(j: Job): boolean { return jobIsLive(j.info); }

const cancelledJob = (j: Job) => new EngineError('cancelled', j.cancelled ?? `The ${j.info.kind} job was cancelled.`);

/** Resolves when the jobs ahead have settled, or as soon as the job is cancelled. */
function untilTurnOrAbort(ahead: Promise<unknown>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const go = () => { signal.removeEventListener('abort', go); resolve(); };
    signal.addEventListener('abort', go, { once: true });
    void ahead.then(go, go);
  });
}
