// Before an import: which of the files about to come in are byte-identical (sha256) to files already in the case,
// without importing anything. The inputs pass the same door as an import: only regular files and folders, links
// and devices inside folders left out, archive members listed against the intake caps before a byte is hashed.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import * as tar from 'tar';
import yauzl from 'yauzl';
import type { SqlRead } from '../store/db';
import { sha256File } from '../evidence/manifest';
import { inputKind, unreadable, walkFiles, type CaseFolder } from './bundle';
import { overridden, type FormatOverride } from './detect';
import { LimitError, humanBytes, type IntakeLimits } from './limits';
import { ARCHIVE_NAME, archiveByContent } from './magic';
import { cancelledError } from '../util/cancel';
import type { CheckCounts } from '../../../shared/contract/import';
import { holdPoint } from './fault';

export interface IncomingFile { input: string; file: string; size: number; sha256: string }
/**
 * What the import will do with an archive inside a bundle (README, "Archives and binaries inside a bundle"): keep it
 * and import its contents as a bundle of their own (`expand`, with their count when the check could read them), keep
 * it and note it as not expanded (`keep`: inside another archive, one level deep only), or keep it and note why its
 * contents cannot come in (`refused`: damaged, or over the intake caps); the rest of the bundle imports either way.
 */
export interface NestedArchivePlan { file: string; action: 'expand' | 'keep' | 'refused'; files?: number; why?: string }
export interface CheckResult {
  files: number;
  bytes: number;
  /** Files whose content the case already holds (empty files never count: they have nothing to double). */
  known: number;
  /** The first of them, with the name the case knows them by. */
  already: { file: string; of: { bundle: string; file: string } }[];
  /** The archives inside the inputs (the first CHECK_LIST_MAX), and what the import will do with each. */
  archives: NestedArchivePlan[];
  /** Files the format overrides name (read in the forced format; an archive among them read as lines, not expanded). */
  overridden: number;
  queryMs: number;
}

/** At most this many known files are named in the answer (the count covers all). */
export const CHECK_LIST_MAX = 50;
const TAR_KEEP = new Set(['File', 'OldFile', 'ContiguousFile']);

/** Counts bytes against the intake caps as an archive is read, whatever its headers claim. */
class Budget {
  private bundle = 0;
  constructor(private readonly archive: string, private readonly archiveSize: number, private readonly limits: IntakeLimits) {}
  take(member: string, memberBytes: number, chunk: number): void {
    this.bundle += chunk;
    const name = path.basename(this.archive);
    if (memberBytes > this.limits.maxFileBytes) throw new LimitError(`${name}: member ${member} is over the ${humanBytes(this.limits.maxFileBytes)} per-file limit: refused.`);
    if (this.bundle > this.limits.maxBundleBytes) throw new LimitError(`${name} expands past the ${humanBytes(this.limits.maxBundleBytes)} per-bundle limit: refused.`);
    if (this.limits.maxRatio > 0 && this.bundle > 64 * 1024 ** 2 && this.bundle > this.limits.maxRatio * this.archiveSize) {
      throw new LimitError(`${name} expands more than ${this.limits.maxRatio}:1: refused as a decompression bomb.`);
    }
  }
}

/** How an archive's or a file's read is stopped and followed: `signal` stops it within a chunk (a cancelled error,
 *  its file closed); `at` is told how far into the file the read is, in bytes. */
interface Reading { signal?: AbortSignal | undefined; at?: ((bytes: number) => void) | undefined }

/** A read of `file` that tells `at` how far into it it is. */
function countedRead(file: string | Buffer, at?: (bytes: number) => void) {
  const src = createReadStream(file);
  let read = 0;
  if (at) src.on('data', (c: string | Buffer) => at(read += c.length));
  return src;
}

async function hashTar(file: string, size: number, limits: IntakeLimits, { signal, at }: Reading = {}): Promise<IncomingFile[]> {
  const out: IncomingFile[] = [];
  const budget = new Budget(file, size, limits);
  if (signal?.aborted) throw cancelledError();
  const src = countedRead(file, at);
  let onAbort = () => {};
  await new Promise<void>((resolve, reject) => {
    const fail = (e: unknown) => {
      src.destroy();
      reject(signal?.aborted ? cancelledError() : e instanceof LimitError ? e : new LimitError(`${path.basename(file)} is damaged or truncated: ${(e as Error).message.split('\n')[0]}`));
    };
    onAbort = () => fail(cancelledError());
    signal?.addEventListener('abort', onAbort, { once: true });
    const parser = new tar.Parser({
      strict: true,
      onReadEntry: (e) => {
        if (!TAR_KEEP.has(e.type)) { e.resume(); return; }
        const h = createHash('sha256');
        let n = 0;
        e.on('data', (c: Buffer) => {
          n += c.length;
          try { budget.take(e.path, n, c.length); } catch (err) { fail(err); return; }
          h.update(c);
        });
        e.on('end', () => out.push({ input: file, file: e.path, size: n, sha256: h.digest('hex') }));
      },
    });
    parser.on('error', fail);
    parser.on('abort', fail);
    parser.on('end', () => resolve());
    src.on('error', fail);
    src.pipe(parser);
  }).finally(() => signal?.removeEventListener('abort', onAbort));
  return out;
}

async function hashZip(file: string, size: number, limits: IntakeLimits, { signal, at }: Reading = {}): Promise<IncomingFile[]> {
  if (signal?.aborted) throw cancelledError();
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(file, { lazyEntries: true, strictFileNames: true },
    (e, z) => (e ? rej(new LimitError(`${path.basename(file)} is damaged or not a zip: ${e.message}`)) : res(z!))));
  const out: IncomingFile[] = [];
  const budget = new Budget(file, size, limits);
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry: yauzl.Entry) => {
        if (signal?.aborted) { reject(cancelledError()); return; }
        if (/\/$/.test(entry.fileName)) { zip.readEntry(); return; }
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) { reject(err ?? new Error('zip entry unreadable')); return; }
          const h = createHash('sha256');
          let n = 0;
          // How far into the zip the read is, from the member's place and how much of it is inflated.
          const place = (done: number) => entry.relativeOffsetOfLocalHeader + Math.round(entry.compressedSize * Math.min(1, done / Math.max(1, entry.uncompressedSize)));
          pipeline(stream, new Writable({
            write(c: Buffer, _enc, cb) {
              if (signal?.aborted) { cb(cancelledError()); return; }
              n += c.length;
              try { budget.take(entry.fileName, n, c.length); } catch (e) { cb(e as Error); return; }
              h.update(c); at?.(place(n)); cb();
            },
          })).then(() => { out.push({ input: file, file: entry.fileName, size: n, sha256: h.digest('hex') }); zip.readEntry(); }, reject);
        });
      });
      zip.readEntry();
    });
  } finally { zip.close(); }
  return out;
}

export interface CheckRun {
  /** Stops the check within a folder entry of the walk and a chunk of a file's or an archive's read (the answer is
   *  then a cancelled error, every file it opened closed). */
  signal?: AbortSignal;
  /** Said at most every PROGRESS_EVERY_MS, and once at the end. */
  onProgress?: (p: CheckCounts) => void;
}
const PROGRESS_EVERY_MS = 100;

/** sha256 of a file, its read stopped by `signal` within a chunk. */
async function sha256Of(src: string | Buffer, { signal, at }: Reading = {}): Promise<string> {
  if (!signal && !at) return sha256File(src);
  const h = createHash('sha256');
  await pipeline(countedRead(src, at), h, ...(signal ? [{ signal }] : []));
  return h.digest('hex');
}

/** The files the inputs hold on disk (folders walked as the import walks them), with their sizes. */
async function listInputs(inputs: string[], stop: () => void, own?: CaseFolder, signal?: AbortSignal): Promise<{ input: string; dir: boolean; files: { rel: string; src: string | Buffer; size: number }[] }[]> {
  const out = [];
  for (const input of inputs) {
    const st = await inputKind(input, own);
    if (!st.dir) { out.push({ input, dir: false, files: [{ rel: path.basename(input), src: input, size: st.size }] }); continue; }
    // walkFiles leaves out links, devices and the case's own folder, as the import does.
    const files = [];
    for (const { rel, src } of await walkFiles(input, [], own, signal)) { stop(); files.push({ rel, src, size: (await fs.stat(src)).size }); }
    out.push({ input, dir: true, files });
  }
  return out;
}

/** Hashes every file an import of `inputs` would bring in, refusing what an import refuses; `archives` collects the
 * archives inside them and what the import will do with each (their contents are hashed with the rest). `readAsLines`:
 * the files (paths inside their bundle) the operator's format overrides name, which the import never expands
 * (bundle.ts archiveIn); an input archive is a bundle whatever they say, as in stageBundles. */
export async function hashIncoming(inputs: string[], limits: IntakeLimits, archives: NestedArchivePlan[] = [], readAsLines: (rel: string) => boolean = () => false, own?: CaseFolder, hashFiles = true, run: CheckRun = {}): Promise<IncomingFile[]> {
  const out: IncomingFile[] = [];
  const { signal, onProgress } = run;
  const stop = () => { if (signal?.aborted) throw cancelledError(); };
  // Without hashFiles a plain file's sha256 is '' (nothing to compare it with); archives are still read: their members
  // are counted against the intake caps and listed.
  const listed = await listInputs(inputs, stop, own, signal);
  const progress: CheckCounts = { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 };
  for (const l of listed) for (const f of l.files) { progress.filesTotal++; progress.bytesTotal += f.size; }
  let said = 0;
  let before = 0;
  const say = (end: boolean) => {
    const now = performance.now();
    if (end || now - said >= PROGRESS_EVERY_MS) { said = now; onProgress?.({ ...progress }); }
  };
  /** The read of a file `size` bytes long: its bytes count as they are read (one large file is not a still count).
   *  Never backwards: an archive in a folder is read twice (its digest, then its members), a zip's members in any order. */
  const reading = (size: number): Reading => ({ signal, at: (bytes) => { progress.bytesDone = Math.max(progress.bytesDone, before + Math.min(bytes, size)); say(false); } });
  const read = (size: number) => {
    progress.filesDone++;
    progress.bytesDone = before += size;
    say(progress.filesDone === progress.filesTotal);
  };
  const digest = async (src: string | Buffer, name: string, size: number) => (hashFiles ? sha256Of(src, reading(size)).catch((e: unknown) => {
    stop();
    throw unreadable(e, name);
  }) : '');
  onProgress?.({ ...progress });
  await holdPoint('import-check', signal);
  const nested = (within: string, members: IncomingFile[], expands: boolean) => {
    for (const m of members) {
      if (!ARCHIVE_NAME.test(m.file) || readAsLines(m.file)) continue;
      archives.push(expands ? { file: m.file, action: 'expand' }
        : { file: `${within}/${m.file}`, action: 'keep', why: `inside the archive ${within}: archives are expanded one level deep only` });
    }
  };
  for (const { input, dir, files } of listed) {
    if (dir) {
      for (const { rel, src, size } of files) {
        stop();
        out.push({ input, file: rel, size, sha256: await digest(src, typeof src === 'string' ? src : rel, size) });
        // An archive in a folder (its content confirming its name) stays as evidence; its contents come in as a bundle.
        const kind = typeof src !== 'string' || readAsLines(rel) ? null : await archiveByContent(src, rel);
        if (kind && typeof src === 'string') {
          try {
            const members = kind.type === 'zip' ? await hashZip(src, size, limits, reading(size)) : await hashTar(src, size, limits, reading(size));
            archives.push({ file: rel, action: 'expand', files: members.length });
            out.push(...members);
            nested(rel, members, false);
          } catch (e) {
            if (!(e instanceof LimitError)) throw e;
            archives.push({ file: rel, action: 'refused', why: e.message });
          }
        }
        read(size);
      }
    } else if (ARCHIVE_NAME.test(input)) {
      stop();
      const size = files[0]!.size;
      const members = /\.zip$/i.test(input) ? await hashZip(input, size, limits, reading(size)) : await hashTar(input, size, limits, reading(size));
      out.push(...members);
      // The archive given is the bundle: archives among its members are expanded in turn (their contents not read here).
      nested(path.basename(input), members, true);
      read(size);
    } else {
      stop();
      out.push({ input, file: path.basename(input), size: files[0]!.size, sha256: await digest(input, input, files[0]!.size) });
      read(files[0]!.size);
    }
  }
  stop();
  return out;
}

/** Compares the incoming files with the case's files by content, as an import with these format overrides reads them. */
export async function checkIncoming(db: SqlRead, inputs: string[], limits: IntakeLimits, overrides: FormatOverride[] = [], own?: CaseFolder, run: CheckRun = {}): Promise<CheckResult> {
  const t0 = performance.now();
  const archives: NestedArchivePlan[] = [];
  const readAsLines = (rel: string) => overridden(rel, overrides) !== null;
  const known = new Map<string, { bundle: string; file: string }>();
  for (const r of await db.read<{ sha256: string; bundle: string; path: string }>(
    `SELECT sha256, bundle, path FROM files WHERE sha256 IS NOT NULL AND size > 0 ORDER BY file_id`)) {
    if (!known.has(r.sha256)) known.set(r.sha256, { bundle: r.bundle, file: r.path });
  }
  // A case that holds no content yet (the first import) has nothing to compare with: the plain files are not hashed.
  // Hashing them read the whole bundle once more before the import started (70 s of "Checking…" for 1 GB at load 9).
  const incoming = await hashIncoming(inputs, limits, archives, readAsLines, own, known.size > 0, run);
  const already = incoming.flatMap((f) => { const of = f.size > 0 ? known.get(f.sha256) : undefined; return of ? [{ file: f.file, of }] : []; });
  return {
    files: incoming.length, bytes: incoming.reduce((n, f) => n + f.size, 0), known: already.length,
    already: already.slice(0, CHECK_LIST_MAX), archives: archives.slice(0, CHECK_LIST_MAX),
    overridden: incoming.filter((f) => readAsLines(f.file)).length, queryMs: Math.round(performance.now() - t0),
  };
}
