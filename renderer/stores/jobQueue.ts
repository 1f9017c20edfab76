// A case runs one job at a time (engine/jobs/runner.ts): an import started while the case pulls, exports or builds
// its identifiers waits its turn. Without a word the panel sits at "starting…" and the operator cannot tell a queue
// from a hang; this says what the job waits for, from its `job.progress` (published while queued, every few seconds).
import type { JobInfo } from '../../shared/contract';
import { call, getClient } from '../api/client';

const KIND: Record<string, string> = {
  import: 'an import', pull: 'a pull', export: 'an export',
  correlate: 'identifiers and chains being built', 'text-index': 'the text index being built',
};

/** The sentence for a job queued behind `running` (the case's job that runs now), or behind nothing known yet. */
export function waitingText(running: JobInfo | undefined): string {
  const what = running ? KIND[running.kind] ?? `the case's ${running.kind} job` : 'the case\'s other jobs';
  return `Waiting for ${what} to finish: a case runs one job at a time.`;
}

/** Calls `onWait` with the sentence while the job is queued and with null once it runs; returns the unsubscribe. */
export function followQueue(caseId: string, jobId: string, onWait: (text: string | null) => void): () => void {
  let last: string | null = null;
  const say = (text: string | null) => { if (text !== last) { last = text; onWait(text); } };
  return getClient().on('job.progress', (j) => {
    if (j.jobId !== jobId) return;
    if (j.state !== 'queued') { say(null); return; }
    void call('jobs.list', { caseId }).then((all) => {
      // The job may have started meanwhile: only a job still queued is said to wait.
      if (all.find((x) => x.jobId === jobId)?.state === 'queued') say(waitingText(all.find((x) => x.state === 'running')));
    }).catch(() => undefined);
  });
}
