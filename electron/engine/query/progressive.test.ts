// Query paths that lean on the per-minute summary, against the plain answer on a real DuckDB case: a text search
// pages progressively in time slices (its total left pending, then counted), a source/level filter is counted from
// the summary. The generated events are spread over ten hours so that pages cross many slices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cursor, EventFilter } from '../../../shared/domain';
import { CaseHandle } from '../case/caseStore';
import { clearCountCache, countMatching } from './count';
import { page } from './events';
import { histogram } from './histogram';
import { BASE_MS, buildCase, generate, type GenRow } from '../../testkit/testCase';

const base = generate();
// Ten minutes of events stretched to about ten hours (raw text kept: searches read it, not the times).
const rows: GenRow[] = base.rows.map((e) => {
  if (e.tsMs === null) return e;
  const tsMs = BASE_MS + (e.tsMs - BASE_MS) * 37;
  return { ...e, tsMs, ts: new Date(tsMs).toISOString() };
});
let handle: CaseHandle;
let cleanup: () => Promise<void>;
let plain: { handle: CaseHandle; cleanup: () => Promise<void> };

beforeAll(async () => {
  ({ handle, cleanup } = await buildCase({ files: base.files, rows }, { summary: true }));
  plain = await buildCase({ files: base.files, rows }); // the same events, no summary: the plain full query
});
afterAll(async () => { await cleanup(); await plain.cleanup(); });

const hours = new Set(rows.flatMap((e) => (e.tsMs === null ? [] : [Math.floor(e.tsMs / 3_600_000)])));

async function walk(h: CaseHandle, filter: EventFilter, dir: 'forward' | 'backward', limit: number): Promise<number[]> {
  const ids: number[] = [];
  let cursor: Cursor | undefined = dir === 'backward' ? { ts: null, id: Number.MAX_SAFE_INTEGER } : undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const pg = await page(h.db, { filter, limit, countLater: true, firstSlice: 40, ...(cursor ? { [dir === 'forward' ? 'after' : 'before']: cursor } : {}) });
    if (dir === 'forward') ids.push(...pg.rows.map((r) => r.id)); else ids.unshift(...pg.rows.map((r) => r.id));
    cursor = (dir === 'forward' ? pg.next : pg.prev) ?? undefined;
    if (!cursor) return ids;
  }
  throw new Error('paging did not end');
}

const TEXT: [string, EventFilter][] = [
  ['common substring', { text: 'timeout' }],
  ['rare substring', { text: '#1234 ' }],
  ['regex', { text: 'Trace(back)? \\(most', regex: true }],
  ['text + level + source', { text: 'request', levels: ['ERROR', 'INFO'], sources: ['system', 'celery'] }],
  ['text + time range', { text: 'heartbeat', from: new Date(BASE_MS + 2 * 3_600_000 + 123_000).toISOString(), to: new Date(BASE_MS + 6 * 3_600_000 + 5_000).toISOString() }],
  ['text on the untimed file', { text: 'übersicht', sources: ['raw'] }],
  ['nothing matches', { text: 'no such text anywhere' }],
];

describe('progressive text paging (summary present)', () => {
  it('the data crosses many summary hours and has untimed events', () => {
    expect(hours.size).toBeGreaterThan(6);
    expect(rows.some((e) => e.ts === null)).toBe(true);
  });

  it.each(TEXT)('%s: pages forward and backward equal the plain query; the total is pending, then exact', async (_n, filter) => {
    const want = await walk(plain.handle, filter, 'forward', 1000);
    expect(await walk(handle, filter, 'forward', 23)).toEqual(want);
    expect(await walk(handle, filter, 'backward', 29)).toEqual(want);
    clearCountCache(handle.db);
    const first = await page(handle.db, { filter, limit: 10, countLater: true, firstSlice: 40 });
    // A first page left short has read every slice: it knows the total.
    if (want.length > 10) expect(first.totalPending).toBe(true);
    else expect([first.total, first.totalPending]).toEqual([want.length, undefined]);
    expect(first.rows.map((r) => r.id)).toEqual(want.slice(0, 10));
    expect((await countMatching(handle.db, filter)).count).toBe(want.length);
    // Once counted, later pages carry the total.
    const again = await page(handle.db, { filter, limit: 10, countLater: true, firstSlice: 40 });
    expect(again.totalPending).toBeUndefined();
    expect(again.total).toBe(want.length);
  });
});

describe('counts from the summary', () => {
  it.each<[string, EventFilter]>([
    ['everything', {}],
    ['one level', { levels: ['ERROR'] }],
    ['levels and sources', { levels: ['WARNING', 'CRITICAL'], sources: ['celery', 'raw'] }],
    ['a source with untimed events', { sources: ['raw'] }],
  ])('%s: the same exact count as a scan', async (_n, filter) => {
    clearCountCache(handle.db);
    const fromSummary = await countMatching(handle.db, filter);
    const scanned = await countMatching(plain.handle.db, filter);
    expect(fromSummary).toEqual(scanned);
    expect(scanned.count).toBeGreaterThan(0);
  });

  it('two callers of one count share the scan', async () => {
    clearCountCache(handle.db);
    const f: EventFilter = { text: 'retry' };
    const db = handle.db;
    const read = db.read.bind(db);
    const scans: string[] = [];
    db.read = ((sql: string, params?: never) => { if (sql.includes('event_store')) scans.push(sql); return read(sql, params); }) as typeof db.read;
    try {
      const [a, b] = await Promise.all([countMatching(db, f), countMatching(db, f)]);
      expect(a).toEqual(b);
      expect(a.count).toBe(rows.filter((e) => e.raw.toLowerCase().includes('retry')).length);
      expect(scans.filter((q) => q.includes('count(*)') && q.includes('regexp_matches'))).toHaveLength(1);
    } finally { db.read = read; }
  });
});

describe('a rare word\'s short first page', () => {
  it.each<[string, EventFilter]>([
    ['a few matches', { text: '#1234 ' }],
    ['a few in a range', { text: 'übersicht', sources: ['raw'] }],
    ['none', { text: 'no such text anywhere' }],
  ])('%s: carries the total, and the histogram reads those rows, not the text again', async (_n, filter) => {
    clearCountCache(handle.db);
    const want = await walk(plain.handle, filter, 'forward', 1000);
    expect(want.length).toBeLessThan(200);
    const first = await page(handle.db, { filter, limit: 200, countLater: true, firstSlice: 40 });
    expect([first.total, first.totalPending]).toEqual([want.length, undefined]);
    const db = handle.db;
    const read = db.read.bind(db);
    const scans: string[] = [];
    db.read = ((sql: string, params?: never) => { if (sql.includes('regexp_matches')) scans.push(sql); return read(sql, params); }) as typeof db.read;
    try {
      const { queryMs: _a, ...h } = await histogram(db, { filter, buckets: 50 });
      const { queryMs: _b, ...scanned } = await histogram(plain.handle.db, { filter, buckets: 50 });
      expect(h).toEqual(scanned);
      expect(scans).toEqual([]);
    } finally { db.read = read; }
  });
});

describe('a text histogram counts for events.count', () => {
  it.each<[string, EventFilter, boolean]>([
    ['full range', { text: 'timeout' }, false],
    ['the filter\'s own range', { text: 'request', from: new Date(BASE_MS + 3_600_000).toISOString(), to: new Date(BASE_MS + 5 * 3_600_000).toISOString() }, true],
  ])('%s: the count it leaves is the exact count, and no second scan is made', async (_n, filter, ranged) => {
    clearCountCache(handle.db);
    const db = handle.db;
    const read = db.read.bind(db);
    const counts: string[] = [];
    db.read = ((sql: string, params?: never) => { if (sql.includes('count(*) AS n FROM (SELECT 1')) counts.push(sql); return read(sql, params); }) as typeof db.read;
    try {
      const h = histogram(db, { filter, buckets: 50, ...(ranged ? { range: { from: filter.from!, to: filter.to! } } : {}) });
      const c = await countMatching(db, filter);
      await h;
      expect(c).toEqual(await countMatching(plain.handle.db, filter));
      expect(c.count).toBeGreaterThan(0);
      expect(counts).toHaveLength(0);
    } finally { db.read = read; }
  });
});

describe('a zoom\'s histogram counts for the table\'s page', () => {
  // Mid-minute ends, so the count has partial minutes to scan at both ends (as the timeline's brush leaves them).
  const from = new Date(BASE_MS + 2 * 3_600_000 + 17_123).toISOString();
  const to = new Date(BASE_MS + 7 * 3_600_000 + 41_456).toISOString();
  // 2,000 buckets over five hours are narrower than a minute: that histogram scans the events instead of the summary.
  it.each<[string, EventFilter, number]>([
    ['a range', { from, to }, 60],
    ['a range, levels and sources', { levels: ['ERROR', 'INFO'], sources: ['celery', 'system'], from, to }, 60],
    ['a range in buckets under a minute (scanned)', { from, to }, 2000],
  ])('%s: the page asked beside the histogram carries its exact count, and nothing counts again', async (_n, filter, buckets) => {
    clearCountCache(handle.db);
    const db = handle.db;
    expect(db.readOnly).toBe(true);
    const read = db.read.bind(db);
    const counts: string[] = [];
    // The range's own count (summary minutes plus the events of the two partial minutes, count.ts).
    db.read = ((sql: string, params?: never) => { if (/AS n$/.test(sql.trim()) && sql.includes('count(*)')) counts.push(sql); return read(sql, params); }) as typeof db.read;
    try {
      // As the UI asks them on a brush's release: the histogram, then the table's first page.
      const [h, pg] = await Promise.all([
        histogram(db, { filter, range: { from, to }, buckets }),
        page(db, { filter, limit: 20, countLater: true }),
      ]);
      const want = await countMatching(plain.handle.db, filter);
      expect(want.count).toBeGreaterThan(20);
      expect(h.lanes.reduce((a, l) => a + l.total, 0)).toBe(want.count);
      expect([pg.total, pg.totalPending]).toEqual([want.count, undefined]);
      expect(pg.rows.map((r) => r.id)).toEqual((await walk(plain.handle, filter, 'forward', 1000)).slice(0, 20));
      expect(counts).toEqual([]);
    } finally { db.read = read; }
  });
});
