// The re-scan skips the detectors only on cells the redaction pass proved clean with the same detectors; the search
// for replaced originals covers every cell. Each door that could let a secret through a skipped cell is tried here.
import { describe, expect, it } from 'vitest';
import { BatchRedactor, BatchScanner, type RedactSetup, type RowIn } from './batch';
import { cleanDigest } from './cleanCells';
import { Detectors } from './detect';
import { Rescanner } from './rescan';

const LABELS = ['message', 'raw'];
const base: RedactSetup = { detectors: { harvest: [{ type: 'user', value: 'venkata' }] }, key: new Uint8Array(32).fill(3) };
const rows: RowIn[] = [
  { id: '1', cells: ['login ok for venkata', 'password=Hunter2Hunter2x'] },
  { id: '2', cells: ['cache warm, 120 entries', 'pin_code=839201xyz'] },
  // not found by any detector (bare word), yet it is the value replaced in row 1: only the originals search sees it
  { id: '3', cells: ['retrying with Hunter2Hunter2x', null] },
];

function roundTrip(redactWith: RedactSetup, scanWith: RedactSetup, tamper?: (out: (string | null)[][]) => void) {
  const r = new BatchRedactor(redactWith).run(rows);
  const out = r.rows.map((c) => [...c]);
  tamper?.(out);
  const scanner = new BatchScanner({ detectors: scanWith.detectors, rescan: Rescanner.tables(new Map(r.originals)) });
  const hits = scanner.run(out.map((cells, i) => ({ id: rows[i]!.id, cells })), LABELS, r.clean);
  return { r, out, hits, stats: scanner.stats };
}

describe('clean-cell claims in the fail-closed re-scan', () => {
  it('marks exactly the cells with no finding, and the same detectors then skip them', () => {
    const { r, hits, stats } = roundTrip(base, base);
    // row 1: both cells replaced; row 2: nothing found (pin_code is no sensitive name by default); row 3: message clean
    expect(r.clean.masks).toEqual([0, 0b11, 0b01]);
    expect(r.rows[1]).toEqual(rows[1]!.cells);
    expect(stats).toEqual({ detected: 2, skipped: 3, refused: 0 });
    // ...but the replaced original in row 3's skipped cell is still found
    expect(hits).toEqual([{ where: '3 message', check: 'original', detail: 'exact' }]);
  });

  it('a changed detector set does not trust the claim: every cell is scanned again', () => {
    const stricter: RedactSetup = { ...base, detectors: { ...base.detectors, rules: { secretKeys: ['pin_code'] } } };
    const { hits, stats } = roundTrip(base, stricter);
    expect(stats.refused).toBe(1);
    expect(stats.skipped).toBe(0);
    expect(hits).toContainEqual({ where: '2 raw', check: 'detector', detail: 'key-value' });
  });

  it('a clean cell that differs when read back (writer or reader fault) voids the claim for its batch', () => {
    const { hits, stats } = roundTrip(base, base, (out) => { out[1]![0] = 'cache warm, key AKIAZ7VQXN4EXAMPLQ3T'; });
    expect(stats.refused).toBe(1);
    expect(hits.some((h) => h.where === '2 message' && h.check === 'detector')).toBe(true);
  });

  it('rows out of order or missing void the claim', () => {
    const swapped = roundTrip(base, base, (out) => { out.reverse(); });
    expect(swapped.stats.refused).toBe(1);
    const r = new BatchRedactor(base).run(rows);
    const scanner = new BatchScanner({ detectors: base.detectors, rescan: Rescanner.tables(new Map(r.originals)) });
    scanner.run(r.rows.slice(0, 2).map((cells, i) => ({ id: String(i), cells })), LABELS, r.clean);
    expect(scanner.stats).toEqual({ detected: 4, skipped: 0, refused: 1 });
  });

  // An extract writes `fields` once (null where it equals raw): a null cell is never claimed clean, and how it reads
  // back (JSONL/Parquet null, CSV an empty cell) neither voids the claim nor lets a text through unchecked.
  it('a null cell is never claimed clean; read back as an empty CSV cell the claim still holds, and text found there is scanned', () => {
    const { r } = roundTrip(base, base);
    expect(r.clean.masks[2]! & 0b10).toBe(0);
    const csv = roundTrip(base, base, (out) => { out[2]![1] = ''; });
    expect(csv.stats).toEqual({ detected: 3, skipped: 3, refused: 0 });
    // a writer or reader fault that puts text where the redaction wrote null: scanned by every detector, found
    const smuggled = roundTrip(base, base, (out) => { out[2]![1] = 'key AKIAZ7VQXN4EXAMPLQ3T'; });
    expect(smuggled.stats.refused).toBe(0);
    expect(smuggled.hits).toContainEqual({ where: '3 raw', check: 'detector', detail: expect.any(String) as unknown });
  });

  it('a claim that marks a null cell clean does not verify against text there: the batch is scanned whole', () => {
    const r = new BatchRedactor(base).run(rows);
    const masks = [...r.clean.masks];
    masks[2] = masks[2]! | 0b10;
    const forged = { masks, digest: cleanDigest(new Detectors(base.detectors).fingerprint, r.rows, masks) };
    const out = r.rows.map((c) => [...c]);
    out[2]![1] = 'key AKIAZ7VQXN4EXAMPLQ3T';
    const scanner = new BatchScanner({ detectors: base.detectors, rescan: Rescanner.tables(new Map(r.originals)) });
    const hits = scanner.run(out.map((cells, i) => ({ id: rows[i]!.id, cells })), LABELS, forged);
    expect(scanner.stats.refused).toBe(1);
    expect(scanner.stats.skipped).toBe(0);
    expect(hits.some((h) => h.where === '3 raw' && h.check === 'detector')).toBe(true);
  });
});
