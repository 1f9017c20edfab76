// The open case's job after the events (the engine's `correlate` job: custody digests, identifiers, status, chains,
// the per-minute summary) as the views show it: running, with its step and Cancel; or ended, and when it did not
// finish (cancelled, failed) while the chains are still pending, the sentence that says what the case holds and
// "Build them now", which opens the open case again: the engine runs the job again from its pending marks
// (case/handlers.ts finishCorrelation). Which job runs and how it ended is liveJobs.ts's; this holds the two actions.
import { create } from 'zustand';
import type { JobInfo } from '../../shared/contract';
import { call } from '../api/client';
import { errorText, useApp } from './app';
import { forgetEnded, liveJobOf, startLiveJobs, useLiveJobs } from './liveJobs';

interface ChainsJobState {
  /** A cancel or a build the engine refused, in its words (of the case it was asked on). */
  error: string | null;
  caseId: string | null;
  cancel(): Promise<void>;
  build(): Promise<void>;
}

export const useChainsJob = create<ChainsJobState>((set) => ({
  error: null, caseId: null,
  async cancel() {
    const caseId = useApp.getState().current?.id;
    const job = liveJobOf(useLiveJobs.getState(), caseId, 'correlate');
    if (!job) return;
    set({ error: null, caseId: caseId ?? null });
    try { await call('jobs.cancel', { jobId: job.jobId }); } catch (e) { set({ error: errorText(e) }); }
  },
  async build() {
    const current = useApp.getState().current;
    if (!current) return;
    set({ error: null, caseId: current.id });
    try {
      await call('cases.open', { dir: current.dir });
      // The job it queued says itself (job.progress); until then the build is not said to have stopped.
      if (!liveJobOf(useLiveJobs.getState(), current.id, 'correlate')) forgetEnded(current.id, 'correlate');
    } catch (e) { set({ error: errorText(e) }); }
  },
}));

/** The ended job did not finish (cancelled or failed): what the views then say instead of "building". */
export const stoppedJob = (ended: JobInfo | null): JobInfo | null => (ended && ended.state !== 'done' ? ended : null);

/** What a case whose chain build stopped holds, in one sentence for the operator. */
export function chainsStoppedText(job: JobInfo): string {
  const how = job.state === 'cancelled' ? 'was cancelled' : `failed${job.error ? ` (${job.error})` : ''}`;
  return `Chain building ${how}. The timeline and table are complete; chains and identifiers are not.`;
}

/** Starts following the jobs (once per page; the views that show the chain build call this). */
export const followChainsJob = startLiveJobs;
