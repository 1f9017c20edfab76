// The field sidebar's numbers: for the events a filter matches, every field with how many events carry it, how
// many distinct values it has and its top values. Past `sample` matching events the numbers come from a random
// sample of that many (said in the result), so a million-row result costs what a small one does.
import type { EventFilter } from '../../../shared/domain';
import type { FieldStats } from '../../../shared/contract';
import type { SqlRead } from '../store/db';
import { checkFilter, fieldValueExpr, whereClause } from './filter';
import { countMatching } from './count';
import { elapsedMs, num, Params } from '../store/sql';
import { fieldsSql } from '../store/schema';
import { EngineError } from '../util/errors';
import { inIdWindows, windowsOfIds } from './idWindows';
import { eventSource } from './textIndex';

/** Matching events read when none is given; above it the statistics come from a sample. As in Kibana's Discover
 * the default is small (the sidebar redraws on every filter change); the operator asks for more when counts matter. */
export const FIELD_STATS_SAMPLE = 1_000;
/** Fields reported at most (most common first): a sidebar past this is not read by anyone. */
export const FIELD_STATS_MAX_FIELDS = 300;
/** Rows in one of DuckDB's vectors: what a block sample (TABLESAMPLE system) picks or skips whole. */
const VECTOR_ROWS = 2048;
/** Vectors a sampled result reads at least, so the sample spans many files and moments rather than a few blocks. */
const SAMPLE_VECTORS = 48;

/** Record columns the sidebar offers next to the keys of `fields` (filter.ts filters on them by the same names). */
const COLUMN_FIELDS = ['logger', 'file', 'bundle'] as const;

/** The sample size spliced into SQL (DuckDB takes no parameter there): a positive safe integer or nothing. */
function sampleRows(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new EngineError('invalid_input', `A field statistics sample of ${n} rows is not a positive whole number.`);
  return n;
}

export interface FieldStatsRequest {
  filter: EventFilter; top: number; sample?: number;
  /** False: sample from every vector (the fallback when a block sample holds too few matches). */
  blockSample?: boolean;
}

/**
 * The share of the case's vectors (percent, whole-block sampling) expected to hold one and a half times `sample`
 * matching rows, and at least SAMPLE_VECTORS vectors; null when that is most of the case (every vector is read
 * anyway). Each vector costs the text of its 2,048 rows: the fewer, the faster (a short one falls back, see below).
 */
async function blockPercent(db: SqlRead, matching: number, sample: number): Promise<number | null> {
  const [r] = await db.read<{ n: string | number }>('SELECT count(*) AS n FROM event_store');
  const rows = num(r?.n);
  if (!rows || !matching) return null;
  const share = Math.max((1.5 * sample) / matching, (SAMPLE_VECTORS * VECTOR_ROWS) / rows);
  return share >= 0.5 ? null : Math.max(0.01, Math.round(share * 10_000) / 100);
}

export async function fieldStats(db: SqlRead, req: FieldStatsRequest): Promise<FieldStats> {
  const t0 = performance.now();
  await checkFilter(db, req.filter);
  const sample = req.sample ?? FIELD_STATS_SAMPLE;
  const total = await countMatching(db, req.filter);
  const sampled = total.capped || total.count > sample;
  // Only ids are sampled (cheap columns) and fetched; the text of the chosen rows is read afterwards by id windows.
  // REPEATABLE keeps the numbers still while the operator looks at the same result. Rows spread over the whole case
  // would decompress nearly every vector of `fields`/`raw` (0.6–2.5 s on 3.3 M events; a text filter would scan
  // `raw` once more): a large result is first narrowed to a block sample of vectors expected to hold several times
  // the sample, so only those vectors are read.
  const blocks = sampled && req.blockSample !== false ? await blockPercent(db, total.count, sampleRows(sample)) : null;
  // Only the blocks the text index leaves (if it narrows the search), or its matched rows, are sampled or read.
  const source = await eventSource(db, req.filter);
  const ip = new Params();
  const where = whereClause(source.rest, ip);
  const from = blocks === null || source.narrowed ? `${source.from(ip)} s` : `event_store s TABLESAMPLE ${blocks}% (system, 16)`;
  const ids = (await db.read<{ id: string | number }>(sampled
    ? `SELECT id FROM (SELECT s.id FROM ${from} WHERE ${where}) USING SAMPLE reservoir(${sampleRows(sample)} ROWS) REPEATABLE (16)`
    : `SELECT s.id FROM ${from} WHERE ${where}`, ip.values)).map((r) => num(r.id));
  const p = new Params();
  const columns = COLUMN_FIELDS.map((c) => `${fieldValueExpr(c, p)} AS "${c}"`).join(', ');
  const top = p.add(req.top);
  // A key of `fields` named like a record column is left out: a filter on that name reads the column.
  const rows = await db.read<{ k: string; n: string; d: string; top: { value: string; count: string | number }[] | null; seen: string }>(
    `WITH picked AS MATERIALIZED (SELECT ${fieldsSql('s')} AS f, ${columns} FROM (${inIdWindows('s.id, s.fields, s.raw, s.logger, s.file_id', windowsOfIds(ids), p)}) s),
     kv AS (
       SELECT e.key AS k, e.value ->> '$' AS v
       FROM picked, json_each(CASE WHEN json_valid(picked.f) AND json_type(picked.f) = 'OBJECT' THEN picked.f END) e
       WHERE e.type <> 'NULL' AND e.key NOT IN (${COLUMN_FIELDS.map((c) => `'${c}'`).join(', ')})
       ${COLUMN_FIELDS.map((c) => `UNION ALL SELECT '${c}', "${c}" FROM picked WHERE "${c}" IS NOT NULL`).join(' ')}
     ),
     per AS (SELECT k, count(*) AS n, count(DISTINCT v) AS d FROM kv GROUP BY k ORDER BY n DESC, k LIMIT ${FIELD_STATS_MAX_FIELDS}),
     counted AS (SELECT k, v, count(*) AS n FROM kv WHERE k IN (SELECT k FROM per) GROUP BY k, v),
     ranked AS (SELECT k, v, n, row_number() OVER (PARTITION BY k ORDER BY n DESC, v) AS rn FROM counted)
     SELECT per.k, per.n, per.d, (SELECT count(*) FROM picked) AS seen,
            (SELECT list({'value': r.v, 'count': r.n} ORDER BY r.n DESC, r.v) FROM ranked r WHERE r.k = per.k AND r.rn <= ${top}) AS top
     FROM per ORDER BY per.n DESC, per.k`, p.values);
  const seen = rows.length ? num(rows[0]!.seen) : Math.min(total.count, sample);
  // A block sample that came up short (matches bunched in a few places) is read again from every vector.
  if (blocks !== null && seen < sample) return fieldStats(db, { ...req, blockSample: false });
  return {
    total: total.count, totalCapped: total.capped, sampled, rowsRead: seen,
    fields: rows.map((r) => ({
      field: r.k, count: num(r.n), distinct: num(r.d),
      top: (r.top ?? []).map((t) => ({ value: t.value, count: num(t.count) })),
    })),
    queryMs: elapsedMs(t0),
  };
}
