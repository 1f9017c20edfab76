// The one follower of the jobs: what runs on a case and how it ended, from job.progress and jobs.list in either order.
import { describe, expect, it } from 'vitest';
import type { CaseInfo } from '../../shared/domain';
import type { Api, JobInfo } from '../../shared/contract';
import { setClient } from '../api/client';
import { useApp } from './app';
import { endedJobOf, followJob, liveJobOf, startLiveJobs, useLiveJobs } from './liveJobs';

const job = (jobId: string, kind: string, state: JobInfo['state'], caseId = 'c1'): JobInfo => ({
  jobId, kind, caseId, state, queuedAt: '2026-11-29T10:00:00.000Z', startedAt: null,
  endedAt: state === 'queued' || state === 'running' ? null : `2026-11-29T10:00:0${jobId.length % 10}.000Z`, step: null,
});

// One page: the follower starts once and stays subscribed across the tests.
const listeners: ((j: JobInfo) => void)[] = [];
let listed: () => Promise<JobInfo[]> = async () => [];
const hear = (j: JobInfo) => { for (const l of listeners) l(j); };

setClient({
  api: { 'jobs.list': () => listed() } as unknown as Api, transport: 'browser', upload: null, pathForFile: null,
  on: ((name: string, fn: (j: JobInfo) => void) => { if (name === 'job.progress') listeners.push(fn); return () => undefined; }) as never,
});

describe('liveJobs', () => {
  it('a job heard to end while the list was asked for is not made live again by that list', async () => {
    let answer!: (jobs: JobInfo[]) => void;
    listed = () => new Promise((r) => { answer = r; });
    useApp.setState({ current: { id: 'c1' } as CaseInfo });
    startLiveJobs();
    hear(job('imp', 'import', 'running'));
    expect(liveJobOf(useLiveJobs.getState(), 'c1', 'import')?.jobId).toBe('imp');
    hear(job('imp', 'import', 'done'));
    answer([job('imp', 'import', 'running'), job('old-corr', 'correlate', 'cancelled')]);
    await new Promise((r) => setTimeout(r, 0));
    const s = useLiveJobs.getState();
    expect(liveJobOf(s, 'c1', 'import')).toBeNull();
    expect(endedJobOf(s, 'c1', 'import')?.state).toBe('done');
    // The list's ended job is known too (a chain build cancelled before this page loaded).
    expect(endedJobOf(s, 'c1', 'correlate')?.jobId).toBe('old-corr');
  });

  it('follows a job this page did not start: each step, then how it ended; another case\'s job is not it', async () => {
    listed = async () => [job('exp', 'export', 'running')];
    useApp.setState({ current: { id: 'c1' } as CaseInfo });
    const steps: string[] = [];
    let ended: JobInfo | null = null;
    await followJob('c1', 'export', { busy: () => false, start: (j) => steps.push(`start ${j.state}`), progress: (j) => steps.push(j.state), end: (j) => { ended = j; } });
    hear(job('exp', 'export', 'running'));
    hear(job('other', 'export', 'done', 'c2'));
    expect(ended).toBeNull();
    hear(job('exp', 'export', 'cancelled'));
    hear(job('exp', 'export', 'cancelled'));
    expect(steps).toEqual(['start running', 'running']);
    expect(ended!.state).toBe('cancelled');
  });
});
