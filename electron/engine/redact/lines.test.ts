import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchRedactor, BatchScanner } from './batch';
import { csvLine, type LineLayout, LineRenderer, readLines, type RowValue } from './lines';
import { RedactPool } from './pool';
import { Rescanner } from './rescan';

const COLUMNS = ['id', 'message', 'line', 'raw'];
const TEXT = [false, true, false, true];
const layout = (format: 'jsonl' | 'csv'): LineLayout => ({ format, columns: COLUMNS, text: TEXT });
const decode = (b: Uint8Array | undefined) => Buffer.from(b!).toString('utf8');
const setup = { detectors: { harvest: [{ type: 'user', value: 'venkata' }] }, key: new Uint8Array(32).fill(5) };

describe('rows written by the worker', () => {
  it('are the row objects as the export wrote them (JSON.stringify, CSV cells), encoded as TextEncoder does, for any values', () => {
    const text = fc.option(fc.string({ unit: 'binary' }), { nil: null });
    const row = fc.tuple(fc.option(fc.integer(), { nil: null }), text, fc.option(fc.oneof(fc.integer(), fc.string()), { nil: null }), text);
    const renderer = new LineRenderer(); // one for every batch, as in a worker
    fc.assert(fc.property(fc.array(row, { maxLength: 8 }), (rows) => {
      const cells = rows.map(([, m, , r]) => [m, r]);
      const others = rows.map(([i, , l]): RowValue[] => [i, l]);
      const objects = rows.map(([id, message, line, raw]) => ({ id, message, line, raw }));
      const utf8 = (s: string) => [...new TextEncoder().encode(s)];
      expect([...renderer.render(layout('jsonl'), cells, others)]).toEqual(utf8(objects.map((o) => JSON.stringify(o) + '\n').join('')));
      expect([...renderer.render(layout('csv'), cells, others)]).toEqual(utf8(objects.map((o) => csvLine(o, COLUMNS)).join('')));
    }));
  });

  it('keep every byte when the lines outgrow the kept buffer, and a later smaller batch carries none of the earlier one', () => {
    const renderer = new LineRenderer();
    // lone surrogates (U+FFFD, 3 bytes each), an astral pair (4 bytes), and 3-byte characters, past 1 MiB in all
    const big = ['\ud800x', '😀', '✓'.repeat(400_000), 'end'];
    const rows = big.map((t, i) => [t, i % 2 ? null : t]);
    const others = big.map((_, i): RowValue[] => [i, i]);
    const lines = rows.map(([m, r], i) => JSON.stringify({ id: i, message: m, line: i, raw: r }) + '\n').join('');
    const expected = Buffer.from(new TextEncoder().encode(lines));
    expect(expected.length).toBeGreaterThan(1 << 20);
    expect(Buffer.from(renderer.render(layout('jsonl'), rows, others)).equals(expected)).toBe(true);
    expect(Buffer.from(renderer.render(layout('jsonl'), rows, others)).equals(expected)).toBe(true); // grown, kept
    expect(decode(renderer.render(layout('jsonl'), [['a', 'b']], [[1, 2]]))).toBe('{"id":1,"message":"a","line":2,"raw":"b"}\n');
  });

  it('a batch asked for its written form carries the same clean claim and the redacted rows as lines', () => {
    const rows = [{ id: '1', cells: ['login by venkata', 'plain'], others: [1, 10] }, { id: '2', cells: ['nothing', null], others: [2, null] }];
    const cells = new BatchRedactor(setup).run(rows);
    const written = new BatchRedactor(setup).run(rows, layout('jsonl'));
    expect(written.rows).toEqual([]);
    expect(written.clean).toEqual(cells.clean);
    expect(decode(written.chunk)).toBe(decode(new LineRenderer().render(layout('jsonl'), cells.rows, rows.map((r) => r.others))));
    expect(new TextDecoder().decode(written.chunk)).toMatch(/^\{"id":1,"message":"login by <user:\w+>","line":10,"raw":"plain"\}\n/);
  });
});

describe('reading a range of a written file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lines-'));
  const file = path.join(dir, 'events.jsonl');
  const lines = ['{"id":1,"raw":"a"}', '{"id":2,"raw":"ä ✓"}', '{"id":3,"raw":"c"}'];
  fs.writeFileSync(file, lines.map((l) => l + '\n').join(''));
  const at = (n: number) => Buffer.byteLength(lines.slice(0, n).map((l) => l + '\n').join(''));

  it('gives the whole lines of a range that starts and ends on line ends', () => {
    expect(readLines(file, 0, at(1))).toEqual(lines.slice(0, 1));
    expect(readLines(file, at(1), at(3))).toEqual(lines.slice(1));
    expect(readLines(file, at(3), at(3))).toEqual([]);
  });

  it('gives each line decoded as the whole range decodes, with the read buffer reused from a larger range', () => {
    const other = path.join(dir, 'other.jsonl');
    const many = ['{"raw":"' + 'ü✓😀'.repeat(5000) + '"}', '', '{"raw":"\ufffd\ud800"}', '{"raw":"b"}'];
    const bytes = Buffer.concat([Buffer.from(many.join('\n') + '\n'), Buffer.from([0xe2, 0x9c, 0x0a, 0xff, 0x0a])]); // cut and stray bytes
    fs.writeFileSync(other, bytes);
    const whole = bytes.toString('utf8').split('\n').filter((l) => l.length > 0);
    expect(readLines(other, 0, bytes.length)).toEqual(whole);
    expect(readLines(file, at(1), at(3))).toEqual(lines.slice(1)); // after the larger range: nothing of it left over
    expect(readLines(other, 0, bytes.length)).toEqual(whole);
  });

  it('refuses a range that cuts a line or runs past the end', () => {
    expect(() => readLines(file, 1, at(1))).toThrow(/start a line/);
    expect(() => readLines(file, 0, at(1) - 1)).toThrow(/end a line/);
    expect(() => readLines(file, at(1), at(3) + 5)).toThrow(/ends before/);
  });

  it('the re-scan of a range finds a surviving original and refuses a misaligned range in the pool', async () => {
    fs.writeFileSync(file, ['{"id":7,"message":"login by <user:AAAAAAAAAA>","raw":"x"}', '{"id":8,"message":"login by venkata","raw":"y"}'].map((l) => l + '\n').join(''));
    const size = fs.statSync(file).size;
    const tables = Rescanner.tables(new Map([['venkata', 'pii']]));
    expect(new BatchScanner({ detectors: setup.detectors, rescan: tables }).runRange(file, 0, size, ['message', 'raw']))
      .toEqual([{ where: 'event 8 message', check: 'original', detail: 'exact' }]);
    const pool = new RedactPool({ detectors: setup.detectors, rescan: tables }, 1);
    try {
      await pool.ready;
      expect(await pool.scanRange(file, 0, size, ['message', 'raw'])).toEqual([{ where: 'event 8 message', check: 'original', detail: 'exact' }]);
      await expect(pool.scanRange(file, 3, size, ['message', 'raw'])).rejects.toThrow(/start a line/);
    } finally {
      await pool.close();
    }
  });
});
