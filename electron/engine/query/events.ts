// Reading events: keyset pages in (ts, id) order, one record in full, and what happened around it.
import type { AroundResult } from '../../../shared/correlation';
import type { Cursor, EventDetail, EventFilter, EventRow } from '../../../shared/domain';
import type { EventPage } from '../../../shared/contract';
import { EngineError } from '../util/errors';
import type { SqlRead } from '../store/db';
import { checkFilter, fieldValueExpr, scansText, sourcesCond, whereClause } from './filter';
import { cursorOf, FILE_COLUMNS, ROW_COLUMNS, toEventRow, type RawRow } from '../store/rows';
import { checkInstant, elapsedMs, num, Params } from '../store/sql';
import { cachedCount, countInFlight, countMatching, rememberCount, rememberMatches, type Count } from './count';
import { EVENT_HOURS, eventMinutesCurrent, levelSlots } from '../store/eventMinutes';
import { fieldsSql } from '../store/schema';
import { eventSource, type EventSource } from './textIndex';
import { inIdWindows, windowsOfIds } from './idWindows';
import { atMicros } from './summaryRange';

export interface PageRequest {
  filter: EventFilter;
  after?: Cursor;
  before?: Cursor;
  limit: number;
  extraFields?: string[];
  /** A text search may answer its first rows before its total (then `totalPending`; events.count has the total). */
  countLater?: boolean;
  /** Events in the first slice of a progressive text page (tests make it small to cross many slices). */
  firstSlice?: number;
}

/**
 * Rows strictly after (or before) a cursor in "ts ascending, NULL ts last, then id" order. Written as
 * `ts >= t AND (ts > t OR id > i)` rather than a plain OR so DuckDB can push the `ts >= t` bound into the scan.
 */
function keysetCondition(c: Cursor, dir: 'after' | 'before', p: Params): string {
  const id = p.add(c.id);
  if (c.ts === null) return dir === 'after' ? `(s.ts IS NULL AND s.id > ${id})` : `(s.ts IS NOT NULL OR s.id < ${id})`;
  const ts = p.instant(checkInstant(c.ts, 'Cursor time'));
  return dir === 'after'
    ? `((s.ts >= ${ts} AND (s.ts > ${ts} OR s.id > ${id})) OR s.ts IS NULL)`
    : `(s.ts <= ${ts} AND (s.ts < ${ts} OR s.id < ${id}))`;
}

interface Key { id: string | number; ts_us: string | null }

/** Events the first time slice of a progressive text page holds; each next slice holds four times as many. Rows are
 * stored in file order, so a slice's time bounds skip no row groups: a rare word pays a little per slice on top of
 * its full scan, hence few, fast-growing slices. */
export const FIRST_SLICE_EVENTS = 50_000;

/**
 * The page's keys, and the total when it is known. A text search (the filter reads `raw`, with no index) asked to
 * count later pages progressively: time slices in the page's order, sized by the hourly summary, until the page is
 * full, so common words answer after a small part of the case; its total is then pending. Otherwise a text search
 * gets keys and total from one scan (the matching keys are materialised once, then counted and paged), and other
 * filters count in a separate, cheap query (the summary, or a scan of narrow columns).
 */
async function pageKeys(db: SqlRead, req: PageRequest, backward: boolean): Promise<{ keys: Key[]; total: Count | null }> {
  const cursor = req.after ?? req.before;
  const cached = cachedCount(db, req.filter);
  // A search the text index narrows to a tenth of the blocks or less reads them all at once (keys and total: a rare
  // word paged by slices re-read its blocks once per slice, 1.6–3 s against 0.35–0.6 s); one it narrows less still
  // reads its blocks by time slices, as a plain search reads the case.
  // The first page of a search narrowed to a few ranges of blocks (a word of one log file: "Registered", 3,371
  // matches in one run of 8.9 % of the blocks) is read by time slices over them rather than after the scan of them
  // all (on the 1 GB bench case in-process: 80-97 ms against 167-195; 240-500 ms through the UI bench, cold); the
  // total follows as it does for a plain search, and the scan with it.
  const sliceable = scansText(req.filter) && (req.countLater || cached) && cursor?.ts !== null;
  const source = await eventSource(db, req.filter, sliceable && !cached && !cursor ? { fewRanges: FEW_RANGES } : {});
  if (sliceable && (source.share > ONE_SCAN_SHARE || source.slices) && await eventMinutesCurrent(db)) {
    const keys = await slicedKeys(db, req, backward, source);
    return { keys, total: cached ?? cachedCount(db, req.filter) ?? null };
  }
  const p = new Params();
  const where = whereClause(source.rest, p);
  const keyset = cursor ? keysetCondition(cursor, backward ? 'before' : 'after', p) : 'TRUE';
  const order = orderOf(backward);
  const from = source.from(p);
  if (cached || !scansText(req.filter)) {
    const keysSql = `SELECT s.id, epoch_us(s.ts) AS ts_us FROM ${from} s WHERE ${where} AND ${keyset} ORDER BY ${order} LIMIT ${req.limit + 1}`;
    // A zoom's histogram counts this filter on its way (the page's total is its sum): the page reads its keys once
    // that count is in, so the histogram the operator watches has both cores to itself meanwhile.
    if (!cached && countInFlight(db, req.filter)) {
      const total = await countMatching(db, req.filter);
      return { keys: await db.read<Key>(keysSql, p.values), total };
    }
    const [keys, total] = await Promise.all([db.read<Key>(keysSql, p.values), cached ?? countMatching(db, req.filter)]);
    return { keys, total };
  }
  const [r] = await db.read<{ n: string | number; keys: Key[] | null }>(
    `WITH s AS MATERIALIZED (SELECT s.id, s.ts FROM ${from} s WHERE ${where})
     SELECT (SELECT count(*) FROM s) AS n,
            (SELECT list({'id': id, 'ts_us': ts_us}) FROM
              (SELECT s.id, epoch_us(s.ts) AS ts_us FROM s WHERE ${keyset} ORDER BY ${order} LIMIT ${req.limit + 1})) AS keys`,
    p.values);
  return { keys: r?.keys ?? [], total: rememberCount(db, req.filter, num(r?.n)) };
}

/** A page of at most FEW_ROWS rows in at most FEW_WINDOWS clusters of ids reads them by id ranges rather than by its
 * time span. A full page (200 rows, read by their time span in 45–90 ms) measured 20–45 % slower by id ranges. */
const FEW_WINDOWS = 16;
const FEW_ROWS = 32;

/** At most this many ranges of blocks, a search's first page is read by time slices over them. */
const FEW_RANGES = 4;

/** At most this share of the blocks read, a text search's page takes keys and total from one scan of them. */
const ONE_SCAN_SHARE = 0.1;

const orderOf = (backward: boolean) => (backward ? 's.ts DESC NULLS FIRST, s.id DESC' : 's.ts ASC NULLS LAST, s.id ASC');

/**
 * Keys of one page, read slice by slice: hours of the summary (those the filter's sources, levels and range can
 * match, from the cursor on, in the page's direction) grouped into slices of growing size. Every slice is scanned
 * whole, so once `limit + 1` keys are in, nothing earlier in the order is left unread and they are the page's keys.
 * What no slice covered (untimed events, last in ascending order) is read by one last query if the page is not full.
 */
async function slicedKeys(db: SqlRead, req: PageRequest, backward: boolean, source: EventSource): Promise<Key[]> {
  const cursor = req.after ?? req.before;
  const hp = new Params();
  const conds = [sourcesCond(req.filter, hp), levelSlots(req.filter)];
  const from = req.filter.from ?? (cursor && !backward ? cursor.ts : null);
  const to = req.filter.to ?? (cursor && backward ? cursor.ts : null);
  // Ranges and cursors hold full instants; the summary's hours start on the hour, hence the truncation.
  if (from) conds.push(`s.hour >= date_trunc('hour', ${hp.instant(checkInstant(from, 'Filter start'))})`);
  if (to) conds.push(`s.hour <= ${hp.instant(checkInstant(to, 'Filter end'))}`);
  const hours = await db.read<{ h: string; n: string | number }>(
    `SELECT epoch_us(s.hour) AS h, sum(s.n) AS n FROM ${EVENT_HOURS} s WHERE s.hour IS NOT NULL AND ${conds.join(' AND ')}
     GROUP BY s.hour ORDER BY s.hour ${backward ? 'DESC' : 'ASC'}`, hp.values);
  const HOUR_US = 3_600_000_000;
  const keys: Key[] = [];
  const read = async (span: (p: Params) => string, limit: number) => {
    const p = new Params();
    const where = whereClause(source.rest, p);
    const keyset = cursor ? keysetCondition(cursor, backward ? 'before' : 'after', p) : 'TRUE';
    keys.push(...await db.read<Key>(
      `SELECT s.id, epoch_us(s.ts) AS ts_us FROM ${source.from(p)} s WHERE ${where} AND ${keyset} AND ${span(p)} ORDER BY ${orderOf(backward)} LIMIT ${limit}`,
      p.values));
  };
  let size = req.firstSlice ?? FIRST_SLICE_EVENTS;
  let i = 0;
  while (i < hours.length && keys.length <= req.limit) {
    let n = 0;
    const start = i;
    while (i < hours.length && (n < size || i === start)) n += num(hours[i++]!.n);
    const a = Number(hours[backward ? i - 1 : start]!.h);
    const b = Number(hours[backward ? start : i - 1]!.h) + HOUR_US;
    await read((p) => `s.ts >= ${atMicros(p, a)} AND s.ts < ${atMicros(p, b)}`, req.limit + 1 - keys.length);
    size *= 4;
  }
  if (keys.length <= req.limit) {
    // Whatever the hours did not cover: untimed events, and (should the summary miss any) timed ones.
    const lo = hours.length ? Math.min(...hours.map((h) => Number(h.h))) : 0;
    const hi = hours.length ? Math.max(...hours.map((h) => Number(h.h))) + HOUR_US : 0;
    const seen = new Set(keys.map((k) => String(k.id)));
    const before = keys.length;
    await read((p) => hours.length ? `(s.ts IS NULL OR s.ts < ${atMicros(p, lo)} OR s.ts >= ${atMicros(p, hi)})` : 'TRUE', req.limit + 1 - keys.length);
    const rest = keys.splice(before).filter((k) => !seen.has(String(k.id)));
    keys.push(...rest);
    keys.sort((x, y) => compareKeys(x, y) * (backward ? -1 : 1));
    keys.splice(req.limit + 1);
    // From no cursor, a page left short read every slice: these are all the filter's matches, hence its total.
    if (!cursor && keys.length <= req.limit) rememberMatches(db, req.filter, keys.map((k) => Number(k.id)));
  }
  return keys;
}

/** (ts ascending, NULL last, then id), as the page's SQL order. */
function compareKeys(x: Key, y: Key): number {
  if (x.ts_us !== y.ts_us) {
    if (x.ts_us === null) return 1;
    if (y.ts_us === null) return -1;
    const d = Number(x.ts_us) - Number(y.ts_us);
    if (d !== 0) return d;
  }
  return Number(x.id) - Number(y.id);
}

export async function page(db: SqlRead, req: PageRequest): Promise<EventPage> {
  const t0 = performance.now();
  if (req.after && req.before) throw new EngineError('invalid_input', 'A page request takes either "after" or "before", not both.');
  await checkFilter(db, req.filter);
  const backward = !!req.before;
  const { keys, total } = await pageKeys(db, req, backward);
  const more = keys.length > req.limit;
  const ids = keys.slice(0, req.limit).map((k) => Number(k.id));
  // Then the rows themselves, by id: only these rows' columns are read (and the files joined) after the sort.
  const p = new Params();
  const extras = (req.extraFields ?? []).map((name, i) => `${fieldValueExpr(name, p)} AS x${i}`);
  const byId = new Map<number, RawRow>();
  if (ids.length) {
    const windows = windowsOfIds(ids);
    let from: string;
    if (ids.length <= FEW_ROWS && windows.length <= FEW_WINDOWS) {
      // A few rows in a few clusters of ids (a rare word's matches, spread over months): a short id range each,
      // whatever their times (9 rows over 8 months: 11–14 ms against 110–190 ms by their time span).
      from = `(${inIdWindows('*', windows, p)}) s`;
    } else {
      // The page's time span bounds the lookup: DuckDB then reads only the row groups that can hold these rows
      // (measured 60 → 19 ms on 2.4 M rows in file order, 6 ms in time order) instead of probing ids everywhere.
      const page = keys.slice(0, req.limit);
      const us = page.flatMap((k) => (k.ts_us === null ? [] : [Number(k.ts_us)]));
      const span = us.length
        ? `s.ts BETWEEN ${atMicros(p, Math.min(...us))} AND ${atMicros(p, Math.max(...us))}`
        : 'FALSE';
      const untimed = us.length < page.length ? ' OR s.ts IS NULL' : '';
      from = `(SELECT * FROM event_store s WHERE (${span}${untimed}) AND s.id IN (${ids.map((id) => p.add(id)).join(', ')})) s`;
    }
    const rows = await db.read<RawRow>(
      `SELECT ${ROW_COLUMNS}, ${FILE_COLUMNS}${extras.length ? ', ' + extras.join(', ') : ''}
       FROM ${from} JOIN files f USING (file_id)`, p.values);
    for (const r of rows) byId.set(Number(r.id), r);
  }
  const rows = ids.flatMap((id) => { const r = byId.get(id); return r ? [toEventRow(r, req.extraFields)] : []; });
  if (backward) rows.reverse();
  const first = rows[0];
  const last = rows[rows.length - 1];
  let next: Cursor | null;
  let prev: Cursor | null;
  if (backward) {
    prev = more && first ? cursorOf(first) : null;
    // An empty page before c still has c's own row after it: a cursor just past c leads back to it.
    next = last ? cursorOf(last) : req.before ? { ts: req.before.ts, id: req.before.id - 1 } : null;
  } else {
    next = more && last ? cursorOf(last) : null;
    prev = !req.after ? null : first ? cursorOf(first) : { ts: req.after.ts, id: req.after.id + 1 };
  }
  return { rows, next, prev, total: total?.count ?? 0, totalCapped: total?.capped ?? false, ...total ? {} : { totalPending: true }, queryMs: elapsedMs(t0) };
}

interface DetailRow extends RawRow { fields: string | null; raw: string | null; tz_rule: string | null; file_id: number }

/** Parsed `fields`; nested JSON inside string values stays a string (the UI pretty-prints it). */
function parseFields(text: string | null): Record<string, unknown> {
  if (text === null) return {};
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { value: text };
  }
}

async function rowsById(db: SqlRead, ids: number[]): Promise<Map<number, DetailRow>> {
  if (!ids.length) return new Map();
  const p = new Params();
  const rows = await db.read<DetailRow>(
    `SELECT ${ROW_COLUMNS}, ${FILE_COLUMNS}, ${fieldsSql('s')} AS fields, s.raw FROM event_store s JOIN files f USING (file_id) WHERE s.id IN (${ids.map((i) => p.add(i)).join(', ')})`,
    p.values);
  return new Map(rows.map((r) => [Number(r.id), r]));
}

export async function get(db: SqlRead, id: number): Promise<EventDetail> {
  const r = (await rowsById(db, [id])).get(id);
  if (!r) throw new EngineError('not_found', `No event with id ${id} in this case.`);
  // Ids of one file are contiguous and in line order, so the neighbours in the file are the nearest ids with its file_id.
  const [n] = await db.read<{ prev_id: string | null; next_id: string | null }>(
    `SELECT (SELECT max(id) FROM event_store WHERE file_id = $1 AND id < $2) AS prev_id,
            (SELECT min(id) FROM event_store WHERE file_id = $1 AND id > $2) AS next_id`,
    [Number(r.file_id), id]);
  return {
    ...toEventRow(r),
    fields: parseFields(r.fields),
    raw: r.raw ?? '',
    tzRule: r.tz_rule ?? '',
    prevId: n?.prev_id == null ? null : Number(n.prev_id),
    nextId: n?.next_id == null ? null : Number(n.next_id),
  };
}

/**
 * Events within ±seconds of one event's time, grouped by source: per source the `perSource` nearest in time
 * (shown in time order) and the total in the window. An untimed event gets its neighbours in the same file.
 */
export async function around(db: SqlRead, id: number, seconds: number, perSource: number): Promise<AroundResult> {
  const center = (await rowsById(db, [id])).get(id);
  if (!center) throw new EngineError('not_found', `No event with id ${id} in this case.`);
  const centerRow = toEventRow(center);
  const p = new Params();
  let sql: string;
  if (center.ts_us === null) {
    const half = Math.ceil(perSource / 2);
    sql = `SELECT ${ROW_COLUMNS}, ${FILE_COLUMNS}, count(*) OVER () AS total
      FROM event_store s JOIN files f USING (file_id)
      WHERE s.file_id = ${p.add(Number(center.file_id))} AND s.id BETWEEN ${p.add(id - half)} AND ${p.add(id + half)}
      ORDER BY s.id`;
  } else {
    const c = atMicros(p, Number(center.ts_us));
    const w = `to_microseconds(${p.add(Math.round(seconds * 1e6))}::BIGINT)`;
    sql = `SELECT s.*, f.path AS file, f.bundle FROM (
        SELECT ${ROW_COLUMNS},
               row_number() OVER (PARTITION BY s.source ORDER BY abs(epoch_us(s.ts) - epoch_us(${c})), s.id) AS rank,
               count(*) OVER (PARTITION BY s.source) AS total
        FROM event_store s WHERE s.ts BETWEEN ${c} - ${w} AND ${c} + ${w}) s
      JOIN files f USING (file_id)
      WHERE rank <= ${p.add(perSource)}
      ORDER BY s.source, s.ts_us, s.id`;
  }
  const rows = await db.read<RawRow & { total: string | number }>(sql, p.values);
  const groups = new Map<string, { source: string; events: EventRow[]; total: number }>();
  for (const r of rows) {
    let g = groups.get(r.source);
    if (!g) groups.set(r.source, (g = { source: r.source, events: [], total: num(r.total) }));
    g.events.push(toEventRow(r));
  }
  return { center: centerRow, groups: [...groups.values()] };
}
