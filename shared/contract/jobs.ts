// Long work (import now; pull and export next) runs as jobs: one at a time per case, queued, cancellable.
import { z } from 'zod';
import { IsoInstant } from '../domain';
import { CaseRef, JobId } from './common';
import { ERROR_CODES, ErrorPlaces } from './errors';
import { defineArea, defineCall } from './define';

export const JobState = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobState>;

/** Where a job is: a phase and a count of what it works through (bytes, files, rows…). */
export const JobStep = z.object({
  phase: z.string().max(64),
  done: z.number(),
  total: z.number(),
  unit: z.enum(['bytes', 'files', 'rows', 'items']),
  message: z.string().max(500).optional(),
});
export type JobStep = z.infer<typeof JobStep>;

export const JobInfo = z.object({
  jobId: z.string(),
  kind: z.string(),
  caseId: z.string(),
  state: JobState,
  queuedAt: IsoInstant,
  startedAt: IsoInstant.nullable(),
  endedAt: IsoInstant.nullable(),
  step: JobStep.nullable(),
  /** Why it failed, or "cancelled". */
  error: z.string().optional(),
  /** The contract code of that error (as the job's own call rejects with): a page that only follows the job keys on it,
   * never on the sentence. */
  code: z.enum(ERROR_CODES).optional(),
  /** The places of that error (a blocked export's), as its call's error carries them. */
  places: ErrorPlaces.optional(),
  /** What a finished job made, in one sentence: a page that followed it (reloaded, or another window) says this. */
  outcome: z.string().max(500).optional(),
});
export type JobInfo = z.infer<typeof JobInfo>;

/** Queued or running: the job has not ended (done, failed or cancelled). */
export const jobIsLive = (j: { state: JobState }): boolean => j.state === 'queued' || j.state === 'running';

export const jobsArea = defineArea({
  calls: {
    /** The case's jobs (all cases' without caseId): queued and running first, then the most recent finished ones. */
    'jobs.list': defineCall({ input: CaseRef.partial(), output: z.array(JobInfo), access: 'read', audit: 'never' }),
    /** Cancels a queued or running job; its call then fails with `cancelled`. */
    'jobs.cancel': defineCall({ input: z.object({ jobId: JobId }), output: z.object({ cancelled: z.boolean() }), access: 'write', audit: 'always' }),
  },
  events: {
    /** On every state change and progress step, and at least every few seconds while a job is queued or running. */
    'job.progress': JobInfo,
  },
});
