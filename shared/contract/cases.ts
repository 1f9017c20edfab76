// Cases: create, open, list, close, and their settings.
import { z } from 'zod';
import { CaseInfo } from '../domain';
import { CaseRef, JobId } from './common';
import { defineArea, defineCall } from './define';

/** What changing the site zone re-times (cases.timezonePlan; ingest/retime.ts). */
export const RetimePlan = z.object({
  to: z.string(),
  /** The zones the re-timed events were read in (one, unless imports were read in different zones). */
  from: z.array(z.string()),
  /** Events read from a naive stamp in another zone than `to`, and their files. */
  events: z.number().int(),
  files: z.number().int(),
  /** Files whose day came from context in the old zone (stamps without a date or year): the change is refused while any. */
  blocked: z.object({ files: z.number().int(), examples: z.array(z.string()) }),
  /** Formats of naive events this build does not know: the change is refused. */
  unknownFormats: z.array(z.string()).optional(),
  /** A job writing the case is queued or running (zoneBusy): the change is refused until it ends, not queued behind it. */
  busy: z.string().optional(),
  /** The case's other own jobs running or queued (an export, which only reads the case): the change waits for them. */
  waitsFor: z.array(z.string()).optional(),
  /** The case's zone when asked: passed back as setTimezone's `expect`. */
  current: z.string(),
});
export type RetimePlan = z.infer<typeof RetimePlan>;

/** What a job of each kind that writes the case's events is, in the operator's words (job kinds; CLI commands holding
 *  the case's lock). A zone change is refused while one is queued or running: it would re-time a case still changing. */
const WRITING_JOBS: Record<string, string> = { import: 'An import', pull: 'A pull', retime: 'A change of the site zone', timezone: 'A change of the site zone' };

/** Why the site zone cannot be changed now, given the case's live jobs (or the command holding it); null when it can. */
export function zoneBusy(kinds: readonly string[]): string | null {
  const kind = kinds.find((k) => WRITING_JOBS[k]);
  return kind ? `${WRITING_JOBS[kind]} is running in this case. Change the site zone when it has finished.` : null;
}

export const casesArea = defineArea({
  calls: {
    'cases.list': defineCall({ input: z.object({}), output: z.array(CaseInfo), access: 'read', audit: 'never' }),
    'cases.create': defineCall({
      input: z.object({ name: z.string().min(1).max(200), dir: z.string().max(4096).optional(), timezone: z.string().max(64).optional() }),
      output: CaseInfo, access: 'write', audit: 'always',
    }),
    /**
     * Opening takes the case's lock and may replay its write-ahead log after a crash. `writing`: the caller came to
     * write; a case another process holds is refused (`read_only`, naming it) instead of opened read-only.
     */
    'cases.open': defineCall({ input: z.object({ dir: z.string().min(1).max(4096), writing: z.boolean().optional() }), output: CaseInfo, access: 'write', audit: 'always', timeoutMs: 600_000 }),
    'cases.get': defineCall({ input: CaseRef, output: CaseInfo, access: 'read', audit: 'never' }),
    'cases.close': defineCall({ input: CaseRef, output: z.object({ ok: z.boolean() }), access: 'write', audit: 'always' }),
    /** What a change of the site zone would re-time; nothing is changed. */
    'cases.timezonePlan': defineCall({ input: CaseRef.extend({ timezone: z.string().min(1).max(64) }), output: RetimePlan, access: 'read', audit: 'never', timeoutMs: 120_000 }),
    /**
     * Sets the site zone and re-times the events read in another zone (a `retime` job on the case: one transaction),
     * then rebuilds what derives from times (digests, identifiers, chains) before it returns. `retimed` says what changed.
     */
    'cases.setTimezone': defineCall({
      // `expect`: the zone the operator was asked from (timezonePlan's `current`); refused if the case has another by the job's turn.
      input: CaseRef.extend({ timezone: z.string().min(1).max(64), expect: z.string().min(1).max(64).optional(), jobId: JobId.optional() }),
      output: CaseInfo.extend({ retimed: z.object({ from: z.array(z.string()), to: z.string(), files: z.number().int(), events: z.number().int() }) }),
      access: 'write', audit: 'always', job: 'retime', timeoutMs: 600_000,
      // What was re-timed, not the case's total (CaseInfo's eventCount).
      auditOutputCounts: (o) => ({ files: o.retimed.files, events: o.retimed.events }),
    }),
  },
});
