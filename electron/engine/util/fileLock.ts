// A short-lived exclusive lock around one audit append, shared by every process on the machine (the app, a
// read-only second instance, the CLI). The lock file is created with O_EXCL and names its holder; a holder whose
// process is gone (kill -9) is stale and broken. Held for milliseconds, so waiters simply retry with backoff.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { processAlive as alive } from './process';
import { readOwnFile } from './smallFile';

interface Holder { pid: number; host: string; nonce: string; since: string }

const MAX_BACKOFF_MS = 3;
const STALE_FOREIGN_MS = 60_000; // a lock from another host (shared folder) whose pid we cannot check

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A lock file's text; '' when it is gone, or not a small regular file (a pipe put there hung every append: it is
 *  never waited on, and as a lock that names no holder it goes stale and is moved aside). */
async function lockText(file: string): Promise<string> {
  const r = await readOwnFile(file, 64 * 1024, 'a lock');
  return 'bytes' in r ? r.bytes.toString('utf8') : '';
}

export async function withFileLock<T>(lockFile: string, fn: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const me: Holder = { pid: process.pid, host: os.hostname(), nonce: randomBytes(8).toString('hex'), since: new Date().toISOString() };
  const body = JSON.stringify(me);
  const deadline = Date.now() + timeoutMs;
  let wait = 2;
  let waited = false;
  for (;;) {
    try {
      const fh = await fs.open(lockFile, 'wx', 0o600);
      try { await fh.writeFile(body); } finally { await fh.close(); }
      if (waited && (await lockText(waitingFile(lockFile))) === body) await fs.rm(waitingFile(lockFile), { force: true });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      waited = true;
      await fs.writeFile(waitingFile(lockFile), body, { mode: 0o600, flag: 'wx' }).catch(() => undefined); // "someone waits"
      await breakIfStale(lockFile, me.host);
      if (Date.now() > deadline) throw new Error(`Timed out waiting for the audit lock ${lockFile}.`, { cause: e });
      await sleep(wait + Math.random() * wait);
      wait = Math.min(wait * 1.5, MAX_BACKOFF_MS);
    }
  }
  try {
    return await fn();
  } finally {
    // Only remove the lock if it is still ours (it could have been broken as stale by a confused peer).
    const now = await lockText(lockFile);
    if (now === body) await fs.rm(lockFile, { force: true });
    // Fairness: if another process is waiting, let it take the lock before this process's next append can grab it
    // again at once (the waiter removes its marker when it gets the lock; a marker left by a dead waiter goes stale).
    const handOff = Date.now() + 2 * MAX_BACKOFF_MS + 5;
    for (;;) {
      const waiting = await fs.stat(waitingFile(lockFile)).catch(() => null);
      if (!waiting || Date.now() - waiting.mtimeMs > 2_000 || Date.now() > handOff) break;
      await sleep(1);
    }
  }
}

const waitingFile = (lockFile: string) => `${lockFile}.waiting`;

async function breakIfStale(lockFile: string, host: string): Promise<void> {
  let text: string;
  let mtimeMs: number;
  try {
    mtimeMs = (await fs.lstat(lockFile)).mtimeMs;
    text = await lockText(lockFile);
  } catch { return; } // released meanwhile
  let holder: Holder | null = null;
  try { holder = JSON.parse(text) as Holder; } catch { /* half-written by a live creator, or garbage */ }
  const stale = holder
    ? (holder.host === host ? !alive(holder.pid) : Date.now() - mtimeMs > STALE_FOREIGN_MS)
    : Date.now() - mtimeMs > 5_000; // unreadable for seconds: its creator died between open and write
  if (!stale) return;
  // Move it aside rather than unlink it, then check we moved the very lock we judged stale: two waiters that both
  // saw the stale lock must not remove the fresh lock the quicker one has just taken.
  const aside = `${lockFile}.stale.${randomBytes(6).toString('hex')}`;
  try { await fs.rename(lockFile, aside); } catch { return; }
  const moved = await lockText(aside);
  if (moved !== text) await fs.link(aside, lockFile).catch(() => undefined); // a live lock: put it back
  await fs.rm(aside, { force: true });
}
