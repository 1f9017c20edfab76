// The stamps library: every shape's examples are read by JavaScript and by the SQL the import runs (in a real DuckDB),
// and both must give the documented instant; partial stamps are completed from context with a monotonic rollover.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { STAMP_SHAPES, leadingStamp, readStamp, type StampShapeId } from '../formats/stamps';
import { completePartials, stampColumns } from './stampSql';

let conn: DuckDBConnection;
beforeAll(async () => {
  conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run("SET TimeZone = 'UTC'");
});
afterAll(() => conn.closeSync());

interface Rec { text: string; env?: string }
interface Ctx { anchor: 'first' | 'last'; date?: string; mtime?: string }

/** Runs the import's stamp SQL over records of one file, in order; returns ISO UTC instants (or null) and flags. */
async function sqlRead(shapes: StampShapeId[], recs: Rec[], ctx: Ctx, zone = 'UTC'): Promise<{ ts: string | null; rule: string | null }[]> {
  const values = recs.map((r, i) => `(1, ${i + 1}, '${r.text.replace(/'/g, "''")}', ${r.env ? `TIMESTAMPTZ '${r.env}'` : 'NULL::TIMESTAMPTZ'})`).join(', ');
  const rel = `(SELECT *, '${ctx.anchor}' AS ctx_anchor, ${ctx.date ? `DATE '${ctx.date}'` : 'NULL::DATE'} AS ctx_date,
      ${ctx.mtime ? `TIMESTAMPTZ '${ctx.mtime}'` : 'NULL::TIMESTAMPTZ'} AS ctx_mtime
    FROM (SELECT file_id, line, env_ts, ${stampColumns(shapes, 'ts_text', zone, 's')} FROM (VALUES ${values}) v(file_id, line, ts_text, env_ts)) x)`;
  const sql = `SELECT strftime(coalesce(s_abs, s_naive, s_inferred), '%Y-%m-%dT%H:%M:%S.%gZ') AS ts, s_rule AS rule FROM ${completePartials(rel, zone)} ORDER BY line`;
  return (await conn.runAndReadAll(sql)).getRowObjectsJson() as { ts: string | null; rule: string | null }[];
}

/** JavaScript side of an example: partial stamps completed with the example context (2024-01-15). */
function jsRead(text: string, shape: StampShapeId): string | null {
  const s = readStamp(text, [shape]);
  if (!s) return null;
  if (s.utcMs !== undefined) return new Date(s.utcMs).toISOString();
  const d = new Date(s.localMs!);
  if (s.needs === 'date') d.setUTCFullYear(2024, 0, 15);
  else if (s.needs === 'year') d.setUTCFullYear(2024);
  return d.toISOString();
}

describe.each(STAMP_SHAPES.map((s) => [s.id, s] as const))('stamp shape %s', (_id, shape) => {
  it.each(shape.examples.map((e) => [e.text, e] as const))('%s', async (_t, ex) => {
    expect(jsRead(ex.text, shape.id), 'JavaScript reading').toBe(ex.utc);
    const [row] = await sqlRead([shape.id], [{ text: ex.text }], { anchor: 'first', date: '2024-01-15' });
    expect(row!.ts, 'SQL reading').toBe(ex.utc);
    expect(readStamp(ex.text)?.shape, 'tried in library order, the shape reads its own example').toBe(shape.id);
  });
});

describe('partial stamps completed from context', () => {
  it('time-only stamps roll over midnight once, not on jitter', async () => {
    const rows = await sqlRead(['time'], ['23:59:58.100', '00:00:01', '00:00:00.500', '01:00:00', '00:59:00'].map((text) => ({ text })), { anchor: 'first', date: '2024-01-15' });
    expect(rows.map((r) => r.ts)).toEqual(['2024-01-15T23:59:58.100Z', '2024-01-16T00:00:01.000Z', '2024-01-16T00:00:00.500Z', '2024-01-16T01:00:00.000Z', '2024-01-16T00:59:00.000Z']);
    expect(rows.every((r) => r.rule === 'context')).toBe(true);
  });

  it('a DST fall-back (clock steps back an hour) is not a new day', async () => {
    const rows = await sqlRead(['time'], [{ text: '01:50:00' }, { text: '01:10:00' }], { anchor: 'first', date: '2024-11-03' }, 'America/New_York');
    // 01:50 EDT, then 01:10 read in the zone (DuckDB places the ambiguous hour once): the same day either way.
    expect(rows.map((r) => r.ts!.slice(0, 10))).toEqual(['2024-11-03', '2024-11-03']);
  });

  it('the modification time dates the last record (the day before when its clock reads later)', async () => {
    const recs = ['22:00:00', '23:30:00', '00:10:00'].map((text) => ({ text }));
    expect((await sqlRead(['time'], recs, { anchor: 'last', mtime: '2024-01-16T00:20:00Z' })).map((r) => r.ts))
      .toEqual(['2024-01-15T22:00:00.000Z', '2024-01-15T23:30:00.000Z', '2024-01-16T00:10:00.000Z']);
    expect((await sqlRead(['time'], recs, { anchor: 'last', mtime: '2024-01-16T00:01:00Z' })).map((r) => r.ts))
      .toEqual(['2024-01-14T22:00:00.000Z', '2024-01-14T23:30:00.000Z', '2024-01-15T00:10:00.000Z']);
  });

  it('syslog stamps roll over New Year', async () => {
    const rows = await sqlRead(['syslog'], [{ text: 'Dec 31 23:59:59' }, { text: 'Jan  1 00:00:01' }], { anchor: 'first', date: '2023-12-31' });
    expect(rows.map((r) => r.ts)).toEqual(['2023-12-31T23:59:59.000Z', '2024-01-01T00:00:01.000Z']);
  });

  it('the envelope on the same line dates the record, nearest to its instant', async () => {
    const rows = await sqlRead(['time'], [{ text: '23:59:59', env: '2024-01-16T00:00:01Z' }, { text: '00:00:02', env: '2024-01-16T00:00:01Z' }], { anchor: 'first', date: '2020-01-01' });
    expect(rows).toEqual([{ ts: '2024-01-15T23:59:59.000Z', rule: 'envelope' }, { ts: '2024-01-16T00:00:02.000Z', rule: 'envelope' }]);
  });

  it('naive and partial stamps are placed in the site zone (fixed offset and IANA)', async () => {
    expect((await sqlRead(['time'], [{ text: '10:00:00' }], { anchor: 'first', date: '2024-01-15' }, '+05:30'))[0]!.ts).toBe('2024-01-15T04:30:00.000Z');
    expect((await sqlRead(['django'], [{ text: '14/Jul/2024 10:00:00' }], { anchor: 'first' }, 'Asia/Kolkata'))[0]!.ts).toBe('2024-07-14T04:30:00.000Z');
  });

  it('no context at all leaves a partial stamp without time (never a guess)', async () => {
    expect((await sqlRead(['time'], [{ text: '10:00:00' }], { anchor: 'first' }))[0]!.ts).toBeNull();
  });
});

describe('hostile stamps', () => {
  it('impossible values read as no time, never an error', async () => {
    const rows = await sqlRead(['iso', 'epoch', 'time', 'syslog', 'clf', 'time-12h'],
      ['2024-13-45 10:00:00', '99999999999999999999999', '99:99:99', 'Feb 30 10:00:00', '31/Feb/2024:10:00:00 +0000', '13:00:00 PM', "'; DROP TABLE x; --", ''].map((text) => ({ text })),
      { anchor: 'first', date: '2023-01-01' });
    expect(rows.map((r) => r.ts)).toEqual([null, null, null, null, null, null, null, null]);
    expect(readStamp('99:99:99')).toBeNull();
    expect(readStamp('13:00:00 PM')).toBeNull();
  });

  it('a leading stamp is found at the start of a line, bracketed or not', () => {
    expect(leadingStamp('[Tue Sep 03 09:53:18.703332 2024] [wsgi:error] x')).toEqual({ shape: 'apache', text: 'Tue Sep 03 09:53:18.703332 2024' });
    expect(leadingStamp('10:41:07.311 | INFO    | prefect.engine - x')).toEqual({ shape: 'time', text: '10:41:07.311' });
    expect(leadingStamp('1714557600 hello')).toBeNull();
  });
});
