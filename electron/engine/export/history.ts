// The case's exports as the operator reviews them: what left, when, to whom, with what counts, and whether a
// re-identification map is kept. Read from what an export leaves: its audit entries (export.written, export.blocked,
// an export.run that failed or was cancelled), its folder exports/<id>/ (report.json when written in plaintext; an
// encrypted report is the client's to read) and redaction/<id>.map.pgp. Nothing here is decrypted.
import fs from 'node:fs';
import path from 'node:path';
import { EXPORT_ID, type ExportHistoryItemT } from '../../../shared/contract/exportHistory';
import { readAudit, type AuditEntry } from '../audit/trail';
import type { CaseHandle } from '../case/caseStore';
import { caseFiles } from '../case/paths';

const isFile = (p: string) => { try { return fs.lstatSync(p).isFile(); } catch { return false; } };
const isDir = (p: string) => { try { return fs.lstatSync(p).isDirectory(); } catch { return false; } };
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const numbers = (v: unknown): Record<string, number> => Object.fromEntries(
  Object.entries(v && typeof v === 'object' ? v : {}).filter((e): e is [string, number] => typeof e[1] === 'number'));

interface ReportJson { createdAt?: string; dataFormat?: string; events?: number; selection?: string; encryptedTo?: string | null; mapKept?: boolean;
  replacements?: { byType?: { type: string; count: number }[]; byRule?: { rule: string; count: number }[] };
  rules?: { gitleaks: string; gitleaksSha256: string; clientSha256: string }; settings?: { pseudonymScope?: string } }

/** The plaintext report of an export, when it was written in plaintext (and is the report run.ts writes). */
function readReport(dir: string): ReportJson | null {
  const file = path.join(dir, 'report.json');
  if (!isFile(file) || fs.statSync(file).size > 4 << 20) return null;
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8')) as ReportJson & { format?: string };
    return r.format === 'casefile/export-report@1' ? r : null;
  } catch { return null; }
}

const rows = <K extends string>(list: { count: number }[] | undefined, key: K) =>
  Object.fromEntries((list ?? []).map((r) => [(r as unknown as Record<K, string>)[key], r.count]));

function blank(caseDir: string, exportId: string | null, time: string): ExportHistoryItemT {
  return {
    exportId, time, state: 'complete', format: null, selection: null, recipient: null, client: null, pseudonymScope: null,
    events: 0, byType: {}, byRule: {}, files: [], rules: null, mapKept: false,
    mapPresent: exportId ? isFile(caseFiles(caseDir).exportMap(exportId)) : false, dir: null, message: null,
  };
}

/** What a written export's entry records (the fields handlers.ts gives it; older entries hold fewer). */
function fromWritten(caseDir: string, e: AuditEntry): ExportHistoryItemT | null {
  const p = e.params;
  const id = str(p.exportId);
  if (!id || !EXPORT_ID.test(id)) return null;
  const { events = 0, ...byType } = numbers(e.result.counts);
  const rules = p.rulesVersion && p.rulesSha256 && p.clientRulesSha256
    ? { gitleaks: String(p.rulesVersion), gitleaksSha256: String(p.rulesSha256), clientSha256: String(p.clientRulesSha256) } : null;
  const files = Array.isArray(p.files) ? (p.files as { name?: unknown; sha256?: unknown; bytes?: unknown }[])
    .filter((f) => typeof f?.name === 'string').map((f) => ({ name: String(f.name), sha256: String(f.sha256 ?? ''), bytes: Number(f.bytes ?? 0) })) : [];
  return {
    ...blank(caseDir, id, e.time), format: str(p.format), selection: str(p.selection), recipient: str(p.recipientFingerprint),
    client: str(p.client), pseudonymScope: str(p.pseudonymScope), events, byType, byRule: numbers(p.byRule), files, rules, mapKept: p.mapKept === true,
  };
}

/** A run that wrote nothing: the fail-closed check refused it, it was cancelled, or it failed. */
function fromRefused(caseDir: string, e: AuditEntry): ExportHistoryItemT | null {
  const item = { ...blank(caseDir, null, e.time), format: str(e.params.format), recipient: str(e.params.to), client: str(e.params.client) };
  if (e.action === 'export.blocked') {
    const hits = Object.entries(numbers(e.result.counts)).map(([k, n]) => `${k} ×${n}`).join(', ');
    return { ...item, state: 'blocked', message: `The fail-closed check found ${hits || 'hits'}; nothing was written.` };
  }
  if (e.action !== 'export.run' || e.result.status !== 'error') return null;
  const message = e.result.message ?? null;
  // a blocked run has its own export.blocked entry (with the hit counts): listed once
  if (message?.startsWith('Export blocked by the fail-closed check')) return null;
  return { ...item, state: /^The export job was cancelled/.test(message ?? '') ? 'cancelled' : 'failed', message };
}

/** Newest first. An export folder no entry names (its entry went to another trail) is listed from its report. */
export async function exportHistory(h: CaseHandle): Promise<ExportHistoryItemT[]> {
  const items: ExportHistoryItemT[] = [];
  const byId = new Map<string, ExportHistoryItemT>();
  for (const e of await readAudit(h.files.audit, { action: 'export.*' })) {
    const item = e.action === 'export.written' ? fromWritten(h.dir, e) : fromRefused(h.dir, e);
    if (!item) continue;
    if (item.exportId) byId.set(item.exportId, item);
    items.push(item);
  }
  const names = fs.existsSync(h.files.exports) ? fs.readdirSync(h.files.exports) : [];
  for (const id of names.filter((n) => EXPORT_ID.test(n) && isDir(path.join(h.files.exports, n)))) {
    const dir = path.join(h.files.exports, id);
    const report = readReport(dir);
    let item = byId.get(id);
    if (!item) {
      const at = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)/.exec(id)!;
      item = { ...blank(h.dir, id, report?.createdAt ?? `${at[1]}-${at[2]}-${at[3]}T${at[4]}:${at[5]}:${at[6]}Z`), mapKept: report?.mapKept ?? isFile(caseFiles(h.dir).exportMap(id)) };
      item.files = fs.readdirSync(dir).filter((n) => isFile(path.join(dir, n))).map((name) => ({ name, sha256: '', bytes: fs.statSync(path.join(dir, name)).size }));
      items.push(item);
    }
    item.dir = dir;
    if (report) {
      // the plaintext report fills what an older entry did not record
      item.selection ??= report.selection ?? null;
      item.format ??= report.dataFormat ?? null;
      item.pseudonymScope ??= report.settings?.pseudonymScope ?? null;
      item.rules ??= report.rules ?? null;
      if (!item.events) item.events = report.events ?? 0;
      if (!Object.keys(item.byType).length) item.byType = rows(report.replacements?.byType, 'type');
      if (!Object.keys(item.byRule).length) item.byRule = rows(report.replacements?.byRule, 'rule');
    }
  }
  return items.sort((a, b) => b.time.localeCompare(a.time));
}
