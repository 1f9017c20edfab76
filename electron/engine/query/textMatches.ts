// A search's matched ids, found once and shared (issue 16). The table's page, the timeline's histogram, the total
// and the field sidebar ask for the same text search at about the same moment; when the text index narrows it, each
// of them read the same candidate blocks' text (178 MB for a word of 9 matches on the 1 GB bench case) and they
// competed for the cores while the operator waited for the first rows. Instead the first of them runs one scan of
// those blocks with only the text condition and keeps the matching ids (when there are few); the others, and every
// later query of that search whatever its other filters, wait for that scan and then read only those rows.
import type { SqlRead } from '../store/db';
import { Params } from '../store/sql';
import { textCondition } from './filter';
import { cancelledError, currentSignal, withSignal } from '../util/cancel';
import { HandleMemo } from '../store/handleMemo';

/** At most this many ids are kept; past it the search reads its blocks as before. Reading the rows of a kept set
 * costs about 15 ms at 2,000 ids, 70–80 ms at 20,000 and 190–300 ms at 50,000 (measured on the 1 GB bench case,
 * ids bound as one list): past 20,000 it nears a rescan of a few percent of the blocks. */
export const MATCHES_CAP = 20_000;
/** Searches remembered per handle (each at most MATCHES_CAP ids). */
const KEPT = 16;

/** Off for comparisons (tests and the query bench measure each query reading its blocks itself). */
const disabled = () => process.env.CASEFILE_TEXT_MATCHES === 'off';
/** The cap, lowered by tests (CASEFILE_TEXT_MATCHES_CAP) to cross it on a small case. */
const cap = () => Number(process.env.CASEFILE_TEXT_MATCHES_CAP) || MATCHES_CAP;

interface Flight {
  /** Sorted ids, or null when more than MATCHES_CAP match. */
  promise: Promise<number[] | null>;
  /** Whether the scan has ended with a set (its promise resolved to ids). */
  kept?: boolean;
  waiters: number;
  settled: boolean;
  stop: AbortController;
}

const flights = new HandleMemo<Flight>(KEPT);
/** A search's key: its text, its mode and the blocks it reads (which name the index's covered id and ranges). */
const keyOf = (text: string, regex: boolean, from: string) => `${JSON.stringify([text, regex])}\u0000${from}`;

/** Forget kept sets (benchmarks measure the scan too). */
export function forgetMatches(db: SqlRead): void {
  flights.forget(db);
}

/** Scans of the text done so far on a handle (tests check that concurrent queries share one). */
const scans = new WeakMap<SqlRead, number>();
export const matchScans = (db: SqlRead): number => scans.get(db) ?? 0;

/**
 * The sorted ids of the events `from` (a FROM text over event_store: the blocks the index leaves) whose `raw`
 * matches a search's text (the filter's own condition, so the case rule is the filter's), or null: more than
 * MATCHES_CAP of them, sharing switched off, or a handle whose data can change (a write opens a new handle, so a set
 * never outlives the events it was read from). Keyed by the text and `from`, which names the index's covered id
 * and its ranges. A caller that goes away stops waiting; the scan stops only when no caller waits any more (and the
 * next caller runs it again).
 */
export async function sharedMatches(db: SqlRead, text: string, regex: boolean, from: string): Promise<number[] | null> {
  if (!db.readOnly || disabled()) return null;
  if (currentSignal()?.aborted) throw cancelledError();
  const key = keyOf(text, regex, from);
  const f = flights.get(db, key) ?? flights.set(db, key, start(db, key, text, regex, from));
  return wait(f, () => flights.delete(db, key, f));
}

/** Whether a search's set is kept and ready (its scan ended under the cap): then reading it costs nothing more. */
export function matchesKept(db: SqlRead, text: string, regex: boolean, from: string): boolean {
  return !disabled() && flights.get(db, keyOf(text, regex, from))?.kept === true;
}

function start(db: SqlRead, key: string, text: string, regex: boolean, from: string): Flight {
  const stop = new AbortController();
  const f: Flight = { promise: Promise.resolve(null), waiters: 0, settled: false, stop };
  scans.set(db, matchScans(db) + 1);
  // Under its own signal, not the first caller's: it is stopped only when every caller has gone.
  const most = cap();
  // One aggregate, not a list of rows: DuckDB then scans the blocks on every thread (a LIMIT, or rows returned in
  // order, measured twice as slow: 0.9-1.5 s against 0.45-0.8 s for the 1 GB case's "ALPHA1234" under load).
  const p = new Params();
  const cond = textCondition(text, regex, p);
  f.promise = withSignal(stop.signal, () => db.read<{ n: string | number; ids: (string | number)[] | null }>(
    `SELECT count(*) AS n, CASE WHEN count(*) <= ${most} THEN coalesce(list(s.id), []::BIGINT[]) END AS ids FROM ${from} s WHERE ${cond}`, p.values))
    .then(([r]) => (r?.ids ? r.ids.map(Number).sort((a, b) => a - b) : null));
  f.promise.then((ids) => { f.settled = true; f.kept = ids !== null; }, () => {
    // A failed or stopped scan is not kept: the next caller runs it again.
    f.settled = true;
    flights.delete(db, key, f);
  });
  return f;
}

/** Waits for the scan as long as the caller does; the last caller to go away before it ends stops it. */
async function wait(f: Flight, drop: () => void): Promise<number[] | null> {
  const signal = currentSignal();
  f.waiters++;
  try {
    if (!signal) return await f.promise;
    return await new Promise<number[] | null>((resolve, reject) => {
      const gone = () => reject(cancelledError());
      signal.addEventListener('abort', gone, { once: true });
      f.promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', gone));
    });
  } finally {
    if (--f.waiters === 0 && !f.settled) {
      drop();
      f.stop.abort();
    }
  }
}
