// Following a job this page did not start (it ran on through a reload, or another window started it): the case's live
// job of a kind is found with `jobs.list`, its `job.progress` (and the caller's own detail events) followed until it
// ends, and how it ended handed over. The import, the pull and the export all follow their jobs this one way.
import { jobIsLive, type JobInfo } from '../../shared/contract';
import { call, getClient } from '../api/client';
import { useApp } from './app';

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

export async function followJob(caseId: string, kind: string, f: Follow): Promise<void> {
  if (f.busy()) return;
  let jobs: JobInfo[];
  try { jobs = await call('jobs.list', { caseId }); } catch { return; }
  const job = jobs.find((j) => j.kind === kind && jobIsLive(j));
  if (!job || f.busy() || useApp.getState().current?.id !== caseId) return;
  f.start(job);
  let done = false;
  const offs: (() => void)[] = [];
  const finish = (j: JobInfo) => {
    if (done) return;
    done = true;
    for (const off of offs) off();
    f.end(j);
  };
  offs.push(getClient().on('job.progress', (j) => {
    if (j.jobId !== job.jobId || done) return;
    if (jobIsLive(j)) f.progress?.(j); else finish(j);
  }));
  offs.push(...(f.events?.(job.jobId) ?? []));
  // It may have ended between the list and the subscription.
  const now = (await call('jobs.list', { caseId }).catch(() => [] as JobInfo[])).find((j) => j.jobId === job.jobId);
  if (now && !jobIsLive(now)) finish(now);
}
