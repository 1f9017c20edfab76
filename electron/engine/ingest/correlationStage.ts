// Events first, correlation after: an import commits its events and marks their files in `extract_pending`; this
// stage then extracts their identifiers and status evidence and updates the chains, as a job of its own, while the
// timeline is already usable. Each extraction is one transaction that also moves its files from `extract_pending` to
// correlation's own `correlate_pending` (the files the chain update has not seen), and the chain update empties that
// in its transaction: a stage killed at any point is finished by the next run (after the next import, or when the
// case is opened), with nothing done twice.
import { hasTables, type CaseDb, type SqlRead } from '../store/db';
import { extractGroups } from '../util/extractGroups';
import { faultPoint } from './fault';
import { CHAINS_STAGE, EXTRACT_STAGE, timed } from '../util/stageTimes';

/** In the events' transaction: these files still need their identifiers, and the chains an update. */
export async function markCorrelationPending(db: CaseDb, fileIds: number[]): Promise<void> {
  if (fileIds.length) await db.run(`INSERT INTO extract_pending SELECT unnest([${fileIds.map((n) => Math.trunc(n)).join(', ')}])`);
}

/** Is correlation behind the events (a stage pending, running, or cut short)? */
export async function correlationPending(db: SqlRead): Promise<boolean> {
  const stage = await hasTables(db, ['correlate_pending'], true);
  const [r] = await db.read<{ n: number }>(`SELECT ((SELECT count(*) FROM extract_pending)
    ${stage ? '+ (SELECT count(*) FROM correlate_pending)' : ''})::INTEGER AS n`);
  return Number(r?.n) > 0;
}

export interface StageProgress { done: number; total: number; phase: 'identifiers' | 'chains' }

/** What correlation computes (its rules live in correlate/; the wiring hands its entry points in). */
export interface Correlator {
  /** Identifiers and status evidence of these files' events (any formats), inside the stage's transaction. */
  extract(db: CaseDb, fileIds: number[]): Promise<void>;
  /** Chains, their events and links for what was extracted since the last build; `signal` stops it (rolled back). */
  build(db: CaseDb, signal?: AbortSignal): Promise<void>;
  /** Before anything else: marks every file pending again when the case was derived by other rules. */
  prepare?(db: CaseDb): Promise<unknown>;
}

/**
 * Extracts what is pending, a group of files at a time, then updates the chains. Returns false when nothing was pending.
 * `signal` stops it at once (the running statement is interrupted): a group's extraction or the chain build that was
 * under way is rolled back, what is done stays done, and the marks say what the next run has left to do.
 */
export async function runCorrelationStage(db: CaseDb, correlator: Correlator, signal?: AbortSignal,
  progress?: (p: StageProgress) => void): Promise<boolean> {
  await correlator.prepare?.(db);
  if (!await correlationPending(db)) return false;
  const files = await db.all<{ id: number; events: string }>(`SELECT p.file_id AS id, coalesce(f.records, 0)::VARCHAR AS events
    FROM (SELECT DISTINCT file_id FROM extract_pending) p LEFT JOIN files f USING (file_id) ORDER BY 1`);
  const total = files.length;
  let done = 0;
  for (const part of extractGroups(files.map((f) => ({ id: Number(f.id), events: Number(f.events) })))) {
    await db.interruptible(signal, () => db.tx(async () => {
      await timed(EXTRACT_STAGE, () => correlator.extract(db, part));
      await db.run(`DELETE FROM extract_pending WHERE file_id IN (${part.join(', ')})`);
    }));
    done += part.length;
    faultPoint('correlation-midway');
    progress?.({ phase: 'identifiers', done, total });
  }
  signal?.throwIfAborted();
  progress?.({ phase: 'chains', done, total });
  await timed(CHAINS_STAGE, () => correlator.build(db, signal));
  return true;
}
