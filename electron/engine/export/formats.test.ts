// Reading an extract back for the fail-closed check streams: a Parquet file whose text is far larger than the
// memory the read may take, read row by row with the process's RSS sampled; CSV records split across chunks.
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../../testkit/tmp';
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
});
