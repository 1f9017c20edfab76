// A digest of one file's events, recorded at import and re-computed by `casefile verify` (chain of custody).
import type { CaseDb } from './db';

export interface FileDigest { records: number; digest: string }

export async function fileRowsDigest(db: CaseDb, fileId: number): Promise<FileDigest> {
  const row = await db.one<{ n: string; d: string | null }>(
    `SELECT count(*) AS n, coalesce(bit_xor(hash(id, line, line_count, raw, ts, level, logger, message, parse_status))::VARCHAR, '0') AS d
     FROM event_store WHERE file_id = $1`, [fileId]);
  return { records: Number(row?.n ?? 0), digest: row?.d ?? '0' };
}
