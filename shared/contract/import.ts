// Import of evidence bundles into a case. Runs as an `import` job: queued behind the case's other jobs, cancellable
// with `jobs.cancel`, progress as `job.progress` and, in more detail, `import.progress`.
import { z } from 'zod';
import { ImportProgress, ImportResult } from '../domain';
import { CaseRef, JobId } from './common';
import { defineArea, defineCall } from './define';

const ImportPaths = z.array(z.string().min(1).max(4096)).min(1).max(1000);
/** Formats forced on the files a glob names (inside each bundle), before the case's remembered ones. */
const FormatOverrides = z.array(z.object({ format: z.string().max(64), glob: z.string().max(1000) })).max(100);

export const ImportCheck = z.object({
  /** Files the inputs hold (archive members counted one by one) and their bytes. */
  files: z.number(), bytes: z.number(),
  /** How many of them are byte-identical (sha256) to a file already in the case: an import records those as aliases. */
  known: z.number(),
  /** The first known ones (at most 50), with the name the case already has them under. */
  already: z.array(z.object({ file: z.string(), of: z.object({ bundle: z.string(), file: z.string() }) })),
  /** The archives inside the inputs (at most 50) and what the import will do with each: keep it and import its contents
   * as a bundle of their own (`expand`; `files`: how many, when the check read them), keep it unexpanded (`keep`: inside
   * another archive, one level deep only), or keep it and note why its contents cannot come in (`refused`). */
  archives: z.array(z.object({ file: z.string(), action: z.enum(['expand', 'keep', 'refused']), files: z.number().optional(), why: z.string().optional() })),
  /** Files the format overrides (the given ones and the case's) name: the import reads them in the forced format, an
   * archive among them as lines, not expanded. 0 with overrides given: their globs name nothing. */
  overridden: z.number(),
  queryMs: z.number(),
});
export type ImportCheck = z.infer<typeof ImportCheck>;

/** How far a check is: the files on disk (an archive counts as one) and their bytes, read of all. */
export const CheckCounts = z.object({ filesDone: z.number(), filesTotal: z.number(), bytesDone: z.number(), bytesTotal: z.number() });
export type CheckCounts = z.infer<typeof CheckCounts>;
export const ImportCheckProgress = CheckCounts.extend({ caseId: z.string(), checkId: z.string().optional() });
export type ImportCheckProgress = z.infer<typeof ImportCheckProgress>;

/** The date (YYYY-MM-DD) an import gives stamps that carry no date or year. */
export const ImportDate = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a date as YYYY-MM-DD');

export const importArea = defineArea({
  calls: {
    /** Before an import: how many of these files the case already has (by content), importing nothing. Given the
     * import's format overrides, it answers for the import with them. */
    'import.check': defineCall({
      /** `checkId`: names the check's `import.checkProgress` events. Cancelled as a read is (its caller's signal). */
      input: CaseRef.extend({ paths: ImportPaths, formatOverrides: FormatOverrides.optional(), checkId: JobId.optional() }),
      output: ImportCheck, access: 'read', audit: 'always', timeoutMs: 600_000,
    }),
    /** Import files or folders that exist on the engine's machine. */
    'import.paths': defineCall({
      input: CaseRef.extend({
        paths: ImportPaths,
        formatOverrides: FormatOverrides.optional(),
        /** The date (YYYY-MM-DD) of the first record for stamps that carry no date or year (time-only, syslog). */
        date: ImportDate.optional(),
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
    /** How far an `import.check` is: the files on disk read (an archive as one file) of all, and their bytes. */
    'import.checkProgress': ImportCheckProgress,
  },
});
