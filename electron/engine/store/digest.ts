// A digest of one file's events, recorded at import and re-computed by `casefile verify` (chain of custody).
// One definition, used by both sides, so they cannot drift apart.
import type { SqlRead } from './db';

/** The digest of a file with no events. */
export const EMPTY_DIGEST = '0';

export interface FileDigest { records: number; digest: string }

/** Aggregate over event_store rows (group by file_id): order-independent, cheap, changes when any row changes. */
export const ROWS_DIGEST_SQL = `coalesce(bit_xor(hash(id, line, line_count, raw, ts, level, logger, message, parse_status))::VARCHAR, '0')`;

/** Every file's digest in one scan (a case can hold ten thousand files: one query each would scan ten thousand times). */
export async function fileRowsDigests(db: SqlRead): Promise<Map<number, FileDigest>> {
  const rows = await db.read<{ file_id: number; n: string; d: string }>(
    `SELECT file_id, count(*)::VARCHAR AS n, ${ROWS_DIGEST_SQL} AS d FROM event_store GROUP BY file_id`);
  return new Map(rows.map((r) => [Number(r.file_id), { records: Number(r.n), digest: r.d }]));
}

export async function fileRowsDigest(db: SqlRead, fileId: number): Promise<FileDigest> {
  const row = (await db.read<{ n: string; d: string | null }>(
    `SELECT count(*)::VARCHAR AS n, ${ROWS_DIGEST_SQL} AS d FROM event_store WHERE file_id = $1`, [fileId]))[0];
  return { records: Number(row?.n ?? 0), digest: row?.d ?? '0' };
}
