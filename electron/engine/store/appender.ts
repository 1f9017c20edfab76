// Appenders into temp staging tables. DuckDB flushes an appender that was never closed when JavaScript garbage-collects
// it, into whatever table has its name at that moment (the name is looked up at the flush). After a failed batch the
// retry makes its staging table anew, so a failed appender's buffered rows could land in the retry's table, at a time
// the collector chose: a memory retry imported a Celery log's records twice, about one run in five.
import type { DuckDBAppender } from '@duckdb/node-api';
import type { CaseDb } from './db';

/** Lets go of an appender whose rows must not land anywhere: its buffer is cleared first, then it is closed. */
export function discardAppender(app: DuckDBAppender): void {
  try { app.clear(); } catch { /* already closed or invalidated: nothing buffered to flush */ }
  try { app.closeSync(); } catch { /* as above */ }
}

/** Fills temp table `table` through an appender, closed (its rows flushed) on success and discarded on any failure. */
export async function withAppender<T>(db: CaseDb, table: string, fill: (app: DuckDBAppender) => Promise<T> | T): Promise<T> {
  const app = await db.conn.createAppender(table, 'main', 'temp');
  try {
    const out = await fill(app);
    app.closeSync();
    return out;
  } catch (e) {
    discardAppender(app);
    throw e;
  }
}
