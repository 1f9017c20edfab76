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
//   the time as microseconds): fewer bytes to hash, since a message read out of raw is not hashed a second time;
// - v3 "sha256v3:": the same columns, but `fields` and `raw` follow the JSON array as they are, their byte lengths in
//   it: not JSON-escaped (every quote of a JSON line doubled its cost), so fewer bytes to build and to hash.
import { createHash } from 'node:crypto';
import { messageSql, tsTextSql } from './schema';

/** Runs a query: the writer's own connection inside an import's transaction, a reader's for verify. */
export type Query = <T>(sql: string) => Promise<T[]>;

export type DigestVersion = 1 | 2 | 3;
/** The version an import takes. */
export const DIGEST_VERSION: DigestVersion = 3;
const PREFIX: Record<DigestVersion, string> = { 1: 'sha256:', 2: 'sha256v2:', 3: 'sha256v3:' };

/** The digest of a file with no events. */
export const emptyDigest = (v: DigestVersion = DIGEST_VERSION) => `${PREFIX[v]}empty`;

/** The version a recorded digest was taken with; null for the legacy hash() digests (no prefix). */
export function digestVersion(digest: string): DigestVersion | null {
  return digest.startsWith(PREFIX[3]) ? 3 : digest.startsWith(PREFIX[2]) ? 2 : digest.startsWith(PREFIX[1]) ? 1 : null;
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

/**
 * v3 canonical text of one event_store row (alias e): v2's columns in the same order but for `fields` and `raw`, whose
 * byte lengths (strlen; NULL for NULL) end the JSON array, and which follow it as they are, `fields` first (NULL as
 * nothing). The array ends where its JSON ends and the lengths cut the rest, so no two rows share a text. Escaping
 * `raw` and `fields` into the array was most of the cost of building it, and 7 % more bytes to hash (docs/AUDIT.md).
 */
export const EVENT_ROW_CANON_V3 = `(json_array(e.id, e.file_id, e.source, e.line, e.line_count, epoch_us(e.ts), e.ts_text, e.ts_flag,
  e.level, e.logger, e.message, e.parse_status, e.msg_at, e.msg_len, e.ts_at, e.ts_len, strlen(e.fields::VARCHAR), strlen(e.raw))::VARCHAR
  || coalesce(e.fields::VARCHAR, '') || coalesce(e.raw, ''))`;

const EVENT_ROW_CANON: Record<DigestVersion, string> = { 1: EVENT_ROW_CANON_V1, 2: EVENT_ROW_CANON_V2, 3: EVENT_ROW_CANON_V3 };

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

/** A row whose stored text (raw + message) is longer than this is "large": windows holding one are cut by bytes. */
const LARGE_ROW_BYTES = 64 * 1024;
/** Bytes of large rows one statement hashes at most (a larger row alone): DuckDB holds a vector's rows and their
 * canonical text at once, and does not count all of it against its limit (seven 8 MiB rows in one window took the
 * writer past 320 MB and the memory retry). */
const LARGE_BYTES_PER_STATEMENT = 4 * 2 ** 20;

export interface DigestWindows { windowIds?: number; largeRowBytes?: number; largeBytesPerStatement?: number }

/**
 * Every file's digest (of the given file ids, or all), of the given version. The chunk hashes are computed a window of ids at a time and
 * combined here (the same sha256 over the same hex, in chunk order): one grouped scan over a file of millions of
 * records held every row's hash in DuckDB's ordered aggregate at once, which it cannot spill, and ran out of memory.
 * A window holding large rows is hashed in pieces of at most one chunk and LARGE_BYTES_PER_STATEMENT of large rows,
 * each returning its rows' hashes as hex, which are joined here in id order and hashed: the same value.
 */
export async function fileRowsDigests(q: Query, fileIds?: number[], version: DigestVersion = DIGEST_VERSION, windows: DigestWindows = {}): Promise<Map<number, FileDigest>> {
  const { windowIds = WINDOW_IDS, largeRowBytes = LARGE_ROW_BYTES, largeBytesPerStatement = LARGE_BYTES_PER_STATEMENT } = windows;
  const files = fileIds ? `e.file_id IN (${fileIds.map((n) => Math.trunc(n)).join(', ') || 'NULL'})` : 'true';
  const [range] = await q<{ lo: string | null; hi: string | null }>(`SELECT min(id)::VARCHAR AS lo, max(id)::VARCHAR AS hi FROM event_store e WHERE ${files}`);
  const large = await largeRows(q, files, largeRowBytes);
  const chunks = new Map<number, { n: number; h: Map<number, string> }>();
  const add = (fileId: number, chunk: number, n: number, h: string) => {
    const f = chunks.get(fileId) ?? { n: 0, h: new Map<number, string>() };
    f.n += n;
    f.h.set(chunk, (f.h.get(chunk) ?? '') + h);
    chunks.set(fileId, f);
  };
  const hashes = (from: number, to: number, hex: boolean) => q<{ file_id: number; chunk: string; n: string; h: string }>(
    `SELECT e.file_id, (e.id // ${CHUNK_IDS})::VARCHAR AS chunk, count(*)::VARCHAR AS n, ${hex ? '' : 'sha256'}(string_agg(sha256(${EVENT_ROW_CANON[version]}), '' ORDER BY e.id)) AS h
     FROM event_store e WHERE ${files} AND e.id >= ${from} AND e.id < ${to} GROUP BY ALL`);
  if (range?.lo != null && range.hi != null) {
    for (let from = Math.floor(Number(range.lo) / windowIds) * windowIds; from <= Number(range.hi); from += windowIds) {
      const inWindow = large.filter((r) => r.id >= from && r.id < from + windowIds);
      if (!inWindow.length) {
        for (const r of await hashes(from, from + windowIds, false)) add(Number(r.file_id), Number(r.chunk), Number(r.n), r.h);
        continue;
      }
      // Pieces hold parts of chunks: each returns its rows' hashes (hex), a chunk's pieces are joined and hashed below.
      const hexChunks = new Map<string, [number, number]>();
      for (const [lo, hi] of pieces(from, from + windowIds, inWindow, largeBytesPerStatement)) {
        for (const r of await hashes(lo, hi, true)) {
          add(Number(r.file_id), Number(r.chunk), Number(r.n), r.h);
          hexChunks.set(`${r.file_id}:${r.chunk}`, [Number(r.file_id), Number(r.chunk)]);
        }
      }
      for (const [fileId, chunk] of hexChunks.values()) {
        const f = chunks.get(fileId)!;
        f.h.set(chunk, createHash('sha256').update(f.h.get(chunk)!).digest('hex'));
      }
    }
  }
  return new Map([...chunks].map(([id, f]) => {
    const hex = [...f.h].sort((a, b) => a[0] - b[0]).map(([, h]) => h).join('');
    return [id, { records: f.n, digest: PREFIX[version] + createHash('sha256').update(hex).digest('hex') }];
  }));
}

/**
 * The large rows (id order) of the files. Measuring every row's text costs a scan of it (0.35 s CPU on the 1 GB
 * tree, against 8 s for the digests), so only the rows the integer columns point at are measured: many lines, a long
 * message in raw, or a message stored apart (no offset). A large one-line row with a short message slips through and
 * is hashed with its window, as before.
 */
async function largeRows(q: Query, files: string, largeRowBytes: number): Promise<{ id: number; bytes: number }[]> {
  const min = Math.trunc(largeRowBytes);
  const maybe = `${files} AND (e.line_count > 64 OR e.msg_len IS NULL OR e.msg_len > ${min})`;
  const [span] = await q<{ lo: string | null; hi: string | null }>(`SELECT min(e.id)::VARCHAR AS lo, max(e.id)::VARCHAR AS hi FROM event_store e WHERE ${maybe}`);
  if (span?.lo == null || span.hi == null) return [];
  const bytes = `strlen(coalesce(e.raw, '')) + strlen(coalesce(e.message, ''))`;
  const rows = await q<{ id: string; bytes: string }>(
    `SELECT e.id::VARCHAR AS id, (${bytes})::VARCHAR AS bytes FROM event_store e
     WHERE ${maybe} AND e.id >= ${span.lo} AND e.id <= ${span.hi} AND ${bytes} > ${min} ORDER BY e.id`);
  return rows.map((r) => ({ id: Number(r.id), bytes: Number(r.bytes) }));
}

/** [from, to) id ranges covering the window, none crossing a chunk's edge or holding more than `budget` bytes of the
 * (sorted) large rows, unless one row alone. */
export function pieces(from: number, to: number, large: { id: number; bytes: number }[], budget: number): [number, number][] {
  const out: [number, number][] = [];
  let lo = from;
  let held = 0;
  const cut = (at: number) => { if (at > lo) out.push([lo, at]); lo = at; held = 0; };
  for (const r of large) {
    // Chunk edges between the piece's start and this row end the piece there.
    while (Math.floor(lo / CHUNK_IDS) < Math.floor(r.id / CHUNK_IDS)) cut((Math.floor(lo / CHUNK_IDS) + 1) * CHUNK_IDS);
    if (held > 0 && held + r.bytes > budget) cut(r.id);
    held += r.bytes;
  }
  while (lo < to) cut(Math.min(to, (Math.floor(lo / CHUNK_IDS) + 1) * CHUNK_IDS));
  return out;
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
