import { describe, expect, it } from 'vitest';
import { BatchRedactor, type RowIn } from './batch';
import { RedactPool } from './pool';

const setup = { detectors: { harvest: [{ type: 'user', value: 'venkata' }] }, key: new Uint8Array(32).fill(5) };
const rows = (n: number, off: number): RowIn[] => Array.from({ length: n }, (_, i) => ({
  id: String(off + i),
  cells: [`user venkata mail v${i % 3}@acme.in password=s3cr3t-${i}x`, null, `/home/venkata/x ${off + i}`],
}));

describe('redaction worker pool', () => {
  it('gives the same rows, tokens and map as one inline redactor, in submission order', async () => {
    const batches = [rows(20, 0), rows(20, 20), rows(20, 40)];
    const inline = new BatchRedactor(setup);
    const expected = batches.map((b) => inline.run(b));
    const pool = new RedactPool(setup, 2);
    try {
      await pool.ready;
      const got = await Promise.all(batches.map((b) => pool.run(b)));
      expect(got.map((g) => g.rows)).toEqual(expected.map((e) => e.rows));
      expect(got[0]!.rows[0]![0]).toMatch(/^user <user:[A-Z2-7]{10}> mail <email:[A-Z2-7]{10}> password=<secret:key-value>$/);
      expect(got[0]!.rows[0]![1]).toBeNull();
      const tokens = new Set(got.flatMap((g) => g.map.filter((m) => m.type === 'user').map((m) => m.token)));
      expect(tokens.size).toBe(1);
    } finally {
      await pool.close();
    }
  });
});
