// The per-minute summary (issue 16) against the events it summarises: a real generated case imported through the
// engine; the full-range histogram answered from the summary equals a count of the events themselves, a stale or
// missing summary falls back to the scan, and verify names an edited summary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { Engine } from '../engine';
import { CaseDb } from '../store/db';
import { buildEventMinutes } from '../store/eventMinutes';
import { LEVELS } from '../../../shared/domain';
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
  const r = await engine.call('events.sql', { caseId, sql: `
    SELECT source, least((epoch_ms(ts) - epoch_ms(TIMESTAMPTZ '${h.from}')) // ${h.bucketMs}, ${h.buckets - 1}) AS b, ${slot} AS l, count(*) AS n
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
    expect(r.problems.find((p) => p.file === 'event_minutes')?.problem).toMatch(/1 stored row\(s\) not derivable from them, 1 derivable row\(s\) missing/);
    expect(r.problems.map((p) => p.file)).toEqual(['event_minutes']);
    await edit((db) => db.run(`UPDATE event_hours SET n = n - 1 WHERE rowid = (SELECT min(rowid) FROM event_hours WHERE n > 1)`));
    expect((await engine.call('case.verify', { caseId })).problems.map((p) => p.file)).toEqual(['event_minutes', 'event_hours']);
  }, 120_000);
});
