// Which rules derived a case's identifiers, status evidence and chains. Verify recomputes those tables with this
// build's rules (verifyDerived.ts), so a case derived by other rules (an upgrade that changed a rule, or the case's id
// patterns edited) would read as tampered with. The version is kept in the case; when it is not this build's, every
// file is marked for extraction again and the chains are dropped, so the correlation stage (the one that follows an
// import, or the opening of a case) derives them all afresh, resumable like any other run of it.
import { createHash } from 'node:crypto';
import { DEFAULT_ID_PATTERNS, type IdPattern } from '../../../shared/correlation';
import { FORMATS } from '../formats/registry';
import { hasTable, type CaseDb, type SqlRead } from '../store/db';
import { CHAIN_TABLES } from './chains';

/**
 * Bump when the derivation's code (not its rules as data) changes what it gives: the common pass, the chain build,
 * how a failure reason is read (2: a one-line traceback's exception line).
 */
const CODE = 2;

const TABLE = 'derivation';

/** The version of the derivation this build gives for a case with these id patterns. */
export function derivationVersion(idPatterns: IdPattern[] = DEFAULT_ID_PATTERNS): string {
  const rules = JSON.stringify({ code: CODE, formats: FORMATS.map((f) => [f.id, f.correlation ?? null]), idPatterns });
  return `${CODE}:${createHash('sha256').update(rules).digest('hex').slice(0, 16)}`;
}

/** The version the case's derived tables were made by; null when none is recorded (a case from before this). */
export async function storedDerivation(db: SqlRead): Promise<string | null> {
  if (!(await hasTable(db, TABLE))) return null;
  const r = await db.one<{ v: string }>(`SELECT version AS v FROM ${TABLE} LIMIT 1`);
  return r?.v ?? null;
}

/**
 * Were the case's derived tables made by other rules than this build's? A case with no version recorded is stale when
 * something was derived (identifiers or chains); a new case before its first chain build is not.
 */
export async function derivationStale(db: SqlRead, idPatterns?: IdPattern[]): Promise<boolean> {
  const stored = await storedDerivation(db);
  if (stored !== null) return stored !== derivationVersion(idPatterns);
  if (await hasTable(db, 'chain_events')) return true;
  if (!(await hasTable(db, 'identifiers'))) return false;
  const r = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM (SELECT 1 FROM identifiers LIMIT 1)`);
  return Number(r?.n) > 0;
}

/** Records this build's version: before a case's first extraction (rederiveIfStale), and where the chains are built
 * when everything pending was derived by it. */
export async function recordDerivation(db: CaseDb, idPatterns?: IdPattern[]): Promise<void> {
  await db.run(`CREATE TABLE IF NOT EXISTS ${TABLE} (version VARCHAR)`);
  await db.run(`DELETE FROM ${TABLE}`);
  await db.run(`INSERT INTO ${TABLE} VALUES ($v)`, { v: derivationVersion(idPatterns) });
}

/**
 * When the case was derived by other rules: in one transaction, its identifiers, status evidence, failure reasons and
 * chains are emptied and every file is marked for extraction again. Returns the versions when it did.
 * A case with nothing derived yet is given this build's version before its first extraction: a first run cut short
 * (cancelled, killed) leaves identifiers without chains, which would otherwise read as another build's and be
 * derived again from nothing, with a `correlate.rederive` entry for a change of rules that never was.
 */
export async function rederiveIfStale(db: CaseDb, idPatterns?: IdPattern[]): Promise<{ from: string | null; to: string } | null> {
  if (!(await derivationStale(db, idPatterns))) {
    if (await storedDerivation(db) === null) await db.tx(() => recordDerivation(db, idPatterns));
    return null;
  }
  const from = await storedDerivation(db);
  await db.tx(async () => {
    await resetDerived(db);
    await recordDerivation(db, idPatterns);
  });
  return { from, to: derivationVersion(idPatterns) };
}

/**
 * Empties the case's identifiers, status evidence, failure reasons and chains and marks every file for extraction
 * again: the correlation stage then derives them all afresh. Runs inside the caller's transaction.
 */
export async function resetDerived(db: CaseDb): Promise<void> {
  for (const t of ['identifiers', 'event_status', 'event_reasons', 'correlate_pending']) {
    if (await hasTable(db, t)) await db.run(`DELETE FROM ${t}`);
  }
  for (const t of CHAIN_TABLES) await db.run(`DROP TABLE IF EXISTS ${t}`);
  await db.run(`DELETE FROM extract_pending`);
  await db.run(`INSERT INTO extract_pending SELECT file_id FROM files`);
}

/** The audit action of a re-derivation (its params: from, to). */
export const REDERIVE_ACTION = 'correlate.rederive';
