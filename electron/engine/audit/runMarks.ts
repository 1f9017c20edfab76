// An import's trail entry is written at its end. While it runs, a mark in the case folder (running/<id>.json, written
// atomically) says who started it, when, with which inputs (as the trail records them) and under which app build. The
// call's own entry names the mark (`runMark`) and the mark goes after it. A process killed before (SIGKILL, power
// loss) leaves the mark: the next open for writing turns it into an `import.interrupted` entry naming the mark too,
// then removes it. An open killed between that entry and the removal finds the entry by the mark's id and only
// removes the mark: one entry per import, whichever way it ended. See docs/AUDIT.md "An import interrupted".
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fsyncDir, mkdirPrivate, writeJsonAtomic } from '../util/atomic';
import { appInfo, currentOperator, type AppInfo, type Operator } from './appInfo';
import { sanitizeParams } from './bound';
import { readAudit } from './trail';
import type { AuditOutcome } from './policy';
import type { CaseHandle } from '../case/caseStore';
import { faultPoint } from '../ingest/fault';

/** The calls that leave a mark while they run: their entry is written at their end, which may be hours away. */
export const MARKED_CALLS: ReadonlySet<string> = new Set(['import.paths']);
export const INTERRUPTED_ACTION = 'import.interrupted';
/** The param naming the mark, in the call's own entry and in the interrupted entry. */
export const MARK_PARAM = 'runMark';

export interface RunMark {
  id: string;
  /** The call (its action in the trail). */
  action: string;
  started: string;
  operator: Operator;
  host: string;
  via: string;
  app: AppInfo;
  /** The call's params as its entry records them (secret fields dropped, sensitive ones HMAC'd, bounded). */
  params: Record<string, unknown>;
}

const markFile = (dir: string, id: string) => path.join(dir, `${id}.json`);

/** Writes the mark of a call starting now; `params` as the policy records them (auditEntry). */
export async function writeRunMark(h: CaseHandle, action: string, params: Record<string, unknown>, via: string): Promise<RunMark> {
  const [app, operator] = await Promise.all([appInfo(), currentOperator()]);
  const mark: RunMark = { id: randomUUID(), action, started: new Date().toISOString(), operator, host: os.hostname(), via, app, params: sanitizeParams(params) };
  await mkdirPrivate(h.files.running);
  await writeJsonAtomic(markFile(h.files.running, mark.id), mark);
  return mark;
}

export async function removeRunMark(h: CaseHandle, id: string): Promise<void> {
  await fs.unlink(markFile(h.files.running, id)).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e; });
  await fsyncDir(h.files.running);
}

/** The marks left in the case folder (a temp file of a write cut short is not one; it is removed). */
async function leftMarks(dir: string): Promise<RunMark[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const out: RunMark[] = [];
  for (const name of names) {
    if (name.endsWith('.tmp')) { await fs.unlink(path.join(dir, name)).catch(() => undefined); continue; }
    if (!name.endsWith('.json')) continue;
    try {
      const m = JSON.parse(await fs.readFile(path.join(dir, name), 'utf8')) as RunMark;
      if (typeof m.id === 'string' && `${m.id}.json` === name && typeof m.started === 'string') out.push(m);
    } catch { /* not a mark this app wrote: left as found */ }
  }
  return out.sort((a, b) => a.started.localeCompare(b.started));
}

/** What of an interrupted import the case holds: files (and their bundles, events) committed since it started. */
async function heldSince(h: CaseHandle, started: string): Promise<{ bundles: number; files: number; events: number }> {
  const [r] = await h.db.read<{ bundles: number; files: number; events: string }>(
    `SELECT count(DISTINCT bundle)::INTEGER AS bundles, count(*)::INTEGER AS files, coalesce(sum(records), 0)::VARCHAR AS events
     FROM files WHERE imported_at >= $1::TIMESTAMPTZ`, [started]);
  return { bundles: r?.bundles ?? 0, files: r?.files ?? 0, events: Number(r?.events ?? 0) };
}

export function interruptedMessage(m: RunMark, held: { bundles: number; files: number; events: number }): string {
  const what = held.files === 0 ? 'nothing of it is in the case'
    : `${held.files.toLocaleString('en-US')} file${held.files === 1 ? '' : 's'} of it (${held.events.toLocaleString('en-US')} events, ${held.bundles} bundle${held.bundles === 1 ? '' : 's'}) are in the case`;
  return `An import started ${m.started} by ${m.operator.name} did not end (the process was killed, crashed or lost power): ${what}; import the same input again to add the rest.`;
}

/**
 * At an open for writing: each mark left by a killed call becomes its `import.interrupted` entry (unless an entry
 * naming it is already in the trail: the call's own, or one an open killed after writing it left), then goes.
 */
export async function recordInterrupted(h: CaseHandle, audit: (action: string, params: Record<string, unknown>, result: AuditOutcome) => Promise<void>): Promise<number> {
  if (h.readOnly) return 0;
  const marks = await leftMarks(h.files.running);
  if (!marks.length) return 0;
  const recorded = new Set((await readAudit(h.files.audit)).map((e) => e.params[MARK_PARAM]).filter((v) => typeof v === 'string'));
  let written = 0;
  for (const m of marks) {
    if (!recorded.has(m.id)) {
      const held = await heldSince(h, m.started);
      const inputs = Object.fromEntries(Object.entries(m.params).filter(([k]) => k !== 'caseId'));
      await audit(INTERRUPTED_ACTION, {
        caseId: h.meta.id, [MARK_PARAM]: m.id, call: m.action, started: m.started, startedBy: m.operator, host: m.host, via: m.via,
        app: m.app, inputs,
      }, { status: 'error', message: interruptedMessage(m, held), counts: held });
      written++;
      faultPoint('interrupted-recorded');
    }
    await removeRunMark(h, m.id);
  }
  return written;
}
