// One import at a time: paths on the engine machine (or dropped files uploaded first in browser mode),
// progress from `import.progress`, and the per-file result table.
import { create } from 'zustand';
import type { ImportProgress, ImportResult } from '../../shared/domain';
import type { ImportCheck } from '../../shared/contract';
import { ApiError, call, getClient } from '../api/client';
import { useApp, errorText } from './app';
import { followJob } from './followJob';

export type DroppedFile = { file: File; path: string };

interface ImportState {
  running: boolean;
  progress: ImportProgress | null;
  result: ImportResult | null;
  error: string | null;
  uploading: { done: number; total: number } | null;
  /** The running import's job (what Cancel cancels). */
  jobId: string | null;
  checking: boolean;
  /** What import.check found for the paths waiting for the operator's word (some files are already in the case, or an
   * archive inside them will not be expanded). */
  check: ImportCheck | null;
  awaiting: string[] | null;
  /** Checks the paths first; imports at once when none of their files is in the case yet, else waits for confirm(). */
  importPaths(paths: string[]): Promise<void>;
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

/** What a cancelled import leaves, as the panel says it (the page's own import, or one it follows). */
const CANCELLED = 'cancelled — the files committed before the cancel stay; importing the same evidence again adds the rest';

/** The upload batch (browser mode) the paths being checked or awaiting a decision came from: removed on the server
 * when they are not imported after all (an import's end removes it otherwise). */
let pendingUpload: string | null = null;
function discardPendingUpload(): void {
  const batch = pendingUpload;
  pendingUpload = null;
  if (batch) void getClient().discardUpload?.(batch).catch(() => undefined);
}

export const useImport = create<ImportState>((set, get) => ({
  running: false, progress: null, result: null, error: null, uploading: null,
  jobId: null, checking: false, check: null, awaiting: null,

  async importPaths(paths) {
    const caseId = useApp.getState().current?.id;
    if (!caseId || get().running || get().checking || !paths.length) { discardPendingUpload(); return; }
    set({ checking: true, check: null, awaiting: null, result: null, error: null, progress: null });
    try {
      const check = await call('import.check', { caseId, paths });
      set({ checking: false, check });
      // Known content, or an archive inside the bundle the import will not expand: said first, the operator decides.
      if (check.known > 0 || check.archives.some((x) => x.action !== 'expand')) { set({ awaiting: paths }); return; }
    } catch (e) {
      set({ checking: false, error: errorText(e) });
      discardPendingUpload();
      return;
    }
    pendingUpload = null;
    await runImport(paths);
  },

  async confirm() {
    const paths = get().awaiting;
    if (!paths) return;
    set({ awaiting: null });
    pendingUpload = null;
    await runImport(paths);
  },
  dismiss() {
    set({ awaiting: null, check: null });
    discardPendingUpload();
  },
  async cancel() {
    const jobId = get().jobId;
    if (!jobId) return;
    try { await call('jobs.cancel', { jobId }); } catch (e) { set({ error: errorText(e) }); }
  },

  async attach(caseId) {
    await followJob(caseId, 'import', {
      busy: () => get().running || get().checking,
      start: (job) => set({ running: true, progress: null, result: null, error: null, jobId: job.jobId }),
      events: (jobId) => [getClient().on('import.progress', (p) => { if (p.jobId === jobId) set({ progress: p }); })],
      end: (j) => {
        set({
          running: false, jobId: null,
          error: j.state === 'cancelled' ? CANCELLED : j.state === 'failed' ? (j.error ?? 'the import failed') : null,
        });
        const app = useApp.getState();
        void app.refreshCurrent().then(() => app.bumpData());
      },
    });
  },

  async importFiles(files) {
    const client = getClient();
    if (client.pathForFile) {
      // Electron: dropped files are local; import their top-level items by path.
      const paths = files.map((f) => {
        const abs = client.pathForFile!(f.file).replace(/\\/g, '/');
        return abs && abs.endsWith(f.path) ? abs.slice(0, abs.length - f.path.length) + (f.path.split('/')[0] ?? '') : abs;
      }).filter(Boolean);
      if (paths.length) { await get().importPaths([...new Set(paths)]); return; }
    }
    if (!client.upload) {
      set({ error: 'Dropped files cannot be read by the app here; type the folder or file path instead.' });
      return;
    }
    const batch = crypto.randomUUID().replace(/-/g, '');
    set({ uploading: { done: 0, total: files.length }, error: null });
    const stored: { rel: string; path: string }[] = [];
    try {
      for (const f of files) {
        stored.push({ rel: f.path, path: await client.upload(f.file, f.path, batch) });
        set({ uploading: { done: stored.length, total: files.length } });
      }
    } catch (e) {
      set({ uploading: null, error: errorText(e) });
      pendingUpload = batch;
      discardPendingUpload();
      return;
    }
    set({ uploading: null });
    pendingUpload = batch;
    await get().importPaths(uploadRoots(stored));
  },
}));

/** The import itself, as a job the panel can follow and cancel. */
async function runImport(paths: string[]): Promise<void> {
  const app = useApp.getState();
  const caseId = app.current?.id;
  if (!caseId) return;
  const jobId = crypto.randomUUID();
  useImport.setState({ running: true, progress: null, result: null, error: null, jobId });
  const off = getClient().on('import.progress', (p) => { if (p.jobId === jobId) useImport.setState({ progress: p }); });
  try {
    const result = await call('import.paths', { caseId, paths, jobId, eventsFirst: true });
    useImport.setState({ result, running: false, jobId: null });
    await app.refreshCurrent();
    app.bumpData();
  } catch (e) {
    const cancelled = e instanceof ApiError && e.code === 'cancelled';
    useImport.setState({ running: false, jobId: null, error: cancelled ? CANCELLED : errorText(e) });
    if (cancelled) { await app.refreshCurrent(); app.bumpData(); }
  } finally { off(); }
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
