// Opening a case database and running SQL on it. Every connection works in UTC so instants print the same everywhere.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { DDL, SCHEMA_VERSION } from './schema';
import { cancellable } from '../util/cancel';

export type Row = Record<string, unknown>;

/** CASEFILE_PROFILE=1: statements slower than 100 ms go to stderr with their time (to see where an import or a query spends it). */
const PROFILE = process.env.CASEFILE_PROFILE === '1';
/** With PROFILE, the process's RSS is sampled while a statement runs (its event loop is free meanwhile): the peak is printed. */
let rssPeak = 0;
if (PROFILE) setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage.rss()); }, 50).unref();
const mb = (n: number) => (n / 1e6).toFixed(0);
/** CASEFILE_MEMLOG=1 (with PROFILE): the process's memory split (Node heap, buffers, the rest: DuckDB and the allocator) twice a second. */
let memWriter: DuckDBInstance | null = null;
if (PROFILE && process.env.CASEFILE_MEMLOG === '1') setInterval(() => {
  const m = process.memoryUsage();
  const line = (duck: string) => process.stderr.write(`[mem ${process.uptime().toFixed(1)} s] rss ${mb(m.rss)} heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} ext ${mb(m.external)} ab ${mb(m.arrayBuffers)}${duck}\n`);
  const inst = memWriter;
  if (!inst) { line(''); return; }
  void (async () => {
    let c: DuckDBConnection | undefined;
    try {
      c = await inst.connect();
      const r = (await c.runAndReadAll(`SELECT tag, (memory_usage_bytes // 1000000)::INTEGER AS mb FROM duckdb_memory() WHERE memory_usage_bytes > 5000000 ORDER BY 2 DESC`)).getRowObjectsJson();
      line(` duck ${r.map((x) => `${String(x.tag)}=${String(x.mb)}`).join(' ')}`);
    } catch { line(' duck ?'); } finally { c?.closeSync(); }
  })();
}, 500).unref();
async function timed<T>(sql: string, run: () => Promise<T>): Promise<T> {
  if (!PROFILE) return run();
  const t = performance.now();
  rssPeak = process.memoryUsage.rss();
  try { return await run(); } finally {
    const ms = performance.now() - t;
    const mb = Math.max(rssPeak, process.memoryUsage.rss()) / 1e6;
    if (ms > 100 || mb > 700) process.stderr.write(`[sql ${process.uptime().toFixed(1)} s: ${ms.toFixed(0)} ms, peak RSS ${mb.toFixed(0)} MB] ${sql.replace(/\s+/g, ' ').slice(0, 160)}\n`);
  }
}
export type Params = Record<string, DuckDBValue> | DuckDBValue[];

/** The read side the query modules need: implemented by the writer (for its own reads) and by ReadPath. */
export interface SqlRead {
  all<T = Row>(sql: string, params?: Params): Promise<T[]>;
  one<T = Row>(sql: string, params?: Params): Promise<T | undefined>;
  read<T = Row>(sql: string, params?: Params): Promise<T[]>;
  /** True when the data cannot change under this reader (counts may be memoised). */
  readonly readOnly: boolean;
}

/**
 * Whether the case's own schema holds this table (a temp table of the same name does not count). Asked on the caller's
 * connection: a writer sees a table its open transaction made.
 */
export async function hasTable(db: SqlRead, name: string): Promise<boolean> {
  return hasTables(db, [name]);
}

/**
 * Whether the case's own schema holds every one of these tables. `committed`: asked as `db.read` sees the case (what
 * is committed), for callers whose next reads go through `db.read` too, so both see the same tables.
 */
export async function hasTables(db: SqlRead, names: string[], committed = false): Promise<boolean> {
  const sql = `SELECT count(DISTINCT table_name)::INTEGER AS n FROM duckdb_tables() WHERE database_name = current_database()
    AND schema_name = 'main' AND table_name IN (${names.map(sqlString).join(', ')})`;
  const [r] = committed ? await db.read<{ n: number }>(sql) : [await db.one<{ n: number }>(sql)];
  return Number(r?.n) === names.length;
}

/**
 * A reader instance reaches nothing but its own database: no files, no network, no extensions, and its settings
 * cannot be changed back by SQL (DuckDB's `enable_external_access` and `lock_configuration`).
 */
const LOCKDOWN: Record<string, string> = {
  enable_external_access: 'false',
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
};

/**
 * DuckDB's allocator (jemalloc, process-wide) keeps the pages of what statements freed until it is next used, so RSS
 * stood ~150 MB above what DuckDB held. Its background threads return them, and each thread's cache is flushed after
 * a task that allocated more than 16 MB (default 128 MB). The 1 GB import, two runs side by side: peak RSS 876 →
 * 735 MB for +2 % CPU (docs/BENCHMARKS.md, issue 13).
 */
const ALLOCATOR: Record<string, string> = { allocator_background_threads: 'true', allocator_flush_threshold: '16MB' };

/** The memory limit of a case file's writer (readers keep 640 MB). */
const WRITER_MEMORY = '320MB';

export class CaseDb implements SqlRead {
  private constructor(readonly instance: DuckDBInstance, readonly conn: DuckDBConnection, readonly readOnly: boolean,
    /** External access off and configuration locked (every read-only instance). */
    readonly locked: boolean) {}

  /** While `interruptible` runs: once it aborts, no statement starts on this connection (run, all, one). */
  private stop: AbortSignal | undefined;

  /** While `tx` commits: an interrupt then is held back (see `interrupt`). */
  private committing = false;

  /**
   * Read-only opens are always locked down. `lockdown` also locks a writable one once its schema exists (the
   * in-memory stand-in of a case without a database file yet).
   */
  static async open(file: string, opts: { readOnly?: boolean; lockdown?: boolean } = {}): Promise<CaseDb> {
    const locked = !!(opts.readOnly || opts.lockdown);
    // DuckDB's own default takes 80% of RAM; a laptop investigator must stay small, so it spills to disk instead:
    // beside a case's database (DuckDB's `<file>.tmp`), or for an in-memory database (verify's scratch copy) in a
    // directory of its own under the system temp (DuckDB's default would be `.tmp` in the working directory).
    // The writer of a case file (custody, correlation; the import's batches and the chain build go lower still,
    // importer.ts, correlate/ingestHooks.ts) gets 320 MB: DuckDB holds memory beyond what its pool tracks against the
    // limit (a statement's working set, pages the allocator keeps), and the import's peak RSS follows the limit
    // (docs/BENCHMARKS.md, issue 13); at 256 MB the 10 GB tree's rows digests ran out of memory (custody: the job then
    // ran at the retry's 1 GB, 1.6 GB RSS). CASEFILE_DUCKDB_WRITER_MEMORY sets it apart from the readers'.
    const writer = !opts.readOnly && file !== ':memory:';
    const limit = (writer ? process.env.CASEFILE_DUCKDB_WRITER_MEMORY : undefined) ?? process.env.CASEFILE_DUCKDB_MEMORY ?? (writer ? WRITER_MEMORY : '640MB');
    // Set before the lockdown: with external access off DuckDB refuses to change it.
    const temp: Record<string, string> = file === ':memory:' ? { temp_directory: path.join(os.tmpdir(), `casefile-duckdb-${process.pid}-${randomUUID()}`) } : {};
    const config: Record<string, string> = { memory_limit: limit, ...temp, ...ALLOCATOR, ...(locked ? LOCKDOWN : {}) };
    if (opts.readOnly) config.access_mode = 'READ_ONLY';
    const instance = await DuckDBInstance.create(file, config);
    const conn = await instance.connect();
    // GLOBAL so that every later connection (readers open their own) starts in UTC without a SET of its own.
    await conn.run(`SET GLOBAL TimeZone = 'UTC'`);
    const db = new CaseDb(instance, conn, !!opts.readOnly, locked);
    if (writer) memWriter = instance;
    if (!opts.readOnly) await db.migrate();
    if (locked) await conn.run('SET GLOBAL lock_configuration = true');
    return db;
  }

  private async migrate(): Promise<void> {
    for (const stmt of DDL) await this.conn.run(stmt);
    await this.conn.run(`INSERT OR REPLACE INTO meta VALUES ('schema_version', '${SCHEMA_VERSION}')`);
  }

  /** Rows as JSON-safe objects (BIGINT and timestamps become strings). */
  async all<T = Row>(sql: string, params?: Params): Promise<T[]> {
    this.stop?.throwIfAborted();
    const reader = await timed(sql, () => this.conn.runAndReadAll(sql, params as never));
    return reader.getRowObjectsJson() as unknown as T[];
  }

  /** A read on its own short-lived connection: safe beside a running import or another read. */
  async read<T = Row>(sql: string, params?: Params): Promise<T[]> {
    const conn = await this.instance.connect();
    try {
      const reader = await cancellable(() => conn.interrupt(), () => timed(sql, () => conn.runAndReadAll(sql, params as never)));
      return reader.getRowObjectsJson() as unknown as T[];
    } finally {
      conn.closeSync();
    }
  }

  async one<T = Row>(sql: string, params?: Params): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params?: Params): Promise<void> {
    await this.changes(sql, params);
  }

  /** Runs a statement and says how many rows it inserted, updated or deleted. */
  async changes(sql: string, params?: Params): Promise<number> {
    this.stop?.throwIfAborted();
    try {
      return Number((await timed(sql, () => this.conn.run(sql, params as never))).rowsChanged);
    } catch (e) {
      if (PROFILE && String(e).includes('Out of Memory')) await this.reportMemory(sql);
      throw e;
    }
  }

  /** CASEFILE_PROFILE=1: what DuckDB's memory held when a statement ran out of it (to see which statement and why). */
  private async reportMemory(sql: string): Promise<void> {
    const c = await this.instance.connect();
    try {
      const m = await c.runAndReadAll(`SELECT tag, memory_usage_bytes // 1000000 AS mb, temporary_storage_bytes // 1000000 AS tmp_mb
        FROM duckdb_memory() WHERE memory_usage_bytes + temporary_storage_bytes > 1000000 ORDER BY 2 DESC`);
      process.stderr.write(`[out of memory] ${sql.replace(/\s+/g, ' ').slice(0, 300)}\n[out of memory] ${JSON.stringify(m.getRowObjectsJson())}\n`);
    } finally { c.closeSync(); }
  }

  /** Runs fn inside one transaction: all of it lands or none of it does (also across kill -9). */
  async tx<T>(fn: () => Promise<T>): Promise<T> {
    await this.conn.run('BEGIN TRANSACTION');
    try {
      const out = await fn();
      this.committing = true;
      try {
        await timed('COMMIT', () => this.conn.run('COMMIT'));
      } finally {
        this.committing = false;
      }
      return out;
    } catch (e) {
      await this.conn.run('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  /**
   * An empty temp table, made anew. DuckDB keeps a temp table's deleted rows (and their version info, which it cannot
   * spill) until the table is dropped: emptied by DELETE for every batch, a staging table grows with the whole import
   * and a large import runs out of memory.
   */
  async freshTemp(name: string, columns: string): Promise<void> {
    await this.run(`CREATE OR REPLACE TEMP TABLE ${name} (${columns})`);
  }

  /**
   * Stops the statement this connection is running (it fails with DuckDB's interrupt error); harmless when idle. Not a
   * COMMIT: DuckDB's COMMIT interrupted mid-way throws "Interrupted!" with the transaction committed, and the work
   * would be said cancelled ("nothing was changed") while it is in. The commit ends; no statement starts after it.
   */
  interrupt(): void {
    if (!this.committing) this.conn.interrupt();
  }

  /**
   * Runs `fn` (a transaction, say) so that `signal` stops it at once: the statement running when it aborts is
   * interrupted, and none starts after (an interrupt that lands between two statements stops nothing by itself), so
   * `fn`'s transaction rolls back and the abort's reason, not DuckDB's "Interrupted!", is thrown. What runs after it
   * (a ROLLBACK, a setting put back) is not refused. `statementsAfter`: `fn`'s own later statements still run (only
   * the running one is interrupted): an import's batch, whose tidying after its COMMIT must not be refused.
   */
  async interruptible<T>(signal: AbortSignal | undefined, fn: () => Promise<T>, opts: { statementsAfter?: boolean } = {}): Promise<T> {
    if (!signal) return fn();
    signal.throwIfAborted();
    const outer = this.stop;
    const stop = () => this.interrupt();
    if (!opts.statementsAfter) this.stop = signal;
    signal.addEventListener('abort', stop, { once: true });
    try {
      return await fn();
    } catch (e) {
      signal.throwIfAborted();
      throw e;
    } finally {
      signal.removeEventListener('abort', stop);
      this.stop = outer;
    }
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** Quote a string as a SQL literal (for identifiers we build ourselves, never for user text: use params). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
