// Which jobs run on which case and how far each is, in one place: one follower of the engine's `job.progress`, told
// of the jobs already there by `jobs.list` when a case opens (they ran on through a reload, or another window started
// them). The zone panel's "a job writes this case", the chain build's running or stopped, and the import, pull and
// export panels following a job this page did not start all read it here.
import { create } from 'zustand';
import { jobIsLive, zoneBusy, type JobInfo } from '../../shared/contract';
import { call, getClient } from '../api/client';
import { useApp } from './app';

interface LiveJobsState {
  /** The queued or running jobs of every case, by id, as their last progress says them. */
  live: Record<string, JobInfo>;
  /** Per case, per kind: the last job of that kind that ended (done, failed or cancelled) that this page knows of. */
  ended: Record<string, Record<string, JobInfo>>;
}

export const useLiveJobs = create<LiveJobsState>(() => ({ live: {}, ended: {} }));

/** Jobs heard to end: a list asked for before they ended does not make them live again. */
const gone = new Set<string>();

function endedLater(a: JobInfo, b: JobInfo | undefined): boolean {
  return !b || b.jobId === a.jobId || (a.endedAt ?? '') >= (b.endedAt ?? '');
}

/** One job's news (its progress, or its line in a list): live, or ended. */
function note(j: JobInfo): void {
  useLiveJobs.setState((s) => {
    if (jobIsLive(j)) return gone.has(j.jobId) ? s : { live: { ...s.live, [j.jobId]: j } };
    gone.add(j.jobId);
    const { [j.jobId]: _was, ...live } = s.live;
    const mine = s.ended[j.caseId] ?? {};
    if (!endedLater(j, mine[j.kind])) return { live };
    return { live, ended: { ...s.ended, [j.caseId]: { ...mine, [j.kind]: j } } };
  });
}

/** Asks the engine for the case's jobs and notes them; what was heard while it was asked is newer than the list. */
async function list(caseId: string): Promise<void> {
  const jobs = await call('jobs.list', { caseId }).catch(() => [] as JobInfo[]);
  const heard = useLiveJobs.getState();
  for (const j of jobs) {
    // A live job already heard has newer progress than its line in the list.
    if (jobIsLive(j) && heard.live[j.jobId]) continue;
    note(j);
  }
}

let started = false;

/** Starts following (once per page): every job's progress, and the open case's jobs each time a case opens. */
export function startLiveJobs(): void {
  if (started) return;
  started = true;
  getClient().on('job.progress', note);
  useApp.subscribe((s, prev) => { if (s.current && s.current.id !== prev.current?.id) void list(s.current.id); });
  const open = useApp.getState().current?.id;
  if (open) void list(open);
}

/** The case's queued or running job of a kind (a case runs one at a time). */
export const liveJobOf = (s: LiveJobsState, caseId: string | undefined, kind: string): JobInfo | null =>
  (caseId && Object.values(s.live).find((j) => j.caseId === caseId && j.kind === kind)) || null;

/** The case's last ended job of a kind. */
export const endedJobOf = (s: LiveJobsState, caseId: string | undefined, kind: string): JobInfo | null =>
  (caseId && s.ended[caseId]?.[kind]) || null;

/** Forgets the case's ended job of a kind (a build asked again is not said to have stopped until its job says so). */
export function forgetEnded(caseId: string, kind: string): void {
  useLiveJobs.setState((s) => {
    const { [kind]: _was, ...rest } = s.ended[caseId] ?? {};
    return { ended: { ...s.ended, [caseId]: rest } };
  });
}

/** Why the case's zone cannot be changed now (a job writing it is queued or running: zoneBusy), as its jobs come and go. */
export function useZoneBusy(caseId: string | undefined): string | null {
  return useLiveJobs((s) => (caseId ? zoneBusy(Object.values(s.live).filter((j) => j.caseId === caseId).map((j) => j.kind)) : null));
}

export interface Follow {
  /** The page already runs (or checks) one of its own: nothing is followed. */
  busy(): boolean;
  /** A live job was found: show it as running. */
  start(job: JobInfo): void;
  /** Each progress step while it is queued or running. */
  progress?(job: JobInfo): void;
  /** It ended (done, failed or cancelled). */
  end(job: JobInfo): void;
  /** The kind's own progress events, taken for this job only; each returns its unsubscribe. */
  events?(jobId: string): (() => void)[];
}

/**
 * Follows the open case's live job of a kind that this page did not start (it ran on through a reload, or another
 * window started it) until it ends, and hands over how it ended. The import, the pull and the export follow theirs so.
 */
export async function followJob(caseId: string, kind: string, f: Follow): Promise<void> {
  if (f.busy()) return;
  startLiveJobs();
  await list(caseId);
  const job = liveJobOf(useLiveJobs.getState(), caseId, kind);
  if (!job || f.busy() || useApp.getState().current?.id !== caseId) return;
  f.start(job);
  const offs = f.events?.(job.jobId) ?? [];
  let done = false;
  const seen = (s: LiveJobsState, prev?: LiveJobsState) => {
    if (done) return;
    const now = s.live[job.jobId];
    if (now) { if (now !== prev?.live[job.jobId]) f.progress?.(now); return; }
    const ended = endedJobOf(s, caseId, kind);
    if (ended?.jobId !== job.jobId) return;
    done = true;
    off();
    for (const o of offs) o();
    f.end(ended);
  };
  const off = useLiveJobs.subscribe(seen);
  // It may have ended between the list and the subscription.
  const now = useLiveJobs.getState();
  seen(now, now);
}
