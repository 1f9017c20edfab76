// EventFilter → SQL WHERE over `event_store s`. Every user value travels as a positional parameter; the only
// text spliced into SQL is built here from fixed fragments. Empty lists and empty text mean "no constraint".
import type { EventFilter } from '../../../shared/domain';
import { EngineError } from '../util/errors';
import type { SqlRead } from '../store/db';
import { checkInstant, Params } from '../store/sql';
import { fieldsSql } from '../store/schema';

/** Field names that mean a top-level column rather than a key inside `fields`. */
const COLUMN_FIELDS: Record<string, (p: Params, value: string) => string> = {
  logger: (p, v) => `s.logger = ${p.add(v)}`,
  file: (p, v) => `s.file_id IN (SELECT file_id FROM files WHERE path = ${p.add(v)})`,
  bundle: (p, v) => `s.file_id IN (SELECT file_id FROM files WHERE bundle = ${p.add(v)})`,
};

/** JSON pointer for one top-level key, so dots, slashes and a leading `$` in key names are taken literally. */
export function fieldPointer(key: string): string {
  return '/' + key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** SQL for the value of a named field as text (top-level column or `fields` key), for grouping and extra columns. */
export function fieldValueExpr(field: string, p: Params): string {
  switch (field) {
    case 'logger': return 's.logger';
    case 'file': return '(SELECT path FROM files WHERE files.file_id = s.file_id)';
    case 'bundle': return '(SELECT bundle FROM files WHERE files.file_id = s.file_id)';
    default: return `(${fieldsSql('s')} ->> ${p.add(fieldPointer(field))})`;
  }
}

/** Checks the regex with DuckDB's own engine (RE2), so the operator sees the real reason before a scan starts. */
export async function checkRegex(db: SqlRead, pattern: string): Promise<void> {
  try {
    await db.read(`SELECT regexp_matches('', $1) AS ok`, [pattern]);
  } catch (e) {
    const why = (e as Error).message.replace(/^[\w ]*Error:\s*/, '').split('\n')[0];
    throw new EngineError('invalid_input',
      `The search pattern is not a valid regular expression (${why}). Patterns use RE2 syntax: no look-around or back-references; they ignore case unless they start with (?-i).`);
  }
}

/** Validates what needs the database (the regex); call before `whereClause` for any filter from the UI. */
export async function checkFilter(db: SqlRead, filter: EventFilter): Promise<void> {
  if (filter.regex && filter.text) await checkRegex(db, filter.text);
}

export interface WhereOptions {
  /** Leave out from/to (the histogram applies its own range). */
  ignoreRange?: boolean;
}

/** The conditions of a filter, AND-ed; `TRUE` when it has none. */
export function whereClause(filter: EventFilter, p: Params, opts: WhereOptions = {}): string {
  const c: string[] = [];
  if (filter.sources?.length) c.push(sourcesCond(filter, p));
  if (filter.levels?.length) c.push(`s.level IN (${p.list(filter.levels)})`);
  if (filter.parseStatus?.length) c.push(`s.parse_status IN (${p.list(filter.parseStatus)})`);
  if (filter.files?.length) c.push(`s.file_id IN (SELECT file_id FROM files WHERE path IN (${p.list(filter.files)}))`);
  if (!opts.ignoreRange) {
    if (filter.from) c.push(`s.ts >= ${p.instant(checkInstant(filter.from, 'Filter start'))}`);
    if (filter.to) c.push(`s.ts <= ${p.instant(checkInstant(filter.to, 'Filter end'))}`);
  }
  if (filter.text) {
    // A substring runs as a quoted RE2 pattern with (?i): on 1.2 GB of raw text that measured 1.1 s against 1.5 s for
    // contains(lower(raw)) (which copies every string) and ~3 s for ILIKE. Both modes ignore case, one rule the UI
    // shows; a pattern may turn it off with (?-i).
    c.push(textCondition(filter.text, !!filter.regex, p));
  }
  for (const f of filter.fields ?? []) {
    const column = COLUMN_FIELDS[f.field];
    if (column) {
      const cond = column(p, f.value);
      // A missing value (NULL) counts as "not equal", so negation keeps records that lack the field.
      c.push(f.negate ? `NOT coalesce(${cond}, FALSE)` : cond);
    } else {
      const expr = `(${fieldsSql('s')} ->> ${p.add(fieldPointer(f.field))})`;
      c.push(f.negate ? `${expr} IS DISTINCT FROM ${p.add(f.value)}` : `${expr} = ${p.add(f.value)}`);
    }
  }
  return c.length ? c.join(' AND ') : 'TRUE';
}

/** The RE2 pattern a text search runs on `raw`. */
function textPattern(text: string, regex: boolean): string {
  return `(?i)${regex ? text : quoteRegex(text)}`;
}

/** A regex with none of RE2's special characters matches its text literally (with `(?i)`, as a substring does). */
export const LITERAL_REGEX = /^[^\\.^$*+?()[\]{}|]+$/;

/** The longest run of printable ASCII characters no case fold touches (digits, punctuation, spaces: not A–Z, a–z), at least two. */
function caselessRun(text: string): string | null {
  const runs = text.match(/[ -@[-`{-~]{2,}/g);
  return runs ? runs.reduce((a, b) => (b.length > a.length ? b : a)) : null;
}

/**
 * A text search's condition on `raw` (alias `s`): the RE2 pattern, after a case-sensitive `contains` of the text's
 * longest caseless run when it has one. Every match of `(?i)ALPHA1234` holds "1234" byte for byte (the fold touches
 * letters only), and `contains` is a plain byte search, so the answer is the same; the regexp then runs on the few
 * records that hold it (on the 1 GB bench case the regexp was 40 % of "ALPHA1234"'s scan of its blocks).
 */
export function textCondition(text: string, regex: boolean, p: Params): string {
  const match = `regexp_matches(s.raw, ${p.add(textPattern(text, regex))})`;
  const run = !regex || LITERAL_REGEX.test(text) ? caselessRun(text) : null;
  return run ? `(contains(s.raw, ${p.add(run)}) AND ${match})` : match;
}

/** The filter's sources as a condition on alias `s` (the events or a summary table); `TRUE` when it names none. */
export function sourcesCond(filter: EventFilter, p: Params): string {
  return filter.sources?.length ? `s.source IN (${p.list(filter.sources)})` : 'TRUE';
}

/** The filter is only sources, levels and time: the per-minute summary (store/eventMinutes.ts) holds its counts. */
export const summaryHolds = (f: EventFilter): boolean => !f.text && !f.fields?.length && !f.files?.length && !f.parseStatus?.length;

/** True when the filter must read `raw`, the one expensive column: such a filter is worth a single scan. */
export const scansText = (filter: EventFilter): boolean => !!filter.text;

/** Escapes text into an RE2 pattern that matches it literally (as RE2's QuoteMeta: all but [A-Za-z0-9_] and non-ASCII). */
export function quoteRegex(text: string): string {
  return text.replace(/[^A-Za-z0-9_\u0080-\uffff]/g, (ch) => (ch === '\0' ? '\\x00' : '\\' + ch));
}
