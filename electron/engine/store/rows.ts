// The one place that turns event rows from SQL into the contract's EventRow, and the SELECT list that feeds it.
import type { Cursor, EventRow, ParseStatus } from '../../../shared/domain';
import { isoFromMicros, num } from './sql';
import { messageSql, tsTextSql } from './schema';

/** Columns of `event_store s` an EventRow needs (file path and bundle come from `files f`). */
export const ROW_COLUMNS = `s.id, epoch_us(s.ts) AS ts_us, ${tsTextSql('s')} AS ts_text, s.source, s.file_id, s.line, s.line_count, s.level,
  s.logger, ${messageSql('s')} AS message, s.parse_status`;
export const FILE_COLUMNS = `f.path AS file, f.bundle, f.tz_rule`;

export interface RawRow {
  id: string | number;
  ts_us: string | null;
  ts_text: string | null;
  source: string;
  file: string | null;
  line: string | number | null;
  line_count: number | null;
  level: string | null;
  logger: string | null;
  message: string | null;
  parse_status: string | null;
  bundle: string | null;
  [extra: string]: unknown;
}

export function toEventRow(r: RawRow, extraFields?: string[]): EventRow {
  const row: EventRow = {
    id: Number(r.id),
    ts: isoFromMicros(r.ts_us),
    tsText: r.ts_text,
    source: r.source,
    file: r.file ?? '',
    line: num(r.line),
    lineCount: r.line_count ?? 1,
    level: r.level,
    logger: r.logger,
    message: r.message,
    parseStatus: (r.parse_status ?? 'unparsed') as ParseStatus,
    bundle: r.bundle ?? '',
  };
  if (extraFields?.length) {
    row.extra = Object.fromEntries(extraFields.map((name, i) => [name, (r[`x${i}`] as string | null | undefined) ?? null]));
  }
  return row;
}

export const cursorOf = (row: EventRow): Cursor => ({ ts: row.ts, id: row.id });
