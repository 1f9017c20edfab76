// Storing less: a record's message and stamp text are stored as where they are in raw when they are verbatim there
// (schema.ts messageSql/tsTextSql). The events view, the rows digests and every derived table must be what they were
// when both texts were stored (CASEFILE_STORE_TEXT=1, the old way): the same input imported both ways, compared.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { CaseHandle } from '../case/caseStore';
import { CaseDb } from '../store/db';
import { fileRowsDigests, type FileDigest } from '../store/digest';
import { generateTree } from '../../testkit/synth/generate';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';
import { compareCases, IMPORT_TABLES } from '../../testkit/compareCases';
import { importPaths } from './importer';
import { runCorrelationStage } from './correlationStage';
import { afterBatchImported, afterImportFinished } from '../correlate/ingestHooks';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));
afterEach(() => { delete process.env.CASEFILE_STORE_TEXT; });
const newRoot = () => { const d = tempDir(); dirs.push(d); return d; };

const EXCERPTS = path.join(__dirname, '../../testkit/realworld/excerpts');

/** Everything but the derived event tables, which are compared as read through the view. */
const TABLES = {
  events: 'SELECT * EXCLUDE (bundle) FROM {db}.events',
  // rows_digest (v2, v3) hashes the columns as stored, so it differs between the two ways: the v1 digests (as read) are compared below.
  files: 'SELECT * EXCLUDE (imported_at, audited, bundle, rows_digest) FROM {db}.files',
  ...Object.fromEntries(['identifiers', 'event_status', 'chains', 'chain_events', 'chain_links'].map((t) => [t, IMPORT_TABLES[t]!])),
};

async function importCase(dir: string, input: string, storeText: boolean): Promise<void> {
  if (storeText) process.env.CASEFILE_STORE_TEXT = '1'; else delete process.env.CASEFILE_STORE_TEXT;
  const h = await CaseHandle.create(dir, { name: path.basename(dir) });
  try {
    await importPaths(h, [input]);
    await h.withWriter((db) => runCorrelationStage(db, { extract: (d, ids) => afterBatchImported(d, ids), build: (d) => afterImportFinished(d) }));
  } finally { await h.close(); }
}

async function one<T>(dir: string, sql: string): Promise<T> {
  const db = await CaseDb.open(path.join(dir, 'case.duckdb'), { readOnly: true });
  try { return (await db.all<T>(sql))[0]!; } finally { db.close(); }
}

async function v1Digests(dir: string): Promise<Map<number, FileDigest>> {
  const db = await CaseDb.open(path.join(dir, 'case.duckdb'), { readOnly: true });
  try { return await fileRowsDigests((sql) => db.all(sql), undefined, 1); } finally { db.close(); }
}

const STORED = `SELECT count(*)::INTEGER AS n, count(message)::INTEGER AS message, count(msg_at)::INTEGER AS msg_at,
  count(ts_text)::INTEGER AS ts_text, count(ts_at)::INTEGER AS ts_at FROM event_store`;

/** Imports `input` the old way and the new, and checks that nothing read differs. */
async function bothWays(input: string): Promise<{ old: string; now: string; rows: number }> {
  const root = newRoot();
  const old = path.join(root, 'old');
  const now = path.join(root, 'new');
  await importCase(old, input, true);
  await importCase(now, input, false);
  const tables = await compareCases(old, now, TABLES);
  for (const [t, r] of Object.entries(tables)) expect({ t, onlyOld: r.onlyA, onlyNew: r.onlyB }).toEqual({ t, onlyOld: 0, onlyNew: 0 });
  // Custody: the same v1 rows digests (the text as read), so `casefile verify` of a case imported before still passes.
  const digests = `SELECT count(*)::INTEGER AS n, count(rows_digest)::INTEGER AS d FROM files`;
  const [a, b] = [await one<{ n: number; d: number }>(old, digests), await one<{ n: number; d: number }>(now, digests)];
  expect(b.d).toBe(b.n);
  expect(b).toEqual(a);
  expect(await v1Digests(now)).toEqual(await v1Digests(old));
  // The old way stored both texts and no offsets.
  const o = await one<{ n: number; message: number; msg_at: number; ts_at: number }>(old, STORED);
  expect({ msg_at: o.msg_at, ts_at: o.ts_at }).toEqual({ msg_at: 0, ts_at: 0 });
  return { old, now, rows: tables.events!.rows };
}

describe('message and ts_text derived from raw = stored as text', () => {
  it('on every real-world excerpt (every format, envelopes, tracebacks, CRLF, time-only stamps)', async () => {
    const { now, rows } = await bothWays(EXCERPTS);
    expect(rows).toBeGreaterThan(400);
    const s = await one<{ n: number; message: number; msg_at: number; ts_text: number; ts_at: number }>(now, STORED);
    expect(s.msg_at).toBeGreaterThan(s.n * 0.8);
    expect(s.ts_at).toBeGreaterThan(s.n * 0.5);
  }, 120_000);

  it('on a generated tree with every planted fault', async () => {
    const gen = await generateTree(path.join(newRoot(), 'gen'), { targetBytes: 1_500_000, seed: 5, faults: 'all' });
    const { now } = await bothWays(gen.root);
    const s = await one<{ n: number; message: number; msg_at: number }>(now, STORED);
    expect(s.msg_at).toBeGreaterThan(s.n * 0.9);
  }, 120_000);

  it('on escaped, multi-byte, repeated, empty and missing texts, CRLF, multi-line and malformed records', async () => {
    const b = path.join(newRoot(), 'edge');
    const rec = (o: Record<string, unknown>) => JSON.stringify({ levelname: 'INFO', name: 'app', asctime: '2023-07-30 00:13:45,400', ...o });
    const json = [
      rec({ message: 'plain' }),
      rec({ message: 'line one\nline two\t"quoted" \\ back' }), // escaped in raw: kept as text
      rec({ message: 'héllo wörld ✓ 𝄞 😀 日本語' }),
      rec({ message: 'é' }),
      rec({ message: '\u00e9 escaped' }).replace('é', '\\u00e9'),
      rec({ message: 'app' }), // also the value of "name" before it: any occurrence is the same text
      rec({ message: '' }),
      rec({ msg: 'no message key' }),
      rec({ message: 42 }),
      rec({ message: 'trailing space ' }),
      rec({ message: 'x', asctime: '2023-07-30T00:13:45.400+02:00' }),
      '{"message": "torn',
      'not json at all',
      `{"message": "spaced",   "levelname" :  "WARNING" , "asctime":"2023-07-30 00:13:46,400"}`,
    ];
    writeAt(b, 'enrich/logs/app/app.json.log', json.join('\n') + '\n');
    writeAt(b, 'enrich/logs/app/app.json.log.1', json.join('\r\n') + '\r\n');
    const cel = (i: number, body: string) => `[2023-07-06 12:07:0${i},774: INFO/MainProcess] ${body}`;
    const celery = [cel(1, 'Task t[1] received'), cel(2, 'Täsk ünïcödé 😀 received'), 'Traceback (most recent call last):', '  File "x.py", line 1',
      'ValueError: é', cel(3, ''), cel(4, 'SELECT *'), 'FROM t', 'WHERE a = 1', 'orphan after'];
    writeAt(b, 'enrich/logs/celery/celery-worker.log', celery.join('\n') + '\n');
    writeAt(b, 'enrich/logs/celery/celery-worker.log.1', celery.join('\r\n') + '\r\n');
    writeAt(b, 'enrich/logs/doodle/doodle.log', ['2023-07-30 00:13:45,400 INFO a é', '2023-07-30 00:13:46,400 ERROR', 'loose line', '2023-07-30 00:13:47,400 DEBUG  two  spaces '].join('\n') + '\n');
    writeAt(b, 'misc/notes.txt', ['free text é', '', '   indented', 'ünïcödé ✓ 𝄞', 'last'].join('\n') + '\n');
    writeAt(b, 'docker/app.log', [rec({ message: 'inner' }), rec({ message: 'inner é' })].map((l, i) => JSON.stringify({ log: `${l}\n`, stream: 'stdout', time: `2023-07-30T00:13:4${i}.400000000Z` })).join('\n') + '\n');
    const { now } = await bothWays(b);
    // What had to stay text did: the escaped JSON messages.
    const kept = await one<{ n: number }>(now, `SELECT count(*)::INTEGER AS n FROM event_store WHERE message IS NOT NULL AND contains(message, chr(10))`);
    expect(kept.n).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('reads a case made before the offsets existed (message stored, no offset columns) the same', async () => {
    const { old, now } = await bothWays(EXCERPTS);
    // Make the old case as it was: without the offset columns. Opening it adds them back (NULL: the text is stored).
    const db = await CaseDb.open(path.join(old, 'case.duckdb'));
    try {
      await db.run('DROP VIEW events');
      for (const c of ['msg_at', 'msg_len', 'ts_at', 'ts_len']) await db.run(`ALTER TABLE event_store DROP COLUMN ${c}`);
    } finally { db.close(); }
    const cols = await one<{ n: number }>(old, `SELECT count(*)::INTEGER AS n FROM duckdb_columns() WHERE table_name = 'event_store'`);
    expect(cols.n).toBe(14);
    await (await CaseHandle.open(old)).close();
    const tables = await compareCases(old, now, TABLES);
    for (const [t, r] of Object.entries(tables)) expect({ t, onlyOld: r.onlyA, onlyNew: r.onlyB }).toEqual({ t, onlyOld: 0, onlyNew: 0 });
  }, 120_000);
});
