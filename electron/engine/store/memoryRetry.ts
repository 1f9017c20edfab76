// The case writer runs at a small DuckDB memory limit so an import stays under 1 GB (docs/BENCHMARKS.md, issue 13):
// what DuckDB can spill, it spills. A statement whose working set it cannot spill fails instead ("Out of Memory"),
// as the post-import job did on a 10 GB tree at 320 MB. Such a step is tried once more at a larger limit rather than
// leaving the case without custody and chains: the steps it wraps resume from their own pending marks.
import type { CaseDb } from './db';
import { sqlString } from './db';
import { parseSize } from '../../../shared/size';
import { addStageTime } from '../util/stageTimes';

/** The limit of the second try. */
export const RETRY_MEMORY = '1GB';

// DuckDB's own error says "Out of Memory"; the appender's wraps it as "Failed to append: could not allocate block".
export const isOutOfMemory = (e: unknown): boolean => /Out of Memory|could not allocate block/i.test(String(e));

/** The connection's DuckDB memory limit as DuckDB prints it ('305.1 MiB'). */
const memoryLimitSetting = async (db: CaseDb): Promise<string> => (await db.one<{ m: string }>(`SELECT current_setting('memory_limit') AS m`))!.m;

/** The connection's DuckDB memory limit in bytes (the writer's 320 MiB if DuckDB prints something unexpected). */
export async function memoryLimitBytes(db: CaseDb): Promise<number> {
  try {
    return parseSize(await memoryLimitSetting(db));
  } catch {
    return 320 * 2 ** 20;
  }
}

/** Runs `fn` at DuckDB memory `limit`, then puts the connection's own limit back (RESET would give DuckDB's default,
 * 80 % of RAM). */
export async function withMemoryLimit<T>(db: CaseDb, limit: string, fn: () => Promise<T>): Promise<T> {
  const was = await memoryLimitSetting(db);
  await db.run(`SET memory_limit = ${sqlString(limit)}`);
  try {
    return await fn();
  } finally {
    await db.run(`SET memory_limit = ${sqlString(was)}`);
  }
}

/**
 * Runs `step`; if DuckDB runs out of memory, `again` (by default `step` itself) at RETRY_MEMORY, then puts the
 * writer's limit back. A step that may have committed before it failed passes an `again` that first looks.
 */
export async function withMemoryRetry<T>(db: CaseDb, step: () => Promise<T>, onRetry?: () => void, again: () => Promise<T> = step): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (!isOutOfMemory(e)) throw e;
    // Seen in the import's stage times (CASEFILE_IMPORT_TIMINGS): a retry is the exception, its RSS well above the
    // writer's, and a run that needed one says so.
    addStageTime(`memory retry at ${RETRY_MEMORY}`, 0);
    onRetry?.();
    return withMemoryLimit(db, RETRY_MEMORY, again);
  }
}
