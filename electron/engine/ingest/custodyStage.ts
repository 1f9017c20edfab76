// Events first, custody right after: a batch's transaction commits its events and `files` rows with no rows digest
// and marks the files in `digest_pending`; this stage then takes their rows digests (store/digest.ts), the sha256 of
// their `files` rows and writes their `import.files` audit entries. It runs before correlation in the job that follows
// an import (or at the end of an import called without one) and at the start of every import and case open, so a kill
// at any point is finished later with the same digests. Two steps, each crash-safe on its own:
// 1. digests: one transaction per group of files writes `files.rows_digest` and removes them from `digest_pending`;
// 2. audit: files with `audited = false` whose digest is in get their entry, then `audited = true` (a kill between the
//    two writes the entry twice: verify reads the same content).
import { createHash } from 'node:crypto';
import { hasTables, type CaseDb, type SqlRead } from '../store/db';
import { emptyDigest, fileRowShas, fileRowsDigests } from '../store/digest';
import { readManifest } from '../evidence/manifest';
import { faultPoint } from './fault';
import { timed } from '../util/stageTimes';
import type { AuditedBundle, ImportedFileRecord } from './importer';

export const DIGEST_STAGE = 'custody: rows digests';
export const AUDIT_STAGE = 'custody: files rows + audit';

/** Files per digest transaction. */
const GROUP_FILES = 2000;

/** In the events' transaction: these files' digests and audit entries are still to be written. */
export async function markDigestPending(db: CaseDb, fileIds: number[]): Promise<void> {
  if (fileIds.length) await db.run(`INSERT INTO digest_pending SELECT unnest([${fileIds.map((n) => Math.trunc(n)).join(', ')}])`);
}

/** Files whose events are in but whose custody (digest, audit entry) is not yet recorded; [] in cases made before. */
export async function custodyPendingFiles(db: SqlRead): Promise<number[]> {
  if (!(await hasTables(db, ['digest_pending'], true))) return [];
  const rows = await db.read<{ file_id: number }>(`SELECT file_id FROM files WHERE file_id IN (SELECT file_id FROM digest_pending) OR audited = false ORDER BY file_id`);
  return rows.map((r) => Number(r.file_id));
}

/**
 * Files whose events this process committed, per case folder: their entries are plain ones. Entries this process
 * writes for files another one committed (it was killed before their custody) are marked `recovered`.
 */
const committedHere = new Map<string, Set<number>>();
export function noteCommitted(caseDir: string, fileIds: number[]): void {
  const s = committedHere.get(caseDir) ?? new Set<number>();
  for (const id of fileIds) s.add(id);
  committedHere.set(caseDir, s);
}

export type AuditFiles = (bundle: AuditedBundle, files: ImportedFileRecord[]) => Promise<void>;

/**
 * Records the custody of every file still pending. Without `audit` (an import called without the audit hook) the
 * digests are written and the files this process committed are marked audited, as an import always did.
 * Returns the number of files audited.
 */
export async function finishCustody(db: CaseDb, caseDir: string, bundlesDir: string, audit?: AuditFiles, signal?: AbortSignal): Promise<number> {
  const pending = (await db.all<{ file_id: number }>(`SELECT DISTINCT file_id FROM digest_pending ORDER BY file_id`)).map((r) => Number(r.file_id));
  if (pending.length) faultPoint('before-digests');
  for (let i = 0; i < pending.length; i += GROUP_FILES) {
    const part = pending.slice(i, i + GROUP_FILES);
    // A cancel interrupts the group's digests (rolled back: its files stay pending).
    await timed(DIGEST_STAGE, () => db.interruptible(signal, () => db.tx(async () => {
      const digests = await fileRowsDigests((sql) => db.all(sql), part);
      // Digests are a version's prefix + hex (or its empty digest) and ids integers: nothing here comes from the evidence.
      const values = part.map((id) => `(${id}, '${digests.get(id)?.digest ?? emptyDigest()}')`).join(', ');
      await db.run(`UPDATE files SET rows_digest = d.digest FROM (VALUES ${values}) d(file_id, digest) WHERE files.file_id = d.file_id`);
      await db.run(`DELETE FROM digest_pending WHERE file_id IN (${part.join(', ')})`);
    })));
  }
  const here = committedHere.get(caseDir) ?? new Set<number>();
  const rows = await db.all<{ file_id: number; bundle: string; path: string; sha256: string; format: string; records: string; rows_digest: string }>(
    `SELECT file_id, bundle, path, sha256, format, records::VARCHAR AS records, rows_digest FROM files
     WHERE audited = false AND file_id NOT IN (SELECT file_id FROM digest_pending) ORDER BY file_id`);
  if (!audit) {
    const mine = rows.filter((r) => here.has(Number(r.file_id)));
    if (mine.length) await db.run(`UPDATE files SET audited = true WHERE file_id IN (${mine.map((r) => Number(r.file_id)).join(', ')})`);
    for (const r of mine) here.delete(Number(r.file_id));
    return 0;
  }
  if (!rows.length) return 0;
  await timed(AUDIT_STAGE, async () => {
    const shas = await fileRowShas((sql) => db.all(sql), rows.map((r) => Number(r.file_id)));
    const byBundle = new Map<string, ImportedFileRecord[]>();
    for (const r of rows) {
      const list = byBundle.get(r.bundle) ?? [];
      list.push({ path: r.path, sha256: r.sha256, format: r.format, records: Number(r.records), rowsDigest: r.rows_digest,
        fileSha: shas.get(Number(r.file_id))!, ...(here.has(Number(r.file_id)) ? {} : { recovered: true as const }) });
      byBundle.set(r.bundle, list);
    }
    faultPoint('after-commit-before-audit');
    for (const [id, files] of byBundle) {
      const m = await readManifest(bundlesDir, id);
      await audit({ id, manifestSha256: m ? createHash('sha256').update(m.text).digest('hex') : null }, files);
    }
    await db.run(`UPDATE files SET audited = true WHERE file_id IN (${rows.map((r) => Number(r.file_id)).join(', ')})`);
    for (const r of rows) here.delete(Number(r.file_id));
  });
  return rows.length;
}
