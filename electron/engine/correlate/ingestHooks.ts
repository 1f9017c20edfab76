// What correlation does during an import (issue 4): identifier extraction per batch of files, chains after the import.
import type { IdPattern } from '../../../shared/correlation';
import type { CaseDb } from '../store/db';
import { buildEventMinutes } from '../store/eventMinutes';
import { buildChains } from './chains';
import { extractBatch } from './extract';

export interface CorrelateOptions {
  /** Operator id patterns from case.json (`idPatterns`); the KYC-like default when absent. */
  idPatterns?: IdPattern[];
  /** Off only to measure what extraction costs (bench:correlate). */
  disabled?: boolean;
}

/** Inside the batch's transaction: the batch's identifiers and status evidence. */
export async function afterBatchImported(db: CaseDb, fileIds: number[], opts: CorrelateOptions = {}): Promise<void> {
  if (opts.disabled) return;
  await extractBatch(db, fileIds, opts.idPatterns);
}

/** Once per import: chains, their events and links, rebuilt over the whole case; the timeline's per-minute summary. */
export async function afterImportFinished(db: CaseDb, opts: CorrelateOptions = {}): Promise<void> {
  // The summary is not correlation: it is built even when correlation is measured off.
  await db.tx(() => buildEventMinutes(db));
  if (opts.disabled) return;
  await db.tx(() => buildChains(db));
}
