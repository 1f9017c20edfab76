// What an export takes: an EventFilter, a time range, a chain, chosen ids or a checked `--where` expression (all
// AND-ed; none: the whole case), read from the events view in keyset order (ts, id) page by page.
import { JsonDuckDBValueConverter, listValue } from '@duckdb/node-api';
import type { EventFilter } from '../../../shared/domain';
import { checkFilter, whereClause } from '../query/filter';
import { checkInstant, Params } from '../store/sql';
import { cancellable } from '../util/cancel';
import type { SqlRead } from '../store/db';
import type { ReadPath } from '../store/readPath';
import { checkWhere } from './where';
import { EngineError } from '../util/errors';

export interface Selection {
  filter?: EventFilter;
  since?: string;
  until?: string;
  chain?: string;
  ids?: number[];
  where?: string;
}

/** Every column of the events view an export writes (all text columns are redacted). */
export const COLUMNS = ['id', 'ts', 'ts_text', 'source', 'file', 'line', 'line_count', 'level', 'logger', 'message', 'fields', 'raw', 'parse_status', 'bundle'] as const;
export type Column = (typeof COLUMNS)[number];
export const TEXT_COLUMNS: ReadonlySet<Column> = new Set(['ts_text', 'source', 'file', 'level', 'logger', 'message', 'fields', 'raw', 'bundle']);

export interface Selected { cond: string; params: Params; describe: string }

export async function buildSelection(db: SqlRead, sel: Selection): Promise<Selected> {
  const p = new Params();
  const c: string[] = [];
  const describe: string[] = [];
  if (sel.filter) {
    await checkFilter(db, sel.filter);
    c.push(whereClause(sel.filter, p));
    describe.push(`filter ${JSON.stringify(sel.filter)}`);
  }
  // a reversed range is a typo, not an empty selection: said as such instead of "the selection holds no events"
  if (sel.since && sel.until && reversed(checkInstant(sel.since, '--since'), checkInstant(sel.until, '--until'))) {
    throw new EngineError('invalid_input', `--since ${sel.since} is not before --until ${sel.until}: the range holds no instant (swapped?).`);
  }
  if (sel.since) { c.push(`s.ts >= ${p.instant(checkInstant(sel.since, '--since'))}`); describe.push(`since ${sel.since}`); }
  if (sel.until) { c.push(`s.ts < ${p.instant(checkInstant(sel.until, '--until'))}`); describe.push(`until ${sel.until}`); }
  if (sel.chain) { c.push(`s.id IN (SELECT event_id FROM chain_events WHERE key = ${p.add(sel.chain)})`); describe.push(`chain ${sel.chain}`); }
  // one list parameter, not one parameter an id: 100,000 ids bound singly took a preview 38.8 s against 0.6 s for 1,000
  if (sel.ids?.length) { c.push(`s.id IN (SELECT unnest(${p.add(listValue(sel.ids.map((i) => BigInt(i))))}::BIGINT[]))`); describe.push(`ids ${sel.ids.length}`); }
  if (sel.where) { c.push(`(${await checkWhere(db, sel.where)})`); describe.push(`where ${sel.where}`); }
  return { cond: c.length ? c.join(' AND ') : 'TRUE', params: p, describe: describe.join('; ') || 'whole case' };
}

/** since ≥ until, in milliseconds (Date.parse's precision); at one millisecond only when neither has finer digits. */
function reversed(since: string, until: string): boolean {
  const [a, b] = [Date.parse(since), Date.parse(until)];
  const fine = (iso: string) => /\.\d{4,}/.test(iso);
  return a > b || (a === b && !fine(since) && !fine(until));
}

/** The selecting query as recorded in the manifest (its literal values travel separately, redacted). */
export function selectingQuery(s: Selected): string {
  return `SELECT ${COLUMNS.join(', ')} FROM events s WHERE ${s.cond} ORDER BY s.ts NULLS FIRST, s.id`;
}

export type EventRowOut = Record<Column, string | number | null>;

const KEY = `coalesce(s.ts, '-infinity'::TIMESTAMPTZ)`;

/**
 * An extract writes `fields` once: null where its stored text is exactly `raw`'s (a JSON record's fields are its raw
 * text: half the rows of a JSON-heavy case, written, hashed, encrypted and re-scanned a second time for nothing). The
 * test is equality of the two strings as stored (DuckDB compares VARCHAR byte for byte): a `fields` that differs in
 * one space or one key's order is written. Both readers below give rows so, the preview's and the export's; what the
 * extract says about it is shared/exportFields.ts.
 */
const FIELDS_UNLESS_RAW = `CASE WHEN s.fields::VARCHAR = s.raw THEN NULL ELSE s.fields::VARCHAR END`;

/**
 * An extract's `ts` is ISO 8601 in UTC with its microseconds ("2023-07-06T05:24:26.688260Z"), as a client's tools read a
 * time; DuckDB's own text of a TIMESTAMPTZ ("2023-07-06 05:24:26.68826+00") is neither. The original text stays in ts_text.
 */
const TS_ISO = `strftime(timezone('UTC', s.ts), '%Y-%m-%dT%H:%M:%S.%fZ')`;

const SELECT_COLUMNS = `s.id, ${TS_ISO} AS ts, s.ts_text, s.source, s.file, s.line, s.line_count, s.level, s.logger, s.message, ${FIELDS_UNLESS_RAW} AS fields,
              s.raw, s.parse_status, s.bundle`;
/** The text columns (the ones redacted and re-scanned) and the others, each in COLUMNS order. */
export const TEXT_COLUMN_LIST = COLUMNS.filter((c) => TEXT_COLUMNS.has(c));
export const OTHER_COLUMN_LIST = COLUMNS.filter((c) => !TEXT_COLUMNS.has(c));

/**
 * The streamed export's columns: the non-text ones as SELECT_COLUMNS reads them, then every text column of a row in
 * one JSON array (one string to fetch and decode per row instead of one per cell: DuckDB's string conversion was most
 * of the export thread's select), `fields` null where it equals `raw` (FIELDS_UNLESS_RAW). The text columns are all
 * VARCHAR, so the array holds strings and nulls, and JSON.parse gives back the very strings (select.test.ts: the
 * row-object reader's rows).
 */
const STREAM_COLUMNS = OTHER_COLUMN_LIST.map((c) => (c === 'ts' ? TS_ISO : `s.${c}`)).join(', ')
  + `, to_json([${TEXT_COLUMN_LIST.map((c) => (c === 'fields' ? FIELDS_UNLESS_RAW : `s.${c}`)).join(', ')}])::VARCHAR AS texts`;

/** Rows in one page of the export's stream: one redaction batch. */
export const PAGE_ROWS = 2000;

/**
 * Every selected event in (ts, id) order, handed over in pages of `pageRows`: one query streamed from DuckDB (one
 * sort, read chunk by chunk), awaiting each page's handler before reading on, so memory stays at a few pages. Each
 * chunk is read column by column (the values as the row readers give them: BIGINT and timestamps as text).
 */
export async function streamPages(db: ReadPath, s: Selected, onPage: (rows: EventRowOut[]) => Promise<void>, pageRows = PAGE_ROWS): Promise<void> {
  // under the current call's signal (an export job's cancel): the ordered stream's first chunk waits for a sort of the
  // whole selection, tens of seconds on a 1 GB case, which a cancel interrupts
  await db.withConnection(async (conn) => cancellable(() => conn.interrupt(), async () => {
    const result = await conn.stream(`SELECT ${STREAM_COLUMNS} FROM events s WHERE (${s.cond}) ORDER BY ${KEY}, s.id`, s.params.values as never);
    const textsAt = OTHER_COLUMN_LIST.length;
    let page: EventRowOut[] = [];
    for await (const chunk of result) {
      const others = OTHER_COLUMN_LIST.map((_, i) => chunk.convertColumnValues(i, JsonDuckDBValueConverter) as (string | number | null)[]);
      const texts = chunk.convertColumnValues(textsAt, JsonDuckDBValueConverter) as string[];
      for (let r = 0; r < chunk.rowCount; r++) {
        const t = JSON.parse(texts[r]!) as (string | null)[];
        const row = {} as EventRowOut;
        let o = 0;
        let k = 0;
        for (const c of COLUMNS) row[c] = TEXT_COLUMNS.has(c) ? t[k++]! : others[o++]![r]!;
        numbers(row);
        page.push(row);
        if (page.length >= pageRows) {
          await onPage(page);
          page = [];
        }
      }
    }
    if (page.length) await onPage(page);
  }));
}

/**
 * The BIGINT columns as numbers, as a client reads id, line and line_count (DuckDB's readers give BIGINT as text: an
 * extract's JSONL said "line":"153" beside "id":508). A line number or an event id stays far below 2^53.
 */
function numbers(row: EventRowOut): EventRowOut {
  row.id = Number(row.id);
  if (row.line != null) row.line = Number(row.line);
  if (row.line_count != null) row.line_count = Number(row.line_count);
  return row;
}

/** Pages in (ts, id) order, each its own query resuming after the last row of the previous page (the preview's first page). */
export async function* pages(db: SqlRead, s: Selected, pageRows = 2000): AsyncGenerator<EventRowOut[]> {
  let after: { k: string; id: number } | null = null;
  for (;;) {
    const p = new Params();
    p.values.push(...s.params.values);
    const resume: string = after ? ` AND (${KEY} > ${p.add(after.k)}::TIMESTAMPTZ OR (${KEY} = ${p.add(after.k)}::TIMESTAMPTZ AND s.id > ${p.add(after.id)}))` : '';
    const rows: (EventRowOut & { k: string })[] = await db.read<EventRowOut & { k: string }>(
      `SELECT ${SELECT_COLUMNS}, ${KEY}::VARCHAR AS k
       FROM events s WHERE (${s.cond})${resume} ORDER BY ${KEY}, s.id LIMIT ${Math.max(1, Math.trunc(pageRows))}`, p.values);
    if (rows.length === 0) return;
    const last: EventRowOut & { k: string } = rows[rows.length - 1]!;
    after = { k: last.k, id: Number(last.id) };
    yield rows.map((r): EventRowOut => {
      const { k: _k, ...row } = r;
      return numbers(row);
    });
    if (rows.length < pageRows) return;
  }
}
