// The one typed contract between the UI and the engine. Electron IPC (preload) and the browser-mode HTTP bridge
// both carry exactly these calls; each side validates with these schemas. Add a call here and nowhere else.
import { z } from 'zod';
import {
  CaseInfo, Cursor, EventDetail, EventFilter, EventRow, FormatInfo, ImportProgress, ImportResult, IsoInstant,
} from './domain';
import { AuditEntryView, AuditVerifyResult, IntegrityResult } from './audit';
import { ChainKind, ChainStatus, ChainSummary, TraceResult, AroundResult } from './correlation';

const CaseRef = z.object({ caseId: z.string().min(1).max(128) });
const Range = z.object({ from: IsoInstant, to: IsoInstant });

export const HistogramLane = z.object({
  source: z.string(),
  total: z.number(),
  /** counts[bucket][levelIndex] with levels in LEVELS order plus a trailing "other/none". */
  counts: z.array(z.array(z.number())),
});
export const Histogram = z.object({
  from: IsoInstant,
  to: IsoInstant,
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
  queryMs: z.number(),
});
export type EventPage = z.infer<typeof EventPage>;

export const SavedView = z.object({
  name: z.string().min(1).max(200),
  filter: EventFilter,
  columns: z.array(z.string().max(200)).max(64),
});
export type SavedView = z.infer<typeof SavedView>;

export const AppInfo = z.object({
  version: z.string(),
  commit: z.string(),
  mode: z.enum(['electron', 'browser']),
  operator: z.string(),
  defaultCaseId: z.string().nullable(),
});

/** Every call: name → input and output schema. */
export const calls = {
  'app.info': { input: z.object({}), output: AppInfo },
  'formats.list': { input: z.object({}), output: z.array(FormatInfo) },

  'cases.list': { input: z.object({}), output: z.array(CaseInfo) },
  'cases.create': {
    input: z.object({ name: z.string().min(1).max(200), dir: z.string().max(4096).optional(), timezone: z.string().max(64).optional() }),
    output: CaseInfo,
  },
  'cases.open': { input: z.object({ dir: z.string().min(1).max(4096) }), output: CaseInfo },
  'cases.get': { input: CaseRef, output: CaseInfo },
  'cases.close': { input: CaseRef, output: z.object({ ok: z.boolean() }) },
  'cases.setTimezone': { input: CaseRef.extend({ timezone: z.string().min(1).max(64) }), output: CaseInfo },

  /** Import files or folders that exist on the engine's machine. Progress arrives as `import.progress` events. */
  'import.paths': {
    input: CaseRef.extend({
      paths: z.array(z.string().min(1).max(4096)).min(1).max(1000),
      formatOverrides: z.array(z.object({ format: z.string().max(64), glob: z.string().max(1000) })).max(100).optional(),
      jobId: z.string().max(64).optional(),
    }),
    output: ImportResult,
  },

  'events.histogram': {
    input: CaseRef.extend({ filter: EventFilter, range: Range.optional(), buckets: z.number().int().min(1).max(2000) }),
    output: Histogram,
  },
  'events.page': {
    input: CaseRef.extend({
      filter: EventFilter,
      after: Cursor.optional(),
      before: Cursor.optional(),
      limit: z.number().int().min(1).max(1000),
      extraFields: z.array(z.string().max(200)).max(32).optional(),
    }),
    output: EventPage,
  },
  'events.get': { input: CaseRef.extend({ id: z.number().int() }), output: EventDetail },
  'events.fieldValues': {
    input: CaseRef.extend({ filter: EventFilter, field: z.string().min(1).max(200), limit: z.number().int().min(1).max(200) }),
    output: z.object({ field: z.string(), values: z.array(z.object({ value: z.string(), count: z.number() })), queryMs: z.number() }),
  },
  'events.fieldNames': { input: CaseRef, output: z.array(z.object({ field: z.string(), count: z.number() })) },
  'events.sources': {
    input: CaseRef,
    output: z.array(z.object({ source: z.string(), count: z.number(), from: IsoInstant.nullable(), to: IsoInstant.nullable() })),
  },
  'events.around': {
    input: CaseRef.extend({ id: z.number().int(), seconds: z.number().min(1).max(86400), perSource: z.number().int().min(1).max(200) }),
    output: AroundResult,
  },

  /** Read-only SQL over the case (the documented `events` view and friends). */
  'events.sql': {
    input: CaseRef.extend({ sql: z.string().min(1).max(100_000), limit: z.number().int().min(1).max(100_000).optional() }),
    output: z.object({
      columns: z.array(z.string()), rows: z.array(z.record(z.string(), z.unknown())), queryMs: z.number(),
      /** Rows stopped at the limit (`rows`) or at the result size cap (`bytes`). */
      truncated: z.boolean(), truncatedBy: z.enum(['rows', 'bytes']).optional(),
    }),
  },

  'views.list': { input: CaseRef, output: z.array(SavedView) },
  'views.save': { input: CaseRef.extend({ view: SavedView }), output: z.array(SavedView) },
  'views.delete': { input: CaseRef.extend({ name: z.string().min(1).max(200) }), output: z.array(SavedView) },

  'chains.list': {
    input: CaseRef.extend({
      kinds: z.array(ChainKind).max(8).optional(),
      statuses: z.array(ChainStatus).max(4).optional(),
      minDurationMs: z.number().min(0).optional(),
      text: z.string().max(500).optional(),
      sort: z.enum(['first', 'duration', 'events']).optional(),
      limit: z.number().int().min(1).max(5000),
    }),
    output: z.object({ chains: z.array(ChainSummary), total: z.number(), queryMs: z.number() }),
  },
  'chains.trace': { input: CaseRef.extend({ key: z.string().min(1).max(500) }), output: TraceResult },

  'audit.list': {
    input: CaseRef.extend({ action: z.string().max(100).optional(), limit: z.number().int().min(1).max(5000) }),
    output: z.array(AuditEntryView),
  },
  'audit.verify': { input: CaseRef, output: AuditVerifyResult },
  'case.verify': { input: CaseRef, output: IntegrityResult },
} as const;

export type CallName = keyof typeof calls;
export type CallInput<N extends CallName> = z.infer<(typeof calls)[N]['input']>;
export type CallOutput<N extends CallName> = z.infer<(typeof calls)[N]['output']>;

/** Events pushed from engine to UI. */
export const events = {
  'import.progress': ImportProgress,
} as const;
export type EventName = keyof typeof events;
export type EventPayload<N extends EventName> = z.infer<(typeof events)[N]>;

/** Errors crossing the contract: a code and a sentence for the operator, never a stack trace. */
export const ContractError = z.object({
  code: z.enum(['invalid_input', 'not_found', 'read_only', 'forbidden', 'conflict', 'busy', 'timeout', 'internal', 'unknown_call']),
  message: z.string(),
});
export type ContractError = z.infer<typeof ContractError>;

/** The whole API, as the renderer uses it. */
export type Api = { [N in CallName]: (input: CallInput<N>) => Promise<CallOutput<N>> };
export const CALL_NAMES = Object.keys(calls) as CallName[];
