// A failed chain's reason (issue 15): the exception line of its last traceback, else the first line of its last ERROR
// record, else of its last record with failure evidence. Which records can give a reason (ERROR or CRITICAL, a
// traceback, failure evidence) and the line each would give are read at extraction, in the pass that reads status
// evidence, into `event_reasons`; the chain build then ranks a failed chain's rows there instead of reading the text of
// every record of every failed chain again. A case extracted before this table has none: its chains read the
// reasons from the records, as before (same result).
import { hasTable, type CaseDb } from '../store/db';
import { messageSql } from '../store/schema';

export const REASONS_DDL = `CREATE TABLE IF NOT EXISTS event_reasons (event_id BIGINT, ts TIMESTAMPTZ, traceback BOOLEAN, error BOOLEAN, reason VARCHAR)`;

const TRACEBACK = 'Traceback (most recent call last)';
/** Where a record's exception text is: `exc_info` of a JSON record, else its message, else its text. */
const reasonText = (s: string) =>
  `coalesce(CASE WHEN json_valid(coalesce(${s}.fields, ${s}.raw)) THEN json_extract_string(coalesce(${s}.fields, ${s}.raw), '$.exc_info') END, ${s}.message, ${s}.raw)`;
/**
 * The last line holding a letter or digit. A text with no newline is split on escaped ones (`\n`): a traceback
 * written as Python bytes on one line (Prefect's `Error: b'Traceback …\nKeyError: customer_id\n'`), whose last
 * piece is the repr's closing quote.
 */
const lastLine = (t: string) => `trim(list_filter(CASE WHEN contains(${t}, chr(10)) THEN string_split(${t}, chr(10)) ELSE string_split(${t}, '\\n') END,
  lambda x_: regexp_matches(x_, '[[:alnum:]]'))[-1])`;

/** The line a record gives as a reason (over event_store columns of `s`): its traceback's last line, else its first. */
export const reasonOf = (s: string) => `left(CASE WHEN contains(${reasonText(s)}, '${TRACEBACK}') THEN ${lastLine(reasonText(s))}
  ELSE trim(split_part(coalesce(${s}.message, ${s}.raw), chr(10), 1)) END, 500)`;
/** Whether the record's text holds a traceback (the first thing a reason is ranked by). */
export const tracebackIn = (s: string) => `contains(${s}.raw, '${TRACEBACK}')`;
/** Whether the record is an ERROR or CRITICAL one (the second). */
export const errorLevel = (s: string) => `${s}.level IN ('ERROR', 'CRITICAL')`;

/**
 * Does this case keep `event_reasons`? Created by the first extraction of a case (no record extracted before this
 * batch); a case extracted by an older version has none and never gets a partial one.
 */
export async function keepsReasons(db: CaseDb, batchFileIds: number[]): Promise<boolean> {
  if (await hasReasons(db)) return true;
  // Records of files extracted before this batch (a file whose records are not pending): none on a new case.
  const notHere = `file_id NOT IN (${batchFileIds.map((n) => Math.trunc(n)).join(', ')}) AND file_id NOT IN (SELECT file_id FROM extract_pending)`;
  // A file's events commit with its files row: on a new case no row is outside the batch and the pending files, and the
  // events (every row of them, since none matches) need not be read to know it.
  const files = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM files WHERE ${notHere}`);
  const earlier = Number(files?.n) > 0
    ? await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM (SELECT 1 FROM event_store WHERE ${notHere} LIMIT 1)`) : null;
  if (Number(earlier?.n) > 0) return false;
  await db.run(REASONS_DDL);
  return true;
}

export async function hasReasons(db: CaseDb): Promise<boolean> {
  return hasTable(db, 'event_reasons');
}

/**
 * The reason of each failed chain among the members `m` (rows of `failed` keys whose evidence counts, `lends`): the
 * winning record's line. From `event_reasons` when the case keeps it, else from the records' text.
 */
export function failureReasonSql(m: string, failed: string, lends: string, fromTable: boolean): string {
  if (fromTable) {
    return `SELECT key, reason FROM (
        SELECT m.key, r.reason,
          row_number() OVER (PARTITION BY m.key ORDER BY r.traceback DESC, r.error DESC, r.ts DESC NULLS LAST, r.event_id DESC) AS rn
        FROM ${m} m JOIN event_reasons r ON r.event_id = m.event_id
        WHERE m.key IN (${failed}) AND ${lends}
      ) WHERE rn = 1`;
  }
  return `SELECT key, ${reasonOf('s')} AS reason FROM (
        SELECT m.key, s.fields, s.raw, ${messageSql('s')} AS message,
          row_number() OVER (PARTITION BY m.key ORDER BY ${tracebackIn('s')} DESC, ${errorLevel('s')} DESC, s.ts DESC NULLS LAST, s.id DESC) AS rn
        FROM ${m} m JOIN event_store s ON s.id = m.event_id LEFT JOIN event_status es ON es.event_id = m.event_id AND es.status = 'failure'
        WHERE m.key IN (${failed}) AND ${lends}
          AND (${errorLevel('s')} OR es.event_id IS NOT NULL OR ${tracebackIn('s')})
      ) s WHERE rn = 1`;
}
