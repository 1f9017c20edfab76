// The read side of a case, kept apart from the writer. Every read runs on its own short-lived connection, never on
// the writer's; each is counted, so switching the case between at-rest (read-only instance) and writing (reader
// connections beside the writer) waits for the reads in flight instead of closing their database under them.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CaseDb, Params, Row, SqlRead } from './db';
import { cancellable } from '../util/cancel';
import { phase } from '../util/phases';
import { legacyColumnViews } from './legacyColumns';

export class ReadPath implements SqlRead {
  private inflight = 0;
  private idle: (() => void)[] = [];
  /** Set once this path is being replaced: new reads go to its successor. */
  private next?: Promise<ReadPath>;
  /** What each connection of a read-only instance runs first: a case made before some columns existed sees them. */
  private legacy?: Promise<string[]>;

  /**
   * `db` is a read-only instance this path owns (closed when retired) or, during a write, the writer whose
   * instance lends it connections (the writer itself is closed by its owner).
   */
  constructor(private readonly db: CaseDb, private readonly owns: boolean) {}

  /** At rest: the data cannot change, counts may be memoised. */
  get readOnly(): boolean { return this.db.readOnly; }

  /** The operator's SQL door runs only on a locked instance: read-only, never a writer (nor beside one). */
  get sqlDoor(): boolean { return this.db.locked; }

  /** Runs fn on a fresh connection of the live path (following a switch in progress), counted as in flight. */
  async withConnection<T>(fn: (conn: DuckDBConnection, path: ReadPath) => Promise<T>): Promise<T> {
    if (this.next) return (await this.next).withConnection(fn);
    this.inflight++;
    try {
      const conn = await this.db.instance.connect();
      try {
        if (this.db.readOnly) for (const stmt of await (this.legacy ??= this.legacyViews(conn))) await conn.run(stmt);
        return await fn(conn, this);
      } finally { conn.closeSync(); }
    } finally {
      if (--this.inflight === 0) for (const wake of this.idle.splice(0)) wake();
    }
  }

  /** Asked once per path; a failure is asked again by the next read rather than kept. */
  private legacyViews(conn: DuckDBConnection): Promise<string[]> {
    return legacyColumnViews(conn).catch((e: unknown) => { this.legacy = undefined; throw e; });
  }

  async all<T = Row>(sql: string, params?: Params): Promise<T[]> {
    // A call cancelled by its caller interrupts its statement (util/cancel.ts).
    return phase('sql', () => this.withConnection(async (conn) => cancellable(() => conn.interrupt(),
      async () => (await conn.runAndReadAll(sql, params as never)).getRowObjectsJson() as unknown as T[])));
  }

  read<T = Row>(sql: string, params?: Params): Promise<T[]> { return this.all<T>(sql, params); }

  async one<T = Row>(sql: string, params?: Params): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  /**
   * Hands new reads to `next` and resolves once the reads already running have finished; then an owned
   * database is closed. Nothing is interrupted: a running query ends on its own (or at its timeout).
   */
  async retire(next: Promise<ReadPath>): Promise<void> {
    this.next = next;
    next.catch(() => undefined); // a failed switch is reported to its caller; waiting reads get the same error
    if (this.inflight > 0) await new Promise<void>((wake) => this.idle.push(wake));
    if (this.owns) this.db.close();
  }
}

/** A promise with its settle functions, for handing the next path to reads that arrive mid-switch. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}
