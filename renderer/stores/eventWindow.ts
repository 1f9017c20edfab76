// The events table's sliding window over engine-side keyset pages. The window holds at most MAX_ROWS; scrolling
// down loads `after` the last row and drops rows from the top, scrolling up does the reverse, so millions of
// matching rows never reach the renderer. Jumps (n/N, "around", links) rebuild the window around one row.
import { create } from 'zustand';
import type { Cursor, EventFilter, EventRow } from '../../shared/domain';
import { call } from '../api/client';
import { useApp } from './app';

export const PAGE = 200;
export const MAX_ROWS = 1000;
/** Wait before counting a pending total: the timeline's histogram for the same filter reaches the engine first. */
const COUNT_AFTER_MS = 200;

export const cursorOf = (r: EventRow): Cursor => ({ ts: r.ts, id: r.id });

interface Query { caseId: string; filter: EventFilter; extraFields: string[] }

/** A later page's total, unless it is pending (then the one already shown, or still being counted, stays). */
const totalOf = (res: { total: number; totalPending?: boolean }) => (res.totalPending ? {} : { total: res.total, totalKnown: true });

interface EventsState {
  query: Query | null;
  rows: EventRow[];
  total: number;
  /** False while the total is being counted (a text search shows its first rows first). */
  totalKnown: boolean;
  atStart: boolean;
  atEnd: boolean;
  loading: boolean;
  error: string | null;
  /** Scroll requests for the table: shift by n rows (after prepend/trim) or go to an index. */
  scroll: { seq: number; shift?: number; index?: number };
  gen: number;
  /** The query whose first page is on screen (later pages loading do not unset it). */
  shown: Query | null;
  reload(q: Query): Promise<void>;
  /** Counts the last query's total again: the case's data changed where no table draws it (an import ended while
   * the operator watched it from the import panel), and the status bar's "matching" must not be the old count. */
  recount(caseId: string): Promise<void>;
  loadAfter(): Promise<void>;
  loadBefore(): Promise<void>;
  /** Rebuild the window so that `row` is in it, and scroll there. */
  jumpTo(row: EventRow): Promise<void>;
}

export const useEvents = create<EventsState>((set, get) => {
  /** Aborted when the query changes: its page and count are no longer wanted (the engine stops their reads). */
  let current = new AbortController();
  const page = async (q: Query, extra: { after?: Cursor; before?: Cursor; limit?: number }) => {
    const { signal } = current;
    const res = await call('events.page', {
      // A text search draws its first rows before its total is counted (countTotal fills it).
      caseId: q.caseId, filter: q.filter, limit: extra.limit ?? PAGE, countLater: true,
      ...(q.extraFields.length ? { extraFields: q.extraFields } : {}),
      ...(extra.after ? { after: extra.after } : {}),
      ...(extra.before ? { before: extra.before } : {}),
    }, { signal });
    useApp.getState().noteQuery('events.page', res.queryMs);
    return res;
  };
  /** The total a page left pending, counted while the rows are already on screen. */
  // Tied to the query, not the generation: a jump within the same result must not drop the count.
  const countTotal = async (q: Query) => {
    try {
      const c = await call('events.count', { caseId: q.caseId, filter: q.filter }, { signal: current.signal });
      if (get().query === q) set({ total: c.total, totalKnown: true });
    } catch (e) {
      if (get().query === q) set({ error: e instanceof Error ? e.message : String(e) });
    }
  };
  const bump = (s: EventsState, p: { shift?: number; index?: number }) => ({ scroll: { seq: s.scroll.seq + 1, ...p } });

  return {
    query: null, rows: [], total: 0, totalKnown: true, atStart: true, atEnd: true, loading: false, error: null,
    scroll: { seq: 0 }, gen: 0, shown: null,

    async reload(q) {
      const gen = get().gen + 1;
      current.abort();
      current = new AbortController();
      set({ query: q, gen, loading: true, error: null });
      try {
        const res = await page(q, {});
        if (get().gen !== gen) return;
        set((s) => ({
          rows: res.rows, total: res.total, totalKnown: !res.totalPending, atStart: true, atEnd: res.next === null,
          loading: false, shown: q, ...bump(s, { index: 0 }),
        }));
        // The histogram asked for the same text search (once these rows are in) counts on its way: the engine hands
        // its count to events.count if that arrives after it, instead of reading every record's text once more.
        if (res.totalPending) setTimeout(() => { if (get().query === q) void countTotal(q); }, COUNT_AFTER_MS);
      } catch (e) {
        if (get().gen !== gen) return;
        set({ loading: false, shown: q, error: e instanceof Error ? e.message : String(e), rows: [], total: 0 });
      }
    },

    async recount(caseId) {
      const q = get().query;
      if (q?.caseId === caseId) await countTotal(q);
    },

    async loadAfter() {
      const { query, rows, atEnd, loading, gen } = get();
      const last = rows[rows.length - 1];
      if (!query || atEnd || loading || !last) return;
      set({ loading: true });
      try {
        const res = await page(query, { after: cursorOf(last) });
        if (get().gen !== gen) return;
        let next = [...get().rows, ...res.rows];
        const drop = Math.max(0, next.length - MAX_ROWS);
        next = next.slice(drop);
        set((s) => ({
          rows: next, ...totalOf(res), atEnd: res.next === null, atStart: s.atStart && drop === 0, loading: false,
          ...(drop ? bump(s, { shift: -drop }) : {}),
        }));
      } catch (e) {
        if (get().gen === gen) set({ loading: false, error: e instanceof Error ? e.message : String(e) });
      }
    },

    async loadBefore() {
      const { query, rows, atStart, loading, gen } = get();
      const first = rows[0];
      if (!query || atStart || loading || !first) return;
      set({ loading: true });
      try {
        const res = await page(query, { before: cursorOf(first) });
        if (get().gen !== gen) return;
        const added = res.rows.length;
        const next = [...res.rows, ...get().rows].slice(0, MAX_ROWS);
        const trimmed = added + get().rows.length - next.length;
        set((s) => ({
          rows: next, ...totalOf(res), atStart: res.prev === null || added === 0, atEnd: s.atEnd && trimmed === 0,
          loading: false, ...bump(s, { shift: added }),
        }));
      } catch (e) {
        if (get().gen === gen) set({ loading: false, error: e instanceof Error ? e.message : String(e) });
      }
    },

    async jumpTo(row) {
      const { query, rows } = get();
      const idx = rows.findIndex((r) => r.id === row.id);
      if (idx >= 0) { set((s) => bump(s, { index: idx })); return; }
      if (!query) return;
      const gen = get().gen + 1;
      set({ gen, loading: true });
      try {
        const before = await page(query, { before: cursorOf(row), limit: 100 });
        const lastBefore = before.rows[before.rows.length - 1];
        const after = await page(query, lastBefore ? { after: cursorOf(lastBefore) } : {});
        if (get().gen !== gen) return;
        const next = [...before.rows, ...after.rows];
        const at = Math.max(0, next.findIndex((r) => r.id === row.id));
        set((s) => ({
          rows: next, ...totalOf(after), atStart: before.prev === null || before.rows.length === 0,
          atEnd: after.next === null, loading: false, ...bump(s, { index: at }),
        }));
      } catch (e) {
        if (get().gen === gen) set({ loading: false, error: e instanceof Error ? e.message : String(e) });
      }
    },
  };
});

/** How long the table must stay still (no page being read) before work that fills in around the operator starts. */
export const STILL_MS = 1000;

/**
 * Runs `fn` once, when the events table has a page for this case (or could not get it) and no other page has been
 * asked for STILL_MS: background reads (a large case's verification, the field names for pickers) wait out the
 * operator's first clicks. Every page read disarms it, every page drawn re-arms it. Returns a stop.
 */
export function whenTableStill(caseId: string, fn: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ready = (s: EventsState) => s.query?.caseId === caseId && !s.loading;
  const arm = () => { clearTimeout(timer); timer = setTimeout(() => { stop(); fn(); }, STILL_MS); };
  const stop = useEvents.subscribe((s) => { if (ready(s)) arm(); else clearTimeout(timer); });
  if (ready(useEvents.getState())) arm();
  return () => { stop(); clearTimeout(timer); };
}
