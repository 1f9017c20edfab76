// Import of evidence bundles into a case. Runs as an `import` job: queued behind the case's other jobs, cancellable
// with `jobs.cancel`, progress as `job.progress` and, in more detail, `import.progress`.
import { z } from 'zod';
import { ImportProgress, ImportResult } from '../domain';
import { CaseRef, JobId } from './common';
import { defineArea, defineCall } from './define';

export const importArea = defineArea({
  calls: {
    /** Import files or folders that exist on the engine's machine. */
    'import.paths': defineCall({
      input: CaseRef.extend({
        paths: z.array(z.string().min(1).max(4096)).min(1).max(1000),
        formatOverrides: z.array(z.object({ format: z.string().max(64), glob: z.string().max(1000) })).max(100).optional(),
        /** The date (YYYY-MM-DD) of the first record for stamps that carry no date or year (time-only, syslog). */
        date: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a date as YYYY-MM-DD').optional(),
        jobId: JobId.optional(),
        /**
         * Return as soon as the events are in (the timeline is usable), with identifiers and chains still being built
         * by a `correlate` job. Otherwise the call returns once everything is done.
         */
        eventsFirst: z.boolean().optional(),
      }),
      output: ImportResult, access: 'write', audit: 'always', job: 'import',
    }),
  },
  events: {
    'import.progress': ImportProgress,
  },
});
