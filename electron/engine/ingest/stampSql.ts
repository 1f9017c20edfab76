// The stamps library (formats/stamps.ts) in SQL: each shape's text becomes an absolute instant, a naive local time
// (placed with the site zone), or a partial reading (no year / no date) completed from context with a monotonic
// rollover. Only formats and envelopes that name shapes pay for this; the fast ISO cast path stays as it was.
import { sqlString } from '../store/db';
import { stampShape, type StampNeed, type StampShapeId } from '../formats/stamps';
import { localSql, zoneSql } from './timezone';

interface ShapeSql {
  /** TIMESTAMPTZ when the stamp carries its zone, else NULL. */
  abs?: (x: string) => string;
  /** Naive TIMESTAMP with a full date, else NULL. */
  local?: (x: string) => string;
  /** Partial reading as a TIMESTAMP placeholder: year 2000 for `year` needs, 2000-01-01 for `date` needs. */
  partial?: (x: string) => string;
}

const list = (xs: string[]) => `[${xs.map(sqlString).join(', ')}]`;
/** Fractions past microseconds are cut (DuckDB keeps µs); a comma fraction becomes a dot. */
const cutFraction = (x: string) => `regexp_replace(replace(${x}, ',', '.'), '(\\.[0-9]{6})[0-9]+', '\\1')`;
const hasOffset = (x: string) => `regexp_matches(${x}, '(Z|[+-][0-9]{2}:?[0-9]{2})$')`;
/** ISO spelling DuckDB casts: space not T, no space before the offset, Z as +00:00. */
const isoNorm = (x: string) => `regexp_replace(regexp_replace(regexp_replace(${cutFraction(x)}, '^([0-9]{4}-[0-9]{2}-[0-9]{2})T', '\\1 '), ' ?Z$', '+00:00'), ' ([+-][0-9])', '\\1')`;

const SHAPE_SQL: Record<StampShapeId, ShapeSql> = {
  iso: {
    abs: (x) => `CASE WHEN ${hasOffset(x)} THEN try_cast(${isoNorm(x)} AS TIMESTAMPTZ) END`,
    local: (x) => `CASE WHEN NOT ${hasOffset(x)} THEN try_cast(${isoNorm(x)} AS TIMESTAMP) END`,
  },
  syslog: { partial: (x) => `try_strptime('2000 ' || ${cutFraction(x)}, ${list(['%Y %b %d %H:%M:%S', '%Y %b %d %H:%M:%S.%f'])})` },
  apache: { local: (x) => `try_strptime(${cutFraction(x)}, ${list(['%a %b %d %H:%M:%S.%f %Y', '%a %b %d %H:%M:%S %Y'])})` },
  clf: { abs: (x) => `try_strptime(${x}, '%d/%b/%Y:%H:%M:%S %z')` },
  django: { local: (x) => `try_strptime(${x}, '%d/%b/%Y %H:%M:%S')` },
  epoch: {
    // By digit count: s (with an optional fraction), ms, µs, ns. try(): out of range is no time, not an error.
    abs: (x) => `try(CASE length(split_part(${x}, '.', 1))
      WHEN 10 THEN to_timestamp(${x}::DOUBLE)
      WHEN 13 THEN timezone('UTC', make_timestamp(${x}::BIGINT * 1000))
      WHEN 16 THEN timezone('UTC', make_timestamp(${x}::BIGINT))
      WHEN 19 THEN timezone('UTC', make_timestamp((${x}::HUGEINT // 1000)::BIGINT)) END)`,
  },
  time: { partial: (x) => `DATE '2000-01-01' + try_cast(${cutFraction(x)} AS TIME)` },
  'time-12h': { partial: (x) => `DATE '2000-01-01' + try_strptime(upper(replace(${cutFraction(x)}, ' ', '')), ${list(['%I:%M:%S%p', '%I:%M:%S.%f%p'])})::TIME` },
};

/** The stamp text as the shapes read it: trimmed, empty as NULL. */
export const stampText = (x: string) => `nullif(trim(${x}), '')`;

/** Index (in `shapes`) of the first shape whose regex matches the whole text, or NULL: computed once per record. */
export function shapeIndexSql(shapes: readonly StampShapeId[], x: string): string {
  const t = stampText(x);
  return `(CASE ${shapes.map((id, i) => `WHEN regexp_full_match(${t}, ${sqlString(stampShape(id).regex)}) THEN ${i}`).join(' ')} END)`;
}

/** The column of the shape that matched; only that shape's conversion runs on a record. */
function pick(shapes: readonly StampShapeId[], x: string, shape: string, col: keyof ShapeSql): string {
  const whens = shapes.flatMap((id, i) => {
    const f = SHAPE_SQL[id][col];
    return f ? [`WHEN ${i} THEN ${f(x)}`] : [];
  });
  return whens.length ? `CAST((CASE ${shape} ${whens.join(' ')} END) AS ${col === 'abs' ? 'TIMESTAMPTZ' : 'TIMESTAMP'})` : `NULL::${col === 'abs' ? 'TIMESTAMPTZ' : 'TIMESTAMP'}`;
}

function needOf(shapes: readonly StampShapeId[], shape: string): string {
  const whens = shapes.flatMap((id, i) => (stampShape(id).needs ? [`WHEN ${i} THEN ${sqlString(stampShape(id).needs!)}`] : []));
  return whens.length ? `(CASE ${shape} ${whens.join(' ')} END)` : 'NULL::VARCHAR';
}

export function needsContext(shapes: readonly StampShapeId[] | undefined): boolean {
  return (shapes ?? []).some((id) => stampShape(id).needs);
}

/** The naive wall-clock TIMESTAMP of a stamp text whose shape has no zone (before the site zone places it), else NULL. */
export function shapeLocalSql(shapes: readonly StampShapeId[], x: string, shapeCol = shapeIndexSql(shapes, x)): string {
  return pick(shapes, stampText(x), shapeCol, 'local');
}

/**
 * Columns of one stamp text: s_abs (TIMESTAMPTZ), s_naive (TIMESTAMPTZ placed in `zone`), s_part (placeholder
 * TIMESTAMP of a partial reading) and s_need ('date' | 'year' | NULL), with a column prefix.
 */
export function stampColumns(shapes: readonly StampShapeId[], x: string, zone: string, prefix: string, shapeCol = shapeIndexSql(shapes, x)): string {
  const t = stampText(x);
  const cols = [
    `${pick(shapes, t, shapeCol, 'abs')} AS ${prefix}_abs`,
    `${zoneSql(zone, shapeLocalSql(shapes, x, shapeCol))} AS ${prefix}_naive`,
  ];
  if (needsContext(shapes)) cols.push(`${pick(shapes, t, shapeCol, 'partial')} AS ${prefix}_part`, `${needOf(shapes, shapeCol)} AS ${prefix}_need`);
  else cols.push(`NULL::TIMESTAMP AS ${prefix}_part`, `NULL::VARCHAR AS ${prefix}_need`);
  return cols.join(', ');
}

/** How far back a stamp may step before it counts as the next day (or year): more than jitter and a DST fall-back. */
const ROLLBACK = 'INTERVAL 2 HOUR';

/**
 * Completes partial stamps from context, over a relation with file_id, line, s_part, s_need, env_ts (TIMESTAMPTZ
 * or NULL) and the stage_ctx columns ctx_anchor ('first' | 'last'), ctx_date (DATE of the first record) and
 * ctx_mtime (TIMESTAMPTZ: the last record was written before it). Adds s_inferred (TIMESTAMPTZ) and s_rule
 * ('envelope' | 'context'). Within a file, a stamp that steps back past ROLLBACK starts the next day (year).
 */
export function completePartials(relation: string, zone: string): string {
  const prevPart = `last_value(s_part IGNORE NULLS) OVER (PARTITION BY file_id ORDER BY line ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)`;
  const rolled = `SELECT *, CASE WHEN s_part < ${prevPart} - ${ROLLBACK} THEN 1 ELSE 0 END AS s_roll FROM ${relation} p0`;
  const counted = `SELECT *, sum(s_roll) OVER (PARTITION BY file_id ORDER BY line ROWS UNBOUNDED PRECEDING)::INTEGER AS s_k,
      sum(s_roll) OVER (PARTITION BY file_id)::INTEGER AS s_k_total,
      last_value(s_part IGNORE NULLS) OVER (PARTITION BY file_id ORDER BY line ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS s_last
    FROM (${rolled}) p1`;
  const mtimeLocal = localSql(zone, 'ctx_mtime');
  // The last stamped record was written no later than the file's mtime: its day is the mtime's day, or the day
  // before when its clock reads later than the mtime's (a few minutes' grace for clock skew).
  const lastDayShift = `CASE WHEN s_last::TIME > ${mtimeLocal}::TIME + INTERVAL 5 MINUTE THEN 1 ELSE 0 END`;
  const firstDay = `CASE ctx_anchor WHEN 'first' THEN ctx_date WHEN 'last' THEN ${mtimeLocal}::DATE - ${lastDayShift} - s_k_total END`;
  const lastYearShift = `CASE WHEN s_last > make_timestamp(2000, month(${mtimeLocal}), day(${mtimeLocal}), hour(${mtimeLocal}), minute(${mtimeLocal}), second(${mtimeLocal})) + INTERVAL 5 MINUTE THEN 1 ELSE 0 END`;
  const firstYear = `CASE ctx_anchor WHEN 'first' THEN year(ctx_date) WHEN 'last' THEN year(${mtimeLocal}) - ${lastYearShift} - s_k_total END`;
  const withYear = (y: string) => `try(make_timestamp(${y}, month(s_part), day(s_part), hour(s_part), minute(s_part), second(s_part) + microsecond(s_part) % 1000000 / 1e6))`;
  const envLocal = localSql(zone, 'env_ts');
  // From the envelope: the candidate nearest to the envelope's own instant (the inner clock may sit a day off UTC).
  const envDate = `(${envLocal}::DATE + s_part::TIME) + CASE WHEN (${envLocal}::DATE + s_part::TIME) - ${envLocal} > INTERVAL 12 HOUR THEN INTERVAL '-1 day'
      WHEN (${envLocal}::DATE + s_part::TIME) - ${envLocal} < INTERVAL '-12 hours' THEN INTERVAL '1 day' ELSE INTERVAL '0 day' END`;
  const envYear = `CASE WHEN ${withYear(`year(${envLocal})`)} - ${envLocal} > INTERVAL 183 DAY THEN ${withYear(`year(${envLocal}) - 1`)}
      WHEN ${withYear(`year(${envLocal})`)} - ${envLocal} < INTERVAL '-183 days' THEN ${withYear(`year(${envLocal}) + 1`)} ELSE ${withYear(`year(${envLocal})`)} END`;
  const local = `CASE WHEN s_part IS NULL THEN NULL
      WHEN env_ts IS NOT NULL THEN CASE s_need WHEN 'date' THEN ${envDate} ELSE ${envYear} END
      WHEN s_need = 'date' THEN (${firstDay} + s_k) + s_part::TIME
      ELSE ${withYear(`${firstYear} + s_k`)} END`;
  return `(SELECT *, ${zoneSql(zone, `(${local})`)} AS s_inferred,
      CASE WHEN s_part IS NULL THEN NULL WHEN env_ts IS NOT NULL THEN 'envelope' ELSE 'context' END AS s_rule
    FROM (${counted}) p2)`;
}

/** The ts_flag of a record whose time was completed from context. */
export function inferredFlag(need: StampNeed): string {
  return need === 'date' ? 'date-inferred' : 'year-inferred';
}
