// The whole-case harvest (setup.ts: identifiers of the harvested kinds, names under their fields) kept in the case
// folder between exports. It reads every event of the case (seconds on 100 MB, minutes on 1 GB), while a client's
// extract is often ten rows; it changes only when the case's content does. The file sits beside case.duckdb (0600,
// written atomically), encrypted (AES-256-GCM) under a key derived from this install's audit secret in the data home:
// the originals stay only in the evidence and the database (reidentify.test.ts checks the whole case folder), and a
// case moved to another install, or a file cut or edited, only rebuilds it.
// Its key is everything the harvest reads: the case's files (their row digests, ids, zones), its events' and
// identifiers' counts, the derivation that made the identifiers, and this build. A file whose key differs, or that
// does not read back whole (damaged, cut, edited), is ignored and rebuilt; nothing is cached while an import's
// derived stages are pending (the content is moving).
import crypto from 'node:crypto';
import { z } from 'zod';
import { appInfo } from '../audit/appInfo';
import { auditMacKey } from '../audit/macKey';
import { hasTables, type SqlRead } from '../store/db';
import { writeFileAtomic } from '../util/atomic';
import { readOwnFile } from '../util/smallFile';

const FORMAT = 'casefile/harvest-cache@2';

const Values = z.array(z.object({ type: z.string(), value: z.string() }));
const Body = z.object({
  key: z.string(),
  /** Names under their fields (rule-independent). */
  fields: Values,
  /** Identifiers per harvested-kinds list (the rules choose the kinds). */
  ids: z.record(z.string(), Values),
});
/** The file: the body sealed; GCM's tag makes a file cut or altered read as damaged. */
const CacheFile = z.object({ format: z.literal(FORMAT), iv: z.string(), tag: z.string(), data: z.string() });
export type HarvestCacheEntry = z.infer<typeof Body>;

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
/** The cache's own key, derived from this install's audit secret (never the secret itself); none yet: no cache. */
async function sealKey(): Promise<Buffer | null> {
  const mac = await auditMacKey(false);
  return mac ? Buffer.from(crypto.hkdfSync('sha256', mac.key, Buffer.alloc(0), FORMAT, 32)) : null;
}

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
  const k = await sealKey();
  if (!k) return null;
  try {
    const f = CacheFile.parse(JSON.parse(read.bytes.toString('utf8')));
    const d = crypto.createDecipheriv('aes-256-gcm', k, Buffer.from(f.iv, 'base64'), { authTagLength: 16 });
    d.setAAD(Buffer.from(FORMAT));
    d.setAuthTag(Buffer.from(f.tag, 'base64'));
    const body = Body.parse(JSON.parse(Buffer.concat([d.update(Buffer.from(f.data, 'base64')), d.final()]).toString('utf8')));
    return body.key === key ? body : null;
  } catch { return null; }
}

/** Writes the cache atomically (0600); a failure to write (a full disk, a read-only folder) only loses the cache. */
export async function writeHarvestCache(file: string, entry: HarvestCacheEntry): Promise<void> {
  const ids = Object.fromEntries(Object.entries(entry.ids).slice(-KIND_LISTS));
  const k = await sealKey();
  if (!k) return;
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', k, iv);
  c.setAAD(Buffer.from(FORMAT));
  const data = Buffer.concat([c.update(JSON.stringify({ key: entry.key, fields: entry.fields, ids })), c.final()]);
  const sealed = { format: FORMAT, iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), data: data.toString('base64') };
  await writeFileAtomic(file, JSON.stringify(sealed)).catch(() => undefined);
}
