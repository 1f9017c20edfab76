// A search's matched ids, found once and shared (textMatches.ts), on a real DuckDB case with the text index built:
// every query answers what it answers without the shared set and without the index; the queries of one search
// asked at once run the text scan once; a write never lets a set outlive its events; past the cap the blocks are read
// as before; a caller that goes away neither stops the scan for the others nor leaves a stopped scan behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventFilter } from '../../../shared/domain';
import type { CaseHandle } from '../case/caseStore';
import type { SqlRead } from '../store/db';
import { clearCountCache, countMatching } from './count';
import { page } from './events';
import { histogram } from './histogram';
import { fieldStats } from './fieldStats';
import { fieldValues } from './fields';
import { eventSource, forgetEventSources, indexedBlocks } from './textIndex';
import { buildTextIndex } from './textIndexBuild';
import { matchScans, sharedMatches } from './textMatches';
import { isCancelled, withSignal } from '../util/cancel';
import { BASE_MS, buildCase, generate, type GenRow } from '../../testkit/testCase';

const SPREAD = 777;
const base = generate();
const files = base.files.map((f) => ({ ...f, firstId: f.firstId * SPREAD, lastId: f.lastId * SPREAD }));
const spread: GenRow[] = base.rows.map((e) => ({ ...e, id: e.id * SPREAD }));
/** A rare word in a few records far apart (in time and ids), one of them untimed. */
const special = (id: number, raw: string, untimed = false): GenRow => {
  const t = spread[0]!;
  const ts = untimed ? null : new Date(BASE_MS + (id % 600) * 1000).toISOString();
  return { ...t, id, ts, tsMs: ts === null ? null : Date.parse(ts), raw, message: raw, fields: { note: raw, user: 'zed' } };
};
const SPECIALS = [special(5, 'zebrafish at the start'), special(1_000_001, 'ZEBRAFISH in the middle'), special(2_000_003, 'a zebrafish, untimed', true)];
const rows = [...spread, ...SPECIALS].sort((a, b) => a.id - b.id);

let handle: CaseHandle;
let cleanup: () => Promise<void>;

/** The case's read path as a query call gets it (a new one after each write), noting each statement that runs a
 * text condition (`regexp_matches` on `raw`). */
function probed(): { db: SqlRead; textScans: () => number; ended: Promise<unknown>[] } {
  let n = 0;
  const ended: Promise<unknown>[] = [];
  const note = <T>(sql: string, run: Promise<T>): Promise<T> => {
    if (sql.includes('regexp_matches(s.raw')) { n++; ended.push(run.then(() => 'done', (e: unknown) => e)); }
    return run;
  };
  const rp = handle.db;
  const db: SqlRead = {
    readOnly: rp.readOnly,
    all: (sql, params) => note(sql, rp.all(sql, params)),
    one: (sql, params) => note(sql, rp.one(sql, params)),
    read: (sql, params) => note(sql, rp.read(sql, params)),
  };
  return { db, textScans: () => n, ended };
}

async function withEnv<T>(env: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const set = (e: Record<string, string | undefined>) => { for (const [k, v] of Object.entries(e)) if (v === undefined) delete process.env[k]; else process.env[k] = v; };
  set(env);
  try { return await fn(); } finally { set(before); }
}

/** Everything a search shows, each query asked on a fresh reader (nothing memoised from another mode). */
async function answers(filter: EventFilter) {
  const { db } = probed();
  const first = await page(db, { filter, limit: 3, countLater: true });
  const second = first.next ? await page(db, { filter, limit: 3, after: first.next }) : null;
  const all = await page(db, { filter, limit: 10_000 });
  clearCountCache(db);
  const count = await countMatching(db, filter);
  clearCountCache(db);
  const hist = await histogram(db, { filter, buckets: 30 });
  const stats = await fieldStats(db, { filter, top: 5, sample: 100_000 });
  const values = await fieldValues(db, filter, 'user', 10);
  // A first page asked to count later may leave its total pending (the plain scan's time slices); when given it is exact.
  if (!first.totalPending) expect(first.total).toBe(count.count);
  return {
    first: first.rows.map((r) => r.id), second: second?.rows.map((r) => r.id), all: all.rows.map((r) => r.id), total: all.total, count,
    hist: { lanes: hist.lanes, untimed: hist.untimed, from: hist.from, to: hist.to }, stats: { total: stats.total, fields: stats.fields }, values: values.values,
  };
}

const OFF = { CASEFILE_TEXT_MATCHES: 'off' };
const PLAIN = { CASEFILE_TEXT_INDEX: 'off' };

beforeAll(async () => {
  ({ handle, cleanup } = await buildCase({ files, rows }, { summary: true }));
  expect((await buildTextIndex(handle)).groups).toBeGreaterThan(0);
});
afterAll(async () => { await cleanup(); });

const FILTERS: EventFilter[] = [
  { text: 'zebrafish' }, { text: 'ZebraFish', regex: true }, { text: '#1234 ' }, { text: '#12' }, { text: 'no such text anywhere' },
  { text: 'zebrafish', levels: ['ERROR', 'INFO', 'WARNING', 'DEBUG'] },
  { text: '#12', sources: ['system', 'celery'], from: new Date(BASE_MS + 100_000).toISOString(), to: new Date(BASE_MS + 400_000).toISOString() },
  { text: '#12', fields: [{ field: 'user', value: 'bob' }] },
];

describe('shared matched ids', () => {
  it.each(FILTERS)('%j: page, count, histogram, field statistics and values equal those without the shared set and without the index', async (filter) => {
    const { db } = probed();
    // The search really takes the shared path here (else this compares nothing new).
    expect((await eventSource(db, filter)).share).toBe(0);
    const shared = await answers(filter);
    expect(await withEnv(OFF, () => answers(filter))).toEqual(shared);
    expect(await withEnv(PLAIN, () => answers(filter))).toEqual(shared);
    if (filter.text === 'zebrafish' && !filter.levels) expect(shared.all).toEqual([5, 1_000_001, 2_000_003].sort((a, b) => a - b));
  });

  it('the queries of one search asked at once run its text scan once; later ones, whatever their other filters, none', async () => {
    const filter = { text: 'zebrafish' };
    const run = async (db: SqlRead) => Promise.all([
      page(db, { filter, limit: 50, countLater: true }), histogram(db, { filter, buckets: 30 }), countMatching(db, filter),
      fieldStats(db, { filter, top: 5 }), fieldValues(db, filter, 'user', 5),
    ]);
    const shared = probed();
    const before = matchScans(shared.db);
    const [pg, hist, count] = await run(shared.db);
    expect(shared.textScans()).toBe(1);
    expect(matchScans(shared.db) - before).toBe(1);
    expect(pg.rows.map((r) => r.id)).toEqual([5, 1_000_001, 2_000_003]);
    expect(count.count).toBe(3);
    expect(hist.lanes.reduce((a, l) => a + l.total, 0) + hist.untimed).toBe(3);
    await page(shared.db, { filter: { ...filter, levels: ['INFO'] }, limit: 5 });
    await histogram(shared.db, { filter: { ...filter, from: new Date(BASE_MS).toISOString(), to: new Date(BASE_MS + 300_000).toISOString() }, buckets: 10 });
    expect(shared.textScans()).toBe(1);
    // The probe sees the text being read by each query when nothing is shared.
    const alone = probed();
    await withEnv(OFF, () => run(alone.db));
    expect(alone.textScans()).toBeGreaterThan(3);
  });

  it('past the cap the search reads its blocks as before, with the same answers', async () => {
    await withEnv({ CASEFILE_TEXT_MATCHES_CAP: '5' }, async () => {
      const { db } = probed();
      expect((await indexedBlocks(db, { text: '#12' })).narrowed).toBe(true);
      const over = await eventSource(db, { text: '#12' });
      expect(over.narrowed).toBe(true);
      expect(over.share).toBeGreaterThan(0);
      expect(over.rest.text).toBe('#12');
      // Under the cap a search is still shared.
      expect((await eventSource(db, { text: 'zebrafish' })).share).toBe(0);
      const filter = { text: '#12' };
      const got = await answers(filter);
      expect(got.total).toBeGreaterThan(5);
      expect(got).toEqual(await withEnv(OFF, () => answers(filter)));
    });
  });

  it('a write gives a new reader: a record imported after a search is found by the same search', async () => {
    const filter = { text: 'zebrafish' };
    expect((await countMatching(probed().db, filter)).count).toBe(3);
    const reader = handle.db;
    await handle.withWriter((w) => w.run(`INSERT INTO event_store (id, file_id, source, line, line_count, ts, level, message, fields, raw, parse_status)
      VALUES (5000000, 2, 'pipeline', 1, 1, $1::TIMESTAMPTZ, 'INFO', 'late zebrafish', '{}', 'late zebrafish', 'ok')`, [new Date(BASE_MS).toISOString()]));
    expect(handle.db).not.toBe(reader);
    // Above the index's covered id: found by the shared scan (which reads every id above it), not left out.
    const { db } = probed();
    expect((await indexedBlocks(db, filter)).sql).toMatch(/id > \d+/);
    expect((await eventSource(db, filter)).share).toBe(0);
    expect((await countMatching(db, filter)).count).toBe(4);
    expect((await page(db, { filter, limit: 10 })).rows.map((r) => r.id)).toContain(5_000_000);
    expect(await answers(filter)).toEqual(await withEnv(PLAIN, () => answers(filter)));
  });
});

describe('cancelling one caller of a shared scan', () => {
  const from = async (db: SqlRead, text: string) => (await indexedBlocks(db, { text })).sql;

  it('a caller that goes away does not stop the scan another caller waits for', async () => {
    const { db } = probed();
    const sql = await from(db, 'zebrafish');
    const stop = new AbortController();
    const before = matchScans(db);
    const first = withSignal(stop.signal, () => sharedMatches(db, 'zebrafish', false, sql));
    const second = sharedMatches(db, 'zebrafish', false, sql);
    stop.abort();
    const gone = await first.then(() => null, (e: unknown) => e);
    expect(isCancelled(gone)).toBe(true);
    expect(await second).toEqual([5, 1_000_001, 2_000_003, 5_000_000]);
    expect(matchScans(db) - before).toBe(1);
  });

  it('a scan whose only caller went away is stopped (its statement interrupted), not left running', async () => {
    const { db, ended } = probed();
    // A FROM that would take minutes to scan.
    const slow = '(SELECT e.* FROM event_store e, range(100000) r)';
    const stop = new AbortController();
    const first = withSignal(stop.signal, () => sharedMatches(db, 'zebrafish', false, slow));
    setTimeout(() => stop.abort(), 100);
    expect(isCancelled(await first.then(() => null, (e: unknown) => e))).toBe(true);
    expect(ended).toHaveLength(1);
    // Its statement ended interrupted, not finished (a wall-clock bound here failed once on a loaded machine).
    expect(isCancelled(await ended[0])).toBe(true);
  });

  it('a scan whose only caller went away is stopped and not kept: the next caller runs it again', async () => {
    const { db } = probed();
    const sql = await from(db, 'zebrafish');
    forgetEventSources(db);
    const stop = new AbortController();
    const before = matchScans(db);
    const first = withSignal(stop.signal, () => sharedMatches(db, 'zebrafish', false, sql));
    stop.abort();
    expect(isCancelled(await first.then(() => null, (e: unknown) => e))).toBe(true);
    expect(await sharedMatches(db, 'zebrafish', false, sql)).toEqual([5, 1_000_001, 2_000_003, 5_000_000]);
    expect(matchScans(db) - before).toBe(2);
    // Kept now: no third scan.
    await sharedMatches(db, 'zebrafish', false, sql);
    expect(matchScans(db) - before).toBe(2);
    // A caller already gone asks nothing.
    expect(isCancelled(await withSignal(AbortSignal.abort(), () => sharedMatches(db, 'alice', false, sql)).then(() => null, (e: unknown) => e))).toBe(true);
    expect(matchScans(db) - before).toBe(2);
  });
});

describe('the caseless run a text condition checks first', () => {
  it('no character but itself matches an ASCII digit, punctuation or space under (?i) (so contains() keeps every match)', async () => {
    const hits = await handle.db.read<{ c: number }>(
      `SELECT c::INTEGER AS c FROM range(1, 65536) t(c)
       WHERE (c < 55296 OR c > 57343) AND NOT (c BETWEEN 1 AND 64 OR c BETWEEN 91 AND 96 OR c BETWEEN 123 AND 127)
         AND regexp_matches(chr(c::INTEGER), '(?i)^[\\x01-\\x40\\x5B-\\x60\\x7B-\\x7F]$')`);
    expect(hits).toEqual([]);
  });

  it.each(['#12', '#1234 ', '50%_OFF', 'retry 50%', `' AND "`, '(MOST RECENT', 'st)', ' #1', '#77', 'a.b*c?', '. #'])(
    '%j counts what the regexp alone counts, over every record', async (text) => {
      const want = await handle.db.read<{ n: number }>(
        `SELECT count(*)::INTEGER AS n FROM event_store WHERE regexp_matches(raw, $1)`, [`(?i)${text.replace(/[^A-Za-z0-9_]/g, (c) => `\\${c}`)}`]);
      const { db } = probed();
      const got = await withEnv(PLAIN, () => countMatching(db, { text }));
      expect(got.count).toBe(want[0]!.n);
      const regex = text.replace(/[^A-Za-z0-9_ #%'"]/g, '');
      const got2 = await withEnv(PLAIN, () => countMatching(db, { text: regex, regex: true }));
      const want2 = await handle.db.read<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM event_store WHERE regexp_matches(raw, $1)`, [`(?i)${regex}`]);
      expect(got2.count).toBe(want2[0]!.n);
    });
});
