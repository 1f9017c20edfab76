// What is in the case: sources with their time spans, field names, and the top values of one field.
import type { EventFilter } from '../../../shared/domain';
import type { SqlRead } from '../store/db';
import { checkFilter, fieldValueExpr, whereClause } from './filter';
import { elapsedMs, isoFromMicros, num, Params } from '../store/sql';
import { fieldsSql } from '../store/schema';
import { inIdWindows } from './idWindows';
import { EVENT_HOURS, eventMinutesCurrent } from '../store/eventMinutes';
import { eventSource } from './textIndex';

export interface SourceSummary { source: string; count: number; from: string | null; to: string | null }

export async function sources(db: SqlRead): Promise<SourceSummary[]> {
  // The hourly summary holds each source's count and first and last instant exactly (a sum over thousands of rows,
  // asked at every startup, instead of a scan of every event).
  const rows = await db.read<{ source: string; n: string; lo: string | null; hi: string | null }>(await eventMinutesCurrent(db)
    ? `SELECT source, sum(n) AS n, epoch_us(min(lo)) AS lo, epoch_us(max(hi)) AS hi FROM ${EVENT_HOURS} GROUP BY source ORDER BY source`
    : `SELECT source, count(*) AS n, epoch_us(min(ts)) AS lo, epoch_us(max(ts)) AS hi FROM event_store GROUP BY source ORDER BY source`);
  return rows.map((r) => ({ source: r.source, count: num(r.n), from: isoFromMicros(r.lo), to: isoFromMicros(r.hi) }));
}

/** Rows read to list field names. Above this the names come from a sample (a rare key may then be missing, counts are estimates). */
export const FIELD_NAMES_SAMPLE = 50_000;

/** Distinct top-level keys of `fields` with how many events carry each, most common first. */
export async function fieldNames(db: SqlRead, sample = FIELD_NAMES_SAMPLE): Promise<{ field: string; count: number }[]> {
  const [t] = await db.read<{ n: string; lo: string | null; hi: string | null }>(
    `SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM event_store`);
  const total = num(t?.n);
  const p = new Params();
  let from = 'event_store s';
  if (total > sample) {
    // A sample of evenly spaced id windows (a reservoir sample decompresses every row's JSON: 4.5 s on 2.4 M rows).
    const windows = 40;
    const lo = num(t?.lo);
    const step = (num(t?.hi) - lo + 1) / windows;
    const width = Math.max(1, Math.floor(sample / windows));
    from = `(${inIdWindows('s.fields, s.raw', Array.from({ length: windows }, (_, i) => Math.floor(lo + i * step)).map((a) => ({ lo: a, hi: a + width - 1 })), p)}) s`;
  }
  const rows = await db.read<{ k: string | null; n: string; seen: string }>(
    `WITH sampled AS (SELECT ${fieldsSql('s')} AS fields FROM ${from})
     SELECT k, count(*) AS n, (SELECT count(*) FROM sampled) AS seen
     FROM (SELECT unnest(json_keys(fields)) AS k FROM sampled WHERE json_type(fields) = 'OBJECT')
     GROUP BY k ORDER BY n DESC, k`, p.values);
  const scale = total / Math.max(1, num(rows[0]?.seen));
  return rows.flatMap((r) => (r.k === null ? [] : [{ field: r.k, count: Math.round(num(r.n) * scale) }]));
}

export interface FieldValues { field: string; values: { value: string; count: number }[]; queryMs: number }

/** The most common values of one field among the events a filter matches (NULL / missing left out). */
export async function fieldValues(db: SqlRead, filter: EventFilter, field: string, limit: number): Promise<FieldValues> {
  const t0 = performance.now();
  await checkFilter(db, filter);
  const source = await eventSource(db, filter);
  const p = new Params();
  const where = whereClause(source.rest, p);
  const expr = fieldValueExpr(field, p);
  const rows = await db.read<{ v: string; n: string }>(
    `SELECT v, count(*) AS n FROM (SELECT ${expr} AS v FROM ${source.from(p)} s WHERE ${where}) WHERE v IS NOT NULL
     GROUP BY v ORDER BY n DESC, v LIMIT ${p.add(limit)}`, p.values);
  return { field, values: rows.map((r) => ({ value: r.v, count: num(r.n) })), queryMs: elapsedMs(t0) };
}
