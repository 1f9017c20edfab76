// The per-minute summary (issue 16) against the events it summarises: a real generated case imported through the
// engine; the full-range histogram answered from the summary equals a count of the events themselves, a stale or
// missing summary falls back to the scan, and verify names an edited summary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Engine } from '../engine';
import { CaseDb } from '../store/db';
import { buildEventMinutes } from '../store/eventMinutes';
import { LEVELS, type EventFilter } from '../../../shared/domain';
import type { Histogram } from '../../../shared/contract';
import { generateTree } from '../../testkit/synth/generate';
import { removeDir, tempDir } from '../../testkit/tmp';

const root = tempDir('casefile-minutes-');
const caseDir = path.join(root, 'case');
const dbFile = path.join(caseDir, 'case.duckdb');
let engine: Engine;
let caseId = '';

async function edit<T>(fn: (db: CaseDb) => Promise<T>): Promise<T> {
  await engine.call('cases.close', { caseId });
  const db = await CaseDb.open(dbFile);
  try { return await fn(db); } finally {
    await db.run('CHECKPOINT'); db.close();
    caseId = (await engine.call('cases.open', { dir: caseDir })).id;
  }
}

/** The same cells counted from the events, with the histogram's own start and bucket width. */
async function counted(h: Histogram, where = 'TRUE'): Promise<Map<string, number>> {
  const slot = `CASE level ${LEVELS.map((l, i) => `WHEN '${l}' THEN ${i}`).join(' ')} ELSE ${LEVELS.length} END`;
  // In microseconds, as the engine buckets (a range may start between two milliseconds).
  const r = await engine.call('events.sql', { caseId, sql: `
    SELECT source, least((epoch_us(ts) - epoch_us(TIMESTAMPTZ '${h.from}')) // ${h.bucketMs * 1000}, ${h.buckets - 1}) AS b, ${slot} AS l, count(*) AS n
    FROM events WHERE ts IS NOT NULL AND ${where} GROUP BY ALL` });
  return new Map(r.rows.map((x) => [`${String(x.source)}/${Number(x.b)}/${Number(x.l)}`, Number(x.n)]));
}
function cells(h: Histogram): Map<string, number> {
  const m = new Map<string, number>();
  for (const lane of h.lanes) lane.counts.forEach((row, b) => row.forEach((n, l) => { if (n) m.set(`${lane.source}/${b}/${l}`, n); }));
  return m;
}

beforeAll(async () => {
  const g = await generateTree(path.join(root, 'tree'), { targetBytes: 400_000, seed: 7, faults: true });
  engine = await Engine.create({ via: 'test' });
  caseId = (await engine.call('cases.create', { name: 'minutes', dir: caseDir })).id;
  await engine.call('import.paths', { caseId, paths: [g.root] });
}, 300_000);
afterAll(async () => { await engine.close(); removeDir(root); });

describe('the per-minute summary answers the full-range histogram', () => {
  it('is built at import and gives exactly the events\' counts, starting on a whole minute', async () => {
    const h = await engine.call('events.histogram', { caseId, filter: {}, buckets: 300 });
    expect(Date.parse(h.from) % 60_000).toBe(0);
    expect(h.bucketMs % 60_000).toBe(0);
    expect(h.buckets).toBeLessThanOrEqual(300);
    const total = await engine.call('events.page', { caseId, filter: {}, limit: 1 });
    const untimed = Number((await engine.call('events.sql', { caseId, sql: 'SELECT count(*) AS n FROM events WHERE ts IS NULL' })).rows[0]!.n);
    expect(h.lanes.reduce((a, l) => a + l.total, 0) + h.untimed).toBe(total.total);
    expect(h.untimed).toBe(untimed);
    expect(cells(h)).toEqual(await counted(h));
    const last = Number((await engine.call('events.sql', { caseId, sql: `SELECT epoch_ms(max(ts)) AS t FROM events` })).rows[0]!.t);
    expect(Date.parse(h.to)).toBe(last);
    // The bucket grid starts on a whole minute; the range shown starts on the first event, as a scan's does.
    const firstMs = Number((await engine.call('events.sql', { caseId, sql: `SELECT epoch_ms(min(ts)) AS t FROM events` })).rows[0]!.t);
    expect(Date.parse(h.first!)).toBe(firstMs);
    expect([Math.floor(firstMs / 60_000) * 60_000, Math.floor(firstMs / 3_600_000) * 3_600_000]).toContain(Date.parse(h.from));
  });

  it('a long range in few buckets is read from the hourly rollup, starting on a whole hour, still exact', async () => {
    const span = (await engine.call('events.sql', { caseId, sql: `SELECT epoch_ms(max(ts)) - epoch_ms(min(ts)) AS ms FROM events` })).rows[0]!.ms;
    expect(Number(span)).toBeGreaterThan(3 * 3_600_000);
    const h = await engine.call('events.histogram', { caseId, filter: {}, buckets: 3 });
    expect(Date.parse(h.from) % 3_600_000).toBe(0);
    expect(h.bucketMs % 3_600_000).toBe(0);
    expect(cells(h)).toEqual(await counted(h));
    const minutes = await engine.call('events.histogram', { caseId, filter: {}, buckets: 2000 });
    expect(Date.parse(minutes.from) % 3_600_000).not.toBe(0);
    expect(cells(minutes)).toEqual(await counted(minutes));
  });

  it('answers level and source filters exactly, and hostile values stay values', async () => {
    const h = await engine.call('events.histogram', { caseId, filter: { levels: ['ERROR', 'WARNING'], sources: ['celery', "x') OR TRUE --"] }, buckets: 50 });
    expect(h.lanes.map((l) => l.source)).toEqual(['celery']);
    expect(cells(h)).toEqual(await counted(h, `level IN ('ERROR', 'WARNING') AND source = 'celery'`));
    expect(h.lanes[0]!.total).toBeGreaterThan(0);
  });

  it('a zoomed range is read from the summary inside it and from the events at its two ends, still exact', async () => {
    // Both ends on an event's own instant (inclusive), and both mid-minute, so every edge case of the split shows.
    const q = await engine.call('events.sql', { caseId, sql: `SELECT epoch_ms(quantile_disc(ts, 0.2)) AS a, epoch_ms(quantile_disc(ts, 0.8)) AS b FROM events WHERE ts IS NOT NULL AND epoch_ms(ts) % 60000 <> 0` });
    const from = new Date(Number(q.rows[0]!.a)).toISOString();
    const to = new Date(Number(q.rows[0]!.b)).toISOString();
    for (const filter of [{ from, to }, { from, to, levels: ['ERROR', 'INFO'] as ('ERROR' | 'INFO')[], sources: ['celery', 'gunicorn'] }]) {
      const h = await engine.call('events.histogram', { caseId, filter, range: { from, to }, buckets: 40 });
      expect(Date.parse(h.from) % 60_000).toBe(0);
      expect(h.first).toBe(from);
      expect(h.to).toBe(to);
      expect(h.bucketMs % 60_000).toBe(0);
      const where = [`ts BETWEEN TIMESTAMPTZ '${from}' AND TIMESTAMPTZ '${to}'`,
        ...(filter.levels ? [`level IN ('ERROR', 'INFO') AND source IN ('celery', 'gunicorn')`] : [])].join(' AND ');
      const want = await counted(h, where);
      expect(want.size).toBeGreaterThan(0);
      expect(cells(h)).toEqual(want);
      const total = await engine.call('events.page', { caseId, filter, limit: 1 });
      const untimed = Number((await engine.call('events.sql', { caseId, sql: `SELECT count(*) AS n FROM events WHERE ts IS NULL${filter.levels ? ` AND level IN ('ERROR', 'INFO') AND source IN ('celery', 'gunicorn')` : ''}` })).rows[0]!.n);
      expect(h.lanes.reduce((a, l) => a + l.total, 0)).toBe(total.total);
      expect(h.untimed).toBe(untimed);
    }
  });

  it('counts a time range from the summary inside it and the events at its two partial-minute ends, exactly', async () => {
    // Lines with no time at all (a plain notes file): events of the case that no time range may count.
    const notes = path.join(root, 'notes', 'operator-notes.txt');
    mkdirSync(path.dirname(notes), { recursive: true });
    writeFileSync(notes, Array.from({ length: 40 }, (_, i) => `note ${i}: restarted the worker by hand`).join('\n') + '\n');
    await engine.call('import.paths', { caseId, paths: [notes] });
    // Ends mid-minute, each with events between it and the minute boundary, so dropping either edge changes the count.
    const q = await engine.call('events.sql', { caseId, sql: `SELECT epoch_us(quantile_disc(ts, 0.25)) AS a, epoch_us(quantile_disc(ts, 0.7)) AS b FROM events WHERE ts IS NOT NULL` });
    const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString().replace('Z', `${String(us % 1000).padStart(3, '0')}Z`);
    const from = iso(Number(q.rows[0]!.a) - 1);
    const to = iso(Number(q.rows[0]!.b) + 1);
    expect(Date.parse(from) % 60_000).not.toBe(0);
    expect(Date.parse(to) % 60_000).not.toBe(0);
    const sql = async (where: string) => Number((await engine.call('events.sql', { caseId, sql: `SELECT count(*) AS n FROM events WHERE ${where}` })).rows[0]!.n);
    const inRange = `ts BETWEEN TIMESTAMPTZ '${from}' AND TIMESTAMPTZ '${to}'`;
    expect(await sql(`ts >= TIMESTAMPTZ '${from}' AND ts < date_trunc('minute', TIMESTAMPTZ '${from}') + INTERVAL 1 MINUTE`)).toBeGreaterThan(0);
    expect(await sql(`ts >= date_trunc('minute', TIMESTAMPTZ '${to}') AND ts <= TIMESTAMPTZ '${to}'`)).toBeGreaterThan(0);
    // Untimed events exist (the unfiltered case below matches them but for the range): the count must leave them out.
    expect(await sql('ts IS NULL')).toBeGreaterThan(0);
    const cases: [EventFilter, string][] = [
      [{}, 'TRUE'],
      [{ sources: ['celery'] }, `source = 'celery'`],
      [{ levels: ['ERROR', 'INFO'] }, `level IN ('ERROR', 'INFO')`],
      [{ sources: ['celery', 'gunicorn'], levels: ['ERROR', 'INFO'] }, `source IN ('celery', 'gunicorn') AND level IN ('ERROR', 'INFO')`],
    ];
    for (const [filter, where] of cases) {
      const want = await sql(`${inRange} AND ${where}`);
      expect(want).toBeGreaterThan(0);
      expect((await engine.call('events.count', { caseId, filter: { ...filter, from, to } })).total).toBe(want);
    }
    // A range inside one minute has no whole minute: the events answer it alone.
    const short = { from, to: iso(Math.floor(Number(q.rows[0]!.a) / 60e6) * 60e6 + 59e6) };
    expect((await engine.call('events.count', { caseId, filter: short })).total)
      .toBe(await sql(`ts BETWEEN TIMESTAMPTZ '${short.from}' AND TIMESTAMPTZ '${short.to}'`));
    // The summary is what answers the whole minutes: one event moved (in the summary only) from a minute outside the
    // range to one inside keeps the summary's total current, and the range's count follows it.
    await edit((db) => db.run(`UPDATE event_minutes SET n = n + CASE WHEN minute > TIMESTAMPTZ '${from}' + INTERVAL 1 MINUTE THEN 1 ELSE -1 END
      WHERE rowid IN ((SELECT min(rowid) FROM event_minutes WHERE minute > TIMESTAMPTZ '${from}' + INTERVAL 1 MINUTE AND minute < TIMESTAMPTZ '${to}' - INTERVAL 1 MINUTE),
                      (SELECT min(rowid) FROM event_minutes WHERE minute < TIMESTAMPTZ '${from}' - INTERVAL 1 MINUTE))`));
    try {
      expect((await engine.call('events.count', { caseId, filter: { from, to } })).total).toBe(await sql(inRange) + 1);
    } finally {
      await edit((db) => buildEventMinutes(db));
    }
    expect((await engine.call('events.count', { caseId, filter: { from, to } })).total).toBe(await sql(inRange));
  }, 120_000);

  it('a range on whole minutes (as the timeline snaps a brush) reads its two end minutes from the summary too, exactly', async () => {
    const q = await engine.call('events.sql', { caseId, sql: `SELECT epoch_us(quantile_disc(ts, 0.3)) AS a, epoch_us(quantile_disc(ts, 0.65)) AS b FROM events WHERE ts IS NOT NULL` });
    const MIN = 60e6;
    const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString().replace('Z', `${String(us % 1000).padStart(3, '0')}Z`);
    const fromUs = Math.floor(Number(q.rows[0]!.a) / MIN) * MIN;
    const toUs = Math.floor(Number(q.rows[0]!.b) / MIN) * MIN + MIN - 1;
    const [from, to] = [iso(fromUs), iso(toUs)];
    expect(to).toMatch(/:59\.999999Z$/);
    const sql = async (where: string) => Number((await engine.call('events.sql', { caseId, sql: `SELECT count(*) AS n FROM events WHERE ${where}` })).rows[0]!.n);
    const inRange = `ts BETWEEN TIMESTAMPTZ '${from}' AND TIMESTAMPTZ '${to}'`;
    // Both end minutes hold events, so leaving either out (or counting a neighbour) changes the numbers.
    expect(await sql(`date_trunc('minute', ts) = TIMESTAMPTZ '${from}'`)).toBeGreaterThan(0);
    expect(await sql(`date_trunc('minute', ts) = date_trunc('minute', TIMESTAMPTZ '${to}')`)).toBeGreaterThan(0);
    const want = await sql(inRange);
    const histTotal = async () => (await engine.call('events.histogram', { caseId, filter: { from, to }, range: { from, to }, buckets: 40 })).lanes.reduce((a, l) => a + l.total, 0);
    const h = await engine.call('events.histogram', { caseId, filter: { from, to }, range: { from, to }, buckets: 40 });
    expect(cells(h)).toEqual(await counted(h, inRange));
    expect(await histTotal()).toBe(want);
    expect((await engine.call('events.count', { caseId, filter: { from, to } })).total).toBe(want);
    // The end minutes come from the summary: one count added (in the summary only) to a cell of each end minute and
    // taken from two cells outside the range keeps the summary's total current, and the range's numbers follow it.
    await edit((db) => db.run(`UPDATE event_minutes SET n = n + CASE WHEN minute BETWEEN TIMESTAMPTZ '${from}' AND TIMESTAMPTZ '${to}' THEN 1 ELSE -1 END
      WHERE rowid IN ((SELECT min(rowid) FROM event_minutes WHERE minute = TIMESTAMPTZ '${from}'),
                      (SELECT min(rowid) FROM event_minutes WHERE minute = date_trunc('minute', TIMESTAMPTZ '${to}')),
                      (SELECT min(rowid) FROM event_minutes WHERE n > 1 AND minute < TIMESTAMPTZ '${from}' - INTERVAL 1 MINUTE),
                      (SELECT max(rowid) FROM event_minutes WHERE n > 1 AND minute > TIMESTAMPTZ '${to}' + INTERVAL 1 MINUTE))`));
    try {
      expect((await engine.call('events.count', { caseId, filter: { from, to } })).total).toBe(want + 2);
      expect(await histTotal()).toBe(want + 2);
    } finally {
      await edit((db) => buildEventMinutes(db));
    }
    expect(await histTotal()).toBe(want);
  }, 120_000);

  it('any range\'s count and histogram equal the events\' own, whether its ends fall on minutes, events or between', async () => {
    const q = await engine.call('events.sql', { caseId, sql: `SELECT list(epoch_us(ts) ORDER BY ts) AS ts FROM (SELECT ts FROM events WHERE ts IS NOT NULL USING SAMPLE 40 ROWS (reservoir, 3))` });
    const instants = (q.rows[0]!.ts as (string | number)[]).map(Number);
    const MIN = 60e6;
    const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString().replace('Z', `${String(us % 1000).padStart(3, '0')}Z`);
    // From each sampled instant: itself, a microsecond either side, its minute's start and its minute's last microsecond.
    const ends = (us: number) => [us, us - 1, us + 1, Math.floor(us / MIN) * MIN, Math.floor(us / MIN) * MIN + MIN - 1];
    const sql = async (where: string) => Number((await engine.call('events.sql', { caseId, sql: `SELECT count(*) AS n FROM events WHERE ${where}` })).rows[0]!.n);
    for (let i = 0; i + 1 < instants.length; i += 3) {
      const a = ends(instants[i]!)[i % 5]!, b = ends(instants[i + 1 + (i % 7 === 0 ? 5 : 0)] ?? instants[i + 1]!)[(i + 2) % 5]!;
      if (b <= a) continue;
      const [from, to] = [iso(a), iso(b)];
      const want = await sql(`ts BETWEEN TIMESTAMPTZ '${from}' AND TIMESTAMPTZ '${to}'`);
      expect((await engine.call('events.count', { caseId, filter: { from, to, levels: ['INFO', 'ERROR', 'WARNING', 'DEBUG', 'CRITICAL'] } })).total)
        .toBe(await sql(`ts BETWEEN TIMESTAMPTZ '${from}' AND TIMESTAMPTZ '${to}' AND level IN ('INFO', 'ERROR', 'WARNING', 'DEBUG', 'CRITICAL')`));
      const h = await engine.call('events.histogram', { caseId, filter: { from, to }, range: { from, to }, buckets: 30 });
      expect(h.lanes.reduce((x, l) => x + l.total, 0)).toBe(want);
      expect(cells(h)).toEqual(await counted(h, `ts BETWEEN TIMESTAMPTZ '${from}' AND TIMESTAMPTZ '${to}'`));
    }
  }, 120_000);

  it('lists the sources with their counts and spans, the same as the events give', async () => {
    const got = await engine.call('events.sources', { caseId });
    const own = await engine.call('events.sql', { caseId, sql: `SELECT source, count(*) AS n, epoch_ms(min(ts)) AS lo, epoch_ms(max(ts)) AS hi FROM events GROUP BY source ORDER BY source` });
    expect(got.map((s) => [s.source, s.count, s.from && Date.parse(s.from), s.to && Date.parse(s.to)]))
      .toEqual(own.rows.map((r) => [r.source, Number(r.n), r.lo === null ? null : Number(r.lo), r.hi === null ? null : Number(r.hi)]));
  });

  it('a text filter or a stale summary is answered by the scan', async () => {
    const text = await engine.call('events.histogram', { caseId, filter: { text: 'task' }, buckets: 100 });
    const firstTask = Number((await engine.call('events.sql', { caseId, sql: `SELECT epoch_ms(min(ts)) AS t FROM events WHERE raw ILIKE '%task%'` })).rows[0]!.t);
    expect(Date.parse(text.from)).toBe(firstTask);
    // Events the summary does not count (as after a commit whose post-import stage has not run): not trusted.
    const before = await engine.call('events.histogram', { caseId, filter: {}, buckets: 100 });
    await edit((db) => db.run(`DELETE FROM event_minutes WHERE rowid = (SELECT min(rowid) FROM event_minutes WHERE minute IS NOT NULL)`));
    const stale = await engine.call('events.histogram', { caseId, filter: {}, buckets: 100 });
    expect(stale.lanes.reduce((a, l) => a + l.total, 0)).toBe(before.lanes.reduce((a, l) => a + l.total, 0));
    const first = Number((await engine.call('events.sql', { caseId, sql: `SELECT epoch_ms(min(ts)) AS t FROM events` })).rows[0]!.t);
    expect(Date.parse(stale.from)).toBe(first);
    expect([Math.floor(first / 60_000) * 60_000, Math.floor(first / 3_600_000) * 3_600_000]).toContain(Date.parse(before.from));
    expect((await engine.call('case.verify', { caseId })).problems.map((p) => p.file)).toEqual(['event_minutes']);
    await edit((db) => db.run('DROP TABLE event_hours'));
    expect((await engine.call('case.verify', { caseId })).problems.map((p) => p.file)).toEqual(['event_minutes']);
    // Dropped: a cache the histogram can do without, so verify passes and the scan answers.
    await edit((db) => db.run('DROP TABLE event_minutes'));
    expect(Date.parse((await engine.call('events.histogram', { caseId, filter: {}, buckets: 100 })).from)).toBe(first);
    expect((await engine.call('case.verify', { caseId })).ok).toBe(true);
    expect(cells(await engine.call('events.histogram', { caseId, filter: {}, buckets: 100 })).size).toBeGreaterThan(0);
  }, 120_000);

  it('verify names a summary count that was edited to hide events', async () => {
    // Rebuilt (the previous test dropped it) with the engine's own builder, then one count moved to another level.
    await edit(async (db) => {
      await buildEventMinutes(db);
      await db.run(`UPDATE event_minutes SET n = n + 1, slot = 4 WHERE rowid = (SELECT min(rowid) FROM event_minutes WHERE minute IS NOT NULL AND slot <> 4)`);
    });
    const r = await engine.call('case.verify', { caseId });
    expect(r.ok).toBe(false);
    expect(r.problems.find((p) => p.file === 'event_minutes')?.problem).toMatch(/1 stored row not derivable from them, 1 derivable row missing/);
    expect(r.problems.map((p) => p.file)).toEqual(['event_minutes']);
    await edit((db) => db.run(`UPDATE event_hours SET n = n - 1 WHERE rowid = (SELECT min(rowid) FROM event_hours WHERE n > 1)`));
    expect((await engine.call('case.verify', { caseId })).problems.map((p) => p.file)).toEqual(['event_minutes', 'event_hours']);
  }, 120_000);
});
