// Event density per source × time bucket × level: the timeline's lanes.
import { LEVELS, type EventFilter } from '../../../shared/domain';
import type { Histogram } from '../../../shared/contract';
import type { DuckDBValue } from '@duckdb/node-api';
import type { SqlRead } from '../store/db';
import { checkFilter, scansText, sourcesCond, summaryHolds, whereClause } from './filter';
import { cachedCount, countNow, knownMatches, rememberCount, shareCount } from './count';
import { checkInstant, elapsedMs, isoFromMicros, microsFromIso, num, Params } from '../store/sql';
import { EVENT_HOURS, eventMinutesCurrent, GRAINS, LEVEL_SLOT, levelSlots } from '../store/eventMinutes';
import { edgeEvents, hasEdges, insideUnits, splitRange, widenSplit } from './summaryRange';
import { isCancelled } from '../util/cancel';
import { eventSource } from './textIndex';

const EPOCH = new Date(0).toISOString();

export interface HistogramRequest {
  filter: EventFilter;
  range?: { from: string; to: string };
  buckets: number;
}

/**
 * Buckets of equal width over [from, to] (both ends included; an event exactly at `to` falls in the last bucket).
 * Without a range: the filter's own from/to, else the time span of the events it matches.
 * Lanes: every source the filter allows that has events in the case, in name order, even if empty in this range,
 * so lanes do not jump about while zooming. `untimed` counts matching events that have no time at all (whatever the range: they cannot be placed).
 */
export async function histogram(db: SqlRead, req: HistogramRequest): Promise<Histogram> {
  const t0 = performance.now();
  // A histogram whose buckets cover all the filter matches counts them on its way: its sum is the filter's count,
  // shared with the table's page and events.count. A text search's would otherwise scan `raw` once more; a zoom's
  // would read the summary and scan the range's two partial minutes again, beside the histogram the operator waits
  // for. Offered before any await, so a count asked right after this waits for it. (Sources and levels over the
  // whole case are counted from the hourly summary in a few ms: nothing to share.)
  const answer = histogramOf(db, req);
  const cheapCount = summaryHolds(req.filter) && !req.filter.from && !req.filter.to;
  if (coversFilterOf(req) && !cheapCount && !cachedCount(db, req.filter)) {
    void shareCount(db, req.filter, answer.then(
      (h) => rememberCount(db, req.filter, h.lanes.reduce((a, l) => a + l.total, 0) + (req.filter.from || req.filter.to ? 0 : h.untimed)),
      // Cancelled with this call: a waiting events.count takes the count itself (countMatching).
      (e: unknown) => (isCancelled(e) ? Promise.reject(e) : countNow(db, req.filter))));
  }
  return { ...(await answer), queryMs: elapsedMs(t0) };
}

async function histogramOf(db: SqlRead, req: HistogramRequest): Promise<Omit<Histogram, 'queryMs'>> {
  await checkFilter(db, req.filter);
  if (summaryHolds(req.filter) && await eventMinutesCurrent(db)) {
    if (!req.range && !req.filter.from && !req.filter.to) return fromSummary(db, req.filter, req.buckets);
    const range = req.range ?? (req.filter.from && req.filter.to ? { from: req.filter.from, to: req.filter.to } : null);
    const zoomed = range && await rangeFromSummary(db, req.filter, range, req.buckets);
    if (zoomed) return zoomed;
  }
  // A text filter whose every match a page has already found (a rare word): those rows, not every record's text.
  const known = scansText(req.filter) && coversFilterOf(req) ? knownMatches(db, req.filter) : undefined;
  return scanHistogram(db, req, known);
}

/** The buckets cover everything the filter matches (its own range, or none). */
const coversFilterOf = (req: HistogramRequest) =>
  (req.range ? req.filter.from === req.range.from && req.filter.to === req.range.to : !req.filter.from && !req.filter.to);

/** The histogram from the events themselves (`known`: the filter's matches by id, when all are known). */
async function scanHistogram(db: SqlRead, req: HistogramRequest, known?: number[]): Promise<Omit<Histogram, 'queryMs'>> {
  // Known ids are read by id; otherwise only the blocks the text index leaves, or the search's matched rows (asked
  // once, for the range and the cells).
  const source = known ? null : await eventSource(db, req.filter);
  const fromOf = (p: Params) => (source ? `${source.from(p)} s` : 'event_store s');
  const matchSql = (p: Params, opts?: { ignoreRange?: boolean }) =>
    known ? (known.length ? `s.id IN (${known.map((id) => p.add(id)).join(', ')})` : 'FALSE') : whereClause(source!.rest, p, opts);
  const { from, to } = req.range
    ? { from: checkInstant(req.range.from, 'Range start'), to: checkInstant(req.range.to, 'Range end') }
    : await defaultRange(db, req.filter, matchSql, fromOf);
  const fromUs = microsFromIso(from);
  const toUs = microsFromIso(to);
  const spanUs = toUs > fromUs ? toUs - fromUs : 0n;
  // Bucket width in whole milliseconds, so the UI can place buckets exactly; at least 1 ms.
  const bucketMs = Math.max(1, Math.ceil(Number(spanUs) / 1000 / req.buckets));
  const buckets = Math.max(1, Math.min(req.buckets, Math.ceil((Number(spanUs) / 1000 + 1) / bucketMs)));

  // Micros as JS numbers (exact below 2^53, i.e. for any real instant): BigInt parameters bind as HUGEINT,
  // which made this query ten times slower.
  const p = new Params();
  const where = matchSql(p, { ignoreRange: true });
  const f = p.add(Number(fromUs));
  const bucketUs = p.add(bucketMs * 1000);
  // Untimed events come out of the same scan (b is NULL; least() would skip a NULL, hence the CASE): a text filter reads `raw` once, not twice.
  // The range as a plain comparison on ts, so DuckDB can skip row groups by their min/max (epoch_us(ts) would not).
  const sql = `
    SELECT s.source, CASE WHEN s.ts IS NOT NULL THEN least((epoch_us(s.ts) - ${f}) // ${bucketUs}, ${buckets - 1}) END AS b, ${LEVEL_SLOT} AS l, count(*) AS n
    FROM ${fromOf(p)}
    WHERE ${where} AND (s.ts BETWEEN ${p.instant(from)} AND ${p.instant(to)} OR s.ts IS NULL)
    GROUP BY ALL`;
  const lp = new Params();
  const [cells, lanesRows] = await Promise.all([
    db.read<Cell>(sql, p.values),
    db.read<{ source: string }>(
      `SELECT DISTINCT source FROM event_store s${req.filter.sources?.length ? ` WHERE s.source IN (${lp.list(req.filter.sources)})` : ''} ORDER BY source`,
      lp.values),
  ]);
  return { from, to, bucketMs, buckets, ...fillLanes(lanesRows, cells, buckets) };
}

interface Cell { source: string; b: string | number | null; l: number; n: string | number }

/** Cells (source, bucket or null for untimed, level slot, count) into lanes for every source listed. */
function fillLanes(lanesRows: { source: string }[], cells: Cell[], buckets: number): Pick<Histogram, 'lanes' | 'untimed'> {
  const slots = LEVELS.length + 1;
  const lanes = new Map(lanesRows.map((r) => [r.source, {
    source: r.source, total: 0, counts: Array.from({ length: buckets }, () => new Array<number>(slots).fill(0)),
  }]));
  let untimed = 0;
  for (const c of cells) {
    if (c.b === null) { untimed += num(c.n); continue; }
    const lane = lanes.get(c.source);
    const row = lane?.counts[num(c.b)];
    if (!lane || !row) continue;
    const n = num(c.n);
    row[c.l] = (row[c.l] ?? 0) + n;
    lane.total += n;
  }
  return { lanes: [...lanes.values()], untimed };
}

/**
 * The full range from the summary: it starts on the first event's whole minute (whole hour, for a range long enough
 * that buckets are hours) and buckets are whole units, so every summary cell falls in exactly one bucket and the
 * counts are exact (the same as a scan's with that start and width). Reads summary rows only, never the events.
 */
async function fromSummary(db: SqlRead, filter: EventFilter, wanted: number): Promise<Omit<Histogram, 'queryMs'>> {
  const p = new Params();
  const srcCond = sourcesCond(filter, p);
  const levelCond = levelSlots(filter);
  // Lanes (every source the filter allows) and the exact span of what matches, in one pass over the hourly rows.
  const spans = await db.read<{ source: string; lo: string | null; hi: string | null }>(
    `SELECT s.source, epoch_us(min(s.lo) FILTER (WHERE ${levelCond})) AS lo, epoch_us(max(s.hi) FILTER (WHERE ${levelCond})) AS hi
     FROM ${EVENT_HOURS} s WHERE ${srcCond} GROUP BY s.source ORDER BY s.source`, p.values);
  const los = spans.flatMap((r) => (r.lo == null ? [] : [Number(r.lo)]));
  const his = spans.flatMap((r) => (r.hi == null ? [] : [Number(r.hi)]));
  const firstUs = los.length ? Math.min(...los) : null;
  const hiUs = his.length ? Math.max(...his) : null;
  // The coarsest grain whose unit is no wider than the bucket the range needs.
  const roughMs = firstUs === null || hiUs === null ? 0 : (hiUs - firstUs) / 1000 / wanted;
  const grain = GRAINS.find((g) => g.unitUs / 1000 <= roughMs) ?? GRAINS[1];
  const unitMs = grain.unitUs / 1000;
  const loUs = firstUs === null ? null : Math.floor(firstUs / grain.unitUs) * grain.unitUs;
  const spanMs = loUs === null || hiUs === null ? 0 : (hiUs - loUs) / 1000;
  const bucketMs = Math.max(1, Math.ceil(spanMs / wanted / unitMs)) * unitMs;
  const buckets = Math.max(1, Math.min(wanted, Math.ceil((spanMs + 1) / bucketMs)));
  const cells = await db.read<Cell>(
    `SELECT s.source, CASE WHEN s.${grain.column} IS NOT NULL THEN least((epoch_us(s.${grain.column}) - ${loUs ?? 0}) // ${bucketMs * 1000}, ${buckets - 1}) END AS b,
            s.slot AS l, sum(s.n) AS n
     FROM ${grain.table} s WHERE ${srcCond} AND ${levelCond} GROUP BY ALL`, p.values);
  const from = loUs === null ? EPOCH : isoFromMicros(String(loUs))!;
  const to = hiUs === null ? EPOCH : isoFromMicros(String(hiUs))!;
  // Buckets start on the whole unit; the range the operator reads starts on the first event, as a scan's does.
  const first = firstUs === null ? undefined : isoFromMicros(String(firstUs))!;
  return { from, to, ...first !== undefined && { first }, bucketMs, buckets, ...fillLanes(spans, cells, buckets) };
}

/**
 * A range (a zoom) from the summary: the grain's whole units inside the range from its rows, the partial units at
 * the range's two ends from the events (two short time slices of narrow columns). Buckets start on the unit at or
 * before the range start and are whole units wide, so both kinds fall in exactly one bucket and the counts are
 * those of a scan with that start and width. Null when buckets would be narrower than a minute (the scan answers).
 */
async function rangeFromSummary(db: SqlRead, filter: EventFilter, range: { from: string; to: string }, wanted: number): Promise<Omit<Histogram, 'queryMs'> | null> {
  const from = checkInstant(range.from, 'Range start');
  const to = checkInstant(range.to, 'Range end');
  const fromUs = Number(microsFromIso(from));
  const toUs = Number(microsFromIso(to));
  const grain = GRAINS.find((g) => g.unitUs <= (toUs - fromUs) / wanted);
  const cut = grain && splitRange(from, to, grain.unitUs);
  if (!grain || !cut) return null;
  // The lanes are read beside the look at the range's end units (then the cells): two short statements, not three in a row.
  const lp = new Params();
  const lanesRead = db.read<{ source: string }>(`SELECT DISTINCT s.source FROM ${EVENT_HOURS} s WHERE ${sourcesCond(filter, lp)} ORDER BY s.source`, lp.values);
  lanesRead.catch(() => undefined); // awaited below; a failure of the split's read must not leave it unhandled
  const split = await widenSplit(db, filter, cut, grain);
  const unit = grain.unitUs;
  const loUs = Math.floor(fromUs / unit) * unit;
  const bucketUs = Math.max(1, Math.ceil((toUs - loUs) / wanted / unit)) * unit;
  const buckets = Math.max(1, Math.min(wanted, Math.ceil((toUs - loUs + 1) / bucketUs)));
  const p = new Params();
  const bucket = (col: string) => `least((epoch_us(${col}) - ${p.add(loUs)}) // ${p.add(bucketUs)}, ${buckets - 1})`;
  const srcCond = sourcesCond(filter, p);
  const levelCond = levelSlots(filter);
  const where = hasEdges(split) ? whereClause(filter, p, { ignoreRange: true }) : '';
  const col = `s.${grain.column}`;
  const [cells, lanes] = await Promise.all([db.read<Cell>(
    `SELECT s.source, ${bucket(col)} AS b, s.slot AS l, sum(s.n) AS n FROM ${grain.table} s
       WHERE ${srcCond} AND ${levelCond} AND ${insideUnits(col, split, p)} GROUP BY ALL
     UNION ALL${hasEdges(split) ? `
     SELECT s.source, ${bucket('s.ts')} AS b, ${LEVEL_SLOT} AS l, count(*) AS n FROM event_store s
       WHERE ${where} AND ${edgeEvents(split, p)} GROUP BY ALL
     UNION ALL` : ''}
     SELECT s.source, NULL AS b, s.slot AS l, sum(s.n) AS n FROM ${EVENT_HOURS} s WHERE ${srcCond} AND ${levelCond} AND s.hour IS NULL GROUP BY ALL`,
    p.values), lanesRead]);
  return { from: isoFromMicros(String(loUs))!, to, ...loUs !== fromUs && { first: from }, bucketMs: bucketUs / 1000, buckets, ...fillLanes(lanes, cells, buckets) };
}

async function defaultRange(db: SqlRead, filter: EventFilter, matchSql: (p: Params) => string, fromOf: (p: Params) => string): Promise<{ from: string; to: string }> {
  if (filter.from && filter.to) return { from: checkInstant(filter.from, 'Filter start'), to: checkInstant(filter.to, 'Filter end') };
  const p = new Params();
  const where = matchSql(p);
  const matched = await span(db, where, p.values, fromOf(p));
  if (matched) return matched;
  // Nothing matches: the case's own span, so an empty result never moves the timeline somewhere the data is not.
  // A case with no timed events at all has no span; the epoch stands in (the UI draws no range for it).
  return (await span(db, 'TRUE', [], 'event_store s')) ?? { from: EPOCH, to: EPOCH };
}


async function span(db: SqlRead, where: string, values: DuckDBValue[], from: string): Promise<{ from: string; to: string } | null> {
  const [r] = await db.read<{ lo: string | null; hi: string | null }>(
    `SELECT epoch_us(min(s.ts)) AS lo, epoch_us(max(s.ts)) AS hi FROM ${from} WHERE ${where}`, values);
  const lo = isoFromMicros(r?.lo ?? null);
  const hi = isoFromMicros(r?.hi ?? null);
  return lo === null || hi === null ? null : { from: lo, to: hi };
}
