// The field sidebar's numbers against the same data counted in plain JS: exact below the sample size, sampled
// (and saying so) above it, bounded by the contract, and hostile key names taken as data, never as SQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventFilter } from '../../../shared/domain';
import { calls } from '../../../shared/contract';
import type { EngineContext } from '../api';
import type { CaseHandle } from '../case/caseStore';
import { buildCase, generate, type GenRow } from '../../testkit/testCase';
import { fieldStats } from './fieldStats';
import { page } from './events';
import { queryHandlers } from './handlers';

const HOSTILE = [`x'); DROP TABLE event_store; --`, '$.user', 'a"b', '/slash/y', '~0tilde', 'ünï cødé'];
const data = generate(6, 120);
// Every third row carries the hostile keys, with values that are themselves SQL.
data.rows.forEach((e, i) => { if (i % 3 === 0) for (const k of HOSTILE) e.fields[k] = `v' OR 1=1 -- ${i % 2}`; });
// A secret the screen must not show: masked in the sidebar as in the table.
data.rows.forEach((e, i) => { if (i % 7 === 0) e.fields.password = 'hunter2-s3cret'; });
// A key named like a record column: the sidebar reports the column, which is what a filter on "logger" reads.
data.rows.forEach((e, i) => { if (i % 5 === 0) e.fields.logger = 'shadow'; });
let handle: CaseHandle;
let cleanup: () => Promise<void>;
beforeAll(async () => { ({ handle, cleanup } = await buildCase(data)); });
afterAll(async () => { await cleanup(); });

/** Per field: events carrying it and its value counts, as the sidebar should report them (JSON null left out). */
function countFields(rows: GenRow[]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  const add = (k: string, v: string) => {
    const m = out.get(k) ?? new Map<string, number>();
    m.set(v, (m.get(v) ?? 0) + 1);
    out.set(k, m);
  };
  for (const e of rows) {
    for (const [k, v] of Object.entries(e.fields)) if (v !== null && k !== 'logger') add(k, typeof v === 'string' ? v : JSON.stringify(v));
    if (e.logger) add('logger', e.logger);
    add('file', e.file);
    add('bundle', e.bundle);
  }
  return out;
}
const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe('events.fieldStats', () => {
  it('reports every field of the matching events with exact counts and top values', async () => {
    const filter: EventFilter = { levels: ['ERROR', 'WARNING'] };
    const rows = data.rows.filter((e) => (filter.levels as string[]).includes(e.level ?? ''));
    const want = countFields(rows);
    const got = await fieldStats(handle.db, { filter, top: 3 });
    expect(got).toMatchObject({ total: rows.length, sampled: false, rowsRead: rows.length });
    expect(new Set(got.fields.map((f) => f.field))).toEqual(new Set(want.keys()));
    for (const f of got.fields) {
      const values = want.get(f.field)!;
      expect(f.count, f.field).toBe(sum(values));
      expect(f.distinct, f.field).toBe(values.size);
      const best = [...values.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3);
      expect(f.top.map((t) => [t.value, t.count]), f.field).toEqual(best);
    }
    // Most common field first.
    const counts = got.fields.map((f) => f.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it('samples a large result and says so; counts stay within the sample', async () => {
    const got = await fieldStats(handle.db, { filter: {}, top: 5, sample: 100 });
    expect(got).toMatchObject({ total: data.rows.length, sampled: true, rowsRead: 100 });
    const user = got.fields.find((f) => f.field === 'user')!;
    expect(user.count).toBe(100);
    expect(user.top.reduce((a, t) => a + t.count, 0)).toBe(100);
    // The same result twice gives the same numbers (the operator is looking at them).
    expect(await fieldStats(handle.db, { filter: {}, top: 5, sample: 100 })).toMatchObject({ fields: got.fields });
  });

  it('takes hostile key names and values as data: listed, filterable, and the table is still there', async () => {
    const got = await fieldStats(handle.db, { filter: {}, top: 2 });
    for (const k of HOSTILE) expect(got.fields.find((f) => f.field === k)?.count, k).toBe(data.rows.filter((_, i) => i % 3 === 0).length);
    // "Filter for" a hostile field's top value, as the sidebar does: the matching rows are exactly those carrying it.
    const k = HOSTILE[0]!;
    const value = got.fields.find((f) => f.field === k)!.top[0]!.value;
    const pg = await page(handle.db, { filter: { fields: [{ field: k, value }] }, limit: 1000 });
    expect(pg.total).toBe(data.rows.filter((e) => e.fields[k] === value).length);
    const [n] = await handle.db.read<{ n: bigint }>('SELECT count(*) AS n FROM event_store');
    expect(Number(n!.n)).toBe(data.rows.length);
  });

  it('the contract bounds the request: huge limits and samples are refused before any query', () => {
    const input = calls['events.fieldStats'].input;
    expect(input.safeParse({ caseId: 'c', filter: {}, top: 5 }).success).toBe(true);
    expect(input.safeParse({ caseId: 'c', filter: {}, top: 1_000_000 }).success).toBe(false);
    expect(input.safeParse({ caseId: 'c', filter: {}, top: 5, sample: 1e12 }).success).toBe(false);
    expect(input.safeParse({ caseId: 'c', filter: {}, top: 5, sample: 0 }).success).toBe(false);
    expect(input.safeParse({ caseId: 'c', filter: {}, top: 1.5 }).success).toBe(false);
  });

  it('answers through the handler with output the contract accepts; a bad regex is a clear error', async () => {
    const ctx = { via: 'test', getCase: () => handle, openCases: () => [handle] } as unknown as EngineContext;
    const out = await queryHandlers['events.fieldStats']!(ctx, { caseId: 'c', filter: { text: 'timeout' }, top: 5 });
    calls['events.fieldStats'].output.parse(out);
    expect(out.total).toBe(data.rows.filter((e) => e.raw.toLowerCase().includes('timeout')).length);
    await expect(fieldStats(handle.db, { filter: { text: '(?=x)', regex: true }, top: 5 })).rejects.toThrow(/not a valid regular expression/);
    const all = await queryHandlers['events.fieldStats']!(ctx, { caseId: 'c', filter: {}, top: 5 });
    const pw = all.fields.find((f) => f.field === 'password')!;
    expect(pw.top).toHaveLength(1);
    expect(pw.top[0]!.masked).toBe(true);
    expect(JSON.stringify(all)).not.toContain('hunter2');
  });
});
