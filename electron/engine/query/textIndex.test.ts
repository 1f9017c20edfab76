// The text index against the plain scan, on real DuckDB case files: for every kind of word, a search answers exactly
// what it answers with the index switched off (pages, counts, histograms, field statistics), also for records
// imported after the index was built and after a build cut short. Ids are spread out (as real ids are: base + line)
// so the generated events cover about 1,200 blocks across two groups, and most words narrow to a few blocks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Cursor, EventFilter } from '../../../shared/domain';
import type { CaseHandle } from '../case/caseStore';
import { clearCountCache, countMatching } from './count';
import { page } from './events';
import { histogram } from './histogram';
import { fieldStats } from './fieldStats';
import { eventSource, forgetEventSources, indexedBlocks, mergeNearest, readTextIndexMeta, textIndexReady } from './textIndex';
import { matchScans } from './textMatches';
import { buildTextIndex, type IndexedCase } from './textIndexBuild';
import { BLOCK_IDS, GROUP_IDS, queryGrams } from './textGrams';
import { BASE_MS, buildCase, generate, type GenRow } from '../../testkit/testCase';

const SPREAD = 777;
const base = generate();
const files = base.files.map((f) => ({ ...f, firstId: f.firstId * SPREAD, lastId: f.lastId * SPREAD }));
const spread: GenRow[] = base.rows.map((e) => ({ ...e, id: e.id * SPREAD }));

/** Records placed at chosen ids (block and group edges), with the text the edge cases need. */
function special(id: number, raw: string, opts: { fileId?: number; untimed?: boolean } = {}): GenRow {
  const t = spread[0]!;
  const ts = opts.untimed ? null : new Date(BASE_MS + (id % 600) * 1000).toISOString();
  return { ...t, id, fileId: opts.fileId ?? 1, ts, tsMs: ts === null ? null : Date.parse(ts), raw, message: raw, fields: { note: raw } };
}
const SPECIALS = [
  special(BLOCK_IDS - 1, 'boundary alpha zebrafish'),
  special(BLOCK_IDS, 'boundary beta zebrafish'),
  special(GROUP_IDS - 1, 'groupedge quokka one'),
  special(GROUP_IDS, 'groupedge quokka two', { untimed: true }),
  special(5_000, 'temperature in \u212Aelvinword here'),
  special(9_001, 'river mi\u017Fsissippi-longs'),
  special(13_001, 'Größe straße café ÜBERSICHT'),
  special(17_001, 'regex meta a.b*c?(d)[e]{f}|g^h$i\\j+k'),
  special(21_001, 'MiXeD CaSe Needle'),
  special(25_001, 'emoji 🦊 fox den'),
  // An id whose every 4-gram its neighbours hold too (as "ALPHA1234" beside "ALPHA1230" and "1234" elsewhere).
  special(29_001, 'kyc QUOLL5678 cleared'),
  ...[33_001, 37_001, 41_001, 49_001].map((id) => special(id, `kyc QUOLL5670 ref y5678 #${id}`)),
];
const rows = [...spread, ...SPECIALS].sort((a, b) => a.id - b.id);
const taken = new Set(spread.map((e) => e.id));

const WORDS = [
  'timeout', 'alice', 'request', '#1234 ', '#12', 'no such text anywhere', 'a', 'zz', 'ab', 'ALICE', 'TimeOut',
  'zebrafish', 'quokka', 'groupedge quokka t', 'KELVINWORD', 'kelvinword', '\u212Aelvinword', 'kelvin', 'k',
  'MISSISSIPPI-LONGS', 'mi\u017Fsissippi', 'straße', 'STRASSE', 'café', 'Größe', 'übersicht', 'a.b*c?(d)', '[e]{f}|g^h$i\\j+k',
  '(d)', 'mixed case needle', 'MIXED CASE', '🦊 fox', 'fox den', ' ', 'boundary', 'e)', '#77', ' #3', ' #2 ', ' #1',
];

let handle: CaseHandle;
let cleanup: () => Promise<void>;

async function withIndex<T>(on: boolean, fn: () => Promise<T>): Promise<T> {
  const before = process.env.CASEFILE_TEXT_INDEX;
  if (on) delete process.env.CASEFILE_TEXT_INDEX; else process.env.CASEFILE_TEXT_INDEX = 'off';
  try { clearCountCache(handle.db); return await fn(); } finally {
    if (before === undefined) delete process.env.CASEFILE_TEXT_INDEX; else process.env.CASEFILE_TEXT_INDEX = before;
  }
}

async function walk(filter: EventFilter, countLater: boolean): Promise<{ ids: number[]; totals: number[] }> {
  const ids: number[] = [];
  const totals: number[] = [];
  let after: Cursor | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const pg = await page(handle.db, { filter, limit: 300, countLater, firstSlice: 60, ...(after ? { after } : {}) });
    ids.push(...pg.rows.map((r) => r.id));
    if (!pg.totalPending) totals.push(pg.total);
    if (!pg.next) return { ids, totals };
    after = pg.next;
  }
  throw new Error('paging did not end');
}

/** Everything a text search shows, read through the public query functions. */
async function answers(filter: EventFilter) {
  const count = await countMatching(handle.db, filter);
  clearCountCache(handle.db);
  const pages = await walk(filter, false);
  clearCountCache(handle.db);
  const progressive = await walk(filter, true);
  clearCountCache(handle.db);
  const hist = await histogram(handle.db, { filter, buckets: 40 });
  clearCountCache(handle.db);
  const stats = await fieldStats(handle.db, { filter, top: 5, sample: 100_000 });
  return { count, pages, progressive: progressive.ids, hist: { lanes: hist.lanes, untimed: hist.untimed, from: hist.from, to: hist.to }, stats: { total: stats.total, fields: stats.fields } };
}

async function expectSame(filter: EventFilter): Promise<{ matches: number }> {
  const want = await withIndex(false, () => answers(filter));
  const got = await withIndex(true, () => answers(filter));
  expect(got).toEqual(want);
  // The plain answer itself is right: the same ids as the regexp over every record.
  return { matches: want.count.count };
}

async function build(signal?: AbortSignal) { return buildTextIndex(handle, signal ? { signal } : {}); }

beforeAll(async () => {
  expect(SPECIALS.every((s) => !taken.has(s.id))).toBe(true);
  ({ handle, cleanup } = await buildCase({ files, rows }, { summary: true }));
});
afterAll(async () => { await cleanup(); });

describe('the case fold is exactly as wide as RE2 (?i) on ASCII', () => {
  it('the only non-ASCII characters DuckDB\'s (?i) matches to an ASCII letter are U+212A and U+017F', async () => {
    const hits = await handle.db.read<{ c: number; l: string }>(
      `WITH folded AS (SELECT c::INTEGER AS c FROM range(128, 65536) t(c)
                       WHERE (c < 55296 OR c > 57343) AND regexp_matches(chr(c::INTEGER), '(?i)^[a-z]$'))
       SELECT c, l FROM folded, (SELECT chr(x::INTEGER) AS l FROM range(97, 123) u(x))
       WHERE regexp_matches(chr(c), '(?i)^' || l || '$') ORDER BY c`);
    expect(hits.map((h) => [h.c, h.l])).toEqual([[0x17f, 's'], [0x212a, 'k']]);
    expect(queryGrams('\u212Aey')).toEqual(queryGrams('KEY'));
    expect(queryGrams('mi\u017Fs')).toEqual(queryGrams('miss'));
  });

  it('a query with no all-ASCII trigram (short, or non-ASCII) does not use the index', () => {
    for (const w of ['ab', 'k', 'ßüé', 'ü🦊ö', '']) expect(queryGrams(w)).toEqual([]);
  });
});

describe('text index: exact against the plain scan', () => {
  beforeAll(async () => {
    const r = await build();
    expect(r.groups).toBe(2);
    expect(await textIndexReady(handle.db)).toBe(true);
  });

  it('narrows rare and absent words to a few blocks, and leaves short, regex and common searches to the scan', async () => {
    for (const w of ['zebrafish', 'kelvinword', '#1234 ', 'no such text anywhere', 'mixed case needle']) {
      const s = await indexedBlocks(handle.db, { text: w });
      expect(s.narrowed, w).toBe(true);
      expect((s.sql.match(/BETWEEN/g) ?? []).length, w).toBeLessThanOrEqual(4);
    }
    // An absent word reads only what the index does not cover (nothing here).
    expect((await indexedBlocks(handle.db, { text: 'no such text anywhere' })).sql).not.toContain('BETWEEN');
    expect((await eventSource(handle.db, { text: 'ab' })).narrowed).toBe(false);
    // Both page paths run: one scan of very few blocks, and time slices over a larger narrowed share.
    const shares = await Promise.all(WORDS.map(async (w) => (await indexedBlocks(handle.db, { text: w }))));
    expect(shares.some((s) => s.narrowed && s.share > 0.1), JSON.stringify(WORDS.map((w, i) => [w, shares[i]!.share]))).toBe(true);
    expect(shares.some((s) => s.narrowed && s.share <= 0.1 && s.share > 0)).toBe(true);
    expect((await eventSource(handle.db, { text: 'zebra.ish', regex: true })).narrowed).toBe(false);
    expect((await eventSource(handle.db, { text: '(?-i)zebrafish', regex: true })).narrowed).toBe(false);
    // A regex with no special character is a literal: narrowed as the substring is.
    expect((await eventSource(handle.db, { text: 'zebrafish', regex: true })).narrowed).toBe(true);
  });

  it('an id whose 4-grams its neighbours share is narrowed to its own block by its 5-grams', async () => {
    const s = await indexedBlocks(handle.db, { text: 'quoll5678' });
    expect(s.sql.match(/BETWEEN \d+ AND \d+/g)).toEqual([`BETWEEN ${Math.floor(29_001 / BLOCK_IDS) * BLOCK_IDS} AND ${(Math.floor(29_001 / BLOCK_IDS) + 1) * BLOCK_IDS - 1}`]);
    // The neighbours themselves are still found.
    expect((await indexedBlocks(handle.db, { text: 'QUOLL5670' })).sql.match(/BETWEEN/g)).toHaveLength(4);
    expect((await expectSame({ text: 'QUOLL5678' })).matches).toBe(1);
    expect((await expectSame({ text: 'quoll567' })).matches).toBe(5);
  });

  it('the first page of a search narrowed to a few ranges of many blocks is read by time slices over them, before any scan of them all', async () => {
    const sliced: string[] = [];
    for (const w of WORDS) if ((await eventSource(handle.db, { text: w }, { fewRanges: 4 })).slices) sliced.push(w);
    expect(sliced.length, 'no word takes the path').toBeGreaterThan(0);
    for (const w of sliced) {
      forgetEventSources(handle.db);
      clearCountCache(handle.db);
      const scans = matchScans(handle.db);
      const first = await page(handle.db, { filter: { text: w }, limit: 20, countLater: true, firstSlice: 60 });
      expect(matchScans(handle.db), w).toBe(scans);
      const want = await withIndex(false, () => page(handle.db, { filter: { text: w }, limit: 20 }));
      expect(first.rows.map((r) => r.id), w).toEqual(want.rows.map((r) => r.id));
      await expectSame({ text: w });
    }
  });

  it.each(WORDS)('%j: pages, counts, histogram and field statistics equal the plain scan', async (w) => {
    await expectSame({ text: w });
  });

  it.each(['zebrafish', 'ZEBRAFISH', 'KELVINWORD', 'groupedge quokka t', 'no such text', 'straße', 'zebra.ish', 'quokka (one|two)', '(?-i)Zebrafish', '#12\\d'])(
    'regex %j: the same as the plain scan (a plain literal is narrowed, any other pattern is not)', async (w) => {
      await expectSame({ text: w, regex: true });
    });

  it('with other filters beside the text (levels, sources, time range, a field)', async () => {
    await expectSame({ text: 'zebrafish', levels: ['ERROR', 'INFO', 'WARNING', 'DEBUG'] });
    await expectSame({ text: 'alice', sources: ['system', 'celery'], from: new Date(BASE_MS + 100_000).toISOString(), to: new Date(BASE_MS + 400_000).toISOString() });
    await expectSame({ text: 'timeout', fields: [{ field: 'user', value: 'bob' }] });
  });

  it('finds the Kelvin-sign record from a search with K (fails if the fold ignored U+212A)', async () => {
    const { matches } = await expectSame({ text: 'KELVINWORD' });
    expect(matches).toBe(1);
    expect((await withIndex(true, () => page(handle.db, { filter: { text: 'kelvinword' }, limit: 5 }))).rows.map((r) => r.id)).toEqual([5_000]);
    expect((await withIndex(true, () => page(handle.db, { filter: { text: 'MISSISSIPPI' }, limit: 5 }))).rows.map((r) => r.id)).toEqual([9_001]);
  });

  it('random substrings of the records (and mangled ones) count the same with and without the index', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: rows.length - 1 }), fc.nat(60), fc.integer({ min: 1, max: 14 }), fc.boolean(),
      async (i, at, len, upper) => {
        const raw = rows[i]!.raw;
        const w0 = raw.slice(Math.min(at, raw.length - 1), Math.min(at, raw.length - 1) + len);
        const w = upper ? w0.toUpperCase() : w0;
        if (!w) return;
        const want = await withIndex(false, () => countMatching(handle.db, { text: w }));
        const got = await withIndex(true, () => countMatching(handle.db, { text: w }));
        expect(got, JSON.stringify(w)).toEqual(want);
        expect(got.count).toBeGreaterThan(0);
      }), { numRuns: 60, seed: 16 });
  });
});

describe('text index: records it does not cover, and builds cut short', () => {
  const extra = (id: number, raw: string) => special(id, raw, { fileId: 2 });
  const LATE = [extra(3_000_000, 'late arrival wombat zebrafish'), extra(3_000_001, 'late \u212Aelvinword'), extra(4_500_000, 'later still wombat')];

  it('records imported after the build are read in full (the tail), then an update rebuilds only the last group', async () => {
    await handle.withWriter(async (db) => {
      for (const e of LATE) {
        await db.run(`INSERT INTO event_store (id, file_id, source, line, line_count, ts, level, message, fields, raw, parse_status)
          VALUES ($1, 2, 'pipeline', 1, 1, $2::TIMESTAMPTZ, 'INFO', $3, '{}', $3, 'ok')`, [e.id, e.ts, e.raw]);
      }
    });
    expect(await textIndexReady(handle.db)).toBe(false);
    const before = (await readTextIndexMeta(handle.db))!.covered;
    expect(before).toBeLessThan(3_000_000);
    for (const w of ['wombat', 'zebrafish', 'kelvinword', 'late', 'no such text anywhere']) {
      expect((await indexedBlocks(handle.db, { text: w })).sql, w).toContain(`id > ${before}`);
      await expectSame({ text: w });
    }
    expect((await withIndex(true, () => countMatching(handle.db, { text: 'wombat' }))).count).toBe(2);
    const r = await build();
    expect(r.groups).toBe(2); // group 1 (partial before) rebuilt, group 2 new
    expect(r.covered).toBe(4_500_000);
    expect(await textIndexReady(handle.db)).toBe(true);
    for (const w of ['wombat', 'zebrafish', 'kelvinword', 'quokka']) await expectSame({ text: w });
    expect((await build()).groups).toBe(0);
  });

  it('a build cut short keeps the groups it committed; searches stay exact; the next build finishes it', async () => {
    await handle.withWriter((db) => db.run(`DELETE FROM meta WHERE key = 'text_index'`));
    expect(await textIndexReady(handle.db)).toBe(false);
    expect((await eventSource(handle.db, { text: 'zebrafish' })).narrowed).toBe(false);
    const ctl = new AbortController();
    await expect(buildTextIndex(handle, { signal: ctl.signal, progress: () => ctl.abort(new Error('stop')) })).rejects.toThrow('stop');
    const meta = (await readTextIndexMeta(handle.db))!;
    expect(meta.covered).toBe(GROUP_IDS - 1);
    for (const w of ['zebrafish', 'quokka', 'wombat', 'kelvinword', '#1234 ', 'timeout']) await expectSame({ text: w });
    expect((await indexedBlocks(handle.db, { text: 'wombat' })).sql).toContain(`id > ${GROUP_IDS - 1}`);
    expect((await build()).groups).toBe(2);
    expect(await textIndexReady(handle.db)).toBe(true);
  });

  it('an index whose covered events changed underneath is not used, and is rebuilt whole', async () => {
    await handle.withWriter((db) => db.run(`DELETE FROM event_store WHERE id = ${BLOCK_IDS - 1}`));
    expect(await textIndexReady(handle.db)).toBe(false);
    expect((await eventSource(handle.db, { text: 'zebrafish' })).narrowed).toBe(false);
    await expectSame({ text: 'zebrafish' });
    expect((await build()).groups).toBe(3);
    expect((await eventSource(handle.db, { text: 'zebrafish' })).narrowed).toBe(true);
    await expectSame({ text: 'zebrafish' });
  });
});

describe('the build holds the writer only to store a group', () => {
  it('computes each group on the case at rest (the SQL door open), then takes the writer once per group', async () => {
    await handle.withWriter((db) => db.run(`DELETE FROM meta WHERE key = 'text_index'`));
    const log: string[] = [];
    const watched: IndexedCase = {
      // The case's live read path (it changes with each writer), noting whether it is at rest when the text is read.
      db: {
        get readOnly() { return handle.db.readOnly; },
        all: (sql, params) => handle.db.all(sql, params),
        one: (sql, params) => handle.db.one(sql, params),
        read: (sql, params) => handle.db.read(sql, params),
        withConnection: (fn) => { log.push(handle.db.sqlDoor ? 'read at rest' : 'read beside the writer'); return handle.db.withConnection(fn); },
      },
      withWriter: (fn) => { log.push('write'); return handle.withWriter(fn); },
    };
    const r = await buildTextIndex(watched);
    expect(r.groups).toBe(3);
    expect(log).toEqual(['read at rest', 'write', 'read at rest', 'write', 'read at rest', 'write']);
    expect(await textIndexReady(handle.db)).toBe(true);
    await expectSame({ text: 'zebrafish' });
  });

  it('a group whose events changed between its read and its write is not stored; the index stays as it was', async () => {
    await handle.withWriter((db) => db.run(`DELETE FROM meta WHERE key = 'text_index'`));
    let writes = 0;
    const racing: IndexedCase = {
      get db() { return handle.db; },
      // An import (here: a repair) lands after the first group was read and before it is stored.
      withWriter: (fn) => handle.withWriter(async (db) => {
        if (writes++ === 0) await db.run(`DELETE FROM event_store WHERE id = ${BLOCK_IDS}`);
        return fn(db);
      }),
    };
    await expect(buildTextIndex(racing)).rejects.toMatchObject({ code: 'conflict' });
    expect(await readTextIndexMeta(handle.db)).toBeNull();
    await expectSame({ text: 'zebrafish' });
    expect((await build()).groups).toBe(3);
    await expectSame({ text: 'zebrafish' });
  });
});

describe('mergeNearest', () => {
  it('closes the smallest gaps until at most max ranges remain, covering every range', () => {
    const r: [number, number][] = [[0, 1], [5, 6], [7, 9], [100, 101], [103, 104], [1000, 1001]];
    expect(mergeNearest(r, 10)).toEqual(r);
    expect(mergeNearest(r, 4)).toEqual([[0, 1], [5, 9], [100, 104], [1000, 1001]]);
    expect(mergeNearest(r, 1)).toEqual([[0, 1001]]);
  });
});
