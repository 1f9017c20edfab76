// The whole-case harvest (setup.ts: identifiers of the harvested kinds, names under their fields) kept in the case
// folder between exports. It reads every event of the case (seconds on 100 MB, minutes on 1 GB), while a client's
// extract is often ten rows; it changes only when the case's content does. The file sits beside case.duckdb, which
// holds the same values in plaintext already, private to the operator (0600) like it, and is written atomically.
// Its key is everything the harvest reads: the case's files (their row digests, ids, zones), its events' and
// identifiers' counts, the derivation that made the identifiers, and this build. A file whose key differs, or that
// does not read back whole (damaged, cut, edited), is ignored and rebuilt; nothing is cached while an import's
// derived stages are pending (the content is moving).
import crypto from 'node:crypto';
import { z } from 'zod';
import { appInfo } from '../audit/appInfo';
import { hasTables, type SqlRead } from '../store/db';
import { writeFileAtomic } from '../util/atomic';
import { readOwnFile } from '../util/smallFile';

const FORMAT = 'casefile/harvest-cache@1';

const Values = z.array(z.object({ type: z.string(), value: z.string() }));
const CacheFile = z.object({
  format: z.literal(FORMAT),
  key: z.string(),
  /** Names under their fields (rule-independent). */
  fields: Values,
  /** Identifiers per harvested-kinds list (the rules choose the kinds). */
  ids: z.record(z.string(), Values),
  /** sha256 of the JSON of the three above: a file cut or altered after it was written reads as damaged. */
  sha256: z.string(),
});
export type HarvestCacheEntry = Pick<z.infer<typeof CacheFile>, 'key' | 'fields' | 'ids'>;

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const bodyHash = (e: HarvestCacheEntry) => sha256(JSON.stringify([e.key, e.fields, e.ids]));

/** At most this many kind lists are kept (rules rarely change them; a few clients with their own lists fit). */
const KIND_LISTS = 8;

/** Far above a real harvest (names are capped at 200,000; identifiers of a 1 GB case are some MB). */
const MAX_BYTES = 256 * 1024 * 1024;

export const kindsKey = (kinds: readonly string[]) => JSON.stringify([...new Set(kinds)].sort());

/**
 * The key of the case's content as the harvest reads it; null while the content is moving (an import's events in
 * without their identifiers or digests yet), when nothing is cached. `code` names what the harvest itself is (its
 * patterns), so a change of them is a change of key.
 */
export async function contentKey(db: Pick<SqlRead, 'read'>, code: unknown): Promise<string | null> {
  if (!await hasTables(db as SqlRead, ['files', 'event_store', 'identifiers', 'extract_pending', 'digest_pending'], true)) return null;
  const [pending] = await db.read<{ n: number | string }>(
    'SELECT (SELECT count(*) FROM extract_pending) + (SELECT count(*) FROM digest_pending) AS n');
  if (Number(pending?.n) > 0) return null;
  // a file's rows digest covers every stored column of its events (raw and fields among them); the ids, counts and
  // zones say which files and rows are there even where a digest is not (a case from before digests, a re-time)
  const files = await db.read('SELECT file_id, bundle, rows_digest, records, first_id, last_id, tz_zone, tz_rule, min_ts::VARCHAR AS lo, max_ts::VARCHAR AS hi FROM files ORDER BY file_id');
  const counts = await db.read(`SELECT (SELECT count(*) FROM event_store) AS events, (SELECT min(id) FROM event_store) AS lo, (SELECT max(id) FROM event_store) AS hi,
    (SELECT count(*) FROM identifiers) AS identifiers`);
  const derivation = await hasTables(db as SqlRead, ['derivation'], true) ? await db.read('SELECT version FROM derivation') : [];
  const app = await appInfo();
  return sha256(JSON.stringify({ files, counts, derivation, app: [app.version, app.commit], code },
    (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** The cache when its file reads back whole and its key is `key`; else null (missing, damaged or stale). */
export async function readHarvestCache(file: string, key: string): Promise<HarvestCacheEntry | null> {
  // the case folder is a door: a link, a pipe or a file past any harvest's size is not read, only rebuilt
  const read = await readOwnFile(file, MAX_BYTES, 'a harvest cache');
  if (!('bytes' in read)) return null;
  let parsed: z.infer<typeof CacheFile>;
  try { parsed = CacheFile.parse(JSON.parse(read.bytes.toString('utf8'))); } catch { return null; }
  if (parsed.key !== key || parsed.sha256 !== bodyHash(parsed)) return null;
  return { key: parsed.key, fields: parsed.fields, ids: parsed.ids };
}

/** Writes the cache atomically (0600); a failure to write (a full disk, a read-only folder) only loses the cache. */
export async function writeHarvestCache(file: string, entry: HarvestCacheEntry): Promise<void> {
  const ids = Object.fromEntries(Object.entries(entry.ids).slice(-KIND_LISTS));
  const body = { key: entry.key, fields: entry.fields, ids };
  await writeFileAtomic(file, JSON.stringify({ format: FORMAT, ...body, sha256: bodyHash(body) })).catch(() => undefined);
}
