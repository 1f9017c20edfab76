// Digests of what an import stored, recorded in its audit entry and re-computed by `casefile verify` (chain of
// custody). One definition, used by both sides, so they cannot drift apart. docs/AUDIT.md documents the encoding.
//
// A file's rows digest: every event row of the file is encoded canonically as a JSON array (the version's columns,
// below); each row's sha256 (hex) is concatenated in id order per chunk of 65,536 ids, each chunk hashed, and the
// chunk hashes concatenated in chunk order and hashed again. Ordered, so rows cannot be swapped or duplicated unseen.
// DuckDB computes the chunk hashes a window of whole chunks at a time (its ordered aggregate holds a window's row
// hashes in memory, so a window is bounded, not a file); the file's hash is taken here.
//
// Versions, named by the digest's prefix, which is recorded with it (files.rows_digest, the audit entry), so verify
// recomputes each file the way it was taken:
// - v1 "sha256:": the columns as the events view reads them (message and ts_text as read, the time as ISO text);
// - v2 "sha256v2:": every stored column of event_store as stored (the text offsets, not the text they point at, and
//   the time as microseconds): fewer bytes to hash, since a message read out of raw is not hashed a second time.
import { createHash } from 'node:crypto';
import { messageSql, tsTextSql } from './schema';

/** Runs a query: the writer's own connection inside an import's transaction, a reader's for verify. */
export type Query = <T>(sql: string) => Promise<T[]>;

export type DigestVersion = 1 | 2;
/** The version an import takes. */
export const DIGEST_VERSION: DigestVersion = 2;
const PREFIX: Record<DigestVersion, string> = { 1: 'sha256:', 2: 'sha256v2:' };

/** The digest of a file with no events. */
export const emptyDigest = (v: DigestVersion = DIGEST_VERSION) => `${PREFIX[v]}empty`;

/** The version a recorded digest was taken with; null for the legacy hash() digests (no prefix). */
export function digestVersion(digest: string): DigestVersion | null {
  return digest.startsWith(PREFIX[2]) ? 2 : digest.startsWith(PREFIX[1]) ? 1 : null;
}

const utc = (col: string) => `strftime(timezone('UTC', ${col}), '%Y-%m-%dT%H:%M:%S.%fZ')`;

/**
 * v1 canonical text of one event_store row (alias e): the record's columns, message and ts_text as read (schema.ts:
 * the text, or where it is in raw), so a row has the same digest however its text is stored.
 */
export const EVENT_ROW_CANON_V1 = `json_array(e.id, e.file_id, e.source, e.line, e.line_count, ${utc('e.ts')}, ${tsTextSql('e')}, e.ts_flag,
  e.level, e.logger, ${messageSql('e')}, e.fields::VARCHAR, e.raw, e.parse_status)::VARCHAR`;

/**
 * v2 canonical text of one event_store row (alias e): every stored column as stored, in schema order (store/schema.ts
 * EVENT_COLUMNS, then the text offsets); `ts` as microseconds since the epoch (exact, and cheaper than ISO text),
 * `fields` as its stored text. digest.test.ts changes each column of the table in turn: a column added to event_store
 * and not here fails it.
 */
export const EVENT_ROW_CANON_V2 = `json_array(e.id, e.file_id, e.source, e.line, e.line_count, epoch_us(e.ts), e.ts_text, e.ts_flag,
  e.level, e.logger, e.message, e.fields::VARCHAR, e.raw, e.parse_status, e.msg_at, e.msg_len, e.ts_at, e.ts_len)::VARCHAR`;

const EVENT_ROW_CANON: Record<DigestVersion, string> = { 1: EVENT_ROW_CANON_V1, 2: EVENT_ROW_CANON_V2 };

/** Canonical text of one files row (alias f): every column the import wrote except `audited` (bookkeeping). */
export const FILE_ROW_CANON = `json_array(f.file_id, f.bundle, f.path, f.sha256, f.size, f.format, f.reason, f.tz_zone, f.tz_rule,
  f.lines, f.records, f.ok, f.malformed, f.unparsed, f.untimed, ${utc('f.min_ts')}, ${utc('f.max_ts')}, f.first_id, f.last_id,
  f.rows_digest, f.note, ${utc('f.imported_at')})::VARCHAR`;

/** Before the sha256 digest (legacy cases): DuckDB's hash() over some columns. Read only to verify old imports. */
const LEGACY_ROWS_DIGEST_SQL = `coalesce(bit_xor(hash(e.id, e.line, e.line_count, e.raw, e.ts, e.level, e.logger, ${messageSql('e')}, e.parse_status))::VARCHAR, '0')`;

export interface FileDigest { records: number; digest: string }

/** Ids per digest chunk: a file's digest hashes its chunks' hashes in chunk order. */
const CHUNK_IDS = 65536;
/** Ids per digest query: whole chunks, so each (file, chunk) group is inside one window. */
const WINDOW_IDS = 16 * CHUNK_IDS;

/**
 * Every file's digest (of the given file ids, or all), of the given version. The chunk hashes are computed a window of ids at a time and
 * combined here (the same sha256 over the same hex, in chunk order): one grouped scan over a file of millions of
 * records held every row's hash in DuckDB's ordered aggregate at once, which it cannot spill, and ran out of memory.
 */
export async function fileRowsDigests(q: Query, fileIds?: number[], version: DigestVersion = DIGEST_VERSION, windowIds = WINDOW_IDS): Promise<Map<number, FileDigest>> {
  const files = fileIds ? `e.file_id IN (${fileIds.map((n) => Math.trunc(n)).join(', ') || 'NULL'})` : 'true';
  const [range] = await q<{ lo: string | null; hi: string | null }>(`SELECT min(id)::VARCHAR AS lo, max(id)::VARCHAR AS hi FROM event_store e WHERE ${files}`);
  const chunks = new Map<number, { n: number; h: Map<number, string> }>();
  if (range?.lo != null && range.hi != null) {
    for (let from = Math.floor(Number(range.lo) / windowIds) * windowIds; from <= Number(range.hi); from += windowIds) {
      const rows = await q<{ file_id: number; chunk: string; n: string; h: string }>(
        `SELECT e.file_id, (e.id // ${CHUNK_IDS})::VARCHAR AS chunk, count(*)::VARCHAR AS n, sha256(string_agg(sha256(${EVENT_ROW_CANON[version]}), '' ORDER BY e.id)) AS h
         FROM event_store e WHERE ${files} AND e.id >= ${from} AND e.id < ${from + windowIds} GROUP BY ALL`);
      for (const r of rows) {
        const f = chunks.get(Number(r.file_id)) ?? { n: 0, h: new Map<number, string>() };
        f.n += Number(r.n);
        f.h.set(Number(r.chunk), r.h);
        chunks.set(Number(r.file_id), f);
      }
    }
  }
  return new Map([...chunks].map(([id, f]) => {
    const hex = [...f.h].sort((a, b) => a[0] - b[0]).map(([, h]) => h).join('');
    return [id, { records: f.n, digest: PREFIX[version] + createHash('sha256').update(hex).digest('hex') }];
  }));
}

/** Legacy digests (cases imported before the sha256 digest), only when a recorded digest is of that kind. */
export async function legacyRowsDigests(q: Query): Promise<Map<number, FileDigest>> {
  const rows = await q<{ file_id: number; n: string; d: string }>(`SELECT e.file_id, count(*)::VARCHAR AS n, ${LEGACY_ROWS_DIGEST_SQL} AS d FROM event_store e GROUP BY e.file_id`);
  return new Map(rows.map((r) => [Number(r.file_id), { records: Number(r.n), digest: r.d }]));
}

/** sha256 of each files row's canonical text. */
export async function fileRowShas(q: Query, fileIds?: number[]): Promise<Map<number, string>> {
  const where = fileIds ? `WHERE f.file_id IN (${fileIds.map((n) => Math.trunc(n)).join(', ') || 'NULL'})` : '';
  const rows = await q<{ file_id: number; d: string }>(`SELECT f.file_id, sha256(${FILE_ROW_CANON}) AS d FROM files f ${where}`);
  return new Map(rows.map((r) => [Number(r.file_id), r.d]));
}
