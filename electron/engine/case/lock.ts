// Advisory case lock: one writer per case. A lock file created with O_EXCL holds the owner's pid and host;
// a lock whose process is gone on this host is stale and taken over. Others open the case read-only.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processAlive as alive } from '../util/process';
import { readOwnFile } from '../util/smallFile';

export interface CaseLock {
  acquired: boolean; holder?: string;
  /** Why the case cannot be written at all (read-only media, full disk), when that is the reason. */
  unwritable?: string;
  /** Opened read-only because the caller asked, not because another process holds it. */
  requested?: boolean;
  release(): Promise<void>;
}

/** Errors that mean nothing can be written here: evidence on a write-protected drive is the normal forensic case. */
const UNWRITABLE: Record<string, string> = { EROFS: 'read-only file system', EACCES: 'no write permission', EPERM: 'no write permission', ENOSPC: 'disk full', EDQUOT: 'disk quota exceeded' };

interface Holder { pid: number; host: string; since: string; via: string; command?: string }

/** The CLI command this process runs (`import`, `audit ack`), recorded in the lock so another process can name it. */
let command: string | undefined;
export function setLockCommand(name: string): void { command = name; }

/** Who holds a case, as an operator knows them: the command or app, then its pid, host and since when. */
export function describeHolder(h: { pid: number; host?: string; since?: string; via?: string; command?: string }): string {
  const who = h.command ? `casefile ${h.command}` : h.via === 'electron' ? 'the Casefile app' : h.via === 'browser' ? 'casefile serve' : h.via === 'cli' ? 'a casefile command' : `Casefile via ${h.via ?? 'an unknown door'}`;
  return `${who} (pid ${h.pid}${h.host && h.host !== os.hostname() ? ` on ${h.host}` : ''}${h.since ? `, since ${h.since.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}` : ''})`;
}

/** The process DuckDB names in a lock conflict ("Conflicting lock is held in /usr/bin/node (PID 1453)"), where the
 * lock file names none. */
export function duckdbHolder(msg: string): string {
  const m = /held in (.*?) \(PID (\d+)\)/.exec(msg);
  return m ? `another process (pid ${m[2]}, ${path.basename(m[1]!)})` : 'another process';
}

/** The holder named in a case's lock file, if one is there and readable. */
export async function lockHolder(lockFile: string): Promise<string | null> {
  const h = await readHolder(lockFile);
  return h ? describeHolder(h) : null;
}

export async function acquireCaseLock(lockFile: string, via = 'cli'): Promise<CaseLock> {
  const me: Holder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), via, ...(command ? { command } : {}) };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await fs.open(lockFile, 'wx', 0o600);
      await fh.writeFile(JSON.stringify(me));
      await fh.close();
      let released = false;
      return {
        acquired: true,
        release: async () => { if (!released) { released = true; await fs.rm(lockFile, { force: true }); } },
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (UNWRITABLE[code]) {
        await fs.rm(lockFile, { force: true }).catch(() => undefined); // a lock created but not written (ENOSPC)
        return { acquired: false, unwritable: `${UNWRITABLE[code]} (${code})`, release: async () => undefined };
      }
      if (code !== 'EEXIST') throw e;
      const other = await readHolder(lockFile);
      if (other && other.host === me.host && !alive(other.pid)) {
        await fs.rm(lockFile, { force: true });
        continue; // stale: its process died (kill -9); take it over
      }
      const holder = other ? describeHolder(other) : 'an unknown process';
      return { acquired: false, holder, release: async () => undefined };
    }
  }
  return { acquired: false, holder: 'a process that keeps re-creating the lock', release: async () => undefined };
}

/** The casefile command (`import`) of the live process holding a case's lock, else null (none, stale, or the app). */
export async function holderCommand(lockFile: string): Promise<string | null> {
  const h = await readHolder(lockFile);
  if (!h?.command || (h.host === os.hostname() && !alive(h.pid))) return null;
  return h.command;
}

/** A lock that is not a small regular file (a pipe, a link someone put there) names no holder: never read through. */
async function readHolder(lockFile: string): Promise<Holder | null> {
  const read = await readOwnFile(lockFile, 64 * 1024, 'a case lock');
  if (!('bytes' in read)) return null;
  try { return JSON.parse(read.bytes.toString('utf8')) as Holder; } catch { return null; }
}
