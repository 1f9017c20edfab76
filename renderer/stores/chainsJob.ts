// The open case's job after the events (the engine's `correlate` job: custody digests, identifiers, status, chains,
// the per-minute summary) as the views show it: running, with its step and Cancel; or ended, and when it did not
// finish (cancelled, failed) while the chains are still pending, the sentence that says what the case holds and
// "Build them now", which opens the open case again: the engine runs the job again from its pending marks
// (case/handlers.ts finishCorrelation). One follower, shared by the status bar, the import panel and the Chains view.
import { create } from 'zustand';
import { jobIsLive, type JobInfo } from '../../shared/contract';
import { call, getClient } from '../api/client';
import { errorText, useApp } from './app';

interface ChainsJobState {
  /** The case followed (the open one). */
  caseId: string | null;
  /** Its correlate job while queued or running: what Cancel stops. */
  live: JobInfo | null;
  /** Its last correlate job that ended (done, failed or cancelled), when this page knows of one. */
  ended: JobInfo | null;
  /** A cancel or a build the engine refused, in its words. */
  error: string | null;
  cancel(): Promise<void>;
  build(): Promise<void>;
}

export const useChainsJob = create<ChainsJobState>((set, get) => ({
  caseId: null, live: null, ended: null, error: null,
  async cancel() {
    const job = get().live;
    if (!job) return;
    set({ error: null });
    try { await call('jobs.cancel', { jobId: job.jobId }); } catch (e) { set({ error: errorText(e) }); }
  },
  async build() {
    const current = useApp.getState().current;
    if (!current) return;
    set({ error: null });
    try {
      await call('cases.open', { dir: current.dir });
      // The job it queued says itself (job.progress); until then the build is not said to have stopped.
      if (get().caseId === current.id && !get().live) set({ ended: null });
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

let started = false;

/** Starts following the open case's correlate job (once per page; the views that show it call this). */
export function followChainsJob(): void {
  if (started) return;
  started = true;
  getClient().on('job.progress', (j) => {
    if (j.kind !== 'correlate' || j.caseId !== useChainsJob.getState().caseId) return;
    useChainsJob.setState((s) => (jobIsLive(j) ? { live: j } : { live: s.live?.jobId === j.jobId ? null : s.live, ended: j }));
  });
  useApp.subscribe((s, prev) => { if (s.current?.id !== prev.current?.id) void load(s.current?.id ?? null); });
  void load(useApp.getState().current?.id ?? null);
}

/** The case's correlate jobs as the engine lists them (live ones first, then the ended ones, newest first). */
async function load(caseId: string | null): Promise<void> {
  useChainsJob.setState({ caseId, live: null, ended: null, error: null });
  if (!caseId) return;
  const jobs = await call('jobs.list', { caseId }).catch(() => [] as JobInfo[]);
  if (useChainsJob.getState().caseId !== caseId) return;
  const mine = jobs.filter((j) => j.kind === 'correlate');
  const live = mine.find(jobIsLive) ?? null;
  const ended = mine.find((j) => !jobIsLive(j)) ?? null;
  // What was heard while the list was asked for is newer than the list.
  useChainsJob.setState((s) => ({ live: s.live ?? (live && s.ended?.jobId !== live.jobId ? live : null), ended: s.ended ?? ended }));
}
