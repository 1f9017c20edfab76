// Files kept as evidence but not read as lines (an image, a database, a compressed form Casefile does not read, an
// archive whose contents became a bundle of their own: magic.ts, bundle.ts) get a `files` row as an empty file does:
// no events, a note saying what they are. Their digests and audit entries follow from the custody stage like every
// file's, so `casefile verify` re-hashes them with their bundle and finds their (no) events as recorded.
import type { FileImportResult } from '../../../shared/domain';
import type { CaseDb } from '../store/db';
import { insertRows } from '../store/insert';
import { markDigestPending, noteCommitted } from './custodyStage';

export interface KeptFile {
  bundle: string; path: string; sha256: string; size: number;
  /** The format column: `archive` or `binary` (no format read it). */
  format: 'archive' | 'binary';
  reason: string; note: string;
}

const TZ_RULE = 'not read as lines: no events';

/** Writes the files' rows in one transaction (a file's row is in the case or not) and returns their results. */
export async function recordKeptFiles(db: CaseDb, files: KeptFile[], zone: string, caseDir: string): Promise<FileImportResult[]> {
  if (!files.length) return [];
  const ids = await db.tx(async () => {
    const next = await db.one<{ file_id: number; base: string }>(
      `SELECT coalesce(max(file_id), 0) + 1 AS file_id, (coalesce(max(last_id), 0) + 1)::VARCHAR AS base FROM files`);
    const first = Number(next!.file_id);
    // Event ids stay unique per file as for an empty file: first_id = last_id, one id spent.
    const base = Number(next!.base);
    await insertRows(db, 'files', files.map((f, i) => ({
      file_id: first + i, bundle: f.bundle, path: f.path, sha256: f.sha256, size: f.size, format: f.format, reason: f.reason,
      tz_zone: zone, tz_rule: TZ_RULE, lines: 0, records: 0, ok: 0, malformed: 0, unparsed: 0, untimed: 0,
      min_ts: null, max_ts: null, first_id: base + i, last_id: base + i, rows_digest: null, note: f.note,
    })), { min_ts: 'TIMESTAMPTZ', max_ts: 'TIMESTAMPTZ' }, { imported_at: 'now()', audited: 'false' });
    const out = files.map((_, i) => first + i);
    await markDigestPending(db, out);
    return out;
  });
  noteCommitted(caseDir, ids);
  return files.map((f) => ({
    file: f.path, bundle: f.bundle, format: f.format, reason: f.reason, records: 0, lines: 0, ok: 0, malformed: 0,
    unparsed: 0, untimed: 0, tzRule: TZ_RULE, from: null, to: null, skipped: false, note: f.note,
  }));
}

/**
 * An archive noted at an earlier import as not expanded (damaged, or over a limit since raised) whose contents came in
 * at this one: its row's note says so now, not the stale "could not be imported". The files row's canonical text holds
 * the note, so the row is audited again (custody stage) and verify vouches for the new note.
 */
export async function renoteKeptFiles(db: CaseDb, rows: { fileId: number; note: string }[], caseDir: string): Promise<void> {
  if (!rows.length) return;
  await db.tx(async () => {
    for (const r of rows) await db.run('UPDATE files SET note = $1, audited = false WHERE file_id = $2', [r.note, r.fileId]);
  });
  noteCommitted(caseDir, rows.map((r) => r.fileId));
}
