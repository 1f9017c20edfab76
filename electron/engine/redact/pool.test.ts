import { describe, expect, it } from 'vitest';
import { BatchRedactor, type RowIn } from './batch';
import { Detectors } from './detect';
import { RedactPool } from './pool';
import { Rescanner } from './rescan';

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

  it('workers use a harvest matcher built once on this thread (shared memory): same rows as building their own', async () => {
    const harvest = [{ type: 'user', value: 'venkata' }, { type: 'client_id', value: 'ALPHA1234' }];
    const own = new BatchRedactor({ ...setup, detectors: { harvest } }).run([{ id: '1', cells: ['venkata paid ALPHA1234 twice'] }]);
    const matcher = new Detectors({ harvest }).harvest.matcherData();
    expect(matcher.automaton.next.buffer).toBeInstanceOf(SharedArrayBuffer);
    const pool = new RedactPool({ ...setup, detectors: { harvest, harvestMatcher: matcher } }, 2);
    try {
      await pool.ready;
      const got = await pool.run([{ id: '1', cells: ['venkata paid ALPHA1234 twice'] }]);
      expect(got.rows).toEqual(own.rows);
      expect(got.rows[0]![0]).toMatch(/^<user:\w+> paid <client_id:\w+> twice$/);
    } finally {
      await pool.close();
    }
  });

  it('re-scans JSONL lines in the workers: a surviving original or secret is named by event and column, a clean claim only skips clean cells', async () => {
    const labels = ['message', 'raw'];
    const redacted = new BatchRedactor(setup).run([
      { id: '7', cells: ['login by venkata', 'plain text'] },
      { id: '8', cells: ['nothing here', 'still nothing'] },
    ]);
    const line = (id: number, cells: (string | null)[]) => JSON.stringify({ id, message: cells[0], raw: cells[1] });
    const pool = new RedactPool({ detectors: setup.detectors, rescan: Rescanner.tables(new Map([['venkata', 'pii'], ['s3cr3t-zz', 'secret']])) }, 2);
    try {
      await pool.ready;
      // as written: no hit, and the claim (row 8 clean in both cells, row 7's raw clean) verifies
      expect(await pool.scanLines(redacted.rows.map((c, i) => line(7 + i, c)), labels, redacted.clean)).toEqual([]);
      // a writer that dropped a replacement: the original is found in event 7's message
      const leaked = [line(7, ['login by venkata', 'plain text']), line(8, redacted.rows[1]!)];
      expect(await pool.scanLines(leaked, labels, redacted.clean)).toEqual([{ where: 'event 7 message', check: 'original', detail: 'exact' }]);
      // a cell claimed clean that changed (an inserted secret): the claim no longer verifies, the detectors run
      const changed = [line(7, redacted.rows[0]!), line(8, ['nothing here', 'password=hunter2-Zq81bX0pLm'])];
      const hits = await pool.scanLines(changed, labels, redacted.clean);
      expect(hits).toContainEqual({ where: 'event 8 raw', check: 'detector', detail: 'key-value' });
    } finally {
      await pool.close();
    }
  });

  it('turns into a re-scan pool once the redaction is done: same hits as a pool started for the re-scan, and it redacts no more', async () => {
    const labels = ['message', 'raw'];
    const pool = new RedactPool(setup, 2);
    const fresh = new RedactPool({ detectors: setup.detectors, rescan: Rescanner.tables(new Map([['venkata', 'pii']])) }, 2);
    try {
      await Promise.all([pool.ready, fresh.ready]);
      const redacted = await pool.run([{ id: '7', cells: ['login by venkata', 'plain text'] }, { id: '8', cells: ['nothing here', 'still nothing'] }]);
      const r = new Map(redacted.originals);
      expect(r.get('venkata')).toBe('pii');
      const inFlight = pool.run(rows(2, 0));
      await expect(pool.rescanWith(Rescanner.tables(r))).rejects.toThrow(/in flight/);
      await inFlight;
      await pool.rescanWith(Rescanner.tables(r));
      const line = (id: number, cells: (string | null)[]) => JSON.stringify({ id, message: cells[0], raw: cells[1] });
      const cases = [
        redacted.rows.map((c, i) => line(7 + i, c)),
        [line(7, ['login by venkata', 'plain text']), line(8, redacted.rows[1]!)],
        [line(7, redacted.rows[0]!), line(8, ['nothing here', 'password=hunter2-Zq81bX0pLm'])],
      ];
      for (const lines of cases) {
        expect(await pool.scanLines(lines, labels, redacted.clean)).toEqual(await fresh.scanLines(lines, labels, redacted.clean));
      }
      expect(await pool.scanLines(cases[1]!, labels, redacted.clean)).toEqual([{ where: 'event 7 message', check: 'original', detail: 'exact' }]);
      // its workers zeroed their key and dropped their redactor
      await expect(pool.run(rows(1, 0))).rejects.toThrow();
    } finally {
      await pool.close();
      await fresh.close();
    }
  });
});
