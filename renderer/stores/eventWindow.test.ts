// The sliding keyset window, driven against an in-memory engine that pages like the contract says
// (rows ascending by (ts, id); `after`/`before` exclusive; next/prev null at the ends).
import { beforeEach, describe, expect, it } from 'vitest';
import type { Api } from '../../shared/contract';
import type { EventRow } from '../../shared/domain';
import { setClient } from '../api/client';
import { MAX_ROWS, PAGE, useEvents } from './eventWindow';

const N = 2500;
const ROWS: EventRow[] = Array.from({ length: N }, (_, i) => ({
  id: i + 1, ts: new Date(Date.UTC(2023, 6, 30) + Math.floor(i / 3) * 1000).toISOString(), tsText: null, source: i % 2 ? 'a' : 'b',
  file: 'f', line: i + 1, lineCount: 1, level: i % 50 === 0 ? 'ERROR' : 'INFO', logger: null, message: `m${i + 1}`, parseStatus: 'ok', bundle: 'x',
}));
const key = (r: { ts: string | null; id: number }) => `${r.ts}|${String(r.id).padStart(8, '0')}`;
let calls = 0;

const page: Api['events.page'] = async (i) => {
  calls++;
  let rows: EventRow[];
  if (i.after) rows = ROWS.filter((r) => key(r) > key(i.after!)).slice(0, i.limit);
  else if (i.before) { const b = ROWS.filter((r) => key(r) < key(i.before!)); rows = b.slice(Math.max(0, b.length - i.limit)); }
  else rows = ROWS.slice(0, i.limit);
  const first = rows[0], last = rows[rows.length - 1];
  return {
    rows, total: N, queryMs: 1,
    next: last && last.id !== N ? { ts: last.ts, id: last.id } : null,
    prev: first && first.id !== 1 ? { ts: first.ts, id: first.id } : null,
  };
};

beforeEach(() => {
  calls = 0;
  setClient({ api: { 'events.page': page } as Api, transport: 'browser', on: () => () => undefined, upload: null, pathForFile: null });
});

const ids = () => useEvents.getState().rows.map((r) => r.id);
const contiguous = (xs: number[]) => xs.every((x, i) => i === 0 || x === xs[i - 1]! + 1);

describe('event window', () => {
  it('pages forward, caps the window, and pages back to the start', async () => {
    const s = useEvents.getState();
    await s.reload({ caseId: 'c', filter: {}, extraFields: [] });
    expect(ids()).toHaveLength(PAGE);
    expect(useEvents.getState()).toMatchObject({ atStart: true, atEnd: false, total: N });
    for (let k = 0; k < 8; k++) await useEvents.getState().loadAfter();
    expect(ids()).toHaveLength(MAX_ROWS);
    expect(contiguous(ids())).toBe(true);
    expect(ids()[ids().length - 1]).toBe(1800);
    expect(useEvents.getState().atStart).toBe(false);
    // The viewport is told how many rows left above it.
    expect(useEvents.getState().scroll.shift).toBe(-PAGE);
    while (!useEvents.getState().atStart) await useEvents.getState().loadBefore();
    expect(ids()[0]).toBe(1);
    expect(ids()).toHaveLength(MAX_ROWS);
    expect(contiguous(ids())).toBe(true);
    expect(useEvents.getState().atEnd).toBe(false);
  });

  it('reaches the end and stops asking', async () => {
    await useEvents.getState().reload({ caseId: 'c', filter: {}, extraFields: [] });
    for (let k = 0; k < 20; k++) await useEvents.getState().loadAfter();
    expect(useEvents.getState().atEnd).toBe(true);
    expect(ids()[ids().length - 1]).toBe(N);
    const before = calls;
    await useEvents.getState().loadAfter();
    expect(calls).toBe(before);
  });

  it('jumps to a row outside the window and centres on it', async () => {
    await useEvents.getState().reload({ caseId: 'c', filter: {}, extraFields: [] });
    const target = ROWS[1999]!;
    await useEvents.getState().jumpTo(target);
    const st = useEvents.getState();
    expect(contiguous(ids())).toBe(true);
    expect(st.rows[st.scroll.index!]?.id).toBe(2000);
    expect(ids()[0]).toBe(1900);
    expect(st.atStart).toBe(false);
  });
});
