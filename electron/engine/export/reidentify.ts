// Who a token stands for: the re-identification maps (redaction/<export-id>.map.pgp, encrypted to the operator's own
// key) opened for one call and searched for the tokens asked. Nothing decrypted is written or kept: each map's
// plaintext is read for the tokens asked and its bytes zeroed; the answer holds only the originals of those tokens.
import fs from 'node:fs';
import path from 'node:path';
import { EXPORT_ID, MAX_REIDENTIFY_TOKENS, type ReidentifyResultT } from '../../../shared/contract/exportHistory';
import { EngineError } from '../util/errors';
import { normalise } from '../redact/pseudonym';
import { caseFiles } from '../case/paths';

/** A map larger than this is not one run.ts wrote for a case (a 1 GB extract's map is a few MB). */
const MAX_MAP_BYTES = 512 << 20;

/** Opens one export's map (its id, for the error that names it). */
export type Decrypt = (armored: Uint8Array, exportId: string) => Promise<Uint8Array>;

/** The exports whose maps are searched: the one named, else every map the case kept, oldest first. */
export function mapsToSearch(caseDir: string, exportId?: string): string[] {
  const files = caseFiles(caseDir);
  if (exportId !== undefined) {
    // the contract takes only this shape; checked again here, as the id becomes a file name
    if (!EXPORT_ID.test(exportId)) throw new EngineError('invalid_input', 'Not an export id (e.g. 20261128T130501-1a2b3c4d).');
    if (!mapStat(files.exportMap(exportId))) {
      const written = fs.existsSync(path.join(files.exports, exportId));
      throw new EngineError('not_found', written
        ? `Export ${exportId} kept no re-identification map (no key of yours was in the keystore when it ran): its tokens cannot be re-identified.`
        : `No export ${exportId} in this case.`);
    }
    return [exportId];
  }
  const maps = (fs.existsSync(files.redaction) ? fs.readdirSync(files.redaction) : []).flatMap((n) => {
    const id = /^(.+)\.map\.pgp$/.exec(n)?.[1];
    const st = id && EXPORT_ID.test(id) ? mapStat(files.exportMap(id)) : null;
    return id && st ? [{ id, stamp: id.slice(0, id.indexOf('-')), written: st.mtimeMs }] : [];
  });
  if (!maps.length) throw new EngineError('not_found', 'This case holds no re-identification map: its exports were made without a key of yours in the keystore, so no token can be re-identified.');
  // Oldest first: an id names its second only (then a random suffix), so exports of one second are told apart by
  // when their maps were written. Sorting ids alone ordered them at random (CI failed on it).
  maps.sort((a, b) => a.stamp.localeCompare(b.stamp) || a.written - b.written || a.id.localeCompare(b.id));
  return maps.map((m) => m.id);
}

/** A regular file (not a link to one elsewhere) of a size a map can have: its lstat, else null. */
function mapStat(file: string): fs.Stats | null {
  try {
    const st = fs.lstatSync(file);
    return st.isFile() && st.size <= MAX_MAP_BYTES ? st : null;
  } catch { return null; }
}

interface StoredEntry { token: string; type: string; original: string; firstEvent: string | null }

/** The map's entries for the tokens asked; a file that is not this export's map (tampered, foreign) is refused whole. */
async function openMap(caseDir: string, exportId: string, wanted: ReadonlySet<string>, decrypt: Decrypt): Promise<StoredEntry[]> {
  const bytes = await decrypt(fs.readFileSync(caseFiles(caseDir).exportMap(exportId)), exportId);
  try {
    let body: { exportId?: unknown; entries?: unknown };
    try { body = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as typeof body; } catch { body = {}; }
    if (body.exportId !== exportId || !Array.isArray(body.entries)) {
      throw new EngineError('conflict', `redaction/${exportId}.map.pgp is not the re-identification map of export ${exportId} (another export's, or not a map): nothing was returned.`);
    }
    const out: StoredEntry[] = [];
    for (const e of body.entries as Partial<StoredEntry>[]) {
      if (typeof e?.token === 'string' && wanted.has(e.token) && typeof e.type === 'string' && typeof e.original === 'string') {
        out.push({ token: e.token, type: e.type, original: e.original, firstEvent: typeof e.firstEvent === 'string' ? e.firstEvent : null });
      }
    }
    return out;
  } finally {
    bytes.fill(0); // the whole map's plaintext (K included) lives no longer than this search
  }
}

const eventId = (v: string | null) => (v !== null && /^\d{1,15}$/.test(v) ? Number(v) : null);

/**
 * Looks the tokens up in the maps (all opened before any answer: one that cannot be opened fails the call with
 * nothing returned). Tokens are case-sensitive as written. A token in several maps (a per-client key: one client's
 * exports share K) with one original is one row; distinct originals (two keys drew one token) are rows of their own.
 */
export async function reidentify(caseDir: string, tokens: readonly string[], exportIds: readonly string[], decrypt: Decrypt): Promise<ReidentifyResultT> {
  if (tokens.length > MAX_REIDENTIFY_TOKENS) {
    throw new EngineError('invalid_input', `${tokens.length} distinct tokens: look up at most ${MAX_REIDENTIFY_TOKENS} at a time.`);
  }
  const wanted = new Set(tokens);
  const rows = new Map<string, ReidentifyResultT['found'][number]>();
  for (const id of exportIds) {
    for (const e of await openMap(caseDir, id, wanted, decrypt)) {
      const key = `${e.token}\u0000${normalise(e.type, e.original)}`;
      const at = { exportId: id, firstEventId: eventId(e.firstEvent) };
      const row = rows.get(key);
      if (row) row.exports.push(at);
      else rows.set(key, { token: e.token, type: e.type, original: e.original, ...at, exports: [at] });
    }
  }
  const found = [...rows.values()];
  const hit = new Set(found.map((r) => r.token));
  const order = new Map(tokens.map((t, i) => [t, i]));
  found.sort((a, b) => order.get(a.token)! - order.get(b.token)!); // in the order asked
  return { searched: [...exportIds], found, notFound: tokens.filter((t) => !hit.has(t)) };
}
