// The DuckDB line reader's line accounting: a file whose lines DuckDB reads differently from the scan's count fails
// the batch loudly, whichever way the file was read (read_csv alone and numbered, read_csv sharing a statement, or whole
// and split in SQL), never drops or adds a line.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaseDb } from '../store/db';
import { formatById } from '../formats/registry';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';
import { stageFast, type FastFile } from './fastRead';
import { DEFAULT_LIMITS } from './limits';
import { scanFile } from './scan';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) removeDir(d); });

type Way = 'whole' | 'alone' | 'shared';

async function stage(format: string, text: string, lines: (counted: number) => number, way: Way): Promise<{ rows: number } | { error: string }> {
  const dir = tempDir();
  dirs.push(dir);
  const abs = path.join(dir, 'x.log');
  // A small file with a byte order mark is not read whole (read_text keeps the mark): it shares a read_csv statement.
  writeAt(dir, 'x.log', way === 'shared' ? `\ufeff${text}` : text);
  const scan = await scanFile(abs);
  const file: FastFile = { fileId: 1, abs, scan: { ...scan, lines: lines(scan.lines) } };
  const db = await CaseDb.open(':memory:');
  const saved = process.env.CASEFILE_WHOLE_FILE_BYTES;
  process.env.CASEFILE_WHOLE_FILE_BYTES = way === 'alone' ? '0' : String(1 << 20);
  try {
    await db.run('CREATE TEMP TABLE stage (file_id INTEGER, line INTEGER, line_count INTEGER, raw VARCHAR)');
    const back = await stageFast(db, formatById(format)!, [file], DEFAULT_LIMITS);
    expect(back).toEqual([]);
    return { rows: Number((await db.one<{ n: string }>('SELECT sum(line_count)::VARCHAR AS n FROM stage'))!.n) };
  } catch (e) {
    return { error: String(e) };
  } finally {
    if (saved === undefined) delete process.env.CASEFILE_WHOLE_FILE_BYTES; else process.env.CASEFILE_WHOLE_FILE_BYTES = saved;
    db.close();
  }
}

const json = (i: number) => JSON.stringify({ message: `m${i}`, levelname: 'INFO', asctime: '2023-07-30 00:13:45,400', created: 1690656225.4 + i });
const celery = (i: number) => `[2023-07-06 12:07:0${i},774: INFO/MainProcess] Task t[320bbda6-e758-49fc-8a26-e8dc29f88f70] received`;

describe.each([['whole, split in SQL', 'whole'], ['read_csv, a large file of one-line records alone', 'alone'], ['read_csv, shared statement', 'shared']] as const)('line accounting (%s)', (_what, way) => {
  const cases = [
    ['one-line records', 'system', `${json(1)}\n${json(2)}\n${json(3)}\n`],
    ['JSON records and a blank line (grouped)', 'system', `${json(1)}\n${json(2)}\n\n${json(3)}\n`],
    ['multi-line records', 'celery', `${celery(1)}\nSELECT *\n\n${celery(2)}\n${celery(3)}`],
  ] as const;
  it.each(cases)('%s: the scan\'s count is read exactly', async (_what, format, text) => {
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    expect(await stage(format, text, (n) => n, way)).toEqual({ rows: lines });
  });
  it.each(cases)('%s: one line more or fewer than DuckDB reads fails the batch', async (_what, format, text) => {
    for (const off of [1, -1]) {
      const r = await stage(format, text, (n) => n + off, way);
      expect(r).toMatchObject({ error: expect.stringMatching(/Line accounting failed/) });
    }
  });
});

describe('order', () => {
  it('small files read whole are staged in file and line order (event_store keeps it: id lookups rely on it)', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const files: FastFile[] = [];
    const FILES = 3000;
    const LINES = 150;
    for (let i = 0; i < FILES; i++) {
      const rel = `f${String(i).padStart(4, '0')}.json.log`;
      writeAt(dir, rel, Array.from({ length: LINES }, (_, j) => json(i * LINES + j)).join('\n') + '\n');
      files.push({ fileId: i + 1, abs: path.join(dir, rel), scan: await scanFile(path.join(dir, rel)) });
    }
    const db = await CaseDb.open(':memory:');
    try {
      await db.run('CREATE TEMP TABLE stage (file_id INTEGER, line INTEGER, line_count INTEGER, raw VARCHAR)');
      expect(await stageFast(db, formatById('system')!, files, DEFAULT_LIMITS)).toEqual([]);
      const r = await db.one<{ n: number; back: number }>(`SELECT count(*)::INTEGER AS n,
          count(*) FILTER (WHERE pf IS NOT NULL AND (file_id < pf OR (file_id = pf AND line < pl)))::INTEGER AS back
        FROM (SELECT file_id, line, lag(file_id) OVER (ORDER BY rowid) AS pf, lag(line) OVER (ORDER BY rowid) AS pl FROM stage)`);
      expect(r).toEqual({ n: FILES * LINES, back: 0 });
    } finally { db.close(); }
  }, 120_000);

  it('a large file read alone (over 16 MB, read_csv on every thread) is numbered in its own line order', async () => {
    const dir = tempDir();
    dirs.push(dir);
    // 48 MB of JSON lines, each saying its line number: several of read_csv's buffers, so several threads read it.
    const LINES = 400_000;
    const pad = 'x'.repeat(40);
    const abs = writeAt(dir, 'big.json.log', Array.from({ length: LINES }, (_, i) => JSON.stringify({ message: `${pad}${i + 1}`, levelname: 'INFO', asctime: '2023-07-30 00:13:45,400', created: 1690656225.4 + i, n: i + 1 })).join('\n') + '\n');
    const file: FastFile = { fileId: 7, abs, scan: await scanFile(abs) };
    expect(file.scan.bytes).toBeGreaterThan(32 * 1024 * 1024);
    const db = await CaseDb.open(path.join(dir, 'case.duckdb'));
    try {
      await db.run('CREATE TEMP TABLE stage (file_id INTEGER, line INTEGER, line_count INTEGER, raw VARCHAR)');
      expect(await stageFast(db, formatById('system')!, [file], DEFAULT_LIMITS)).toEqual([]);
      const r = await db.one<{ n: number; wrong: number }>(`SELECT count(*)::INTEGER AS n,
          count(*) FILTER (WHERE line <> (raw::JSON->>'n')::INTEGER)::INTEGER AS wrong FROM stage WHERE file_id = 7`);
      expect(r).toEqual({ n: LINES, wrong: 0 });
    } finally { db.close(); }
  }, 120_000);
});

describe('a record past the size limit', () => {
  it('sends its file back to the JavaScript reader with nothing of it staged', async () => {
    const dir = tempDir();
    dirs.push(dir);
    // One Celery record of 200,000 base64-like lines of 100 characters: 20 MB, past the 8 MiB record limit.
    const body = Array.from({ length: 200_000 }, (_, i) => `${String(i).padStart(8, '0')}${'QUJD'.repeat(23)}`).join('\n');
    const abs = writeAt(dir, 'celery-worker.log', `${celery(1)}\n${body}\n${celery(2)}\n`);
    const file: FastFile = { fileId: 1, abs, scan: await scanFile(abs) };
    const db = await CaseDb.open(path.join(dir, 'case.duckdb'));
    try {
      await db.run('CREATE TEMP TABLE stage (file_id INTEGER, line INTEGER, line_count INTEGER, raw VARCHAR)');
      const back = await stageFast(db, formatById('celery')!, [file], DEFAULT_LIMITS);
      expect(back.map((f) => f.fileId)).toEqual([1]);
      expect((await db.one<{ n: number }>('SELECT count(*)::INTEGER AS n FROM stage'))!.n).toBe(0);
    } finally {
      db.close();
    }
  });
});
