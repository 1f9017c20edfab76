// The generic job calls: list and cancel, whatever the job kind.
import type { AreaHandlers } from '../api';

export const jobHandlers: AreaHandlers<'jobs'> = {
  'jobs.list': async (ctx, i) => ctx.jobs.list(i.caseId),
  'jobs.cancel': async (ctx, i) => ({ cancelled: ctx.jobs.cancel(i.jobId) }),
};
