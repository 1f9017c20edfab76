// Chain of custody: is the evidence in this case still what was received, and do the events still say what the
// import read from it? Bundle files are re-hashed against their manifests; each imported file's events are
// re-digested and compared with the `import.file` audit entry written at import (the audit log is hash-chained,
// the database is not, so the audit entry is the reference; the files table is checked too).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LEGACY_MANIFEST, isStaging, readManifest, sha256File } from '../evidence/manifest';
import { sha256Hex } from './canonical';
import type { IntegrityResult } from '../../../shared/audit';
import type { CaseHandle } from '../case/caseStore';
import { digestVersion, emptyDigest, fileRowShas, fileRowsDigests, legacyRowsDigests, type DigestVersion, type FileDigest, type Query } from '../store/digest';
import { readAudit, verifyAudit } from './trail';
import { verifyDerived } from '../correlate/verifyDerived';
import { derivationStale } from '../correlate/derivation';
import { mirroredHead } from './headMirror';
import { custodyPendingFiles } from '../ingest/custodyStage';
import { correlationPending } from '../ingest/correlationStage';

export const IMPORT_FILE_ACTION = 'import.file';
export const IMPORT_FILES_ACTION = 'import.files';
/** Files whose content was already in the case under another name: recorded, not parsed (no events to vouch for). */
export const IMPORT_ALIAS_ACTION = 'import.alias';
/** A file whose events are in but whose digest and audit entry are not yet written: neither verified nor tampered. */
export const CUSTODY_PENDING = 'Custody pending: the events are in the case, but their digest and import.files audit entry are not written yet (an import still finishing, or one cut short: opening the case or the next import writes them). Not verified.';
/** Identifiers and chains not yet built for some events: the derived tables cannot be compared with them yet. */
/** Not a sign of tampering: what verify would recompute them with is not what made them. */
export const DERIVED_BY_OTHER_RULES = 'Identifiers and chains were derived by other correlation rules than this build\'s (an older Casefile, or the case\'s id patterns changed): they are not verified. Opening the case in the app (or `casefile serve --case`, or an import into it) derives them again; the events themselves are checked above.';
export const CORRELATION_PENDING = 'Identifiers and chains are still being built for some events (an import still finishing, or one cut short: opening the case finishes them): the derived tables are not verified yet.';
/** The problems that say a part is still to be written, not that anything failed (IntegrityResult.notYet). */
const NOT_YET = new Set([CUSTODY_PENDING, CORRELATION_PENDING, DERIVED_BY_OTHER_RULES]);
/** Files per `import.files` entry: few entries (each costs fsyncs), none too large to read. */
export const IMPORT_FILES_PER_ENTRY = 100;

export const BundleManifest = z.object({
  format: z.literal('casefile/manifest@1'),
  bundle: z.string(),
  created: z.string(),
  origin: z.unknown(),
  files: z.array(z.object({ path: z.string(), size: z.number(), mtime: z.unknown().optional(), sha256: z.string() })),
});
export type BundleManifest = z.infer<typeof BundleManifest>;

/** What import writes per file in its `import.file` audit entry (params). */
export interface ImportFileRecord { bundle: string; path: string; sha256: string; records: number; rowsDigest: string; fileSha?: string; manifestSha256?: string | null }

type Problem = IntegrityResult['problems'][number];

interface FileRow { file_id: number; bundle: string; path: string; sha256: string | null; records: string | number | null; rows_digest: string | null }

export { sha256File };

const key = (bundle: string, p: string) => `${bundle}\u0000${p}`;

export async function verifyCase(handle: CaseHandle): Promise<IntegrityResult> {
  const problems: Problem[] = [];
  const add = (bundle: string, file: string, problem: string) => problems.push({ bundle, file, problem });

  // Read before the audit log: a file whose custody the job after an import records meanwhile is pending here, or has
  // its entry in the log read next (its digest commits before its entry is written, its flag after).
  const rows = await handle.db.read<FileRow>('SELECT file_id, bundle, path, sha256, records, rows_digest FROM files ORDER BY bundle, path');
  const pending = new Set(await custodyPendingFiles(handle.db));
  // 1. The audit log must itself be intact before it can vouch for the import.
  const chain = await verifyAudit(handle.files.audit, { anchor: await mirroredHead(handle.db) });
  if (!chain.ok && chain.firstBroken) add('', path.basename(handle.files.audit), `Audit log: ${chain.firstBroken.problem} (line ${chain.firstBroken.line}).`);
  const imported = new Map<string, ImportFileRecord>();
  // Imports record their files in `import.files` entries (up to IMPORT_FILES_PER_ENTRY each); `import.file` is one.
  for (const e of await readAudit(handle.files.audit, { action: 'import.file*' })) {
    if (e.result.status !== 'ok') continue;
    const list = e.action === IMPORT_FILES_ACTION
      ? ((e.params as { files?: Partial<ImportFileRecord>[] }).files ?? []).map((f) => ({ ...f, bundle: (e.params as { bundle?: string }).bundle, manifestSha256: (e.params as { manifestSha256?: string | null }).manifestSha256 }))
      : [e.params as Partial<ImportFileRecord>];
    for (const p of list) {
      if (typeof p.bundle === 'string' && typeof p.path === 'string') imported.set(key(p.bundle, p.path), p as ImportFileRecord);
    }
  }

  // 2. Bundle folders against their manifests.
  const manifests = new Map<string, Map<string, { sha256: string; size: number }>>();
  const manifestShas = new Map<string, string>();
  const dbBundles = (await handle.db.read<{ id: string }>('SELECT id FROM bundles')).map((r) => r.id);
  // Staging folders of an intake in progress or killed are not evidence (the next intake clears them).
  const folders = (await fs.readdir(handle.files.bundles, { withFileTypes: true }).catch(() => [])).filter((d) => !isStaging(d.name));
  const bundleIds = new Set<string>([...dbBundles, ...rows.map((r) => r.bundle), ...folders.filter((d) => d.isDirectory()).map((d) => d.name)]);
  const manifestFile = /^(.+)\.manifest\.json$/;
  for (const f of folders) {
    if (f.isDirectory()) continue;
    const m = manifestFile.exec(f.name);
    if (f.isFile() && m) bundleIds.add(m[1]!);
    else add('', path.join('bundles', f.name), 'Unexpected entry in the bundles folder (not a bundle folder).');
  }

  let filesChecked = 0;
  for (const id of [...bundleIds].sort()) {
    const dir = handle.files.bundle(id);
    if (!(await isDir(dir))) { add(id, '', 'The bundle folder is missing.'); continue; }
    let manifest: BundleManifest;
    const found = await readManifest(handle.files.bundles, id);
    const manifestName = `${id}.manifest.json`;
    try {
      if (!found) throw new Error('not found');
      manifest = BundleManifest.parse(JSON.parse(found.text));
    } catch (e) {
      add(id, manifestName, `The manifest is missing or unreadable (${(e as Error).message.split('\n')[0]}).`);
      continue;
    }
    if (manifest.bundle !== id) add(id, manifestName, `The manifest names bundle "${manifest.bundle}", not this folder.`);
    manifestShas.set(id, sha256Hex(found.text));
    const listed = new Map<string, { sha256: string; size: number }>();
    manifests.set(id, listed);
    for (const m of manifest.files) {
      filesChecked++;
      const rel = m.path.split(/[\\/]+/).join('/');
      listed.set(rel, { sha256: m.sha256, size: m.size });
      if (path.isAbsolute(m.path) || rel.split('/').includes('..')) { add(id, m.path, 'The manifest path leaves the bundle folder.'); continue; }
      const abs = path.join(dir, rel);
      const st = await fs.lstat(abs).catch(() => null);
      if (!st) { add(id, rel, 'Missing: listed in the manifest but not in the bundle folder.'); continue; }
      if (!st.isFile()) { add(id, rel, 'Not a regular file (evidence must be plain files, not links or folders).'); continue; }
      if (st.size !== m.size) add(id, rel, `Size changed: ${st.size} bytes, the manifest says ${m.size}.`);
      const sha = await sha256File(abs);
      if (sha !== m.sha256.toLowerCase()) add(id, rel, `Content changed: sha256 ${sha.slice(0, 16)}…, the manifest says ${m.sha256.slice(0, 16)}….`);
    }
    for (const rel of await walk(dir)) {
      if ((found.legacy && rel === LEGACY_MANIFEST) || listed.has(rel)) continue;
      add(id, rel, 'Extra file: in the bundle folder but not in its manifest.');
    }
  }

  // 3. Events against what the import recorded, file by file.
  const seen = new Set<string>();
  const q: Query = (sql) => handle.db.read(sql);
  const changedManifests = new Set<string>();
  const fileShas = await fileRowShas(q);
  // Each file is recomputed with the digest version it was recorded with (the audit entry's, which is chained, else the
  // files row's): cases imported before keep their v1, v2 or legacy hash() digests, new imports have v3.
  const versionOf = (r: FileRow): DigestVersion | null => digestVersion(String(imported.get(key(r.bundle, r.path))?.rowsDigest ?? r.rows_digest ?? emptyDigest()));
  const byVersion = new Map<DigestVersion | null, number[]>();
  for (const r of rows) {
    const v = versionOf(r);
    const ids = byVersion.get(v) ?? [];
    ids.push(Number(r.file_id));
    byVersion.set(v, ids);
  }
  const digests = new Map<DigestVersion | null, Map<number, FileDigest>>();
  for (const [v, ids] of byVersion) {
    const only = byVersion.size === 1 ? undefined : ids;
    digests.set(v, v === null ? await legacyRowsDigests(q) : await fileRowsDigests(q, only, v));
  }
  for (const r of rows) {
    const k = key(r.bundle, r.path);
    seen.add(k);
    const inManifest = manifests.get(r.bundle)?.get(r.path);
    if (manifests.has(r.bundle) && !inManifest) add(r.bundle, r.path, 'Imported file is not in the bundle manifest.');
    if (inManifest && r.sha256 && r.sha256 !== inManifest.sha256) add(r.bundle, r.path, 'The case database records a different sha256 than the manifest.');
    const rec = imported.get(k);
    // Pending only while no entry vouches for the file: a file with an entry is checked against it whatever the marks say.
    if (!rec && pending.has(Number(r.file_id))) { add(r.bundle, r.path, CUSTODY_PENDING); continue; }
    const v = versionOf(r);
    const now = digests.get(v)?.get(Number(r.file_id)) ?? { records: 0, digest: v === null ? '0' : emptyDigest(v) };
    if (!rec) {
      add(r.bundle, r.path, `No ${IMPORT_FILE_ACTION} entry in the audit log for this file: its import cannot be vouched for.`);
    } else {
      if (inManifest && rec.sha256 !== inManifest.sha256) add(r.bundle, r.path, 'The audit log records a different sha256 for this file than the manifest.');
      if (Number(rec.records) !== now.records) add(r.bundle, r.path, `Events changed: ${now.records} rows now, the import recorded ${rec.records}.`);
      else if (String(rec.rowsDigest) !== now.digest) add(r.bundle, r.path, 'Events changed: the rows no longer match the digest recorded at import.');
      if (rec.fileSha !== undefined && rec.fileSha !== fileShas.get(Number(r.file_id))) add(r.bundle, r.path, 'The files table row changed since import (format, timezone, rule, counts or digest).');
      const msha = manifestShas.get(r.bundle);
      if (rec.manifestSha256 && msha && rec.manifestSha256 !== msha && !changedManifests.has(r.bundle) && changedManifests.add(r.bundle)) add(r.bundle, `${r.bundle}.manifest.json`, 'The manifest changed since import (its sha256 differs from the one in the import audit entry).');
    }
    if (r.rows_digest !== null && (String(r.rows_digest) !== now.digest || Number(r.records) !== now.records)) {
      add(r.bundle, r.path, 'Events changed: the rows no longer match the digest in the files table.');
    }
  }
  for (const [k, rec] of imported) {
    if (!seen.has(k)) add(rec.bundle, rec.path, 'The audit log records this file as imported, but the case database has no such file.');
  }
  const orphans = await handle.db.read<{ n: string | number }>('SELECT count(*) AS n FROM event_store WHERE file_id NOT IN (SELECT file_id FROM files)');
  if (Number(orphans[0]?.n ?? 0) > 0) add('', '', `${orphans[0]!.n} events belong to no imported file.`);

  // 4. What was derived from the events (identifiers, statuses, chains, links) against a recomputation.
  if (await correlationPending(handle.db)) add('', '', CORRELATION_PENDING);
  else if (await derivationStale(handle.db, handle.meta.idPatterns)) add('', '', DERIVED_BY_OTHER_RULES);
  else try {
    for (const p of await verifyDerived(handle.files.db, handle.meta.idPatterns)) add('', p.table, p.problem);
  } catch (e) {
    add('', 'case.duckdb', `The derived tables could not be recomputed: ${(e as Error).message.split('\n')[0]}`);
  }

  const incomplete = partlyImported(manifests, rows);
  const notYet = problems.length > 0 && problems.every((p) => NOT_YET.has(p.problem));
  return { ok: problems.length === 0, filesChecked, problems, verifiedAt: new Date().toISOString(), ...(notYet ? { notYet } : {}), ...(incomplete.length ? { incomplete } : {}) };
}

/**
 * Bundles holding files the case has not taken in: an import killed, cancelled or failed before their batch (or still
 * running). A file is in when the case has its row, or a row with the same bytes (an alias is recorded as such, never
 * parsed again, so it has no row of its own; an empty file always has its row).
 */
function partlyImported(manifests: Map<string, Map<string, { sha256: string; size: number }>>, rows: FileRow[]): NonNullable<IntegrityResult['incomplete']> {
  const have = new Set(rows.map((r) => key(r.bundle, r.path)));
  const bytes = new Set(rows.flatMap((r) => (r.sha256 ? [r.sha256.toLowerCase()] : [])));
  const out: NonNullable<IntegrityResult['incomplete']> = [];
  for (const [bundle, listed] of manifests) {
    const missing = [...listed].filter(([p, m]) => !have.has(key(bundle, p)) && !(m.size > 0 && bytes.has(m.sha256.toLowerCase())));
    if (missing.length) out.push({ bundle, files: listed.size, missing: missing.length, examples: missing.slice(0, 3).map(([p]) => p) });
  }
  return out;
}

async function isDir(p: string): Promise<boolean> {
  return (await fs.lstat(p).catch(() => null))?.isDirectory() ?? false;
}

/** Every non-directory entry under dir, as '/'-separated paths relative to it. */
async function walk(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const d of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) out.push(...(await walk(dir, r)));
    else out.push(r);
  }
  return out;
}
