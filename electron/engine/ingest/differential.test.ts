// Differential: the fast import (DuckDB's line reader for clean files, SQL grouping, large batches, correlation as a
// stage after the events) against the reference (the JavaScript reader for every file, identifiers extracted in each
// batch's transaction, chains at the end). Same input → every table equal, row for row, on generated trees with
// every planted fault and on hand-made edge cases (CRLF, BOM, blank and indented lines, multi-line records, bad bytes,
// names with glob characters), under default and under tight limits.
import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { CaseHandle } from '../case/caseStore';
import { afterBatchImported, afterImportFinished } from '../correlate/ingestHooks';
import { generateTree } from '../../testkit/synth/generate';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';
import { compareCases, type TableDiff } from '../../testkit/compareCases';
import { importPaths, type ImportOptions } from './importer';
import { correlationPending, runCorrelationStage } from './correlationStage';
import { scanFile } from './scan';
import type { ImportResult } from '../../../shared/domain';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));
const newRoot = () => { const d = tempDir(); dirs.push(d); return d; };

/** Imports the inputs one after another (a later one updates the chains of the earlier: the incremental path). */
async function importInto(dir: string, inputs: string[], mode: 'reference' | 'fast'): Promise<{ result: ImportResult; readers: Map<string, string> }> {
  const readers = new Map<string, string>();
  const h = await CaseHandle.create(dir, { name: mode });
  try {
    const opts: ImportOptions = mode === 'reference'
      ? { reader: 'js', hooks: { afterBatch: (db, ids) => afterBatchImported(db, ids), afterImport: (db) => afterImportFinished(db) } }
      : { reader: 'auto', onReader: (f, r) => readers.set(f, r) };
    let result!: ImportResult;
    for (const input of inputs) {
      result = await importPaths(h, [input], opts);
      if (mode === 'fast') {
        expect(await correlationPending(h.db)).toBe(true);
        await h.withWriter((db) => runCorrelationStage(db, { extract: (d, ids) => afterBatchImported(d, ids), build: (d) => afterImportFinished(d) }));
        expect(await correlationPending(h.db)).toBe(false);
      }
    }
    return { result, readers };
  } finally {
    await h.close();
  }
}

async function differential(...inputs: string[]): Promise<{ tables: Record<string, TableDiff>; ref: ImportResult; fast: ImportResult; readers: Map<string, string>; fastCase: string }> {
  const root = newRoot();
  const ref = await importInto(path.join(root, 'ref'), inputs, 'reference');
  const fast = await importInto(path.join(root, 'fast'), inputs, 'fast');
  const tables = await compareCases(path.join(root, 'ref'), path.join(root, 'fast'));
  for (const [t, r] of Object.entries(tables)) expect({ t, onlyRef: r.onlyA, onlyFast: r.onlyB }).toEqual({ t, onlyRef: 0, onlyFast: 0 });
  // The results the caller sees agree too (all but the clock).
  const strip = (r: ImportResult) => ({ ...r, seconds: 0, firstEventsSeconds: r.firstEventsSeconds === undefined ? undefined : 0 });
  expect(strip(fast.result)).toEqual(strip(ref.result));
  return { tables, ref: ref.result, fast: fast.result, readers: fast.readers, fastCase: path.join(root, 'fast') };
}

const sys = (i: number, extra = '') => JSON.stringify({ message: `m${i}${extra}`, levelname: i % 7 ? 'INFO' : 'ERROR', name: 'app', asctime: '2023-07-30 00:13:45,400', created: 1690656225.4 + i, logid: String(i) });
const celery = (i: number, body = '') => `[2023-07-06 12:07:${String(i % 60).padStart(2, '0')},774: INFO/MainProcess] Task t[320bbda6-e758-49fc-8a26-e8dc29f88f7${i % 10}] received${body}`;

/** Hand-made files at the edges of what the fast reader may take, and just past them. */
function edgeTree(root: string): string {
  const b = path.join(root, 'edge');
  const lf = (lines: string[]) => lines.join('\n') + '\n';
  const crlf = (lines: string[]) => lines.join('\r\n') + '\r\n';
  const sysLines = Array.from({ length: 40 }, (_, i) => sys(i));
  writeAt(b, 'enrich/logs/app/app.json.log', lf(sysLines));
  writeAt(b, 'enrich/logs/app/app.json.log.1', crlf(sysLines.map((l) => l.replace('"m', '"crlf'))));
  // BOM, blank lines, an indented continuation, a line of only spaces and one of a no-break space, a torn end.
  writeAt(b, 'enrich/logs/app/app.json.log.2', `\uFEFF${sys(100)}\n\n  ${sys(101)}\n   \n\u00a0\n\t\n${sys(102, ' "quoted" \\\\ back')}\n${sys(103).slice(0, 30)}`);
  // Mixed line ends and a lone CR: the JavaScript reader's.
  writeAt(b, 'enrich/llm-agents/logs/datagpt/app.json.log', `${sys(200)}\r\n${sys(201)}\n${sys(202)}\rX\n`);
  // Celery with multi-line records (SQL, a traceback), blank lines inside, trailing spaces, and CRLF in one copy.
  const celeryLines = [celery(1), 'SELECT *', '  FROM t  ', '', celery(2, ' ok  '), 'Traceback (most recent call last):', '  File "x.py", line 1', 'ValueError: bad', celery(3)];
  writeAt(b, 'enrich/logs/celery/celery-worker.log', lf(celeryLines));
  writeAt(b, 'enrich/logs/celery/celery-worker.log.1', crlf(celeryLines.map((l) => l.replace('received', 'again'))));
  // A continuation before any header: the first line always starts a record.
  writeAt(b, 'enrich/logs/celery/celery-beat.log', lf(['orphan line', celery(4), 'cont']));
  // Record boundaries at file boundaries within one batch: a file ending in a multi-line record before a one-line
  // file, and a file whose lines are all continuations of its first.
  writeAt(b, 'enrich/logs/celery/celery-a.log', lf([celery(7), 'trace 1', 'trace 2']));
  writeAt(b, 'enrich/logs/celery/celery-b.log', lf([celery(8)]));
  writeAt(b, 'enrich/logs/celery/celery-c.log', lf(['x', 'y', 'z']));
  // Bytes that are not plain text: NUL, U+FFFD written literally, invalid UTF-8, the unit separator, UTF-16.
  writeAt(b, 'enrich/logs/doodle/doodle.log', Buffer.concat([Buffer.from('2023-07-30 00:13:45,400 INFO a\n2023-07-30 00:13:46,400 INFO b\0c\n')]));
  writeAt(b, 'enrich/logs/doodle/doodle.log.1', '2023-07-30 00:13:45,400 INFO \uFFFD literal\n');
  writeAt(b, 'enrich/logs/doodle/doodle.log.2', Buffer.concat([Buffer.from('2023-07-30 00:13:45,400 INFO '), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]));
  writeAt(b, 'enrich/logs/doodle/doodle.log.3', '2023-07-30 00:13:45,400 INFO a\x1fb\n');
  writeAt(b, 'enrich/logs/doodle/doodle.log.4', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('2023-07-30 00:13:45,400 INFO utf16\n', 'utf16le')]));
  // Raw files: unknown content, an empty file, one newline, a BOM alone, a torn line ending in CR, a glob-like name.
  writeAt(b, 'misc/notes.txt', lf(['free text', '', '   indented', 'last']));
  writeAt(b, 'misc/empty.log', '');
  writeAt(b, 'misc/newline.log', '\n');
  writeAt(b, 'misc/bom.log', '\uFEFF');
  writeAt(b, 'misc/cr-end.log', 'a\nb\r');
  writeAt(b, 'misc/[odd]*name?.log', lf(['x', 'y']));
  writeAt(b, 'misc/unicode.log', lf(['ünïcödé ✓ 𝄞 emoji 😀', '"quotes", commas; tabs\there', 'NULL', '\\N']));
  // A long line and a long multi-line record: fine by default, past the tight limits below.
  writeAt(b, 'misc/long.log', lf(['short', 'L'.repeat(5000), 'after']));
  writeAt(b, 'enrich/logs/celery/celery-long.log', lf([celery(5), ...Array.from({ length: 60 }, (_, i) => `  line ${i} ${'y'.repeat(20)}`), celery(6)]));
  // A few lines that are not UTF-8 (read by DuckDB from a repaired copy): a bad sequence mid-line, a lead byte before
  // LF, before CRLF, at the torn end, inside a multi-line record, after a BOM; past the cap of bad lines: JavaScript's.
  const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
  writeAt(b, 'enrich/logs/doodle/doodle.log.6', bytes('2023-07-30 00:13:45,400 INFO ok\n2023-07-30 00:13:45,500 INFO x', [0xe2], '\n2023-07-30 00:13:45,600 INFO y', [0xf0, 0x9f, 0x98], '\n', [0xff, 0xfe, 0x41], '\n2023-07-30 00:13:45,700 INFO torn', [0xe2, 0x82]));
  writeAt(b, 'enrich/logs/doodle/doodle.log.7', bytes('2023-07-30 00:13:45,400 INFO crlf', [0xe2], '\r\n2023-07-30 00:13:45,500 INFO b', [0xc0, 0xaf], '\r\n'));
  writeAt(b, 'enrich/logs/celery/celery-bad.log', bytes(lf([celery(20), 'SELECT *']), 'FROM ', [0xe9], 't\n', lf([celery(21), ' trailing', celery(22)])));
  writeAt(b, 'enrich/logs/app/app.json.log.6', bytes([0xef, 0xbb, 0xbf], sys(400), [0x80], '\n', lf(sysLines.slice(0, 5).map((l) => l.replace('"m', '"bom')))));
  writeAt(b, 'enrich/logs/doodle/doodle.log.8', bytes(...Array.from({ length: 1002 }, (_, i): number[] | string => (i % 2 ? [0xc3, 0x28, 10] : `2023-07-30 00:13:45,400 INFO many ${i}\n`)), ...Array.from({ length: 1002 }, () => [0x9f, 10])));
  // Compressed: clean, CRLF with a BOM, torn, multi-line records in two gzip members: DuckDB's (decompressed by both
  // readers alike). Truncated, invalid UTF-8 inside, trailing zeros after the stream (Node ignores them, DuckDB refuses
  // the file): the JavaScript reader's.
  const gz = (text: string | Buffer) => gzipSync(text);
  writeAt(b, 'enrich/logs/app/app.json.log.3.gz', gz(lf(sysLines.map((l) => l.replace('"m', '"gz')))));
  writeAt(b, 'enrich/logs/app/app.json.log.4.gz', gz(`\uFEFF${crlf(sysLines.slice(0, 9).map((l) => l.replace('"m', '"gzcrlf')))}`));
  writeAt(b, 'enrich/logs/app/app.json.log.5.gz', gz(`${sys(300)}\n${sys(301).slice(0, 25)}`));
  writeAt(b, 'enrich/logs/celery/celery-worker.log.2.gz', Buffer.concat([gz(lf(celeryLines.slice(0, 3))), gz(lf(celeryLines.slice(3).map((l) => l.replace('received', 'member'))))]));
  writeAt(b, 'enrich/logs/celery/celery-worker.log.3.gz', gz(lf(celeryLines.map((l) => l.replace('received', 'cut')).concat(Array.from({ length: 200 }, (_, i) => celery(i, ` n${i}`))))).subarray(0, 400));
  writeAt(b, 'enrich/logs/doodle/doodle.log.5.gz', gz(Buffer.concat([Buffer.from('2023-07-30 00:13:45,400 INFO gz '), Buffer.from([0xc3, 0x28]), Buffer.from('\n')])));
  writeAt(b, 'misc/zeros.log.gz', Buffer.concat([gz(lf(['zero', 'padded'])), Buffer.alloc(8)]));
  return b;
}

describe('fast import = reference import, every table', () => {
  it('on a generated tree with every planted fault, imported into a case that already holds another bundle', async () => {
    const root = newRoot();
    const gen = await generateTree(path.join(root, 'gen'), { targetBytes: 2_500_000, seed: 11, faults: 'all' });
    const { tables, readers } = await differential(edgeTree(root), gen.root);
    // Nearly every file is clean: DuckDB read them; the faulty and compressed ones went to the JavaScript reader.
    const generated = [...readers].filter(([f]) => !/^(enrich|misc)\//.test(f));
    expect(generated.filter(([, r]) => r === 'duckdb').length).toBeGreaterThan(generated.length * 0.8);
    expect([readers.get('logs/app/app.json.log.2.gz'), readers.get('logs/app/app.json.log.3.gz')]).toEqual(['duckdb', 'js']); // clean, truncated
    expect(tables.event_store!.rows).toBeGreaterThan(5000);
    expect(tables.identifiers!.rows).toBeGreaterThan(1000);
    expect(tables.chains!.rows).toBeGreaterThan(10);
    expect(tables.chain_links!.rows).toBeGreaterThan(0);
  }, 240_000);

  // Small files are read whole and split in SQL, larger ones by read_csv (fastRead.ts): each way alone, and both in one batch.
  const readerWays = [['small files whole', undefined], ['read_csv only', '0'], ['both in one batch', '215']] as const;
  const withWholeBytes = async <T>(bytes: string | undefined, fn: () => Promise<T>): Promise<T> => {
    const saved = process.env.CASEFILE_WHOLE_FILE_BYTES;
    if (bytes === undefined) delete process.env.CASEFILE_WHOLE_FILE_BYTES; else process.env.CASEFILE_WHOLE_FILE_BYTES = bytes;
    try { return await fn(); } finally {
      if (saved === undefined) delete process.env.CASEFILE_WHOLE_FILE_BYTES; else process.env.CASEFILE_WHOLE_FILE_BYTES = saved;
    }
  };

  it.each(readerWays)('on hand-made edge cases, and every clean file really went through the fast reader (%s)', (_way, bytes) => withWholeBytes(bytes, async () => {
    const root = newRoot();
    const b = edgeTree(root);
    const { tables, fast, readers, fastCase } = await differential(b);
    expect(tables.files!.rows).toBe(fast.files.length);
    const want = (r: string, files: string[]) => expect(Object.fromEntries(files.map((f) => [f, readers.get(f)]))).toEqual(Object.fromEntries(files.map((f) => [f, r])));
    want('duckdb', ['enrich/logs/app/app.json.log', 'enrich/logs/app/app.json.log.1', 'enrich/logs/app/app.json.log.2', 'enrich/logs/celery/celery-worker.log',
      'enrich/logs/celery/celery-worker.log.1', 'enrich/logs/celery/celery-beat.log', 'enrich/logs/celery/celery-a.log',
      'enrich/logs/celery/celery-b.log', 'enrich/logs/celery/celery-c.log', 'misc/notes.txt', 'misc/unicode.log', 'misc/long.log',
      'enrich/logs/app/app.json.log.3.gz', 'enrich/logs/app/app.json.log.4.gz', 'enrich/logs/app/app.json.log.5.gz', 'enrich/logs/celery/celery-worker.log.2.gz',
      'enrich/logs/doodle/doodle.log.1', 'enrich/logs/doodle/doodle.log.2', 'enrich/logs/doodle/doodle.log.6', 'enrich/logs/doodle/doodle.log.7',
      'enrich/logs/celery/celery-bad.log', 'enrich/logs/app/app.json.log.6']);
    want('js', ['enrich/llm-agents/logs/datagpt/app.json.log', 'enrich/logs/doodle/doodle.log', 'enrich/logs/doodle/doodle.log.8',
      'enrich/logs/doodle/doodle.log.3', 'enrich/logs/doodle/doodle.log.4', 'misc/empty.log', 'misc/bom.log', 'misc/cr-end.log', 'misc/[odd]*name?.log',
      'enrich/logs/celery/celery-worker.log.3.gz', 'enrich/logs/doodle/doodle.log.5.gz', 'misc/zeros.log.gz']);
    expect(fast.files.find((f) => f.file === 'enrich/logs/celery/celery-worker.log.3.gz')?.note).toMatch(/gzip stream is truncated/);
    expect(fast.files.find((f) => f.file === 'enrich/logs/doodle/doodle.log.6')?.note).toMatch(/^4 lines with bytes that are not UTF-8.*; last line has no newline/);
    expect(existsSync(path.join(fastCase, '.repair'))).toBe(false); // the repaired copies are gone
    // The scan's verdicts the differential relies on: these are eligible, those are not.
    const scan = (rel: string) => scanFile(path.join(b, rel));
    expect(await scan('enrich/logs/app/app.json.log.1')).toMatchObject({ newline: 'crlf', utf8: true });
    expect(await scan('enrich/logs/app/app.json.log.2')).toMatchObject({ bom: 'utf8', blankOrIndented: true, torn: true, newline: 'lf' });
    expect(await scan('enrich/llm-agents/logs/datagpt/app.json.log')).toMatchObject({ newline: 'mixed' });
    expect(await scan('enrich/logs/doodle/doodle.log')).toMatchObject({ nul: true });
    expect(await scan('enrich/logs/doodle/doodle.log.1')).toMatchObject({ utf8: false });
    expect(await scan('enrich/logs/doodle/doodle.log.2')).toMatchObject({ utf8: false });
    expect(await scan('enrich/logs/doodle/doodle.log.3')).toMatchObject({ unitSeparator: true });
    expect(await scan('misc/cr-end.log')).toMatchObject({ newline: 'mixed', torn: true, lines: 2 });
  }), 120_000);

  it.each(readerWays)('a batch of more files than one read_csv statement takes: every file on the fast reader, lines in place (%s)', (_way, bytes) => withWholeBytes(bytes, async () => {
    const b = path.join(newRoot(), 'many');
    // 1,201 files: three read_csv statements (500 files each), multi-line records ending at chunk boundaries.
    for (let i = 0; i <= 1200; i++) writeAt(b, `enrich/logs/celery/w${String(i).padStart(4, '0')}.log`, [celery(i, ` f${i}`), ...(i % 3 ? [] : [`  more ${i}`, 'end']), celery(i + 1)].join('\n') + '\n');
    const { readers } = await differential(b);
    expect(readers.size).toBe(1201);
    expect([...readers.values()].every((r) => r === 'duckdb')).toBe(true);
  }), 240_000);

  it('one-line records of more files than one read_csv statement takes: each statement\'s lines keep their files\' order', () => withWholeBytes('0', async () => {
    const b = path.join(newRoot(), 'many-json');
    // 1,001 JSON files of 1-3 lines: three read_csv statements (500 files each), their lines placed by rowid in turn.
    for (let i = 0; i <= 1000; i++) {
      writeAt(b, `enrich/logs/app/a${String(i).padStart(4, '0')}.json.log`, Array.from({ length: 1 + (i % 3) },
        (_, j) => JSON.stringify({ asctime: `2023-07-30 00:13:${String((i + j) % 60).padStart(2, '0')},400`, levelname: 'INFO', message: `m${i}.${j}` })).join('\n') + '\n');
    }
    const { readers } = await differential(b);
    expect(readers.size).toBe(1001);
    expect([...readers.values()].every((r) => r === 'duckdb')).toBe(true);
  }), 240_000);

  it('one-line records from a repaired copy (a line that is not UTF-8): read from the copy, which is gone afterwards', () => withWholeBytes('0', async () => {
    const b = path.join(newRoot(), 'repaired-json');
    writeAt(b, 'enrich/logs/app/app.json.log', Array.from({ length: 30 }, (_, i) => sys(i)).join('\n') + '\n');
    writeAt(b, 'enrich/logs/app/app.json.log.1', Buffer.concat([Buffer.from(`${sys(40)}\n${sys(41)}`), Buffer.from([0xe2, 0x28]), Buffer.from(`\n${sys(42)}\n`)]));
    const { fast, readers, fastCase } = await differential(b);
    expect([...readers.values()]).toEqual(['duckdb', 'duckdb']);
    expect(fast.files.find((f) => f.file === 'enrich/logs/app/app.json.log.1')?.note).toMatch(/^1 line with bytes that are not UTF-8/);
    expect(existsSync(path.join(fastCase, '.repair'))).toBe(false);
  }), 120_000);

  it('under tight line and record limits (cut lines, split records: the JavaScript reader\'s cases)', async () => {
    const saved = { line: process.env.CASEFILE_MAX_LINE_CHARS, rec: process.env.CASEFILE_MAX_RECORD_CHARS };
    process.env.CASEFILE_MAX_LINE_CHARS = '1000';
    process.env.CASEFILE_MAX_RECORD_CHARS = '1500';
    try {
      const { fast, readers } = await differential(edgeTree(newRoot()));
      // Sent back after grouping (a record past the limit) or never taken (a line past it); the rest stays fast.
      expect([readers.get('enrich/logs/celery/celery-long.log'), readers.get('misc/long.log'), readers.get('enrich/logs/celery/celery-worker.log')]).toEqual(['js', 'js', 'duckdb']);
      expect(fast.files.find((f) => f.file === 'misc/long.log')?.note).toMatch(/longer than the line limit/);
      expect(fast.files.find((f) => f.file === 'enrich/logs/celery/celery-long.log')?.note).toMatch(/longer than the record limit/);
    } finally {
      for (const [k, v] of [['CASEFILE_MAX_LINE_CHARS', saved.line], ['CASEFILE_MAX_RECORD_CHARS', saved.rec]] as const) {
        if (v === undefined) delete process.env[k]; else process.env[k] = v;
      }
    }
  }, 120_000);
});
