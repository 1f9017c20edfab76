// Resumable, parallel download of one remote file. Many reads are in flight (one at a time is ~1 MiB/s through a jump
// host), but bytes are written in order to a part file beside it, so the part file is always a prefix of the remote
// file. A sidecar (the part's name + `.json`) records the remote size and mtime and how much of the part is known to be on disk;
// a later call resumes from there, or starts over if the remote file changed (a live log only written to since, its
// mtime moved, resumes: the kept bytes are compared with the server's at both ends). The sha256 is computed while writing.
import { createHash, type Hash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { constants as fsConstants, createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import { mkdirPrivate, writeJsonAtomic } from '../util/atomic';
import { readOwnFile } from '../util/smallFile';

export interface RemoteStat { size: number; /** seconds since the epoch, as SFTP reports it */ mtime: number }
export interface Sidecar extends RemoteStat { remotePath: string; /** bytes of the part file known to be durable */ synced: number }

export interface PullFileOptions {
  sftp: SFTPWrapper;
  remotePath: string;
  /** Final local path; its part file and sidecar live beside it (partPath, sidecarPath). */
  localPath: string;
  chunkSize?: number;
  inFlight?: number;
  opTimeoutMs?: number;
  /** Operator cancel. */
  signal?: AbortSignal;
  /** The connection dropped: SFTP callbacks may never come, so this must end the wait. */
  dropped?: AbortSignal;
  /** Bytes newly written (not counting a resumed prefix). */
  onBytes?: (n: number) => void;
  /** Offsets at which to report the sha256 of the bytes before them (is an earlier pull's file a prefix of this one?). */
  checkpoints?: number[];
  /** Fetch at most this many bytes (the size the plan agreed to): a live log that grew since is cut there. */
  maxBytes?: number;
}

export interface PulledFile extends RemoteStat {
  sha256: string; resumedFrom: number; restarted: boolean;
  /** offset → sha256 of the bytes before it, for the checkpoints inside the file. */
  prefixSha256: Map<number, string>;
}

export class SftpOpError extends Error {
  constructor(message: string, readonly code: 'timeout' | 'changed' | 'sftp' | 'cancelled', readonly sftpCode?: number) {
    super(message);
    this.name = 'SftpOpError';
  }
}

/** 255 KiB: OpenSSH's sftp-server answers reads up to this size in one packet. */
export const DEFAULT_CHUNK = 255 * 1024;
const SYNC_EVERY = 16 << 20;
/** Bytes compared at each end of a kept prefix before resuming a file whose mtime moved. */
const SAMPLE = 64 << 10;
const DURABLE_FROM = 1 << 20;

// Named for a digest of the file's name, not the name plus a suffix: a server may use all 255 bytes of a name, and
// `<name>.part.json` (and its temp file) would then be too long for any local file system.
const partStem = (localPath: string) =>
  path.join(path.dirname(localPath), `.${createHash('sha256').update(path.basename(localPath)).digest('hex').slice(0, 32)}`);
export const partPath = (localPath: string) => `${partStem(localPath)}.part`;
export const sidecarPath = (localPath: string) => `${partStem(localPath)}.part.json`;

/** Wraps one SFTP call: rejects on timeout, on cancel and on a dropped connection instead of waiting forever. */
export function sftpOp<T>(what: string, ms: number, signals: (AbortSignal | undefined)[], run: (cb: (err: Error | null | undefined, v?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const live = signals.filter((s): s is AbortSignal => !!s);
    const aborted = live.find((s) => s.aborted);
    if (aborted) return reject(aborted.reason as Error);
    let over = false;
    const finish = (e: Error | null | undefined, v?: T) => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      for (const s of live) s.removeEventListener('abort', onAbort);
      if (e) {
        const code = (e as { code?: unknown }).code;
        reject(e instanceof SftpOpError || e.name === 'SshError' ? e : new SftpOpError(`${what}: ${e.message}`, 'sftp', typeof code === 'number' ? code : undefined));
      } else resolve(v as T);
    };
    const onAbort = (ev: Event) => finish(((ev.target as AbortSignal).reason as Error) ?? new SftpOpError(`${what}: cancelled`, 'cancelled'));
    const timer = setTimeout(() => finish(new SftpOpError(`${what} timed out after ${ms} ms`, 'timeout')), ms);
    for (const s of live) s.addEventListener('abort', onAbort, { once: true });
    run(finish);
  });
}

/** A sidecar is some 200 bytes and the remote path: one larger is not one this app wrote. */
const MAX_SIDECAR_BYTES = 64 << 10;

/** The sidecar, if it is one: read as the case's own file (no link, no pipe, bounded); its counts byte offsets a file
 *  can have. Anything else means the part file is not trusted and the file starts over. */
async function readSidecar(file: string): Promise<Sidecar | null> {
  const r = await readOwnFile(file, MAX_SIDECAR_BYTES, 'a part file\'s sidecar');
  if (!('bytes' in r)) return null;
  try {
    const s = JSON.parse(r.bytes.toString('utf8')) as Sidecar;
    const offset = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
    return offset(s.size) && Number.isFinite(s.mtime) && offset(s.synced) && typeof s.remotePath === 'string' ? s : null;
  } catch { return null; }
}

/** A running sha256 that also records the digest at given offsets. */
export class CheckpointHash {
  private readonly h: Hash = createHash('sha256');
  private pos = 0;
  private readonly todo: number[];
  readonly at = new Map<number, string>();
  constructor(checkpoints: number[] = []) { this.todo = [...new Set(checkpoints)].filter((c) => c > 0).sort((a, b) => a - b); }
  update(b: Buffer): void {
    let off = 0;
    while (this.todo.length && this.todo[0]! <= this.pos + b.length - off) {
      const cut = this.todo.shift()! - this.pos;
      this.h.update(b.subarray(off, off + cut));
      this.pos += cut;
      off += cut;
      this.at.set(this.pos, this.h.copy().digest('hex'));
    }
    this.h.update(b.subarray(off));
    this.pos += b.length - off;
  }
  digest(): string { return this.h.digest('hex'); }
}

async function hashPrefix(file: string, bytes: number, h: CheckpointHash): Promise<void> {
  if (!bytes) return;
  for await (const chunk of createReadStream(file, { start: 0, end: bytes - 1 })) h.update(chunk as Buffer);
}

/** How far an earlier attempt got, if its remote file is unchanged (for progress before the pull starts). */
export async function resumableBytes(localPath: string, remote: RemoteStat): Promise<number> {
  const side = await readSidecar(sidecarPath(localPath));
  if (!side || side.size !== remote.size || side.mtime !== remote.mtime) return 0;
  const st = await fs.lstat(partPath(localPath)).catch(() => null);
  return st?.isFile() ? Math.min(st.size, side.synced) : 0;
}

export async function pullFile(o: PullFileOptions): Promise<PulledFile> {
  const chunk = o.chunkSize ?? DEFAULT_CHUNK;
  const inFlight = o.inFlight ?? 32;
  const opMs = o.opTimeoutMs ?? 30_000;
  const signals = [o.signal, o.dropped];
  for (const sig of signals) if (sig) setMaxListeners(0, sig); // one listener per read in flight
  const op = <T>(what: string, run: (cb: (err: Error | null | undefined, v?: T) => void) => void) => sftpOp<T>(what, opMs, signals, run);
  const part = partPath(o.localPath);
  const side = sidecarPath(o.localPath);
  await mkdirPrivate(path.dirname(o.localPath));

  const handle = await op<Buffer>(`open ${o.remotePath}`, (cb) => o.sftp.open(o.remotePath, 'r', cb));
  // Read-write, created if missing, not O_APPEND (positional writes must land where they are aimed).
  // Never through a link (it would truncate and write the file it names, outside the pull) nor into a pipe (the
  // writes would block): a part file is one this app made, a regular file in the pull's folder.
  const notPart = (why: string) => new SftpOpError(`${part} (the part file of ${o.remotePath}) is ${why}: a part file is never written through one. `
    + 'It is left as it is; move it aside and resume the pull.', 'sftp');
  const fh = await fs.open(part, fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK, 0o600)
    .catch((e: NodeJS.ErrnoException) => {
      o.sftp.close(handle, () => undefined);
      throw e.code === 'ELOOP' ? notPart('a link') : e.code === 'EISDIR' ? notPart('a folder') : e;
    });
  try {
    const own = await fh.stat();
    if (!own.isFile()) throw notPart(own.isDirectory() ? 'a folder' : 'not a regular file (a device, pipe or socket)');
    const st = await op<Stats>(`stat ${o.remotePath}`, (cb) => o.sftp.fstat(handle, cb));
    if (!st.isFile()) throw new SftpOpError(`${o.remotePath} is not a regular file`, 'sftp');
    // A file that grew since it was planned is cut at its planned size: the cap is on bytes pulled, and the rest
    // comes with the next pull (it is then planned as grown).
    const remote: RemoteStat = { size: Math.min(st.size, o.maxBytes ?? Infinity), mtime: st.mtime };
    const prev = await readSidecar(side);
    const partSize = (await fh.stat()).size;
    const kept = prev ? Math.min(prev.synced, partSize) : 0;
    // A live log's mtime moves with every line written: if it is no shorter than the bytes kept, and those bytes still
    // begin and end as the server's do at the same offsets, it was written to (appended), not replaced.
    const appended = async () => {
      for (const [from, len] of [[0, Math.min(SAMPLE, kept)], [Math.max(0, kept - SAMPLE), Math.min(SAMPLE, kept)]] as const) {
        const mine = Buffer.alloc(len);
        const theirs = Buffer.alloc(len);
        await fh.read(mine, 0, len, from);
        const n = await op<number>(`read ${o.remotePath} at ${from}`, (cb) => o.sftp.read(handle, theirs, 0, len, from, (e, got) => cb(e, got)));
        if (n !== len || !mine.equals(theirs)) return false;
      }
      return true;
    };
    const same = !!prev && prev.remotePath === o.remotePath
      && ((prev.size === remote.size && prev.mtime === remote.mtime) || (kept > 0 && remote.size >= prev.size && await appended()));
    const resumedFrom = same ? Math.min(kept, remote.size) : 0;
    const restarted = !!prev && !same;
    await fh.truncate(resumedFrom);
    let synced = resumedFrom;
    // The sidecar is written when there is something worth resuming (every SYNC_EVERY bytes, and when interrupted),
    // not up front: most log files are small, and an fsync'd write per file would dominate their pull.
    const saveSidecar = () => writeJsonAtomic(side, { remotePath: o.remotePath, ...remote, synced } satisfies Sidecar);
    if (prev && !same) await fs.rm(side, { force: true });
    const hash = new CheckpointHash(o.checkpoints);
    await hashPrefix(part, resumedFrom, hash);

    let writePos = resumedFrom;
    await new Promise<void>((resolve, reject) => {
      let nextPos = resumedFrom;
      let pending = 0;
      let failed = false;
      let writing = false;
      const done = new Map<number, Buffer>();
      const fail = (e: unknown) => { if (!failed) { failed = true; reject(e); } };
      const drain = async () => {
        if (writing || failed) return;
        writing = true;
        try {
          for (let b = done.get(writePos); b; b = done.get(writePos)) {
            done.delete(writePos);
            await fh.write(b, 0, b.length, writePos);
            hash.update(b);
            writePos += b.length;
            o.onBytes?.(b.length);
            if (writePos - synced >= SYNC_EVERY) { await fh.sync(); synced = writePos; await saveSidecar(); }
          }
        } catch (e) { fail(e); return; } finally { writing = false; }
        if (writePos === remote.size) resolve();
        else pump();
      };
      const read = (pos: number, len: number) => {
        pending++;
        const buf = Buffer.allocUnsafe(len);
        op<number>(`read ${o.remotePath} at ${pos}`, (cb) => o.sftp.read(handle, buf, 0, len, pos, (e, n) => cb(e, n)))
          .then((n) => {
            pending--;
            if (failed) return;
            if (n === 0) return fail(new SftpOpError(`${o.remotePath} shrank on the server while it was read`, 'changed'));
            done.set(pos, n === len ? buf : buf.subarray(0, n));
            if (n < len) read(pos + n, len - n); // a short read: ask for the rest, the order is kept by position
            void drain();
          }, (e: unknown) => { pending--; fail(e); });
      };
      // Keep at most inFlight reads outstanding and at most 2×inFlight chunks waiting to be written.
      const pump = () => {
        while (!failed && pending < inFlight && nextPos < remote.size && nextPos - writePos < chunk * inFlight * 2) {
          const len = Math.min(chunk, remote.size - nextPos);
          read(nextPos, len);
          nextPos += len;
        }
      };
      if (remote.size === resumedFrom) resolve();
      else pump();
    }).catch(async (e: unknown) => {
      // Keep what is in order on disk for the next attempt.
      await fh.sync().catch(() => undefined);
      synced = writePos;
      await saveSidecar().catch(() => undefined);
      throw e;
    });
    // Large files are made durable before the rename; for small ones an fsync each would dominate the pull (the
    // evidence intake does not fsync copies either), and the pull re-checks finished files' sizes on resume.
    if (remote.size - resumedFrom >= DURABLE_FROM) await fh.sync();
    await fh.close();
    await fs.rename(part, o.localPath);
    if (prev || synced > resumedFrom) await fs.rm(side, { force: true });
    // The directory is not fsync'd per file: a rename lost to a power cut leaves the part (restarted), and the pull
    // checks every finished file's size again before the hand-off.
    return { ...remote, sha256: hash.digest(), resumedFrom, restarted, prefixSha256: hash.at };
  } finally {
    await fh.close().catch(() => undefined);
    o.sftp.close(handle, () => undefined);
  }
}
