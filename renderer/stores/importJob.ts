// One import at a time: paths on the engine machine (or dropped files uploaded first in browser mode),
// progress from `import.progress`, and the per-file result table.
import { create } from 'zustand';
import type { ImportProgress, ImportResult } from '../../shared/domain';
import type { ImportCheck, ImportCheckProgress, JobInfo } from '../../shared/contract';
import { ALL_READY, ReadingClock, afterStageLine } from '../../shared/importProgress';
import { ApiError, call, getClient } from '../api/client';
import { useApp, errorText } from './app';
import { followJob } from './liveJobs';
import { perCase, refreshIfOpen } from './perCase';
import { followQueue } from './jobQueue';
import { chainsStoppedText } from './chainsJob';

export type DroppedFile = { file: File; path: string };

interface ImportState {
  running: boolean;
  progress: ImportProgress | null;
  /** Seconds left of the reading, once its rate is meaningful (shared/importProgress.ts secondsLeft), else null. */
  left: number | null;
  /** The job after the events (custody digests, identifiers, chains) in one line, once the import's own part is over. */
  after: string | null;
  result: ImportResult | null;
  error: string | null;
  /** The error is a cancel the operator asked for (said as such, not as a failure). */
  cancelled: boolean;
  uploading: { done: number; total: number } | null;
  /** The running import's job (what Cancel cancels). */
  jobId: string | null;
  /** The committed records the views were last redrawn for while the import runs (took, showCommitted). */
  shownCommitted: number;
  /** Redraws the views with what the running import has committed so far. */
  showCommitted(): Promise<void>;
  /** What the import waits for while the case runs another job (jobQueue.ts). */
  waiting: string | null;
  /** How an import this page followed (started before a reload, or in another window) ended, in the engine's words. */
  outcome: string | null;
  checking: boolean;
  /** How far the running check is (import.checkProgress), null before its first word. */
  checkProgress: ImportCheckProgress | null;
  /** Stops the running check (its call's signal): nothing is imported. */
  cancelCheck(): void;
  /** What import.check found for the paths waiting for the operator's word (some files are already in the case, or an
   * archive inside them will not be expanded). */
  check: ImportCheck | null;
  awaiting: string[] | null;
  /**
   * Checks the paths first; imports at once when none of their files is in the case yet, else waits for confirm().
   * Into the open case, or `caseId` (the case a browser upload was dropped on, if the operator switched meanwhile).
   */
  importPaths(paths: string[], caseId?: string): Promise<void>;
  importFiles(files: DroppedFile[]): Promise<void>;
  confirm(): Promise<void>;
  dismiss(): void;
  cancel(): Promise<void>;
  /**
   * Follows an import of the case that runs without this page's call (started before a reload, or in another tab):
   * its progress shows and Cancel stops it, instead of a panel that says nothing while the engine imports.
   */
  attach(caseId: string): Promise<void>;
}

/**
 * Where each dropped top-level item landed on the engine machine: the upload route stores `rel` under some root,
 * so stripping `rel` from the stored path and adding back its first segment names the dropped folder or file.
 */
export function uploadRoots(stored: { rel: string; path: string }[]): string[] {
  const roots = new Set<string>();
  for (const { rel, path } of stored) {
    const norm = path.replace(/\\/g, '/');
    const first = rel.split('/')[0] ?? rel;
    if (rel.includes('/') && norm.endsWith(rel)) roots.add(path.slice(0, norm.length - rel.length) + first);
    else roots.add(path);
  }
  return [...roots];
}

/** What a cancelled import leaves, as the panel says it (the page's own import, or one it follows), by the events it
 * had committed: none (stopped in the copy, or before its first batch) is said as such, as the CLI says it. */
const cancelledText = (caseId: string): string => (jobs.get(caseId).progress?.eventsCommitted
  ? 'cancelled — the files committed before the cancel stay; importing the same evidence again adds the rest'
  : 'cancelled before any event was committed: nothing of this evidence is in the case; importing it again brings all of it');

/** A check the operator stopped, said after "Import" as a cancelled import is. */
const CHECK_CANCELLED = 'cancelled while checking which files the case already has: nothing was imported';

/** The upload batch (browser mode) the paths being checked or awaiting a decision came from: removed on the server
 * when they are not imported after all (an import's end removes it otherwise). */
let pendingUpload: string | null = null;
function discardPendingUpload(): void {
  const batch = pendingUpload;
  pendingUpload = null;
  if (batch) void getClient().discardUpload?.(batch).catch(() => undefined);
}

/** The fields that belong to the case the import is in (perCase.ts): another case shows its own. */
const IDLE = {
  running: false, shownCommitted: 0, progress: null, left: null, after: null, result: null, error: null, cancelled: false, uploading: null, jobId: null, waiting: null, outcome: null, checking: false, checkProgress: null, check: null, awaiting: null,
} satisfies Partial<ImportState>;

/** The running check of each case: its id (its progress events) and what stops it. */
const checks = new Map<string, { checkId: string; stop: AbortController }>();

export const useImport = create<ImportState>((set, get) => ({
  ...IDLE,

  async importPaths(paths, into) {
    const caseId = into ?? useApp.getState().current?.id;
    if (!caseId || jobs.get(caseId).running || jobs.get(caseId).checking || !paths.length) { discardPendingUpload(); return; }
    jobs.set(caseId, { checking: true, checkProgress: null, check: null, awaiting: null, result: null, error: null, cancelled: false, progress: null, outcome: null });
    // On a case that holds evidence the check reads every file: its progress shows, and Cancel stops it.
    const run = { checkId: `check-${crypto.randomUUID()}`, stop: new AbortController() };
    checks.set(caseId, run);
    const off = getClient().on('import.checkProgress', (p) => { if (p.checkId === run.checkId) jobs.set(caseId, { checkProgress: p }); });
    try {
      const check = await call('import.check', { caseId, paths, checkId: run.checkId }, { signal: run.stop.signal });
      jobs.set(caseId, { checking: false, checkProgress: null, check });
      // Known content, or an archive inside the bundle the import will not expand: said first, the operator decides.
      if (check.known > 0 || check.archives.some((x) => x.action !== 'expand')) { jobs.set(caseId, { awaiting: paths }); return; }
    } catch (e) {
      const stopped = run.stop.signal.aborted;
      jobs.set(caseId, { checking: false, checkProgress: null, error: stopped ? CHECK_CANCELLED : errorText(e), cancelled: stopped });
      discardPendingUpload();
      return;
    } finally {
      off();
      if (checks.get(caseId) === run) checks.delete(caseId);
    }
    pendingUpload = null;
    await runImport(caseId, paths);
  },

  async confirm() {
    const caseId = useApp.getState().current?.id;
    const paths = get().awaiting;
    if (!caseId || !paths) return;
    set({ awaiting: null });
    pendingUpload = null;
    await runImport(caseId, paths);
  },
  dismiss() {
    set({ awaiting: null, check: null });
    discardPendingUpload();
  },
  async showCommitted() {
    const caseId = useApp.getState().current?.id;
    const n = get().progress?.eventsCommitted;
    if (!caseId || !n) return;
    jobs.set(caseId, { shownCommitted: n });
    await refreshIfOpen(caseId);
  },
  cancelCheck() {
    const caseId = useApp.getState().current?.id;
    if (caseId) checks.get(caseId)?.stop.abort();
  },
  async cancel() {
    const jobId = get().jobId;
    if (!jobId) return;
    try { await call('jobs.cancel', { jobId }); } catch (e) { set({ error: errorText(e), cancelled: false }); }
  },

  async attach(caseId) {
    await followJob(caseId, 'import', {
      busy: () => jobs.get(caseId).running || jobs.get(caseId).checking,
      start: (job) => jobs.set(caseId, { running: true, shownCommitted: 0, progress: null, left: null, after: null, result: null, error: null, cancelled: false, outcome: null, jobId: job.jobId }),
      events: (jobId) => [
        getClient().on('import.progress', (p) => { if (p.jobId === jobId) took(caseId, p); }),
        followAfterImport(caseId),
        followQueue(caseId, jobId, (waiting) => jobs.set(caseId, { waiting })),
      ],
      end: (j) => {
        jobs.set(caseId, {
          running: false, jobId: null, waiting: null,
          cancelled: j.state === 'cancelled',
          error: j.state === 'cancelled' ? cancelledText(caseId) : j.state === 'failed' ? (j.error ?? 'the import failed') : null,
          outcome: j.state === 'done' ? (j.outcome ?? 'The import finished.') : null,
        });
        void refreshIfOpen(caseId);
      },
    });
  },

  async importFiles(files) {
    // The case the files were dropped on, even if the operator opens another while they upload.
    const caseId = useApp.getState().current?.id;
    if (!caseId) return;
    const client = getClient();
    if (client.pathForFile) {
      // Electron: dropped files are local; import their top-level items by path.
      const paths = files.map((f) => {
        const abs = client.pathForFile!(f.file).replace(/\\/g, '/');
        return abs && abs.endsWith(f.path) ? abs.slice(0, abs.length - f.path.length) + (f.path.split('/')[0] ?? '') : abs;
      }).filter(Boolean);
      if (paths.length) { await get().importPaths([...new Set(paths)], caseId); return; }
    }
    if (!client.upload) {
      jobs.set(caseId, { error: 'Dropped files cannot be read by the app here; type the folder or file path instead.', cancelled: false });
      return;
    }
    const batch = crypto.randomUUID().replace(/-/g, '');
    jobs.set(caseId, { uploading: { done: 0, total: files.length }, error: null, cancelled: false });
    const stored: { rel: string; path: string }[] = [];
    try {
      for (const f of files) {
        stored.push({ rel: f.path, path: await client.upload(f.file, f.path, batch) });
        jobs.set(caseId, { uploading: { done: stored.length, total: files.length } });
      }
    } catch (e) {
      jobs.set(caseId, { uploading: null, error: errorText(e), cancelled: false });
      pendingUpload = batch;
      discardPendingUpload();
      return;
    }
    jobs.set(caseId, { uploading: null });
    pendingUpload = batch;
    await get().importPaths(uploadRoots(stored), caseId);
  },
}));

const jobs = perCase(useImport, IDLE);

// A case opened again while its import runs (the operator looked at another meanwhile) is read afresh, with all that
// import has committed by then: that many are shown, and "Show them" offers only what lands after. (perCase, whose
// listener came first, has already put the case's own fields back.)
useApp.subscribe((s, prev) => {
  if (!s.current || s.current.id === prev.current?.id) return;
  const { running, progress } = useImport.getState();
  if (running && progress?.eventsCommitted) useImport.setState({ shownCommitted: progress.eventsCommitted });
});


/** The import itself, as a job the panel can follow and cancel. */
async function runImport(caseId: string, paths: string[]): Promise<void> {
  const jobId = crypto.randomUUID();
  jobs.set(caseId, { running: true, shownCommitted: 0, progress: null, left: null, after: null, result: null, error: null, cancelled: false, jobId });
  followAfterImport(caseId);
  const offs = [
    getClient().on('import.progress', (p) => { if (p.jobId === jobId) took(caseId, p); }),
    followQueue(caseId, jobId, (waiting) => jobs.set(caseId, { waiting })),
  ];
  try {
    const result = await call('import.paths', { caseId, paths, jobId, eventsFirst: true });
    jobs.set(caseId, { result, running: false, jobId: null });
    await refreshIfOpen(caseId);
  } catch (e) {
    const cancelled = e instanceof ApiError && e.code === 'cancelled';
    jobs.set(caseId, { running: false, jobId: null, error: cancelled ? cancelledText(caseId) : errorText(e), cancelled });
    if (cancelled) await refreshIfOpen(caseId);
  } finally {
    for (const off of offs) off();
    jobs.set(caseId, { waiting: null });
  }
}

/**
 * An import's progress. The events it has committed are queryable (reads run beside the import's writer): the open
 * case's views redraw at once for its first batch, so the operator can start on them while the rest imports. Later
 * batches redraw when the operator asks (showCommitted): each redraw's queries take CPU from the import (1-2 CPU-s on
 * a 4 M-event case), and a table that moves by itself under the reader is worse than a button.
 */
function took(caseId: string, p: ImportProgress): void {
  const before = jobs.get(caseId).progress?.eventsCommitted ?? 0;
  const first = !before && !!p.eventsCommitted;
  jobs.set(caseId, { progress: p, left: leftOf(p), ...(first ? { shownCommitted: p.eventsCommitted } : {}) });
  if (first) void refreshIfOpen(caseId);
  // Each later batch: the case's counts only (one cheap call, no redraw), so "in case" keeps up with what a query of
  // the live table counts as "matching".
  else if ((p.eventsCommitted ?? 0) > before && useApp.getState().current?.id === caseId) void useApp.getState().refreshCurrent();
}

/** The reading's samples of the imports followed (by job), for the estimate of the time left. */
const clocks = new Map<string, ReadingClock>();
function leftOf(p: ImportProgress): number | null {
  if (p.phase !== 'parse') { if (p.phase === 'done' || p.phase === 'error') clocks.delete(p.jobId); return null; }
  const clock = clocks.get(p.jobId) ?? new ReadingClock();
  clocks.set(p.jobId, clock);
  const now = Date.now();
  clock.note(now, p);
  return clock.left(p.bytesTotal, now);
}

/** The listener of each case's job after the events, while one is followed (one per case: a new import replaces it).
 * It outlives the import's own listeners: the job runs after the import. */
const offAfter = new Map<string, () => void>();
function followAfterImport(caseId: string): () => void {
  offAfter.get(caseId)?.();
  offAfter.set(caseId, followAfter(caseId));
  return () => undefined;
}

/**
 * Follows the case's `correlate` job that this import queues (handlers.ts runImportJob: queued as the import ends) and
 * says its steps in `after`. A correlate job of an earlier import runs before this import starts: only a job seen after
 * this import's first progress is this import's.
 */
function followAfter(caseId: string): () => void {
  let mine: string | null = null;
  const off = getClient().on('job.progress', (j: JobInfo) => {
    if (j.caseId !== caseId || j.kind !== 'correlate') return;
    if (!mine) {
      if (!jobs.get(caseId).progress || (j.state !== 'queued' && j.state !== 'running')) return;
      mine = j.jobId;
    }
    if (j.jobId !== mine) return;
    if (j.state === 'queued' || j.state === 'running') { jobs.set(caseId, { after: afterStageLine(j.step) }); return; }
    jobs.set(caseId, { after: j.state === 'done' ? ALL_READY : chainsStoppedText(j) });
    off();
    if (offAfter.get(caseId) === off) offAfter.delete(caseId);
  });
  return off;
}

/** Walk a drop's items (folders included) into files with their relative paths. */
export async function filesFromDrop(dt: DataTransfer): Promise<DroppedFile[]> {
  const out: DroppedFile[] = [];
  const entries = [...dt.items].map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (!entries.length) return [...dt.files].map((file) => ({ file, path: file.name }));
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isFile) {
      const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
      out.push({ file, path });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const child of batch) await walk(child, path);
      }
    }
  };
  for (const e of entries) await walk(e, '');
  return out;
}
