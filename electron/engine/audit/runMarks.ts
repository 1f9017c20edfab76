// A long call's trail entry (an import's, a pull's) is written at its end. While it runs, a mark in the case folder
// (running/<id>.json, written atomically) says who started it, when, with which inputs (as the trail records them) and
// under which app build. The call's own entry names the mark (`runMark`) and the mark goes after it. A process killed
// before (SIGKILL, power loss) leaves the mark: the next open for writing turns it into the call's interrupted entry
// (`import.interrupted`, `pull.interrupted`: who, when, inputs, what of it the case holds) naming the mark too, then
// removes it. An open killed between that entry and the removal finds the entry by the mark's id and only removes the
// mark: one entry per run, whichever way it ended. See docs/AUDIT.md "An import interrupted" and "A pull interrupted".
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fsyncDir, mkdirPrivate, writeJsonAtomic } from '../util/atomic';
import { readOwnFile } from '../util/smallFile';
import { appInfo, currentOperator, type AppInfo, type Operator } from './appInfo';
import { sanitizeParams } from './bound';
import { readAudit } from './trail';
import type { AuditOutcome } from './policy';
import type { CaseHandle } from '../case/caseStore';
import { faultPoint } from '../ingest/fault';
import { pullOnDisk, pullsOfRun, type PullOnDisk } from '../transport/pull';
import { printable } from '../../../shared/printable';

/** What the case holds of a run a kill cut short: the interrupted entry's counts, and the same in words, ending with
 *  what running it again does. */
interface Held { counts: Record<string, number>; said: string; params?: Record<string, unknown> }

/** A call that leaves a mark: its entry is written at its end, which may be hours away. */
interface MarkedCall {
  /** The entry an open writes for a mark the call left. */
  interrupted: string;
  /** The run in words, as the interrupted entry's message begins ("An import"). */
  noun: string;
  /** What to do when its `running` folder is not one, and what was not done (the refusal's words). */
  refused: string;
  held(h: CaseHandle, m: RunMark): Promise<Held>;
}

const MARKED: Record<string, MarkedCall> = {
  'import.paths': { interrupted: 'import.interrupted', noun: 'An import', refused: 'import again. Nothing was imported.', held: importHeld },
  'pull.run': { interrupted: 'pull.interrupted', noun: 'A pull', refused: 'pull again. Nothing was pulled.', held: pullHeld },
};

export const MARKED_CALLS: ReadonlySet<string> = new Set(Object.keys(MARKED));
export const INTERRUPTED_ACTION = MARKED['import.paths']!.interrupted;
export const PULL_INTERRUPTED_ACTION = MARKED['pull.run']!.interrupted;
/** An open found things in `running` that are not marks (audit/runMarks.ts): said, kept. */
export const SKIPPED_ACTION = 'import.marks_skipped';
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

/** The case's own `running` folder, made if missing; never a link or a file (a mark is never written or read through one). */
async function runningDir(h: CaseHandle, call: MarkedCall): Promise<string> {
  const dir = h.files.running;
  const st = await fs.lstat(dir).catch(() => null);
  if (!st) await mkdirPrivate(dir);
  else if (!st.isDirectory()) {
    throw new Error(`${dir} is ${st.isSymbolicLink() ? 'a link' : 'not a folder'}: Casefile keeps the marks of running imports there and never writes through a link; move it aside (look at it first) and ${call.refused}`);
  }
  return dir;
}

/** Writes the mark of a call starting now; `params` as the policy records them (auditEntry). */
export async function writeRunMark(h: CaseHandle, action: string, params: Record<string, unknown>, via: string): Promise<RunMark> {
  const [app, operator] = await Promise.all([appInfo(), currentOperator()]);
  const mark: RunMark = { id: randomUUID(), action, started: new Date().toISOString(), operator, host: os.hostname(), via, app, params: sanitizeParams(params) };
  await writeJsonAtomic(markFile(await runningDir(h, MARKED[action]!), mark.id), mark);
  return mark;
}

export async function removeRunMark(h: CaseHandle, id: string): Promise<void> {
  await fs.unlink(markFile(h.files.running, id)).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e; });
  await fsyncDir(h.files.running);
}

/** The marks the case's trail names (MARK_PARAM): the entries of those runs are written. */
async function namedInTrail(h: CaseHandle): Promise<Set<unknown>> {
  return new Set((await readAudit(h.files.audit)).map((e) => e.params[MARK_PARAM]).filter((v) => typeof v === 'string'));
}

/** Is an entry naming this mark in the case's trail? (A change's own recovery: the re-time's, case/handlers.ts.) */
export async function markRecorded(h: CaseHandle, id: string): Promise<boolean> {
  return (await namedInTrail(h)).has(id);
}

/** A mark this app writes is about 1 KB (its params are bounded): anything much larger is not one, and is not read. */
const MAX_MARK_BYTES = 1 << 20;
/** Marks turned into entries by one open; the rest wait for the next (an open is never held for long by a folder of them). */
export const MAX_MARKS_PER_OPEN = 200;

/** Something in `running` that is not a mark this app wrote: kept as found (it may be what an intruder left, or the
 *  only trace of an import), never read through a link, and said in the trail. */
export interface SkippedMark { name: string; why: string }

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Text from a mark as the trail and the views may show it: control and bidi characters escaped, length bounded. */
const shown = (s: string) => printable(s.length > 200 ? `${s.slice(0, 200)}…` : s);

/** Deep copy of a mark's value with every string made printable (the trail bounds sizes and depth itself). */
function printableDeep(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return printable(v);
  if (depth > 10 || typeof v !== 'object' || v === null) return typeof v === 'object' && v !== null ? '[nested too deep]' : v;
  if (Array.isArray(v)) return v.slice(0, 100).map((x) => printableDeep(x, depth + 1));
  return Object.fromEntries(Object.entries(v).slice(0, 100).map(([k, x]) => [printable(k), printableDeep(x, depth + 1)]));
}

/** The mark in `text` named `name`, or why it is not one. */
function parseMark(name: string, text: string): RunMark | string {
  let m: unknown;
  try { m = JSON.parse(text); } catch { return 'not JSON (cut short or not a mark)'; }
  if (!isObject(m)) return 'JSON but not a mark (not an object)';
  if (typeof m.id !== 'string' || `${m.id}.json` !== name) return 'its id does not match its file name';
  if (typeof m.action !== 'string' || !MARKED_CALLS.has(m.action)) return 'it names no call that leaves a mark';
  const started = typeof m.started === 'string' ? new Date(m.started) : null;
  if (!started || Number.isNaN(started.getTime())) return 'its start time is not a time';
  if (!isObject(m.operator) || typeof m.operator.name !== 'string') return 'it names no operator';
  if (!isObject(m.params)) return 'it has no inputs';
  return printableDeep({
    id: m.id, action: m.action, started: started.toISOString(), operator: m.operator,
    host: typeof m.host === 'string' ? m.host : '', via: typeof m.via === 'string' ? m.via : '',
    app: isObject(m.app) ? m.app : {}, params: m.params,
  }) as RunMark;
}

/** Reads one entry of `running` without following a link and without reading more than a mark's size. */
async function readMark(dir: string, name: string): Promise<RunMark | string> {
  const r = await readOwnFile(path.join(dir, name), MAX_MARK_BYTES, 'a mark');
  return 'bytes' in r ? parseMark(name, r.bytes.toString('utf8')) : r.why;
}

/** The marks left in the case folder, and what else is there (a temp file of a write cut short is not one; it is removed). */
async function leftMarks(dir: string): Promise<{ marks: RunMark[]; skipped: SkippedMark[] }> {
  const marks: RunMark[] = [];
  const skipped: SkippedMark[] = [];
  const st = await fs.lstat(dir).catch(() => null);
  if (!st) return { marks, skipped };
  if (!st.isDirectory()) return { marks, skipped: [{ name: path.basename(dir), why: st.isSymbolicLink() ? 'a link, not the case\'s own folder: not followed' : 'not a folder' }] };
  for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.name.endsWith('.tmp') && e.isFile()) { await fs.unlink(path.join(dir, e.name)).catch(() => undefined); continue; }
    const m = e.name.endsWith('.json') ? await readMark(dir, e.name) : 'not a mark (its name does not end in .json)';
    if (typeof m === 'string') skipped.push({ name: shown(e.name), why: m });
    else marks.push(m);
  }
  return { marks: marks.sort((a, b) => a.started.localeCompare(b.started)), skipped: skipped.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
}

/** What of an interrupted import the case holds: files (and their bundles, events) committed since it started. */
async function heldSince(h: CaseHandle, started: string): Promise<{ bundles: number; files: number; events: number }> {
  const [r] = await h.db.read<{ bundles: number; files: number; events: string }>(
    `SELECT count(DISTINCT bundle)::INTEGER AS bundles, count(*)::INTEGER AS files, coalesce(sum(records), 0)::VARCHAR AS events
     FROM files WHERE imported_at >= $1::TIMESTAMPTZ`, [started]);
  return { bundles: r?.bundles ?? 0, files: r?.files ?? 0, events: Number(r?.events ?? 0) };
}

const n = (x: number) => x.toLocaleString('en-US');
const plural = (x: number, one: string, many = `${one}s`) => `${n(x)} ${x === 1 ? one : many}`;

async function importHeld(h: CaseHandle, m: RunMark): Promise<Held> {
  const held = await heldSince(h, m.started);
  const what = held.files === 0 ? 'nothing of it is in the case'
    : `${plural(held.files, 'file')} of it (${n(held.events)} events, ${held.bundles} bundle${held.bundles === 1 ? '' : 's'}) are in the case`;
  return { counts: held, said: `${what}; import the same input again to add the rest.` };
}

/** One pull a killed pull.run left, in words: what of it is in the case and what running it again does. */
function pullWords(p: PullOnDisk, resume: string): string {
  if (p.status === 'complete') {
    return p.imported ? `pull ${p.id} fetched all ${plural(p.filesTotal, 'file')} into bundle ${p.bundle} and imported it`
      : `pull ${p.id} fetched all ${plural(p.filesTotal, 'file')} (${plural(p.bytesTotal, 'byte')}) into bundle ${p.bundle}, not all imported; running the same pull again ${resume} imports it`;
  }
  const partial = p.partialFiles ? `, ${plural(p.partialFiles, 'partial file')} (${plural(p.partialBytes, 'byte')} of ${p.partialFiles === 1 ? 'it' : 'them'} kept for the resume)` : '';
  return `pull ${p.id} has ${n(p.files)} of ${plural(p.filesTotal, 'file')} complete (${n(p.bytes)} of ${plural(p.bytesTotal, 'byte')})${partial} in the case; running the same pull again ${resume} resumes it: what is here is kept, only the rest is fetched`;
}

async function pullHeld(h: CaseHandle, m: RunMark): Promise<Held> {
  const pulls = await Promise.all((await pullsOfRun(h.dir, { ...m.params, started: m.started }).catch(() => [])).map((s) => pullOnDisk(h.dir, s)));
  const { events } = await heldSince(h, m.started);
  const sum = (k: 'files' | 'filesTotal' | 'bytes' | 'bytesTotal' | 'partialFiles' | 'partialBytes') => pulls.reduce((t, p) => t + p[k], 0);
  const counts = { files: sum('files'), filesTotal: sum('filesTotal'), bytes: sum('bytes'), bytesTotal: sum('bytesTotal'), partialFiles: sum('partialFiles'), partialBytes: sum('partialBytes'), events };
  // Short: the trail keeps 500 characters of a message.
  const resume = (id: string) => `with --resume ${id}; in the app, Resume under Unfinished pulls`;
  const said = pulls.length ? `${pulls.map((p) => pullWords(p, resume(p.id))).join('; ')}${events ? ` (${n(events)} events of it imported)` : ''}.`
    : 'nothing of it is in the case (it stopped before fetching); run the same pull again to start it.';
  return { counts, said, params: { pulls: pulls.map((p) => p.id) } };
}

export function interruptedMessage(m: RunMark, said: string): string {
  return `${MARKED[m.action]!.noun} started ${m.started} by ${shown(m.operator.name)} did not end (the process was killed, crashed or lost power): ${said}`;
}

/**
 * At an open for writing: each mark left by a killed call becomes its interrupted entry (unless an entry
 * naming it is already in the trail: the call's own, or one an open killed after writing it left), then goes.
 */
export async function recordInterrupted(h: CaseHandle, audit: (action: string, params: Record<string, unknown>, result: AuditOutcome) => Promise<void>): Promise<number> {
  if (h.readOnly) return 0;
  const { marks, skipped } = await leftMarks(h.files.running);
  // Said once while it stays the same (every CLI command opens the case: the trail would repeat it at each).
  if (skipped.length && !sameAsLastSaid(await readAudit(h.files.audit, { action: SKIPPED_ACTION }), skipped)) {
    await audit(SKIPPED_ACTION, { caseId: h.meta.id, skipped }, { status: 'error', message: skippedMessage(h.files.running, skipped), counts: { skipped: skipped.length } });
  }
  if (!marks.length) return 0;
  const recorded = await namedInTrail(h);
  let written = 0;
  for (const m of marks.slice(0, MAX_MARKS_PER_OPEN)) {
    if (!recorded.has(m.id)) {
      const call = MARKED[m.action]!;
      const held = await call.held(h, m);
      const inputs = Object.fromEntries(Object.entries(m.params).filter(([k]) => k !== 'caseId'));
      await audit(call.interrupted, {
        caseId: h.meta.id, [MARK_PARAM]: m.id, call: m.action, started: m.started, startedBy: m.operator, host: m.host, via: m.via,
        app: m.app, inputs, ...held.params,
      }, { status: 'error', message: interruptedMessage(m, held.said), counts: held.counts });
      written++;
      faultPoint('interrupted-recorded');
    }
    await removeRunMark(h, m.id);
  }
  return written;
}

function sameAsLastSaid(said: { params: Record<string, unknown> }[], skipped: SkippedMark[]): boolean {
  const last = said.at(-1)?.params.skipped;
  return Array.isArray(last) && JSON.stringify(last) === JSON.stringify(sanitizeParams({ skipped }).skipped);
}

/** What an open found in `running` that is not a mark, in words: kept, for the operator to look at and remove. */
export function skippedMessage(dir: string, skipped: SkippedMark[]): string {
  const list = skipped.slice(0, 5).map((s) => `${s.name} (${s.why})`).join('; ');
  const more = skipped.length > 5 ? `; and ${skipped.length - 5} more` : '';
  return `${skipped.length} thing${skipped.length === 1 ? '' : 's'} in ${printable(dir)} ${skipped.length === 1 ? 'is' : 'are'} not the mark of an import this app wrote: ${list}${more}. Not read through, not removed and not recorded as imports: kept as found for you to look at; remove ${skipped.length === 1 ? 'it' : 'them'} once looked at.`;
}
