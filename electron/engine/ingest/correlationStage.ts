// Events first, correlation after: an import commits its events and marks their files in `extract_pending`; this
// stage then extracts their identifiers and status evidence and updates the chains, as a job of its own, while the
// timeline is already usable. Each extraction is one transaction that also moves its files from `extract_pending` to
// correlation's own `correlate_pending` (the files the chain update has not seen), and the chain update empties that
// in its transaction: a stage killed at any point is finished by the next run (after the next import, or when the
// case is opened), with nothing done twice.
import type { CaseDb, SqlRead } from '../store/db';
import { faultPoint } from './fault';
import { CHAINS_STAGE, EXTRACT_STAGE, timed } from '../util/stageTimes';

/** In the events' transaction: these files still need their identifiers, and the chains an update. */
export async function markCorrelationPending(db: CaseDb, fileIds: number[]): Promise<void> {
  if (fileIds.length) await db.run(`INSERT INTO extract_pending SELECT unnest([${fileIds.map((n) => Math.trunc(n)).join(', ')}])`);
}

/** Is correlation behind the events (a stage pending, running, or cut short)? */
export async function correlationPending(db: SqlRead): Promise<boolean> {
  const [t] = await db.read<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'correlate_pending'`);
  const [r] = await db.read<{ n: number }>(`SELECT ((SELECT count(*) FROM extract_pending)
    ${t?.n ? '+ (SELECT count(*) FROM correlate_pending)' : ''})::INTEGER AS n`);
  return Number(r?.n) > 0;
}

/** Files extracted per transaction (one format each). */
const GROUP_FILES = 2000;

export interface StageProgress { done: number; total: number; phase: 'identifiers' | 'chains' }

/** What correlation computes (its rules live in correlate/; the wiring hands its entry points in). */
export interface Correlator {
  /** Identifiers and status evidence of these files' events (one format), inside the stage's transaction. */
  extract(db: CaseDb, fileIds: number[]): Promise<void>;
  /** Chains, their events and links for what was extracted since the last build. */
  build(db: CaseDb): Promise<void>;
}

/**
 * Extracts what is pending, format by format, then updates the chains. Returns false when nothing was pending.
 * `signal` is honoured between steps: what is done stays done.
 */
export async function runCorrelationStage(db: CaseDb, correlator: Correlator, signal?: AbortSignal,
  progress?: (p: StageProgress) => void): Promise<boolean> {
  if (!await correlationPending(db)) return false;
  const groups = await db.all<{ format: string; ids: number[] }>(`SELECT coalesce(f.format, '') AS format, list(DISTINCT p.file_id ORDER BY p.file_id) AS ids
    FROM extract_pending p LEFT JOIN files f USING (file_id) GROUP BY 1 ORDER BY 1`);
  const total = groups.reduce((n, g) => n + g.ids.length, 0);
  let done = 0;
  for (const g of groups) {
    const ids = g.ids.map(Number);
    for (let i = 0; i < ids.length; i += GROUP_FILES) {
      signal?.throwIfAborted();
      const part = ids.slice(i, i + GROUP_FILES);
      await db.tx(async () => {
        await timed(EXTRACT_STAGE, () => correlator.extract(db, part));
        await db.run(`DELETE FROM extract_pending WHERE file_id IN (${part.join(', ')})`);
      });
      done += part.length;
      faultPoint('correlation-midway');
      progress?.({ phase: 'identifiers', done, total });
    }
  }
  signal?.throwIfAborted();
  progress?.({ phase: 'chains', done, total });
  await timed(CHAINS_STAGE, () => correlator.build(db));
  return true;
}
