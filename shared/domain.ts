// Domain vocabulary shared by engine, CLI and UI. Pure TypeScript: no Node, no DOM.
import { z } from 'zod';

/** Normalised levels, most to least verbose. Every format maps its own names onto these. */
export const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export const Level = z.enum(LEVELS);
export type Level = z.infer<typeof Level>;

/** ok: parsed per its format; malformed: looked like the format but did not parse; unparsed: raw-text fallback. */
export const PARSE_STATUSES = ['ok', 'malformed', 'unparsed'] as const;
export const ParseStatus = z.enum(PARSE_STATUSES);
export type ParseStatus = z.infer<typeof ParseStatus>;

/** ISO-8601 instant in UTC, e.g. 2023-07-30T00:13:45.400Z. */
export const IsoInstant = z.string().max(40);

/** How a case's or a file's naive timestamps are placed on the UTC line. */
export const TimeZoneRule = z.object({
  /** IANA zone ("Asia/Kolkata") or a fixed offset ("+05:30"). */
  zone: z.string().max(64),
  /** operator: set by --tz / settings; inferred: from logs carrying both local and absolute time; default: no evidence, UTC assumed. */
  how: z.enum(['operator', 'inferred', 'default', 'inline']),
  /** Human sentence: which evidence decided it. */
  evidence: z.string().max(2000),
});
export type TimeZoneRule = z.infer<typeof TimeZoneRule>;

export const CaseInfo = z.object({
  id: z.string(),
  name: z.string(),
  dir: z.string(),
  created: IsoInstant,
  timezone: TimeZoneRule,
  readOnly: z.boolean(),
  /** Why the case is read-only (another instance holds the lock), when it is. */
  readOnlyReason: z.string().optional(),
  eventCount: z.number(),
  bundleCount: z.number(),
  timeRange: z.object({ from: IsoInstant, to: IsoInstant }).nullable(),
  isDemo: z.boolean().optional(),
  /** Open in this engine (holding the case's lock); false for a recent case `cases.list` only peeked into. */
  open: z.boolean().optional(),
  /** Identifiers and chains are behind the events (being built, or to be rebuilt after an interrupted import). */
  chainsPending: z.boolean().optional(),
  /** The text index is behind the events (being built, or missing on a case opened read-only): searches still
   * answer exactly, the records it does not cover are read in full. */
  textIndexPending: z.boolean().optional(),
});
export type CaseInfo = z.infer<typeof CaseInfo>;

export const FileImportResult = z.object({
  file: z.string(),
  bundle: z.string(),
  format: z.string(),
  reason: z.string(),
  records: z.number(),
  lines: z.number(),
  ok: z.number(),
  malformed: z.number(),
  unparsed: z.number(),
  untimed: z.number(),
  tzRule: z.string(),
  from: IsoInstant.nullable(),
  to: IsoInstant.nullable(),
  skipped: z.boolean(),
  note: z.string().optional(),
  /** The file's content (sha256) is already in the case under this name: recorded as an alias, never parsed again. */
  aliasOf: z.object({ bundle: z.string(), file: z.string() }).optional(),
});
export type FileImportResult = z.infer<typeof FileImportResult>;

export const ImportResult = z.object({
  /**
   * `notes`: what the input held that is not evidence and was left out (links, devices, duplicate archive members, the
   * contents of an archive inside it that could not be expanded). `from`: the bundle is the contents of an archive
   * that is a file of another bundle.
   */
  bundles: z.array(z.object({ id: z.string(), files: z.number(), bytes: z.number(), reused: z.boolean(), notes: z.array(z.string()).optional(),
    from: z.object({ bundle: z.string(), file: z.string() }).optional() })),
  files: z.array(FileImportResult),
  timezone: TimeZoneRule,
  seconds: z.number(),
  /** Seconds until the events were committed and queryable (identifiers and chains come after, as their own job). */
  eventsReadySeconds: z.number().optional(),
  /** Seconds until the first files' events were committed: the timeline shows them while the rest import. */
  firstEventsSeconds: z.number().optional(),
  /** Whether identifiers and chains were built when the call returned, or are still being built. */
  correlation: z.enum(['done', 'pending']).optional(),
});
export type ImportResult = z.infer<typeof ImportResult>;

export const ImportProgress = z.object({
  jobId: z.string(),
  phase: z.enum(['copy', 'detect', 'parse', 'index', 'done', 'error']),
  file: z.string().optional(),
  filesDone: z.number(),
  filesTotal: z.number(),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  message: z.string().optional(),
  /** Records this import has committed so far: queryable now, while the rest import (the page redraws as it grows). */
  eventsCommitted: z.number().optional(),
});
export type ImportProgress = z.infer<typeof ImportProgress>;

/** A field filter: exact value of one key inside `fields` (or a top-level column such as logger). */
export const FieldFilter = z.object({
  field: z.string().min(1).max(200),
  value: z.string().max(2000),
  negate: z.boolean().optional(),
});

export const EventFilter = z.object({
  sources: z.array(z.string().max(64)).max(64).optional(),
  levels: z.array(Level).max(6).optional(),
  from: IsoInstant.optional(),
  to: IsoInstant.optional(),
  text: z.string().max(2000).optional(),
  regex: z.boolean().optional(),
  fields: z.array(FieldFilter).max(32).optional(),
  files: z.array(z.string().max(4096)).max(256).optional(),
  parseStatus: z.array(ParseStatus).max(3).optional(),
});
export type EventFilter = z.infer<typeof EventFilter>;

/** A row of the events table as the UI sees it (raw and fields are fetched by `events.get`). */
export const EventRow = z.object({
  id: z.number(),
  ts: IsoInstant.nullable(),
  tsText: z.string().nullable(),
  source: z.string(),
  file: z.string(),
  line: z.number(),
  lineCount: z.number(),
  level: z.string().nullable(),
  logger: z.string().nullable(),
  message: z.string().nullable(),
  parseStatus: ParseStatus,
  bundle: z.string(),
  /** Selected extra columns from `fields`, by name. */
  extra: z.record(z.string(), z.string().nullable()).optional(),
  /** Fields whose secrets the engine masked (`message`, `raw`, `extra:<name>`, `fields:<JSON pointer>`): events.reveal shows one. */
  masked: z.array(z.string()).optional(),
});
export type EventRow = z.infer<typeof EventRow>;

export const EventDetail = EventRow.extend({
  fields: z.record(z.string(), z.unknown()),
  raw: z.string(),
  tzRule: z.string(),
  prevId: z.number().nullable(),
  nextId: z.number().nullable(),
});
export type EventDetail = z.infer<typeof EventDetail>;

/** Keyset cursor: position in (ts, id) order. ts null sorts last. */
export const Cursor = z.object({ ts: IsoInstant.nullable(), id: z.number() });
export type Cursor = z.infer<typeof Cursor>;

export const FormatInfo = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  paths: z.array(z.string()),
  kind: z.enum(['json', 'text', 'raw']),
  multiline: z.boolean(),
  timezone: z.string(),
  samples: z.number(),
});
export type FormatInfo = z.infer<typeof FormatInfo>;
