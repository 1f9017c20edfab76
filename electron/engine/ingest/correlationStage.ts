// Events first, correlation after: an import commits its events and marks their files pending; this stage then
// extracts their identifiers and status evidence and rebuilds the chains, as a job of its own, while the timeline is
// already usable. Every step is its own transaction and the marks live in the case database, so a stage killed
// midway is finished by the next run (after the next import, or when the case is opened).
import type { CaseDb, SqlRead } from '../store/db';
import { faultPoint } from './fault';

/** The meta key saying chains are older than the events ('stale') or not ('ready'; absent in cases made before). */
const CHAINS_KEY = 'chains';

/** In the events' transaction: these files still need identifiers, and the chains a rebuild. */
export async function markCorrelationPending(db: CaseDb, fileIds: number[]): Promise<void> {
  if (fileIds.length) await db.run(`INSERT INTO correlate_pending SELECT unnest([${fileIds.map((n) => Math.trunc(n)).join(', ')}])`);
  await db.run(`INSERT OR REPLACE INTO meta VALUES ('${CHAINS_KEY}', 'stale')`);
}

/** Is correlation behind the events (a stage pending, running, or cut short)? */
export async function correlationPending(db: SqlRead): Promise<boolean> {
  const r = await db.read<{ n: number }>(`SELECT ((SELECT count(*) FROM correlate_pending) > 0
    OR coalesce((SELECT value FROM meta WHERE key = '${CHAINS_KEY}'), 'ready') <> 'ready')::INTEGER AS n`);
  return Number(r[0]?.n) === 1;
}

/** Files extracted per transaction (one format each). */
const GROUP_FILES = 2000;

export interface StageProgress { done: number; total: number; phase: 'identifiers' | 'chains' }

/** What correlation computes (its rules live in correlate/; the wiring hands its entry points in). */
export interface Correlator {
  /** Identifiers and status evidence of these files' events (one format), inside the stage's transaction. */
  extract(db: CaseDb, fileIds: number[]): Promise<void>;
  /** Chains, their events and links over the whole case. */
  build(db: CaseDb): Promise<void>;
}

/**
 * Extracts what is pending, format by format, then rebuilds the chains. Returns false when nothing was pending.
 * `signal` is honoured between steps: what is done stays done.
 */
export async function runCorrelationStage(db: CaseDb, correlator: Correlator, signal?: AbortSignal,
  progress?: (p: StageProgress) => void): Promise<boolean> {
  if (!await correlationPending(db)) return false;
  const groups = await db.all<{ format: string; ids: number[] }>(`SELECT coalesce(f.format, '') AS format, list(DISTINCT p.file_id ORDER BY p.file_id) AS ids
    FROM correlate_pending p LEFT JOIN files f USING (file_id) GROUP BY 1 ORDER BY 1`);
  const total = groups.reduce((n, g) => n + g.ids.length, 0);
  let done = 0;
  for (const g of groups) {
    const ids = g.ids.map(Number);
    for (let i = 0; i < ids.length; i += GROUP_FILES) {
      signal?.throwIfAborted();
      const part = ids.slice(i, i + GROUP_FILES);
      await db.tx(async () => {
        await correlator.extract(db, part);
        await db.run(`DELETE FROM correlate_pending WHERE file_id IN (${part.join(', ')})`);
      });
      done += part.length;
      faultPoint('correlation-midway');
      progress?.({ phase: 'identifiers', done, total });
    }
  }
  signal?.throwIfAborted();
  progress?.({ phase: 'chains', done, total });
  await correlator.build(db);
  await db.run(`INSERT OR REPLACE INTO meta VALUES ('${CHAINS_KEY}', 'ready')`);
  return true;
}
