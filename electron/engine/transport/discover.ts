// Finds the Enrich logs under a server's log root (the layout of the platform's log distribution), with sizes and
// mtimes, without reading any file. Only the directories of the known layout are listed; a directory the account
// may not read is reported and the walk goes on. Symlinks are not followed (they could lead out of the log root).
import path from 'node:path/posix';
import picomatch from 'picomatch';
import type { FileEntry, SFTPWrapper } from 'ssh2';
import { sftpOp } from './sftpReader';
import { safeRelative } from './handoff';

import { PULL_SOURCES } from '../../../shared/contract/pull';

export const SOURCES = PULL_SOURCES;
export type SourceId = (typeof SOURCES)[number];

/** Each source as path segments under the root: globs per directory level, the last one for file names. */
const LAYOUT: Record<SourceId, { dirs: string[]; files: string; recurse?: boolean }> = {
  system: { dirs: ['logs', 'app'], files: 'app.json.log*' },
  pipeline: { dirs: ['data', '*', '*', 'outputs', '*', '*'], files: 'log.json' },
  taskblade: { dirs: ['llm-agents', 'logs', '*'], files: 'app.json.log*' },
  workflows: { dirs: ['logs', 'workflows'], files: '*.log*' },
  celery: { dirs: ['logs', 'celery'], files: '*.log*' },
  doodle: { dirs: ['logs', 'doodle'], files: '*', recurse: true },
  gunicorn: { dirs: ['logs', 'gunicorn'], files: '*', recurse: true },
  jupyter: { dirs: ['logs', 'jupyterlab'], files: '*', recurse: true },
  netdata: { dirs: ['logs', 'netdata'], files: '*', recurse: true },
};

export interface RemoteFile { source: SourceId; /** relative to the log root, POSIX */ path: string; size: number; mtime: number }
/**
 * Files of the layout that are found but not fetched, and why: a name that is not UTF-8 (SFTP, via ssh2, hands names
 * over decoded, so it arrives with U+FFFD and no longer names the file: its open would fail the whole pull), a name
 * that cannot be a local file name (name-unsafe), or a
 * symbolic link (files or folders; not followed, it could lead out of the log root or round in a loop).
 */
export interface SetAside extends RemoteFile { reason: SetAsideReason }
export type SetAsideReason = 'name-not-utf8' | 'name-unsafe' | 'symlink';
export interface Discovery { root: string; files: RemoteFile[]; setAside: SetAside[]; denied: string[]; missing: SourceId[] }

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const PERMISSION_DENIED = 3;
const NO_SUCH_FILE = 2;
const MAX_DIRS = 100_000;
/** Names in all the folders listed: a hostile server could answer a listing forever. */
const MAX_ENTRIES = 2_000_000;
const EOF = 1;

export async function discover(sftp: SFTPWrapper, root: string, opts: { sources?: SourceId[]; opTimeoutMs?: number; signal?: AbortSignal; dropped?: AbortSignal } = {}): Promise<Discovery> {
  const ms = opts.opTimeoutMs ?? 30_000;
  const files: RemoteFile[] = [];
  const setAside: SetAside[] = [];
  const denied = new Set<string>();
  const missing: SourceId[] = [];
  let dirsListed = 0;
  let entriesListed = 0;
  const signals = [opts.signal, opts.dropped];
  // A folder is read answer by answer (about 100 names each), each answer with its own timeout: one timeout for a
  // whole folder failed a folder of 100,000 logs on a slow link.
  const readFolder = async (rel: string): Promise<FileEntry[]> => {
    const what = `list ${rel || '.'}`;
    const handle = await sftpOp<Buffer>(what, ms, signals, (cb) => sftp.opendir(path.join(root, rel), cb));
    const out: FileEntry[] = [];
    try {
      for (;;) {
        const batch = await sftpOp<FileEntry[] | null>(what, ms, signals, (cb) => sftp.readdir(handle, (err, l) => {
          if (err && (err as { code?: unknown }).code === EOF) cb(undefined, null); else cb(err, l);
        }));
        if (!batch) return out;
        entriesListed += batch.length;
        if (entriesListed > MAX_ENTRIES) throw new Error(`More than ${MAX_ENTRIES} names under ${root}: refusing to list further.`);
        for (const e of batch) if (e.filename !== '.' && e.filename !== '..') out.push(e);
      }
    } finally {
      sftp.close(handle, () => undefined);
    }
  };
  const list = async (rel: string): Promise<FileEntry[] | null> => {
    if (++dirsListed > MAX_DIRS) throw new Error(`More than ${MAX_DIRS} directories under ${root}: refusing to walk further.`);
    try {
      return await readFolder(rel);
    } catch (e) {
      const code = (e as { sftpCode?: number }).sftpCode;
      if (code === PERMISSION_DENIED) { denied.add(rel || '.'); return null; }
      if (code === NO_SUCH_FILE) return null;
      throw e;
    }
  };
  // Links set aside so far (a linked folder on the way is met by every source's walk): a set, not a scan of the list,
  // which took seconds of CPU with 100,000 links.
  const linked = new Set<string>();
  for (const source of opts.sources ?? SOURCES) {
    const spec = LAYOUT[source];
    const before = files.length;
    const fileMatch = picomatch(spec.files, { dot: false });
    const walk = async (rel: string, level: number): Promise<void> => {
      const entries = await list(rel);
      if (!entries) return;
      const atFiles = level >= spec.dirs.length;
      const dirGlob = atFiles ? null : picomatch(spec.dirs[level]!, { dot: false });
      for (const e of entries.sort((a, b) => a.filename.localeCompare(b.filename))) {
        const type = (e.attrs.mode ?? 0) & S_IFMT;
        const child = rel ? `${rel}/${e.filename}` : e.filename;
        const entry = { source, path: child, size: e.attrs.size ?? 0, mtime: e.attrs.mtime ?? 0 };
        // A linked folder on the way (e.g. `logs`) is met by every source's walk: said once.
        if (type === S_IFLNK && (atFiles ? fileMatch(e.filename) || spec.recurse : dirGlob?.(e.filename))) { if (!linked.has(child)) { linked.add(child); setAside.push({ ...entry, reason: 'symlink' }); } }
        else if (type === S_IFDIR) {
          if (dirGlob?.(e.filename)) await walk(child, level + 1);
          else if (atFiles && spec.recurse) await walk(child, level + 1);
        } else if (type === S_IFREG && atFiles && fileMatch(e.filename)) {
          if (e.filename.includes('\uFFFD')) setAside.push({ ...entry, reason: 'name-not-utf8' });
          // A backslash (a separator where a case may be opened) or a hostile server's `/` or `..`: never a local path.
          else if (!safeRelative(child)) setAside.push({ ...entry, reason: 'name-unsafe' });
          else files.push(entry);
        }
      }
    };
    await walk('', 0);
    if (files.length === before) missing.push(source);
  }
  return { root, files, setAside, denied: [...denied].sort(), missing };
}
