// What correlation does during an import (issues 4, 15): identifier extraction per batch of files, and after the
// import the chains those files touch. The batches' file ids wait in `correlate_pending` (written in each batch's
// transaction), so the chain update after the import sees exactly the files imported since the last one.
import type { IdPattern } from '../../../shared/correlation';
import { hasTable, type CaseDb } from '../store/db';
import { buildEventMinutes } from '../store/eventMinutes';
import { withMemoryLimit, withMemoryRetry } from '../store/memoryRetry';
import { SUMMARY_STAGE, timed } from '../util/stageTimes';
import { buildChains, updateChains } from './chains';
import { extractBatch } from './extract';
import { recordDerivation, storedDerivation } from './derivation';

export interface CorrelateOptions {
  /** Operator id patterns from case.json (`idPatterns`); the KYC-like default when absent. */
  idPatterns?: IdPattern[];
  /** Off only to measure what extraction costs (bench:correlate). */
  disabled?: boolean;
  /** Rebuild every chain instead of updating the touched ones (bench and differential tests). */
  fullRebuild?: boolean;
}

const PENDING_DDL = `CREATE TABLE IF NOT EXISTS correlate_pending (file_id BIGINT)`;

/** Inside the batch's transaction: the batch's identifiers and status evidence; its files wait for the chain update. */
export async function afterBatchImported(db: CaseDb, fileIds: number[], opts: CorrelateOptions = {}): Promise<void> {
  if (opts.disabled || !fileIds.length) return;
  await extractBatch(db, fileIds, opts.idPatterns);
  await db.run(PENDING_DDL);
  await db.run(`INSERT INTO correlate_pending VALUES ${fileIds.map((n) => `(${Math.trunc(n)})`).join(', ')}`);
}

/** Once per import: the chains, their events and links that the imported files touch (all of them on a new case); the
 * timeline's per-minute summary. `signal` stops either at once, rolled back (the pending marks stay for the next run). */
export async function afterImportFinished(db: CaseDb, opts: CorrelateOptions = {}, signal?: AbortSignal): Promise<void> {
  // The summary is not correlation: it is built even when correlation is measured off.
  await timed(SUMMARY_STAGE, () => db.interruptible(signal, () => db.tx(() => buildEventMinutes(db))));
  if (opts.disabled) return;
  // The chain build's hash tables and sorts grow to DuckDB's limit, and RSS with them: at the writer's 320 MB the 10 GB
  // tree's job peaked at 974 MB in it (docs/BENCHMARKS.md, issue 13). It runs at less, cut into parts by that limit
  // (chains.ts keyParts); a build that still runs out is its transaction rolled back and run again at the retry's limit.
  // Inside the limit: the limit is put back after a cancel too.
  await withMemoryLimit(db, CHAIN_MEMORY, () => withMemoryRetry(db, () => db.interruptible(signal, () => db.tx(async () => {
    await db.run(PENDING_DDL);
    const pending = (await db.all<{ id: number | bigint }>(`SELECT DISTINCT file_id AS id FROM correlate_pending ORDER BY 1`)).map((r) => Number(r.id));
    if (opts.fullRebuild || !(await hasTable(db, 'chain_events'))) await buildChains(db);
    else await updateChains(db, pending);
    await db.run(`DELETE FROM correlate_pending`);
    // A new case's first build: its rules are this build's (a case derived by others was re-derived first: derivation.ts).
    if (await storedDerivation(db) === null) await recordDerivation(db, opts.idPatterns);
  }))));
}

/** DuckDB's memory limit while the chains are built after an import. */
const CHAIN_MEMORY = '256MB';
