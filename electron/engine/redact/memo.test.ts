// A redactor kept across batches (one per worker) gives exactly what a fresh redactor per batch gives: the same
// rows, the same clean claims, the same counts per batch, and (as the export merges them) the same map and originals.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchRedactor, type BatchResult, type RedactSetup, type RowIn } from './batch';
import type { MapEntry } from './pseudonym';
import { MEMO_TEXT, TextMemo } from './memo';

const setup: RedactSetup = {
  detectors: { harvest: [{ type: 'user', value: 'venkata' }], idPatterns: [{ kind: 'client_id', regex: '[A-Z]{4,6}[0-9]{3,}' }] },
  key: new Uint8Array(32).fill(7),
};

const TEXTS = [
  'login ok for venkata from 10.0.0.7',
  'password=Hunter2Hunter2x user=venkata',
  'payment by ALPHA1234 to priya@acme.in',
  '{"user": "venkata", "api_key": "zq81bX0pLm3nQ7"}',
  'cache warm, 120 entries',
  '/home/venkata/app/run.py line 12',
  'GET /api?api_key=s3cr3tvalue99&x=1',
  'ALPHA1234 retried; token=ghp_0123456789abcdefghijABCDEFGHIJ012345',
  'nothing to see',
];

/** What the export keeps of a run of batches: merged as run.ts merges them (first token wins, a secret wins). */
function merged(results: BatchResult[]) {
  const map = new Map<string, MapEntry>();
  const originals = new Map<string, 'secret' | 'pii'>();
  for (const r of results) {
    for (const e of r.map) if (!map.has(e.token)) map.set(e.token, e);
    for (const [v, k] of r.originals) if (originals.get(v) !== 'secret') originals.set(v, k);
  }
  const sorted = <T>(m: Map<string, T>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { map: sorted(map), originals: sorted(originals) };
}

const sortedCounts = (c: [string, number][]) => [...c].sort(([a], [b]) => (a < b ? -1 : 1));

describe('a redactor kept across batches', () => {
  it('property: same rows, claims and counts per batch as a fresh redactor per batch; same merged map and originals', () => {
    const cell = fc.oneof(fc.constantFrom(...TEXTS), fc.constant(null), fc.string({ maxLength: 20 }).map((s) => `note ${s}`));
    const batch = fc.array(fc.array(cell, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 });
    fc.assert(fc.property(fc.array(batch, { minLength: 1, maxLength: 5 }), (batches) => {
      let id = 0;
      const rowsOf = batches.map((b) => b.map((cells): RowIn => ({ id: String(++id), cells })));
      const kept = new BatchRedactor(setup);
      const longLived = rowsOf.map((rows) => kept.run(rows));
      const fresh = rowsOf.map((rows) => new BatchRedactor(setup).run(rows));
      longLived.forEach((r, i) => {
        expect(r.rows).toEqual(fresh[i]!.rows);
        expect(r.clean).toEqual(fresh[i]!.clean);
        expect(sortedCounts(r.byType)).toEqual(sortedCounts(fresh[i]!.byType));
        expect(sortedCounts(r.byRule)).toEqual(sortedCounts(fresh[i]!.byRule));
      });
      expect(merged(longLived)).toEqual(merged(fresh));
    }), { numRuns: 200 });
  });

  it('hands each original and map entry over once, with the batch that first replaced it; a repeat is counted again', () => {
    const kept = new BatchRedactor(setup);
    const a = kept.run([{ id: '1', cells: ['login ok for venkata from 10.0.0.7'] }]);
    const b = kept.run([{ id: '2', cells: ['login ok for venkata from 10.0.0.7'] }, { id: '3', cells: ['payment by ALPHA1234 to priya@acme.in'] }]);
    expect(b.rows[0]).toEqual(a.rows[0]);
    expect(a.map.map((e) => [e.type, e.firstEvent])).toEqual([['user', '1'], ['ip', '1']]);
    expect(b.map.map((e) => [e.type, e.firstEvent])).toEqual([['client_id', '3'], ['email', '3']]);
    expect(a.originals.map(([v]) => v)).toContain('venkata');
    expect(b.originals.map(([v]) => v)).not.toContain('venkata');
    expect(Object.fromEntries(b.byType)).toEqual({ user: 1, ip: 1, client_id: 1, email: 1 });
  });
});

describe('TextMemo', () => {
  it('keeps recurring texts through a stream of texts seen once, within its bounds', () => {
    const m = new TextMemo<number>(4, 1000);
    m.set('template', 1);
    for (let i = 0; i < 100; i++) {
      m.set(`once ${i}`, i);
      expect(m.get('template')).toBe(1); // each hit moves it back to the young generation
    }
    expect(m.get('once 0')).toBeUndefined();
    expect(m.get('once 99')).toBe(99);
  });

  it('drops a generation when its characters are spent, and never keeps a text over MEMO_TEXT', () => {
    const m = new TextMemo<number>(1000, 100);
    m.set('a'.repeat(60), 1);
    m.set('b'.repeat(60), 2); // over 100 characters: the first moves to the old generation
    m.set('c'.repeat(60), 3); // and is dropped now
    expect(m.get('a'.repeat(60))).toBeUndefined();
    expect(m.get('b'.repeat(60))).toBe(2);
    m.set('x'.repeat(MEMO_TEXT + 1), 4);
    expect(m.get('x'.repeat(MEMO_TEXT + 1))).toBeUndefined();
  });
});
