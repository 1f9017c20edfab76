// Counting the events a filter matches. A case at rest is read-only, so a count taken then stays true until the
// next write (which opens a new SqlRead): paging through one filter counts once.
import type { EventFilter } from '../../../shared/domain';
import type { SqlRead } from '../store/db';
import { sourcesCond, summaryHolds, whereClause } from './filter';
import { checkInstant, num, Params } from '../store/sql';
import { EVENT_HOURS, EVENT_MINUTES, eventMinutesCurrent, GRAINS, levelSlots } from '../store/eventMinutes';
import { edgeEvents, hasEdges, insideUnits, splitRange, widenSplit } from './summaryRange';
import { isCancelled } from '../util/cancel';
import { eventSource } from './textIndex';
import { HandleMemo, whileRunning } from '../store/handleMemo';

export interface Count { count: number; capped: boolean }

const CACHE_ENTRIES = 200;
const counts = new HandleMemo<Count>(CACHE_ENTRIES);
const keyOf = (filter: EventFilter) => JSON.stringify(filter);
const MINUTE_US = GRAINS[1].unitUs;

export function cachedCount(db: SqlRead, filter: EventFilter): Count | undefined {
  return counts.get(db, keyOf(filter));
}

const inflight = new HandleMemo<Promise<Count>>();

/**
 * A count being taken (by countMatching, or by a query that gets it on the way, e.g. a full-range histogram): a
 * second caller for the same filter waits for it instead of scanning again. Read-only handles only, as the cache.
 */
export function shareCount(db: SqlRead, filter: EventFilter, pending: Promise<Count>): Promise<Count> {
  if (db.readOnly) return whileRunning(inflight, db, keyOf(filter), pending);
  // Not shared (reads on the writer, during an import), but a histogram offers it without waiting for it: its
  // cancellation must not be an unhandled rejection, which stops the whole engine. Callers that await it still see it.
  pending.catch(() => undefined);
  return pending;
}

/** A count of this filter is being taken (by a histogram on its way, or another call) and not yet known. */
export function countInFlight(db: SqlRead, filter: EventFilter): boolean {
  return inflight.has(db, keyOf(filter));
}

/** Memoises a count taken elsewhere (e.g. in the same scan as a page). */
export function rememberCount(db: SqlRead, filter: EventFilter, n: number, capped = false): Count {
  return counts.set(db, keyOf(filter), { count: n, capped });
}

/**
 * Exact count of matching rows, stopping at `cap` (then `capped` is true). The cap bounds the cost only when
 * matches are plentiful; a rare text match still scans everything, as the page query itself does.
 */
export async function countMatching(db: SqlRead, filter: EventFilter, cap = 10_000_000): Promise<Count> {
  const hit = cachedCount(db, filter);
  if (hit) return hit;
  const going = inflight.get(db, keyOf(filter));
  // A shared count cancelled with the call that was taking it (its caller went away) is taken again for this one.
  if (going) return going.catch((e: unknown) => { if (isCancelled(e)) return countMatching(db, filter, cap); throw e; });
  return shareCount(db, filter, countNow(db, filter, cap));
}

/** Counts now, whatever is in flight (for a query whose own way of counting failed). */
export async function countNow(db: SqlRead, filter: EventFilter, cap = 10_000_000): Promise<Count> {
  // Only sources and levels over the whole case: the hourly summary holds the exact count (a sum over ~10k rows
  // instead of a scan of every event).
  if (summaryHolds(filter) && !filter.from && !filter.to && await eventMinutesCurrent(db)) {
    const p = new Params();
    const [r] = await db.read<{ n: string | number }>(
      `SELECT coalesce(sum(s.n), 0) AS n FROM ${EVENT_HOURS} s WHERE ${sourcesCond(filter, p)} AND ${levelSlots(filter)}`, p.values);
    return rememberCount(db, filter, num(r?.n));
  }
  // A time range (a zoom): the whole minutes inside it from the per-minute summary, the partial minutes at its two
  // ends from the events, split as the zoomed histogram splits it. Untimed events never match a range.
  const cut = summaryHolds(filter) && filter.from && filter.to
    ? splitRange(checkInstant(filter.from, 'Filter start'), checkInstant(filter.to, 'Filter end'), MINUTE_US) : null;
  if (cut && await eventMinutesCurrent(db)) {
    const split = await widenSplit(db, filter, cut, GRAINS[1]);
    const p = new Params();
    const inside = `SELECT coalesce(sum(s.n), 0) FROM ${EVENT_MINUTES} s
      WHERE ${sourcesCond(filter, p)} AND ${levelSlots(filter)} AND ${insideUnits('s.minute', split, p)}`;
    const edges = hasEdges(split) ? ` + (SELECT count(*) FROM event_store s WHERE ${whereClause(filter, p, { ignoreRange: true })} AND ${edgeEvents(split, p)})` : '';
    const [r] = await db.read<{ n: string | number }>(`SELECT (${inside})${edges} AS n`, p.values);
    return rememberCount(db, filter, num(r?.n));
  }
  const source = await eventSource(db, filter);
  const p = new Params();
  const where = whereClause(source.rest, p);
  const [r] = await db.read<{ n: string | number }>(
    `SELECT count(*) AS n FROM (SELECT 1 FROM ${source.from(p)} s WHERE ${where} LIMIT ${cap + 1})`, p.values);
  const n = num(r?.n);
  return rememberCount(db, filter, Math.min(n, cap), n > cap);
}

const matches = new HandleMemo<number[]>(CACHE_ENTRIES);

/**
 * Every event a filter matches, when a query has seen them all and they are few (a rare word's first page read the
 * whole case): the histogram then reads these rows instead of every record's text. Read-only handles, as counts.
 */
export function rememberMatches(db: SqlRead, filter: EventFilter, ids: number[]): void {
  matches.set(db, keyOf(filter), ids);
  rememberCount(db, filter, ids.length);
}

export function knownMatches(db: SqlRead, filter: EventFilter): number[] | undefined {
  return matches.get(db, keyOf(filter));
}

/** Forget memoised counts (benchmarks measure the uncached cost). */
export function clearCountCache(db: SqlRead): void {
  counts.forget(db);
  matches.forget(db);
}
