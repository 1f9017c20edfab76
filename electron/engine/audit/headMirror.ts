// The audit head mirrored into the case database (table audit_head, one row): a second anchor for the log that lives
// in another file with another writer. Truncating the log together with its head record, or deleting both, leaves a
// database head ahead of the log or off its chain, which verifyAudit reports. docs/AUDIT.md, "Head mirror".
//
// Crash consistency: the row is written by the case's writer in one statement (DuckDB commits it whole), and it only
// ever names an entry that appendAudit already fsync'd, so after any crash the mirror is at or behind the log. It
// moves forward only over a log that verifies against it (the whole check, MACs and tears included): a cut made
// while nobody looked is never copied into the anchor; once the operator acknowledges the tear it moves on.
import type { CaseDb, SqlRead } from '../store/db';
import { verifyAudit, type AuditHead } from './trail';

/** The head the case database last recorded, or null (none yet, or a database made before the mirror). */
export async function mirroredHead(db: SqlRead): Promise<AuditHead | null> {
  const row = await db.one<{ seq: string | number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1').catch(() => undefined);
  return row ? { seq: Number(row.seq), hash: row.hash } : null;
}

/** Records the log's current head in the database when the log verifies against the one recorded before. */
export async function mirrorAuditHead(db: CaseDb, auditFile: string): Promise<AuditHead | null> {
  const before = await mirroredHead(db);
  const r = await verifyAudit(auditFile, { anchor: before });
  if (!r.ok || r.headSeq == null || r.headHash == null || (before && r.headSeq <= before.seq)) return before;
  await db.run('INSERT OR REPLACE INTO audit_head VALUES (1, $seq, $hash, now())', { seq: r.headSeq, hash: r.headHash });
  return { seq: r.headSeq, hash: r.headHash };
}
