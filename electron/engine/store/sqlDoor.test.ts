// The operator's SQL door attacked through all three doors: the engine contract, the CLI (`casefile query`, a real
// process) and browser mode (`POST /api/events.sql` on a real server). Every hostile statement must be refused and
// leave no trace: no file written, no request made, nothing read from outside the case, the case unchanged.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseInfo } from '../../../shared/domain';
import { startServer, type RunningServer } from '../../serve/server';
import { Engine } from '../engine';
import { removeDir, tempDir } from '../../testkit/tmp';
import { CLI_BIN } from '../../testkit/cliChild';

const run = promisify(execFile);

let root: string;
let outside: string;
let engine: Engine;
let info: CaseInfo;
let srv: RunningServer;
let listener: http.Server;
let listenerHits = 0;
let listenerPort = 0;

type Answer = { status: number; body: { ok: boolean; value?: { columns: string[]; rows: Record<string, unknown>[]; truncated: boolean; truncatedBy?: string }; error?: { code: string; message: string } } };

function post(name: string, input: unknown): Promise<Answer> {
  const body = JSON.stringify(input);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: srv.port, method: 'POST', path: `/api/${name}`,
      headers: { host: `127.0.0.1:${srv.port}`, 'content-type': 'application/json', 'x-casefile-token': srv.token },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer['body'] }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sql = (q: string, limit?: number) => engine.invoke('events.sql', { caseId: info.id, sql: q, ...(limit ? { limit } : {}) }) as
  Promise<{ columns: string[]; rows: Record<string, unknown>[]; truncated: boolean; truncatedBy?: string }>;
const errorOf = async (p: Promise<unknown>) => {
  try { await p; } catch (e) { return (e as { error: { code: string; message: string } }).error; }
  throw new Error('expected the call to be refused');
};
const cli = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ['--max-old-space-size=256', CLI_BIN, 'query', '--case', info.dir, ...args],
    { env: { ...process.env, CASEFILE_HOME: path.join(root, 'home-cli'), ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }))
    .catch((e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));

beforeAll(async () => {
  root = tempDir('casefile-sqldoor-');
  outside = path.join(root, 'outside');
  mkdirSync(outside);
  process.env.CASEFILE_HOME = path.join(root, 'home');
  // Files outside the case that a query must not reach: a CSV and a Parquet file with a marker inside.
  writeFileSync(path.join(outside, 'secret.csv'), 'secret\nTOPSECRET-MARKER\n');
  const scratch = await DuckDBInstance.create(':memory:');
  const c = await scratch.connect();
  await c.run(`COPY (SELECT 'TOPSECRET-MARKER' AS s) TO '${path.join(outside, 'secret.parquet')}' (FORMAT parquet)`);
  c.closeSync();
  scratch.closeSync();
  // A real listener: an extension install must never reach it.
  listener = http.createServer((_req, res) => { listenerHits++; res.end('no'); });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  listenerPort = (listener.address() as AddressInfo).port;

  const bundle = path.join(root, 'bundle');
  mkdirSync(path.join(bundle, 'enrich/logs/celery'), { recursive: true });
  writeFileSync(path.join(bundle, 'enrich/logs/celery/w.log'), Array.from({ length: 50 }, (_, i) =>
    `[2023-07-06 12:07:${String(i % 60).padStart(2, '0')},774: INFO/MainProcess] hello ${i}\n`).join(''));
  engine = await Engine.create({ via: 'test' });
  info = (await engine.invoke('cases.create', { name: 'sql door', dir: path.join(root, 'case') })) as CaseInfo;
  await engine.invoke('import.paths', { caseId: info.id, paths: [bundle] });
  const renderer = path.join(root, 'renderer');
  mkdirSync(renderer);
  writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>t</title>');
  srv = await startServer({ engine, port: 0, rendererDir: renderer, uploadDir: path.join(root, 'uploads') });
}, 120_000);

afterAll(async () => {
  await srv?.close();
  await engine?.close();
  await new Promise((r) => listener?.close(r));
  delete process.env.CASEFILE_HOME;
  removeDir(root);
});

/** Every probe, with a path it must not create. */
function probes(): { sql: string; creates?: string }[] {
  const o = (f: string) => path.join(outside, f);
  const http = `http://127.0.0.1:${listenerPort}/x`;
  return [
    { sql: `EXPLAIN ANALYZE COPY (SELECT 'echo owned' AS l) TO '${o('x1')}' (FORMAT csv, HEADER false, QUOTE '')`, creates: o('x1') },
    { sql: `COPY (SELECT * FROM events) TO '${o('x2')}'`, creates: o('x2') },
    { sql: `COPY event_store FROM '${o('secret.csv')}'` },
    { sql: `EXPORT DATABASE '${o('x3')}'`, creates: o('x3') },
    { sql: `EXPLAIN ANALYZE INSTALL httpfs FROM '${http}'` },
    { sql: `INSTALL httpfs FROM '${http}'` },
    { sql: `FORCE INSTALL httpfs FROM '${http}'` },
    { sql: `LOAD httpfs` },
    { sql: `SELECT * FROM read_csv('${http}')` },
    { sql: `SELECT content FROM read_text('/etc/passwd')` },
    { sql: `SELECT * FROM read_csv('${o('secret.csv')}')` },
    { sql: `SELECT * FROM read_parquet('${o('secret.parquet')}')` },
    { sql: `SELECT * FROM '${o('secret.csv')}'` },
    { sql: `SELECT * FROM glob('${outside}/*')` },
    { sql: `ATTACH '${o('x4.duckdb')}' AS other`, creates: o('x4.duckdb') },
    { sql: `SELECT * FROM query('ATTACH ''${o('x5.duckdb')}''')`, creates: o('x5.duckdb') },
    { sql: `SET enable_external_access = true` },
    { sql: `SET GLOBAL lock_configuration = false` },
    { sql: `RESET enable_external_access` },
    { sql: `PRAGMA enable_profiling` },
    { sql: `PRAGMA threads = 1` },
    { sql: `CALL checkpoint()` },
    { sql: `CHECKPOINT` },
    { sql: `CREATE TABLE pwned (a INT)` },
    { sql: `UPDATE event_store SET message = 'pwned'` },
    { sql: `EXPLAIN ANALYZE UPDATE event_store SET message = 'pwned'` },
    { sql: `DELETE FROM event_store` },
    { sql: `DROP VIEW events` },
    { sql: `SELECT 1; COPY (SELECT 1) TO '${o('x6')}'`, creates: o('x6') },
    { sql: `SELECT 1 /* ; */; COPY (SELECT 1) TO '${o('x7')}'`, creates: o('x7') },
    { sql: `-- SELECT\nCOPY (SELECT 1) TO '${o('x8')}'`, creates: o('x8') },
    { sql: `/* SELECT */ EXPLAIN /* x */ ANALYZE COPY (SELECT 1) TO '${o('x9')}'`, creates: o('x9') },
    { sql: `EXPLAIN EXPLAIN ANALYZE COPY (SELECT 1) TO '${o('x10')}'`, creates: o('x10') },
    { sql: `EXPLAIN ANALYZE SELECT 1; COPY (SELECT 1) TO '${o('x11')}'`, creates: o('x11') },
    { sql: `BEGIN TRANSACTION` },
  ];
}

async function caseUnchanged() {
  const [r] = (await sql(`SELECT count(*)::INT AS n, count(*) FILTER (WHERE message = 'pwned')::INT AS pwned,
    (SELECT count(*) FROM duckdb_tables() WHERE table_name = 'pwned')::INT AS tables FROM event_store`)).rows;
  expect(r).toEqual({ n: 50, pwned: 0, tables: 0 });
  expect(readdirSync(outside).sort()).toEqual(['secret.csv', 'secret.parquet']);
  expect(listenerHits).toBe(0);
}

describe('the SQL door reaches nothing outside the case database', () => {
  it('refuses every probe through the engine contract', async () => {
    for (const p of probes()) {
      const err = await errorOf(sql(p.sql));
      expect(err.code, p.sql).toBe('invalid_input');
      expect(err.message).not.toMatch(/TOPSECRET|root:/);
      if (p.creates) expect(existsSync(p.creates), p.sql).toBe(false);
    }
    await caseUnchanged();
  });

  it('refuses every probe through POST /api/events.sql', async () => {
    for (const p of probes()) {
      const res = await post('events.sql', { caseId: info.id, sql: p.sql });
      expect(res.status, p.sql).toBe(400);
      expect(res.body.ok).toBe(false);
      expect(JSON.stringify(res.body)).not.toMatch(/TOPSECRET|root:/);
    }
    await caseUnchanged();
  });

  it('refuses the issue\'s probes through casefile query', async () => {
    // The CLI calls the same Engine.invoke; each probe is a real process (seconds each), so the issue's own probes
    // and one of each kind stand for the full list checked above. Two at a time.
    const all = probes().filter((p) => /EXPLAIN ANALYZE COPY|^INSTALL|read_text|^ATTACH|read_parquet|^SET|^PRAGMA enable|^CALL|^LOAD|^EXPORT|^SELECT 1;|^-- SELECT|^CREATE/.test(p.sql));
    expect(all.length).toBe(15);
    for (let i = 0; i < all.length; i += 2) {
      const outs = await Promise.all(all.slice(i, i + 2).map((p) => cli(['--sql', p.sql, '--json'])));
      outs.forEach((out, j) => {
        expect(out.code, all[i + j]!.sql).not.toBe(0);
        expect(out.stdout + out.stderr).not.toMatch(/TOPSECRET|root:/);
      });
    }
    await caseUnchanged();
  }, 240_000);

  it('is a locked, read-only DuckDB: external access off, extensions not auto-loaded', async () => {
    const [s] = (await sql(`SELECT current_setting('enable_external_access') AS ext, current_setting('lock_configuration') AS locked,
      current_setting('autoinstall_known_extensions') AS autoinstall, current_setting('autoload_known_extensions') AS autoload,
      current_setting('access_mode') AS mode, current_setting('TimeZone') AS tz`)).rows;
    expect(s).toEqual({ ext: false, locked: true, autoinstall: false, autoload: false, mode: 'read_only', tz: 'UTC' });
  });

  it('still answers every read-only form', async () => {
    expect((await sql('SELECT count(*)::INT AS n FROM events')).rows).toEqual([{ n: 50 }]);
    expect((await sql('select count(*)::INT as n from events; ')).rows).toEqual([{ n: 50 }]);
    expect((await sql('SELECT count(*)::INT AS n FROM events -- a trailing comment')).rows).toEqual([{ n: 50 }]);
    expect((await sql('WITH x AS (SELECT id FROM events) SELECT count(*)::INT AS n FROM x')).rows).toEqual([{ n: 50 }]);
    expect((await sql('FROM events SELECT count(*)::INT AS n')).rows).toEqual([{ n: 50 }]);
    expect((await sql('VALUES (1), (2)')).rows).toHaveLength(2);
    expect((await sql('DESCRIBE events')).rows.map((r) => r.column_name)).toContain('message');
    expect((await sql('SHOW TABLES')).rows.map((r) => r.name)).toContain('event_store');
    expect((await sql('SUMMARIZE SELECT id FROM events')).rows).toHaveLength(1);
    expect((await sql('EXPLAIN SELECT * FROM events')).columns).toContain('explain_value');
    expect(JSON.stringify((await sql('/* why */ EXPLAIN ANALYZE SELECT count(*) FROM events')).rows)).toMatch(/EXPLAIN ANALYZE|Total Time/i);
    const ordered = await sql('SELECT (id - (SELECT min(id) FROM events))::INT AS k FROM events ORDER BY id DESC', 3);
    expect(ordered.rows).toEqual([{ k: 49 }, { k: 48 }, { k: 47 }]);
    expect(ordered).toMatchObject({ truncated: true, truncatedBy: 'rows' });
  });
});

describe('what a refusal says', () => {
  it('a statement that would change the case is refused as one, also where DuckDB cannot bind it (qa20: "DELETE FROM events" said "Binder Error: Can only delete from base table")', async () => {
    const writes = [
      'DELETE FROM events', "UPDATE events SET level = 'x'", 'INSERT INTO event_store VALUES (1)',
      'WITH a AS (SELECT 1) DELETE FROM events', "EXPLAIN UPDATE events SET level = 'x'", 'DELETE FROM nope',
    ];
    for (const q of writes) {
      const err = await errorOf(sql(q));
      expect(err.code, q).toBe('invalid_input');
      expect(err.message, q).toMatch(/^Only one read-only statement is allowed: SELECT/);
    }
    // a query with a mistake in it keeps DuckDB's own words: the operator fixes the query, not its kind
    expect((await errorOf(sql('SELECT * FROM nope'))).message).toMatch(/^SQL error: Catalog Error: Table with name nope/);
    expect((await errorOf(sql('EXPLAIN SELECT * FROM nope'))).message).toMatch(/^SQL error: Catalog Error/);
    expect((await errorOf(sql('DESCRIBE nope'))).message).toMatch(/^SQL error: Catalog Error/);
    expect((await errorOf(sql('SELECT nope FROM events'))).message).toMatch(/^SQL error: Binder Error/);
    expect((await errorOf(sql('SELEC 1'))).message).toMatch(/^SQL error: .*syntax error/);
    // a PIVOT is a query: one with its values listed runs, or keeps DuckDB's words for a mistake; one without them
    // (DuckDB would create a type first) is told how to write it, not that it is a write (qa20's known edge)
    const pivot = await sql("PIVOT (SELECT level FROM events) ON level IN ('ERROR', 'INFO') USING count(*)");
    expect(pivot.columns).toEqual(['ERROR', 'INFO']);
    expect(Number(pivot.rows[0]?.ERROR) + Number(pivot.rows[0]?.INFO)).toBeGreaterThan(0);
    expect((await errorOf(sql("PIVOT events ON level IN ('ERROR') USING count(nope)"))).message).toMatch(/^SQL error: Binder Error/);
    for (const q of ['PIVOT events ON level USING count(*)', 'EXPLAIN PIVOT events ON level USING count(nope);']) {
      expect((await errorOf(sql(q))).message, q).toMatch(/^A PIVOT here must list its values, as in PIVOT events ON level IN/);
    }
    await caseUnchanged();
  });
});

describe('one query cannot take the process down', () => {
  it('returns the first row of 60 million at once, in bounded memory, through the engine and over HTTP', async () => {
    const before = process.memoryUsage().rss;
    const t = performance.now();
    const res = await sql('SELECT range AS n FROM range(60000000)', 1);
    expect(res.rows).toEqual([{ n: '0' }]); // BIGINT comes out as a string in JSON
    expect(res.truncated).toBe(true);
    const http = await post('events.sql', { caseId: info.id, sql: 'SELECT range AS n FROM range(60000000)', limit: 1 });
    expect(http.status).toBe(200);
    expect(http.body.value?.rows).toEqual([{ n: '0' }]);
    expect(performance.now() - t).toBeLessThan(10_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(300 * 1024 * 1024);
  });

  it('casefile query stays within a 256 MB heap on range(10000000) --limit 5', async () => {
    const out = await cli(['--sql', 'SELECT range AS n FROM range(10000000)', '--limit', '5', '--json']);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual(['0', '1', '2', '3', '4'].map((n) => ({ n })));
    expect(out.stderr).toMatch(/truncated to 5 rows/);
  }, 60_000);

  it('caps the result in bytes and says so', async () => {
    process.env.CASEFILE_SQL_MAX_BYTES = '20000';
    try {
      const res = await sql(`SELECT repeat('x', 1000) AS s FROM range(1000)`, 1000);
      expect(res).toMatchObject({ truncated: true, truncatedBy: 'bytes' });
      expect(res.rows.length).toBeGreaterThan(5);
      expect(res.rows.length).toBeLessThan(25);
    } finally { delete process.env.CASEFILE_SQL_MAX_BYTES; }
  });

  it('interrupts a query that would run forever with a clear error, and keeps serving', async () => {
    process.env.CASEFILE_SQL_TIMEOUT_MS = '1500';
    try {
      const t = performance.now();
      const err = await errorOf(sql('SELECT count(*) FROM range(100000000) a, range(100000000) b'));
      expect(err).toEqual({ code: 'timeout', message: 'The query ran longer than 1.5 s and was stopped.' });
      expect(performance.now() - t).toBeLessThan(10_000);
      const res = await post('events.sql', { caseId: info.id, sql: 'SELECT count(*) FROM range(100000000) a, range(100000000) b' });
      expect(res.status).toBe(504);
      expect(res.body.error?.code).toBe('timeout');
    } finally { delete process.env.CASEFILE_SQL_TIMEOUT_MS; }
    expect((await sql('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  }, 60_000);
});

describe('queries never run on the writer', () => {
  it('answers busy to SQL during a real import through the bridge, while pages keep working beside the writer', async () => {
    const big = path.join(root, 'big');
    mkdirSync(path.join(big, 'enrich/logs/celery'), { recursive: true });
    // Each worker's log differs (identical files would be one file's aliases, imported once).
    const line = (f: number, i: number) => `[2023-07-07 10:${String(Math.floor(i / 60000) % 60).padStart(2, '0')}:${String(Math.floor(i / 1000) % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')}: INFO/MainProcess] Task tasks.run[${i}] received payload ${f}-${i}\n`;
    for (let f = 0; f < 4; f++) {
      writeFileSync(path.join(big, `enrich/logs/celery/w${f}.log`), Array.from({ length: 60_000 }, (_, i) => line(f, i)).join(''));
    }
    const importing = post('import.paths', { caseId: info.id, paths: [big] });
    let done = false;
    void importing.finally(() => { done = true; });
    let busy: Answer | undefined;
    while (!done && !busy) {
      const r = await post('events.sql', { caseId: info.id, sql: 'SELECT 1' });
      if (r.status === 503) busy = r;
    }
    expect(busy?.body.error?.code, 'the import finished before a query saw it running').toBe('busy');
    const hostile = await Promise.all([
      post('events.sql', { caseId: info.id, sql: `EXPLAIN ANALYZE UPDATE event_store SET message = 'pwned'` }),
      post('events.sql', { caseId: info.id, sql: 'CREATE TABLE pwned (a INT)' }),
      post('events.page', { caseId: info.id, filter: {}, limit: 5 }),
    ]);
    expect(done, 'the import finished before the hostile queries were sent').toBe(false);
    expect(hostile[0].status).toBe(503);
    expect(hostile[1].status).toBe(503);
    expect(hostile[2].status).toBe(200);
    const imported = await importing;
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const [r] = (await sql(`SELECT count(*)::INT AS n, count(*) FILTER (WHERE message = 'pwned')::INT AS pwned,
      (SELECT count(*) FROM duckdb_tables() WHERE table_name = 'pwned')::INT AS tables FROM event_store`)).rows;
    expect(r).toEqual({ n: 50 + 240_000, pwned: 0, tables: 0 });
  }, 240_000);
});
