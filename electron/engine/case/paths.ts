// Where things live in a case folder and in the user's data dir. One place, so nobody spells a path twice.
import os from 'node:os';
import path from 'node:path';

export const caseFiles = (dir: string) => ({
  caseJson: path.join(dir, 'case.json'),
  db: path.join(dir, 'case.duckdb'),
  /** The whole-case harvest an export reuses while the case's content is unchanged (export/harvestCache.ts). */
  harvestCache: path.join(dir, 'harvest.cache.json'),
  bundles: path.join(dir, 'bundles'),
  bundle: (id: string) => path.join(dir, 'bundles', id),
  audit: path.join(dir, 'audit.jsonl'),
  /** HMAC salt of the case trail's sensitive fields (see audit/salt.ts); never leaves with an export. */
  auditSalt: path.join(dir, 'audit.salt'),
  exports: path.join(dir, 'exports'),
  /** Outside exports/: what an export keeps for the operator alone (re-identification maps, clients' keys). */
  redaction: path.join(dir, 'redaction'),
  /** An export's re-identification map, encrypted to the operator's own key. */
  exportMap: (exportId: string) => path.join(dir, 'redaction', `${exportId}.map.pgp`),
  lock: path.join(dir, 'case.lock'),
  /** Marks of calls under way whose trail entry is written at their end (audit/runMarks.ts). */
  running: path.join(dir, 'running'),
});

/** The user's data dir: CASEFILE_HOME, else XDG/macOS/Windows conventions. */
export function dataHome(): string {
  if (process.env.CASEFILE_HOME) return process.env.CASEFILE_HOME;
  const home = os.homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Casefile');
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Casefile');
  return path.join(process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'casefile');
}

export const appFiles = () => ({
  home: dataHome(),
  cases: path.join(dataHome(), 'cases'),
  audit: path.join(dataHome(), 'app-audit.jsonl'),
  auditSalt: path.join(dataHome(), 'app-audit.salt'),
  /** The per-install secret that MACs every audit entry (never inside a case). */
  auditKey: path.join(dataHome(), 'audit.key'),
  recent: path.join(dataHome(), 'recent-cases.json'),
});
