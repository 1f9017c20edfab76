import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { LEVELS, type Cursor, type EventFilter } from '../../../shared/domain';
import { EngineError, type EngineContext } from '../api';
import { CaseHandle } from '../case/caseStore';
import { clearCountCache } from './count';
import { around, get, page } from './events';
import { fieldNames, fieldValues, sources } from './fields';
import { histogram } from './histogram';
import { isoFromMicros, microsFromIso } from './sql';
import { buildCase, generate, type GenRow } from '../../testkit/testCase';
import { deleteView, listViews, saveView } from './views';

const data = generate();
let handle: CaseHandle;
let cleanup: () => Promise<void>;
const db = () => handle.db;

beforeAll(async () => { ({ handle, cleanup } = await buildCase(data)); });
afterAll(async () => { await cleanup(); });

/** The filter semantics, stated plainly in JS, to check the SQL against. */
function matches(e: GenRow, f: EventFilter): boolean {
  if (f.sources?.length && !f.sources.includes(e.source)) return false;
  if (f.levels?.length && !(f.levels as string[]).includes(e.level ?? '')) return false;
  if (f.parseStatus?.length && !f.parseStatus.includes(e.parseStatus)) return false;
  if (f.files?.length && !f.files.includes(e.file)) return false;
  if (f.from && (e.tsMs === null || e.tsMs < Date.parse(f.from))) return false;
  if (f.to && (e.tsMs === null || e.tsMs > Date.parse(f.to))) return false;
  if (f.text) {
    if (f.regex ? !new RegExp(f.text, 'i').test(e.raw) : !e.raw.toLowerCase().includes(f.text.toLowerCase())) return false;
  }
  for (const ff of f.fields ?? []) {
    const v = ff.field === 'logger' ? e.logger : ff.field === 'file' ? e.file : ff.field === 'bundle' ? e.bundle
      : e.fields[ff.field] === undefined ? null : String(e.fields[ff.field]);
    if ((v === ff.value) === !!ff.negate) return false;
  }
  return true;
}
const order = (a: GenRow, b: GenRow) =>
  a.tsMs === b.tsMs ? a.id - b.id : a.tsMs === null ? 1 : b.tsMs === null ? -1 : a.tsMs - b.tsMs;
const expected = (f: EventFilter) => data.rows.filter((e) => matches(e, f)).sort(order).map((e) => e.id);

const FILTERS: [string, EventFilter][] = [
  ['everything', {}],
  ['level ERROR + a source', { levels: ['ERROR'], sources: ['system'] }],
  ['two levels, two sources', { levels: ['WARNING', 'CRITICAL'], sources: ['celery', 'pipeline'] }],
  ['time range', { from: '2023-07-30T00:05:00.000Z', to: '2023-07-30T00:09:00Z' }],
  ['substring, any case', { text: 'TIMEOUT' }],
  ['substring with LIKE wildcards', { text: '50%_off' }],
  ['substring with quotes', { text: `quote ' and "` }],
  ['substring with regex characters', { text: '(most recent call' }],
  ['substring, non-ASCII any case', { text: 'übERSICHT' }],
  ['regex', { text: 'Trace(back)? \\(most', regex: true }],
  ['regex ignores case like text', { text: 'TRACE(BACK)? \\(MOST', regex: true }],
  ['field equals', { fields: [{ field: 'user', value: 'alice' }] }],
  ['field negated keeps missing', { fields: [{ field: 'dataset', value: 'ds-1', negate: true }] }],
  ['dotted key and numbers', { fields: [{ field: 'a.b', value: 'even' }, { field: 'n', value: '3' }] }],
  ['logger column', { fields: [{ field: 'logger', value: 'svc.system' }] }],
  ['bundle column negated', { fields: [{ field: 'bundle', value: 'bundle-a', negate: true }] }],
  ['files + parse status', { files: ['bundle-a/raw/app-6.log', 'bundle-b/raw/app-12.log'], parseStatus: ['unparsed'] }],
  ['empty lists mean no constraint', { sources: [], levels: [], text: '' }],
  ['nothing matches', { text: 'no such text anywhere' }],
];

async function walkForward(filter: EventFilter, limit: number): Promise<number[]> {
  const ids: number[] = [];
  let after: Cursor | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const pg = await page(db(), { filter, after, limit });
    ids.push(...pg.rows.map((r) => r.id));
    if (!pg.next) return ids;
    after = pg.next;
  }
  throw new Error('paging did not end');
}

async function walkBackward(filter: EventFilter, limit: number): Promise<number[]> {
  const ids: number[] = [];
  // The position past every row (untimed rows sort last): the documented way to ask for the last page.
  let before: Cursor | undefined = { ts: null, id: Number.MAX_SAFE_INTEGER };
  for (let guard = 0; guard < 10_000; guard++) {
    const pg = await page(db(), { filter, before, limit });
    ids.unshift(...pg.rows.map((r) => r.id));
    if (!pg.prev) return ids;
    before = pg.prev;
  }
  throw new Error('paging did not end');
}

describe('keyset paging', () => {
  it.each(FILTERS)('%s: forward and backward visit every match exactly once, in order', async (_name, filter) => {
    const want = expected(filter);
    const fwd = await walkForward(filter, 37);
    expect(fwd).toEqual(want);
    const back = await walkBackward(filter, 41);
    expect(back).toEqual(want);
    clearCountCache(db()); // the first page of a text search counts in the same scan: check that path too
    const first = await page(db(), { filter, limit: 10 });
    expect(first.total).toBe(want.length);
    expect(first.prev).toBeNull();
  });

  it('the test data has what the paging must cope with', () => {
    expect(data.rows.some((e) => e.ts === null)).toBe(true);
    expect(data.rows.some((e) => e.tsFlag === 'inherited')).toBe(true);
    expect(data.rows.some((e) => e.level === null)).toBe(true);
    const tsCount = new Map<number, number>();
    for (const e of data.rows) if (e.tsMs !== null) tsCount.set(e.tsMs, (tsCount.get(e.tsMs) ?? 0) + 1);
    expect([...tsCount.values()].some((n) => n > 3)).toBe(true);
  });

  it('a prev cursor leads back to the page before, a next cursor to the page after', async () => {
    const p1 = await page(db(), { filter: {}, limit: 50 });
    const p2 = await page(db(), { filter: {}, after: p1.next!, limit: 50 });
    const back = await page(db(), { filter: {}, before: p2.prev!, limit: 50 });
    expect(back.rows.map((r) => r.id)).toEqual(p1.rows.map((r) => r.id));
    expect(back.prev).toBeNull();
    expect(back.next).toEqual(p1.next);
  });

  it('rows carry file, bundle and the requested extra fields', async () => {
    const pg = await page(db(), { filter: { sources: ['system'] }, limit: 5, extraFields: ['user', 'a.b', 'missing', 'bundle'] });
    for (const r of pg.rows) {
      const g = data.rows.find((e) => e.id === r.id)!;
      expect(r).toMatchObject({ source: 'system', file: g.file, bundle: g.bundle, line: g.line, level: g.level, logger: g.logger, message: g.message });
      expect(r.ts).toBe(g.ts);
      expect(r.extra).toEqual({ user: g.fields.user, 'a.b': g.fields['a.b'], missing: null, bundle: g.bundle });
    }
  });

  it('refuses both cursors at once and malformed instants', async () => {
    await expect(page(db(), { filter: {}, limit: 5, after: { ts: null, id: 1 }, before: { ts: null, id: 9 } })).rejects.toThrow(/either/);
    await expect(page(db(), { filter: { from: 'yesterday' }, limit: 5 })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('regex search', () => {
  it('a bad pattern is an invalid_input error that says why', async () => {
    const err = await page(db(), { filter: { text: 'a(b', regex: true }, limit: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('invalid_input');
    expect((err as EngineError).message).toMatch(/not a valid regular expression \(missing \): a\(b\)/);
    await expect(histogram(db(), { filter: { text: '(?<=x)y', regex: true }, buckets: 10 })).rejects.toThrow(/RE2 syntax/);
  });
});

describe('histogram', () => {
  it.each(FILTERS)('%s: bucket sums equal the matching counts', async (_name, filter) => {
    const h = await histogram(db(), { filter, buckets: 50 });
    const timed = data.rows.filter((e) => matches(e, filter) && e.tsMs !== null);
    const sum = h.lanes.reduce((a, l) => a + l.counts.flat().reduce((x, y) => x + y, 0), 0);
    expect(sum).toBe(timed.length);
    expect(h.lanes.reduce((a, l) => a + l.total, 0)).toBe(timed.length);
    const { from: _f, to: _t, ...rest } = filter;
    expect(h.untimed).toBe(data.rows.filter((e) => matches(e, rest) && e.tsMs === null).length);
  });

  it('places each event in its bucket and level slot', async () => {
    const range = { from: '2023-07-30T00:02:00.000Z', to: '2023-07-30T00:12:00.000Z' };
    const h = await histogram(db(), { filter: {}, range, buckets: 60 });
    expect(h.bucketMs).toBe(10_000);
    expect(h.buckets).toBe(60);
    expect(h.lanes.map((l) => l.source)).toEqual([...new Set(data.rows.map((e) => e.source))].sort());
    const from = Date.parse(range.from);
    const to = Date.parse(range.to);
    for (const lane of h.lanes) {
      const want = Array.from({ length: 60 }, () => new Array<number>(LEVELS.length + 1).fill(0));
      for (const e of data.rows) {
        if (e.source !== lane.source || e.tsMs === null || e.tsMs < from || e.tsMs > to) continue;
        const b = Math.min(59, Math.floor((e.tsMs - from) / 10_000));
        const l = e.level === null ? LEVELS.length : LEVELS.indexOf(e.level as (typeof LEVELS)[number]);
        want[b]![l]! += 1;
      }
      expect(lane.counts).toEqual(want);
    }
  });

  it('defaults to the time span of the filter', async () => {
    const h = await histogram(db(), { filter: { sources: ['gunicorn'] }, buckets: 10 });
    const ts = data.rows.filter((e) => e.source === 'gunicorn').map((e) => e.tsMs!);
    expect(h.from).toBe(new Date(Math.min(...ts)).toISOString());
    expect(h.to).toBe(new Date(Math.max(...ts)).toISOString());
    expect(h.lanes.map((l) => l.source)).toEqual(['gunicorn']);
  });

  it('a filter that matches nothing keeps the case span, never today', async () => {
    const h = await histogram(db(), { filter: { text: 'zqxjv-nothing-says-this' }, buckets: 10 });
    const ts = data.rows.filter((e) => e.tsMs !== null).map((e) => e.tsMs!);
    expect(h.from).toBe(new Date(Math.min(...ts)).toISOString());
    expect(h.to).toBe(new Date(Math.max(...ts)).toISOString());
    expect(h.lanes.every((l) => l.total === 0)).toBe(true);
  });
});

describe('detail, neighbours, around', () => {
  it('get returns fields parsed (nested JSON strings left alone) and prev/next in the same file', async () => {
    const g = data.rows.find((e) => typeof e.fields.nested === 'string')!;
    const d = await get(db(), g.id);
    expect(d.fields).toEqual(g.fields);
    expect(typeof d.fields.nested).toBe('string');
    expect(d.raw).toBe(g.raw);
    expect(d.tzRule).toBe('UTC (default)');
    for (const f of data.files.slice(0, 4)) {
      expect((await get(db(), f.firstId)).prevId).toBeNull();
      expect((await get(db(), f.firstId)).nextId).toBe(f.firstId + 1);
      expect((await get(db(), f.lastId)).nextId).toBeNull();
      expect((await get(db(), f.lastId)).prevId).toBe(f.lastId - 1);
    }
    await expect(get(db(), 999_999)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('around groups by source, nearest first, within the window', async () => {
    const c = data.rows.find((e) => e.source === 'celery' && e.tsMs !== null && e.line === 90)!;
    const res = await around(db(), c.id, 30.5, 5);
    expect(res.center.id).toBe(c.id);
    const inWindow = data.rows.filter((e) => e.tsMs !== null && Math.abs(e.tsMs - c.tsMs!) <= 30_500);
    const srcs = [...new Set(inWindow.map((e) => e.source))].sort();
    expect(res.groups.map((g) => g.source)).toEqual(srcs);
    for (const g of res.groups) {
      const all = inWindow.filter((e) => e.source === g.source);
      expect(g.total).toBe(all.length);
      expect(g.events.length).toBe(Math.min(5, all.length));
      const dists = all.map((e) => Math.abs(e.tsMs! - c.tsMs!)).sort((a, b) => a - b);
      const got = g.events.map((e) => Math.abs(Date.parse(e.ts!) - c.tsMs!)).sort((a, b) => a - b);
      expect(got).toEqual(dists.slice(0, 5));
      expect(g.events.map((e) => e.ts)).toEqual([...g.events.map((e) => e.ts)].sort());
    }
  });

  it('around an untimed event shows its neighbours in the file', async () => {
    const c = data.rows.find((e) => e.ts === null && e.line === 50)!;
    const res = await around(db(), c.id, 60, 6);
    expect(res.groups).toHaveLength(1);
    expect(res.groups[0]!.events.map((e) => e.id)).toEqual([c.id - 3, c.id - 2, c.id - 1, c.id, c.id + 1, c.id + 2, c.id + 3]);
  });
});

describe('fields and sources', () => {
  it('sources: count and time span per source', async () => {
    const s = await sources(db());
    for (const src of s) {
      const rows = data.rows.filter((e) => e.source === src.source);
      expect(src.count).toBe(rows.length);
      const ts = rows.filter((e) => e.tsMs !== null).map((e) => e.tsMs!);
      expect(src.from).toBe(new Date(Math.min(...ts)).toISOString());
      expect(src.to).toBe(new Date(Math.max(...ts)).toISOString());
    }
  });

  it('fieldValues: top values with counts under a filter', async () => {
    const filter: EventFilter = { levels: ['ERROR', 'CRITICAL'] };
    const got = await fieldValues(db(), filter, 'user', 10);
    const counts = new Map<string, number>();
    for (const e of data.rows) if (matches(e, filter)) counts.set(String(e.fields.user), (counts.get(String(e.fields.user)) ?? 0) + 1);
    expect(Object.fromEntries(got.values.map((v) => [v.value, v.count]))).toEqual(Object.fromEntries(counts));
    const ds = await fieldValues(db(), {}, 'dataset', 2);
    expect(ds.values).toHaveLength(2);
    expect(ds.values[0]!.count).toBeGreaterThanOrEqual(ds.values[1]!.count);
    const loggers = await fieldValues(db(), {}, 'logger', 20);
    expect(loggers.values.map((v) => v.value).sort()).toEqual([...new Set(data.rows.map((e) => e.logger).filter(Boolean))].sort());
  });

  it('fieldNames: every key with its count, exact or from a sample', async () => {
    const exact = await fieldNames(db());
    const want = new Map<string, number>();
    for (const e of data.rows) for (const k of Object.keys(e.fields)) want.set(k, (want.get(k) ?? 0) + 1);
    expect(Object.fromEntries(exact.map((f) => [f.field, f.count]))).toEqual(Object.fromEntries(want));
    const sampled = await fieldNames(db(), 1000);
    expect(sampled.find((f) => f.field === 'user')!.count).toBe(data.rows.length);
  });
});

describe('saved views', () => {
  it('save, replace, delete; kept in case.json', async () => {
    const v1 = { name: 'errors', filter: { levels: ['ERROR' as const] }, columns: ['ts', 'message'] };
    expect(await saveView(handle, v1)).toEqual([v1]);
    await saveView(handle, { name: 'alice', filter: { fields: [{ field: 'user', value: 'alice' }] }, columns: [] });
    const v1b = { ...v1, columns: ['ts'] };
    await saveView(handle, v1b);
    expect(listViews(handle).map((v) => [v.name, v.columns])).toEqual([['errors', ['ts']], ['alice', []]]);
    const onDisk = JSON.parse(await readFile(handle.files.caseJson, 'utf8')) as { savedViews: unknown[] };
    expect(onDisk.savedViews).toHaveLength(2);
    expect((await deleteView(handle, 'errors')).map((v) => v.name)).toEqual(['alice']);
    expect(listViews(handle).map((v) => v.name)).toEqual(['alice']);
  });
});

describe('instants', () => {
  it('keep microseconds through the cursor round trip', () => {
    for (const iso of ['2023-07-30T00:13:45.400Z', '2023-07-30T00:13:45.400123Z', '1969-12-31T23:59:59.999001Z']) {
      expect(isoFromMicros(microsFromIso(iso))).toBe(iso);
    }
  });
});

describe('handlers', () => {
  it('answer the contract calls with outputs that satisfy the contract schemas', async () => {
    const { calls } = await import('../../../shared/contract');
    const { queryHandlers } = await import('./handlers');
    const ctx = { via: 'test', getCase: () => handle, openCases: () => [handle] } as unknown as EngineContext;
    const caseId = 'c';
    const pg = await queryHandlers['events.page']!(ctx, { caseId, filter: { levels: ['ERROR'] }, limit: 20, extraFields: ['user'] });
    calls['events.page'].output.parse(pg);
    calls['events.histogram'].output.parse(await queryHandlers['events.histogram']!(ctx, { caseId, filter: {}, buckets: 100 }));
    calls['events.get'].output.parse(await queryHandlers['events.get']!(ctx, { caseId, id: pg.rows[0]!.id }));
    calls['events.around'].output.parse(await queryHandlers['events.around']!(ctx, { caseId, id: pg.rows[0]!.id, seconds: 60, perSource: 5 }));
    calls['events.fieldValues'].output.parse(await queryHandlers['events.fieldValues']!(ctx, { caseId, filter: {}, field: 'user', limit: 5 }));
    calls['events.fieldNames'].output.parse(await queryHandlers['events.fieldNames']!(ctx, { caseId }));
    calls['events.sources'].output.parse(await queryHandlers['events.sources']!(ctx, { caseId }));
    calls['views.list'].output.parse(await queryHandlers['views.list']!(ctx, { caseId }));
  });
});
