// The text index (issue 16): which blocks of event ids can hold a substring, so a text search reads only those
// instead of every record's `raw`. Stored in the case (textIndexBuild.ts builds it) as `text_grams` rows (group,
// gram, bitmap of the group's blocks) and a `meta` row naming the covered ids. A search ANDs the bitmaps of its
// grams (textGrams.ts); when few blocks remain, the events are read as a UNION ALL of id ranges (each a BETWEEN that DuckDB
// answers from its min/max statistics, skipping the rest: idWindows.ts) plus every id above the covered one. The
// text condition still runs on what is read, so results are exact: the index only leaves out blocks that cannot match.
// When those blocks hold few matches, one scan finds them and every query of the search reads only those rows
// (textMatches.ts).
import { listValue } from '@duckdb/node-api';
import type { EventFilter } from '../../../shared/domain';
import { hasTables, type SqlRead } from '../store/db';
import type { Params } from '../store/sql';
import { LITERAL_REGEX } from './filter';
import { forgetMatches, matchesKept, sharedMatches } from './textMatches';
import { detached } from '../util/cancel';
import { HandleMemo, sharedPromise } from '../store/handleMemo';
import { BLOCK_IDS, GROUP_BLOCKS, queryGrams, TEXT_INDEX_VERSION } from './textGrams';

export const TEXT_GRAMS = 'text_grams';
export const TEXT_INDEX_KEY = 'text_index';

export interface TextIndexMeta {
  version: number; blockIds: number; groupBlocks: number;
  /** Highest id indexed (ids above it are always read). */
  covered: number;
  /** Events with id ≤ covered when built: another number means events came or went below it (the index is stale). */
  events: number;
}

/** At most this share of the covered blocks, else the plain scan (a word in 41 % of the blocks paged no faster through
 * 64 ranges than the plain scan's time slices). */
const MAX_SHARE = 0.25;
/** Grams looked up at most (one UNION ALL branch each: a pasted line of 200 characters has some 600). */
const MAX_GRAMS = 24;
/** UNION ALL branches at most: past it the nearest ranges are merged (a longer plan costs more than a few blocks). */
const MAX_RANGES = 64;

/** What a text-filtered query reads as `event_store`: the table itself, only the blocks that can match, or only the
 * rows that match (the search's shared matched ids: textMatches.ts). */
export interface EventSource {
  /** The FROM text (without an alias); a source of matched ids binds them as one list in `p`. */
  from(p: Params): string;
  /** The filter the rows read must still pass: without its text when they all match it. */
  rest: EventFilter;
  narrowed: boolean;
  /** Share of the covered blocks read (1 for the table, 0 for matched ids). */
  share: number;
  /** Few block ranges, to be paged by time slices (eventSource's `fewRanges`). */
  slices?: boolean;
}

/** Below this share of the blocks a source is scanned whole even by a caller that pages by time slices (a few
 * blocks are read at once faster than the hourly summary is asked). */
const SLICE_SHARE = 0.02;

/** A source's FROM text, when it binds nothing (the table or block ranges); `ranges`: its id ranges (0: the table). */
export interface Blocks { sql: string; narrowed: boolean; share: number; ranges: number }

const PLAIN: Blocks = { sql: 'event_store', narrowed: false, share: 1, ranges: 0 };

export async function readTextIndexMeta(db: SqlRead): Promise<TextIndexMeta | null> {
  const [r] = await db.read<{ value: string }>(`SELECT value FROM meta WHERE key = '${TEXT_INDEX_KEY}'`);
  return r ? parseMeta(r.value) : null;
}

function parseMeta(text: string): TextIndexMeta | null {
  try {
    const m = JSON.parse(text) as TextIndexMeta;
    const ok = m.version === TEXT_INDEX_VERSION && m.blockIds === BLOCK_IDS && m.groupBlocks === GROUP_BLOCKS
      && Number.isSafeInteger(m.covered) && Number.isSafeInteger(m.events);
    return ok ? m : null;
  } catch {
    return null;
  }
}

/** Events with id ≤ `id`: what a meta's `events` is checked against (ids only grow, so the number changes only when
 * events at or below it came or went). On `all`, so a writer counts on its own connection, inside its transaction. */
export async function eventsUpTo(db: Pick<SqlRead, 'all'>, id: number): Promise<number> {
  const [n] = await db.all<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM event_store WHERE id <= ${id}`);
  return Number(n?.n ?? 0);
}

/** The index still describes the events at or below its covered id (else it is not used, and rebuilt whole). */
export async function stillCovers(db: SqlRead, meta: TextIndexMeta): Promise<boolean> {
  return (await eventsUpTo(db, meta.covered)) === meta.events;
}

/** The gram table exists (a case whose index was never built has none). */
export async function hasGramTable(db: SqlRead): Promise<boolean> {
  return hasTables(db, [TEXT_GRAMS], true);
}

/** True when the index covers every event (an empty case needs none). */
export async function textIndexReady(db: SqlRead): Promise<boolean> {
  const meta = await readTextIndexMeta(db);
  const [r] = await db.read<{ hi: string | null; n: string }>(
    `SELECT max(id)::VARCHAR AS hi, count(*) FILTER (WHERE id <= ${meta?.covered ?? -1})::VARCHAR AS n FROM event_store`);
  if (r?.hi == null) return true;
  return !!meta && Number(r.hi) <= meta.covered && Number(r.n) === meta.events;
}

/** Off for comparisons (tests and the query bench measure the plain scan beside the index). */
const disabled = () => process.env.CASEFILE_TEXT_INDEX === 'off';

const lookups = new HandleMemo<Promise<Blocks>>(64);

/** Forget memoised sources and matched ids (benchmarks measure the lookup and the scan too). */
export function forgetEventSources(db: SqlRead): void {
  lookups.forget(db);
  forgetMatches(db);
}

/**
 * The source of `event_store` rows for a filter: for a substring search (or a regex that is a plain literal) whose
 * text has at least one all-ASCII trigram, the blocks the index leaves, and when the search matches few events
 * there, only those (found by one scan shared by every query of the search: textMatches.ts); else the table.
 */
export async function eventSource(db: SqlRead, filter: EventFilter, opts: { fewRanges?: number } = {}): Promise<EventSource> {
  const blocks = await indexedBlocks(db, filter);
  const asBlocks: EventSource = { from: () => blocks.sql, rest: filter, narrowed: blocks.narrowed, share: blocks.share };
  // A caller that pages by time slices reads a source of few ranges as it is, unless its set is ready (it need not
  // wait for the scan of every block: slices in the page's order stop once the page is full).
  if (blocks.narrowed && opts.fewRanges !== undefined && blocks.ranges >= 1 && blocks.ranges <= opts.fewRanges
    && blocks.share >= SLICE_SHARE
    && !matchesKept(db, filter.text!, !!filter.regex, blocks.sql)) return { ...asBlocks, slices: true };
  const ids = blocks.narrowed ? await sharedMatches(db, filter.text!, !!filter.regex, blocks.sql) : null;
  if (!ids) return asBlocks;
  const rest: EventFilter = { ...filter };
  delete rest.text;
  delete rest.regex;
  // The ids bound as one list (a list of 20,000 spliced into SQL costs 60 ms to parse); the BETWEEN lets DuckDB skip
  // the row groups outside them by their min/max.
  return {
    from: (p) => (ids.length
      ? `(SELECT * FROM event_store WHERE id BETWEEN ${ids[0]} AND ${ids[ids.length - 1]} AND id IN (SELECT unnest(${p.add(listValue(ids))}::BIGINT[])))`
      : '(SELECT * FROM event_store WHERE FALSE)'),
    rest, narrowed: true, share: 0,
  };
}

/**
 * The blocks the index leaves for a filter's text, or the table. Memoised on a read-only handle (its data cannot
 * change), the lookup itself too: the page and the histogram of one search ask at once.
 */
export async function indexedBlocks(db: SqlRead, filter: EventFilter): Promise<Blocks> {
  if (!filter.text || (filter.regex && !LITERAL_REGEX.test(filter.text)) || disabled()) return PLAIN;
  // Any subset of a search's grams keeps every block that can match; the longest (most selective) are kept.
  const grams = queryGrams(filter.text).slice(-MAX_GRAMS);
  if (!grams.length) return PLAIN;
  if (!db.readOnly) return narrowed(db, grams);
  // Looked up beyond the caller's cancellation: another query of the search may be waiting for it.
  return sharedPromise(lookups, db, grams.join(','), () => detached(() => narrowed(db, grams)));
}

/** Id ranges [lo, hi] of the blocks whose records hold every gram, within the covered ids; null when too many. */
async function candidateRanges(db: SqlRead, grams: number[]): Promise<{ ranges: [number, number][]; covered: number; share: number } | null> {
  if (!await hasGramTable(db)) return null;
  // One statement, one snapshot: the meta row and the bitmaps it describes, even while a build commits beside it.
  const [r] = await db.read<{ value: string; groups: { grp: number; b: string; k: number }[] | null }>(
    `SELECT m.value, (SELECT list({'grp': grp, 'b': b, 'k': k}) FROM (
          SELECT grp, bit_and(bits)::VARCHAR AS b, count(DISTINCT gram)::INTEGER AS k FROM (${gramRows(grams)}) GROUP BY grp)) AS groups
     FROM meta m WHERE m.key = '${TEXT_INDEX_KEY}'`);
  const meta = r ? parseMeta(r.value) : null;
  if (!r || !meta) return null;
  if (!await stillCovers(db, meta)) return null;
  const blocks: number[] = [];
  for (const g of r.groups ?? []) {
    if (g.k !== grams.length) continue; // a gram absent from the group: none of its blocks can match
    for (let i = g.b.indexOf('1'); i >= 0; i = g.b.indexOf('1', i + 1)) blocks.push(g.grp * GROUP_BLOCKS + i);
  }
  const total = Math.floor(meta.covered / BLOCK_IDS) + 1;
  if (blocks.length > total * MAX_SHARE) return null;
  blocks.sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const b of blocks) {
    const lo = b * BLOCK_IDS;
    const hi = Math.min(lo + BLOCK_IDS - 1, meta.covered);
    if (lo > meta.covered) continue;
    const prev = ranges[ranges.length - 1];
    if (prev && prev[1] + 1 >= lo) prev[1] = hi; else ranges.push([lo, hi]);
  }
  return { ranges: mergeNearest(ranges, MAX_RANGES), covered: meta.covered, share: blocks.length / total };
}

/** The index rows of `grams`, one equality per gram: DuckDB filters each inside its scan, where an IN list became a
 * join over every row's bitmap (a 9–10 letter word: 30–38 ms against 17–22 on the 1 GB bench case; an 18-letter one,
 * 31 grams, about the same). Whole integers, spliced. */
const gramRows = (grams: number[]) =>
  grams.map((g) => `SELECT grp, gram, bits FROM ${TEXT_GRAMS} WHERE gram = ${g}`).join(' UNION ALL ');

/** At most `max` ranges: the smallest gaps are closed first (reading a gap's blocks costs less than more branches). */
export function mergeNearest(ranges: [number, number][], max: number): [number, number][] {
  if (ranges.length <= max) return ranges;
  const gaps = ranges.slice(1).map((r, i) => r[0] - ranges[i]![1]).sort((a, b) => a - b);
  const close = gaps[ranges.length - max - 1]!;
  const out: [number, number][] = [];
  let closed = 0;
  const budget = ranges.length - max;
  for (const r of ranges) {
    const prev = out[out.length - 1];
    if (prev && closed < budget && r[0] - prev[1] <= close) { prev[1] = r[1]; closed++; } else out.push([r[0], r[1]]);
  }
  return out;
}

async function narrowed(db: SqlRead, grams: number[]): Promise<Blocks> {
  const c = await candidateRanges(db, grams);
  if (!c) return PLAIN;
  // Whole integers computed here, never user text: spliced as literals (DuckDB folds them into the scan's filter).
  const branches = [...c.ranges.map(([lo, hi]) => `SELECT * FROM event_store WHERE id BETWEEN ${lo} AND ${hi}`),
    `SELECT * FROM event_store WHERE id > ${c.covered}`];
  return { sql: `(${branches.join(' UNION ALL ')})`, narrowed: true, share: c.share, ranges: c.ranges.length };
}
