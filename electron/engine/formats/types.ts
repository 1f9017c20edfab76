// A log format as data. The ingest engine knows nothing about any particular log: it reads these definitions.
// Adding a format = adding one file in this folder and listing it in registry.ts. Its samples are its tests.
import type { Level } from '../../../shared/domain';
import type { CorrelationRules } from './correlation';
import type { StampShapeId } from './stamps';

export interface TimeSpec {
  /** Where the timestamp text is: JSON keys (first non-empty wins) or regex group names. */
  fields: string[];
  /** Rewrite ISO-ish text first (`T`→space, `,`→`.`, `Z`→`+00:00`), so a few formats cover many spellings. */
  normalize?: boolean;
  /** DuckDB strptime formats for stamps that carry their own zone (%z). */
  inline?: string[];
  /** DuckDB strptime formats for naive stamps, placed with the file's timezone rule. */
  naive?: string[];
  /** JSON keys holding seconds since the epoch: the absolute truth when present (e.g. Python logging's `created`). */
  epoch?: string[];
  /**
   * Shapes from the stamps library (formats/stamps.ts) the time text may take, tried in order: the first whose regex
   * matches the whole text reads it. Shapes without a date or year (`time`, `syslog`) are completed from context
   * (envelope, --date, neighbouring files, mtime) and flagged `date-inferred` / `year-inferred`.
   */
  shapes?: StampShapeId[];
}

export interface TextPattern {
  /** Regex that must work in both JavaScript and RE2 (DuckDB): no lookaround, no inline flags, no named groups. */
  regex: string;
  /** Names of the capture groups, in order. */
  groups: string[];
  /**
   * The regex is a choice of layouts (`^(?:A|B)`): a record matched when any group is non-empty, not just the first.
   * Each alternative names its own groups; time, level, logger and message list them (first non-empty wins).
   */
  alternatives?: boolean;
}

export interface SampleExpectation {
  ts?: string | null; // ISO UTC instant, e.g. 2023-07-29T18:43:45.400Z
  level?: Level | null;
  logger?: string | null;
  message?: string | null;
  parseStatus?: 'ok' | 'malformed' | 'unparsed';
  lineCount?: number;
  /** Values expected inside `fields` (dotted paths are not resolved: top-level keys only). */
  fields?: Record<string, unknown>;
  /** Identifiers the record must carry, as `kind=value@foundIn` (correlation rules and the common pass). */
  identifiers?: string[];
}

export interface FormatSample {
  /** What this sample demonstrates. */
  title: string;
  /** The file's text (one or more records). */
  text: string;
  /** Path of the file inside the bundle, for detection; defaults to the first of `paths`. */
  path?: string;
  /** Site timezone to assume for naive stamps (default UTC). */
  timezone?: string;
  /** The operator's date (`--date YYYY-MM-DD`) for stamps without one (default: none, so the file's mtime decides). */
  date?: string;
  /** One expectation per record, in order. */
  records: SampleExpectation[];
}

export interface FormatDefinition {
  id: string;
  name: string;
  description: string;
  /** json: one JSON object per record; text: a header regex per record; raw: no structure. */
  kind: 'json' | 'text' | 'raw';
  /** Server path conventions (globs on the bundle-relative path, `**` allowed). A match weighs more than content. */
  paths: string[];
  /** Content sniff on the first non-empty lines. For json: these keys must all be present in the first object. */
  sniffKeys?: string[];
  /**
   * For text: a line matching this starts a record; lines that do not belong to the record before them. For json: set
   * it when objects span lines (pretty-printed), and each record is the object from one start to the next.
   */
  recordStart?: string;
  /** For text: extracts the named parts of a record (applied to the whole record text; `.` matches newlines). */
  pattern?: TextPattern;
  /**
   * For text: the record is `key=value` pairs (logfmt; values may be "quoted \"like this\""): every pair becomes a
   * field (the first of a repeated key wins; the first 256 pairs), and time, level, logger and message may name keys
   * as well as groups.
   */
  keyValues?: boolean;
  /** Further patterns applied to the message, adding fields (e.g. a Celery task name and id). First match wins. */
  extras?: TextPattern[];
  time: TimeSpec;
  /** Fields (JSON keys or group names) holding the level, logger and message; the first non-empty one wins. */
  level?: string[];
  logger?: string[];
  message?: string[];
  /** Level names special to this format, beyond the common map (upper-cased key). */
  levelMap?: Record<string, Level>;
  /**
   * Evidence for the site timezone. pair: a naive local stamp and epoch seconds side by side (strong);
   * offset: stamps written in site-local time with their offset (used only when no pair evidence exists).
   */
  tzEvidence?: { kind: 'pair'; local: string; epoch: string } | { kind: 'offset' };
  /** Lower wins a tie between formats that match equally well. */
  priority: number;
  /** Which identifiers its records carry, status lines, links (see correlation.ts). None: only the common pass. */
  correlation?: CorrelationRules;
  samples: FormatSample[];
}
