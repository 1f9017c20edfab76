// The per-minute summary of the events (issue 16): counts per source × minute × level slot, with each cell's first
// and last instant, built after an import. The timeline's histogram answers from it when the filter is only
// sources, levels and time (the full-range view of a large case) instead of scanning every event.
import { LEVELS, type EventFilter } from '../../../shared/domain';
import { hasTables, type CaseDb, type SqlRead } from './db';
import { detached } from '../util/cancel';
import { HandleMemo, sharedPromise } from './handleMemo';

export const EVENT_MINUTES = 'event_minutes';
/** The same summary rolled up per hour: what a month-long full range reads (tens of thousands of rows, not hundreds). */
export const EVENT_HOURS = 'event_hours';
export const SUMMARY_TABLES = [EVENT_MINUTES, EVENT_HOURS] as const;

/** The summary grains, coarsest first: a query takes the coarsest whose unit fits its bucket width. */
export const GRAINS = [
  { table: EVENT_HOURS, column: 'hour', unitUs: 3_600_000_000 },
  { table: EVENT_MINUTES, column: 'minute', unitUs: 60_000_000 },
] as const;

/** Slot of a level in the histogram's counts: LEVELS order, then one slot for anything else (including no level). */
export const LEVEL_SLOT = `CASE s.level ${LEVELS.map((l, i) => `WHEN '${l}' THEN ${i}`).join(' ')} ELSE ${LEVELS.length} END`;

/** A summary table's condition (alias `s`) for the filter's levels, by slot; `TRUE` when it names none. */
export function levelSlots(filter: EventFilter): string {
  if (!filter.levels?.length) return 'TRUE';
  return `s.slot IN (${filter.levels.map((l) => LEVELS.indexOf(l)).filter((i) => i >= 0).join(', ') || '-1'})`;
}

/**
 * Rebuilt whole (a GROUP BY over ts, source and level only: a second or two per million events). `minute` is NULL
 * for untimed events; `lo`/`hi` let the full range be exact to the microsecond without touching the events.
 */
export async function buildEventMinutes(db: CaseDb): Promise<void> {
  await db.run(`CREATE OR REPLACE TABLE ${EVENT_MINUTES} AS
    SELECT s.source, date_trunc('minute', s.ts) AS minute, (${LEVEL_SLOT})::TINYINT AS slot, count(*) AS n,
           min(s.ts) AS lo, max(s.ts) AS hi
    FROM event_store s GROUP BY ALL ORDER BY minute, source, slot`);
  await db.run(`CREATE OR REPLACE TABLE ${EVENT_HOURS} AS
    SELECT source, date_trunc('hour', minute) AS hour, slot, sum(n)::BIGINT AS n, min(lo) AS lo, max(hi) AS hi
    FROM ${EVENT_MINUTES} GROUP BY ALL ORDER BY hour, source, slot`);
}

/**
 * Whether the summary exists and still counts every stored event (an import whose post-commit stage has not run
 * yet, or a case from before the summary, has none that fits): only then may a query trust it.
 */
export async function eventMinutesCurrent(db: SqlRead): Promise<boolean> {
  // A read-only handle sees no writes: its answer holds for its life (every count and histogram asks).
  if (!db.readOnly) return summaryCurrent(db);
  // Shared by every later call: not cancelled with the call that happened to ask first.
  return sharedPromise(current, db, '', () => detached(() => summaryCurrent(db)));
}

const current = new HandleMemo<Promise<boolean>>();

async function summaryCurrent(db: SqlRead): Promise<boolean> {
  if (!(await hasTables(db, [EVENT_MINUTES, EVENT_HOURS], true))) return false;
  const [r] = await db.read<{ ok: boolean }>(`WITH t AS (SELECT count(*) AS total FROM event_store)
    SELECT (SELECT coalesce(sum(n), 0) FROM ${EVENT_MINUTES}) = t.total AND (SELECT coalesce(sum(n), 0) FROM ${EVENT_HOURS}) = t.total AS ok FROM t`);
  return r?.ok === true;
}
