// The events of a case: pages, histogram, detail, field values, context around one event, read-only SQL.
import { z } from 'zod';
import { Cursor, EventDetail, EventFilter, EventRow, IsoInstant } from '../domain';
import { AroundResult } from '../correlation';
import { CaseRef, Range } from './common';
import { defineArea, defineCall } from './define';

export const HistogramLane = z.object({
  source: z.string(),
  total: z.number(),
  /** counts[bucket][levelIndex] with levels in LEVELS order plus a trailing "other/none". */
  counts: z.array(z.array(z.number())),
});
export const Histogram = z.object({
  from: IsoInstant,
  to: IsoInstant,
  /** The first matching event, when `from` was rounded down to a whole minute or hour (a summary answer). */
  first: IsoInstant.optional(),
  bucketMs: z.number(),
  buckets: z.number(),
  lanes: z.array(HistogramLane),
  untimed: z.number(),
  queryMs: z.number(),
});
export type Histogram = z.infer<typeof Histogram>;

export const EventPage = z.object({
  rows: z.array(EventRow),
  /** Cursor after the last row, null at the end. */
  next: Cursor.nullable(),
  /** Cursor before the first row, null at the start. */
  prev: Cursor.nullable(),
  /** Matching rows in total (may be capped; see totalCapped). */
  total: z.number(),
  /** True when counting stopped at a cap: `total` is then a lower bound. */
  totalCapped: z.boolean().optional(),
  /** The total is not counted yet (a text search asked to count later): `total` is 0, events.count has it. */
  totalPending: z.boolean().optional(),
  queryMs: z.number(),
});
export type EventPage = z.infer<typeof EventPage>;

export const SqlResult = z.object({
  columns: z.array(z.string()), rows: z.array(z.record(z.string(), z.unknown())), queryMs: z.number(),
  /** Rows stopped at the limit (`rows`) or at the result size cap (`bytes`). */
  truncated: z.boolean(), truncatedBy: z.enum(['rows', 'bytes']).optional(),
  /** Values masked as secrets (as on screen), when the call did not ask to reveal them. */
  masked: z.number().optional(),
});

export const FieldStats = z.object({
  /** Events the filter matches (a lower bound when totalCapped). */
  total: z.number(), totalCapped: z.boolean(),
  /** True when the numbers come from a random sample of `rowsRead` matching events rather than all of them. */
  sampled: z.boolean(), rowsRead: z.number(),
  /** Most common fields first: events (of those read) carrying each, distinct values, the top values with counts. */
  fields: z.array(z.object({
    field: z.string(), count: z.number(), distinct: z.number(),
    /** `masked`: the value holds a secret and is shown masked (not filterable from here). */
    top: z.array(z.object({ value: z.string(), count: z.number(), masked: z.boolean().optional() })),
  })),
  queryMs: z.number(),
});
export type FieldStats = z.infer<typeof FieldStats>;

// Redrawing a histogram or the field sidebar, listing names and scrolling an already audited query are frames, not
// actions: not audited (the first page of each filter is).
/** What the operator types into a filter (search text, field values, file paths) can hold a secret or name a person:
 * the trail keeps an HMAC (equal filters still match; which kinds were used stays readable). As in export.run. */
export const FILTER_SENSITIVE = ['filter.text', 'filter.fields.value', 'filter.files'] as const;

export const eventsArea = defineArea({
  calls: {
    'events.histogram': defineCall({
      input: CaseRef.extend({ filter: EventFilter, range: Range.optional(), buckets: z.number().int().min(1).max(2000) }),
      output: Histogram, access: 'read', audit: 'never',
    }),
    'events.page': defineCall({
      input: CaseRef.extend({
        filter: EventFilter,
        after: Cursor.optional(),
        before: Cursor.optional(),
        limit: z.number().int().min(1).max(1000),
        extraFields: z.array(z.string().max(200)).max(32).optional(),
        /** A text search may answer its first rows first and leave the total pending (the workbench asks events.count). */
        countLater: z.boolean().optional(),
      }),
      output: EventPage, access: 'read',
      audit: { when: (i) => !i.after && !i.before, describe: 'first page only (no cursor)' }, sensitive: FILTER_SENSITIVE,
    }),
    /** The exact number of events a filter matches (a lower bound when capped): the total a page left pending. */
    'events.count': defineCall({
      input: CaseRef.extend({ filter: EventFilter }),
      output: z.object({ total: z.number(), totalCapped: z.boolean(), queryMs: z.number() }), access: 'read', audit: 'never',
    }),
    'events.get': defineCall({ input: CaseRef.extend({ id: z.number().int() }), output: EventDetail, access: 'read', audit: 'always' }),
    /** One field the engine masked as a secret, unmasked, for one record (`field` as in EventRow.masked). The trail
     * records which record and which field were revealed; the value is in the answer only, never in the trail. */
    'events.reveal': defineCall({
      input: CaseRef.extend({ id: z.number().int(), field: z.string().min(1).max(4200) }),
      output: z.object({ value: z.string().nullable() }), access: 'read', audit: 'always',
    }),
    'events.fieldValues': defineCall({
      input: CaseRef.extend({ filter: EventFilter, field: z.string().min(1).max(200), limit: z.number().int().min(1).max(200) }),
      output: z.object({ field: z.string(), values: z.array(z.object({ value: z.string(), count: z.number() })), queryMs: z.number() }),
      access: 'read', audit: 'always', sensitive: FILTER_SENSITIVE,
    }),
    /** The field sidebar: every field of the matching events with its top values (sampled past `sample` events). */
    'events.fieldStats': defineCall({
      input: CaseRef.extend({
        filter: EventFilter, top: z.number().int().min(1).max(50), sample: z.number().int().min(1).max(200_000).optional(),
      }),
      output: FieldStats, access: 'read', audit: 'never',
    }),
    'events.fieldNames': defineCall({ input: CaseRef, output: z.array(z.object({ field: z.string(), count: z.number() })), access: 'read', audit: 'never' }),
    'events.sources': defineCall({
      input: CaseRef,
      output: z.array(z.object({ source: z.string(), count: z.number(), from: IsoInstant.nullable(), to: IsoInstant.nullable() })),
      access: 'read', audit: 'never',
    }),
    'events.around': defineCall({
      input: CaseRef.extend({ id: z.number().int(), seconds: z.number().min(1).max(86400), perSource: z.number().int().min(1).max(200) }),
      output: AroundResult, access: 'read', audit: 'always',
    }),
    /** Read-only SQL over the case (the documented `events` view and friends). The query is typed text: sensitive. */
    'events.sql': defineCall({
      input: CaseRef.extend({
        sql: z.string().min(1).max(100_000), limit: z.number().int().min(1).max(100_000).optional(),
        /** Secrets in the rows as stored, not masked (recorded plainly in the call's audit entry). The command line's only:
         *  refused from the app's and the browser's doors, where a secret reaches the page one revealed field at a time. */
        reveal: z.boolean().optional(),
      }),
      output: SqlResult, access: 'read', audit: 'always', timeoutMs: 600_000, sensitive: ['sql'],
    }),
  },
});
