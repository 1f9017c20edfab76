// Evidence intake: a folder, an archive (.tar/.tar.gz/.tgz/.zip) or loose files become an immutable bundle folder
// in the case, byte-for-byte, with a sha256 manifest. The bundle id is derived from the content, so the same
// evidence imported twice (even as a folder once and a tarball the next time) is recognised and not duplicated.
// The manifest lives beside the bundle folder (`bundles/<id>.manifest.json`), never inside it, so no evidence file
// (an archive member, an upload) can take its name. Cases made before kept it at `bundles/<id>/manifest.json`.
// Archives are listed before anything is written: sizes past the caps, links, devices and duplicate members are
// refused or reported up front (limits.ts). An archive found inside a bundle (its content confirming its name) is
// kept there as evidence and its contents become a bundle of their own, through the same archive intake, one level
// deep: an archive inside that one is kept and noted, never expanded (expandArchives).
import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream, existsSync, promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import yauzl from 'yauzl';
import { mkdirPrivate, writeJsonAtomic } from '../util/atomic';
import { bundleId, isStaging, manifestPath, readManifest, sha256File, type Manifest, type ManifestFile } from '../evidence/manifest';
import { dataHome } from '../case/paths';
import { DEFAULT_LIMITS, LimitError, RATIO_FLOOR_BYTES, ensureFreeSpace, humanBytes, type IntakeLimits } from './limits';
import { FileScanner, type FileScan } from './scan';
import { HEAD_BYTES, headLines, isGzipPath } from './records';
import { ARCHIVE_NAME, archiveByContent } from './magic';
import { holdPoint } from './fault';
import { cancelledError } from '../util/cancel';
import { EngineError } from '../util/errors';

export interface StagedBundle<H = unknown> {
  id: string; dir: string; manifest: Manifest; reused: boolean; bytes: number;
  /** sha256 of the manifest file's bytes (what the import's audit entry pins). */
  manifestSha256: string;
  /** Decompressed bytes read from this bundle's files so far (for the per-bundle cap). */
  expansion: { expanded: number };
  /** What the copy's single read learned of each file (scan.ts), by path; absent for a bundle staged before. */
  scans: Map<string, FileScan>;
  /** What `inspectHead` made of each plain file's head, by path; absent for a bundle staged before and for .gz files. */
  heads: Map<string, H>;
  /** The archives among this bundle's files (their content confirming their name), by path: what became of them. */
  archives: Map<string, NestedArchive>;
  /** This bundle is the contents of an archive in another bundle (that bundle's id and the archive's path). */
  from?: { bundle: string; path: string };
}

/**
 * An archive inside a bundle: expanded into a bundle of its own, or not (damaged, past the caps, or inside an
 * archive that was itself expanded), with why. `what` says what it is ("zip archive").
 */
export type NestedArchive = { what: string } & (
  | { state: 'expanded'; bundle: string; files: number }
  | { state: 'failed'; why: string }
  | { state: 'inner'; within: string });

/**
 * Looks at a copied file's head (its first lines, as readHeadLines gives them) while the other files copy: the
 * copy's read has those bytes, so detection needs no read of its own and runs in the time the copies wait on I/O.
 * What it returns is kept (not the head: a tree of 100,000 files would hold gigabytes of heads).
 */
export type HeadInspector<H> = (rel: string, head: string[], raw: Buffer) => H;

/** Who sees the heads of one intake, and where what they make of them goes. */
interface HeadSink { inspect: HeadInspector<unknown>; into: Map<string, unknown> }

interface Hashed { sha256: string; scan: FileScan }

/** Read buffers (and head buffers), reused: a stream allocates a fresh 1 MB buffer per file, and across thousands of
 * small files the garbage collector then costs more than the hashing. */
const READ_BUFFERS: { buf: Buffer; head: Buffer }[] = [];

/** The sha256 of a file and its scan (scan.ts), from one read; its head goes to `sink` (a plain file's, not a .gz). */
async function hashAndScan(file: string | Buffer, rel: string, sink?: HeadSink): Promise<Hashed> {
  const h = createHash('sha256');
  const s = new FileScanner();
  const bufs = READ_BUFFERS.pop() ?? { buf: Buffer.allocUnsafe(1 << 20), head: Buffer.allocUnsafe(HEAD_BYTES) };
  const { buf, head } = bufs;
  let headTo = sink && !isGzipPath(rel) ? sink : undefined;
  let headN = 0;
  const giveHead = (cut: boolean) => { headTo!.into.set(rel, headTo!.inspect(rel, headLines(head.subarray(0, headN), cut), head.subarray(0, headN))); headTo = undefined; };
  try {
    const fh = await fs.open(file, 'r');
    try {
      for (let n = (await fh.read(buf, 0, buf.length, null)).bytesRead; n > 0; n = (await fh.read(buf, 0, buf.length, null)).bytesRead) {
        const chunk = buf.subarray(0, n);
        h.update(chunk);
        s.update(chunk);
        if (headTo) {
          headN += chunk.copy(head, headN, 0, Math.min(n, HEAD_BYTES - headN));
          if (headN === HEAD_BYTES) giveHead(true);
        }
      }
      if (headTo) giveHead(false);
    } finally { await fh.close(); }
  } finally { READ_BUFFERS.push(bufs); }
  return { sha256: h.digest('hex'), scan: s.result() };
}

/**
 * Copies one intake's files (owner-only) and returns the sha256 of each copy and its scan. The copy is the kernel's
 * (a reflink where the file system shares blocks, else copy_file_range); the hash is of the copy as it landed, read
 * back from the page cache, so what the manifest pins is what the bundle holds. Each folder is made once.
 */
class Copier {
  private readonly dirs = new Set<string>();

  constructor(private readonly sink?: HeadSink) {}

  async copy(src: string | Buffer, dst: string, rel: string): Promise<Hashed> {
    const dir = path.dirname(dst);
    if (!this.dirs.has(dir)) { await mkdirPrivate(dir); this.dirs.add(dir); }
    await fs.copyFile(src, dst, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    await fs.chmod(dst, 0o600);
    return hashAndScan(dst, rel, this.sink);
  }
}

type Tally = { files: number; bytes: number };

/**
 * What the evidence copy has listed (the totals) and copied so far, for the import's progress. Each intake adds its
 * listing before its first byte is copied; what it holds in the end (a live log grown since it was listed, members an
 * archive left out or extracted twice under one name) corrects the counts when it is done, so done meets total.
 */
export class CopyMeter {
  filesTotal = 0;
  bytesTotal = 0;
  filesDone = 0;
  bytesDone = 0;
  /** `signal`: the import's cancel. The copy asks `goOn` before each file, so a cancel stops it part-way. */
  constructor(private readonly onChange: (m: CopyMeter) => void = () => undefined, readonly signal?: AbortSignal) {}

  /** Throws the cancel's reason once the import is cancelled: no further file is copied, extracted or hashed. */
  goOn(): void { this.signal?.throwIfAborted(); }
  get stopped(): boolean { return this.signal?.aborted ?? false; }

  listed(files: number, bytes: number): void { this.filesTotal += files; this.bytesTotal += bytes; this.onChange(this); }
  copied(bytes: number): void { this.filesDone++; this.bytesDone += bytes; this.onChange(this); }
  /** An intake is done: it listed `listed`, counted `copied` and holds `held`. */
  settled(listed: Tally, copied: Tally, held: Tally): void {
    this.filesTotal += held.files - listed.files;
    this.bytesTotal += held.bytes - listed.bytes;
    this.filesDone += held.files - copied.files;
    this.bytesDone += held.bytes - copied.bytes;
    this.onChange(this);
  }
  /** An intake failed (an archive inside the evidence that cannot be expanded; the import goes on without it). */
  dropped(listed: Tally, copied: Tally): void {
    this.filesTotal -= listed.files; this.bytesTotal -= listed.bytes;
    this.filesDone -= copied.files; this.bytesDone -= copied.bytes;
    this.onChange(this);
  }
}

/** Files copied at once: small files are dominated by open/close latency, which overlaps. */
const COPY_PARALLEL = 4;

/**
 * `fn` over `items`, `n` at a time. After a failure (a cancel, an unreadable file) no item is started and the ones
 * under way finish before the first error is thrown: the caller then removes their staging folder with nothing
 * still writing into it.
 */
async function inParallel<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    for (let i = next++; i < items.length && !failed; i = next++) {
      try { out[i] = await fn(items[i]!); } catch (e) { failed = true; throw e; }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(n, items.length) }, worker));
  const first = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (first) throw first.reason;
  return out;
}

/** A regular file found below a folder: its name in the bundle, and where it is. */
export interface WalkedFile {
  /** Relative POSIX path; bytes of a name that are not UTF-8 are written %XX (the original name is `sourceName`). */
  rel: string;
  /** The file's path: the bytes themselves (a Buffer) where a name on the way is not UTF-8, which no string can say. */
  src: string | Buffer;
  /** Hex of the relative path's bytes, when they are not UTF-8. */
  sourceName?: string;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A file name's bytes as text: UTF-8 as is, each byte outside a valid UTF-8 sequence as %XX. */
export function nameText(name: Buffer): { text: string; utf8: boolean } {
  try { return { text: STRICT_UTF8.decode(name), utf8: true }; } catch { /* below */ }
  let text = '';
  for (let i = 0; i < name.length;) {
    const b = name[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let piece: string | null = null;
    if (len > 0 && i + len <= name.length) {
      try { piece = STRICT_UTF8.decode(name.subarray(i, i + len)); } catch { piece = null; }
    }
    if (piece === null) { text += `%${b.toString(16).toUpperCase().padStart(2, '0')}`; i += 1; } else { text += piece; i += len; }
  }
  return { text, utf8: false };
}

/**
 * Folders that are never evidence: the case's own (its database, audit trail, salt and bundles) and Casefile's data
 * folder (the keystore, the audit key, the cases under it). An input that is one of them is refused (the case's also
 * when the input lies inside it), and a folder that holds one (the case kept beside the incident's logs, an operator's
 * home folder) is imported without it; otherwise the case would copy its own open database into itself, growing with
 * every import of that folder, or the operator's secret keys into its evidence.
 */
interface OwnFolder { real: string; name: Buffer; dev: number; ino: number; what: string }
export interface CaseFolder { case: OwnFolder; home: OwnFolder | null }

async function ownFolder(dir: string, what: string): Promise<OwnFolder | null> {
  const real = await fs.realpath(dir).catch(() => null);
  const st = real ? await fs.stat(real).catch(() => null) : null;
  return real && st ? { real, name: Buffer.from(path.basename(real)), dev: st.dev, ino: st.ino, what } : null;
}

export async function caseFolder(caseDir: string): Promise<CaseFolder> {
  const own = await ownFolder(caseDir, 'this case\'s own folder');
  if (!own) throw new LimitError(`Cannot read the case folder ${caseDir}.`);
  return { case: own, home: await ownFolder(dataHome(), 'Casefile\'s data folder (keys, the audit key, cases)') };
}

/** What a directory met in a walk is, if it is one of those folders: its name first (no stat for the others), then the same inode. */
async function ownFolderAt(full: Buffer, name: Buffer, own: CaseFolder): Promise<OwnFolder | null> {
  const named = [own.case, own.home].filter((o): o is OwnFolder => !!o && name.equals(o.name));
  if (!named.length) return null;
  const st = await fs.stat(full).catch(() => null);
  return (st && named.find((o) => st.dev === o.dev && st.ino === o.ino)) ?? null;
}

/** A file or folder of the input the account running Casefile may not read: a sentence (the intake stops and keeps
 * nothing of it), not an errno. Anything else stays as it was. */
export function unreadable(e: unknown, what: string): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'EACCES' && code !== 'EPERM') return e;
  return new LimitError(`Cannot read ${what}: permission denied. Nothing was imported: give the account running Casefile read access to it, or leave it out of the input.`);
}

/** Whether an input is a folder or a file; anything else, and the case's own folder or what is in it, refused with a sentence. */
export async function inputKind(input: string, own?: CaseFolder): Promise<{ dir: boolean; size: number }> {
  const st = await fs.stat(input).catch(() => null);
  if (!st) throw new LimitError(`Cannot read ${input}: no such file or folder.`);
  // A FIFO or device would block the import or never end: only regular files and folders are evidence.
  if (!st.isDirectory() && !st.isFile()) throw new LimitError(`${input} is not a regular file or folder (a FIFO, device or socket): refused.`);
  if (own) {
    const real = await fs.realpath(input);
    if (real === own.case.real || real.startsWith(own.case.real + path.sep)) {
      throw new LimitError(`${input} is this case's own folder or inside it: refused (the case's database and audit trail are not evidence; import the logs from where they came).`);
    }
    if (own.home && real === own.home.real) throw new LimitError(`${input} is Casefile's data folder: refused (its keys and audit key are not evidence).`);
  }
  return { dir: st.isDirectory(), size: st.size };
}

/**
 * Regular files below dir, sorted by their relative POSIX path; what else is there (links, devices) goes to
 * `dropped`. Names are read as bytes: a file whose name is not UTF-8 (a Latin-1 name from an old server) is evidence
 * like any other, not an unreadable path. A cancel of `signal` stops the walk (a cancelled error) within one entry.
 */
export async function walkFiles(dir: string, dropped: string[] = [], own?: CaseFolder, signal?: AbortSignal): Promise<WalkedFile[]> {
  const out: WalkedFile[] = [];
  const sep = Buffer.from(path.sep);
  // Asked before each folder is read and at each entry: a huge tree is not walked to its end after a cancel. The
  // import's signal carries its own words ("The import job was cancelled."); a bare abort, the request's.
  const stop = () => { if (signal?.aborted) throw signal.reason instanceof EngineError ? signal.reason : cancelledError(); };
  const walk = async (d: Buffer, relBytes: Buffer[], relText: string[], utf8: boolean) => {
    stop();
    // Listed a few entries at a time (opendir), not in one call: a folder of 200,000 files stops at a cancel. Then in
    // name order (bytes), as readdir gave them, and with the folder closed before its subfolders are walked.
    const listing = await fs.opendir(d, { encoding: 'buffer' as BufferEncoding, bufferSize: 128 }).catch((e: unknown) => { throw unreadable(e, `the folder ${nameText(d).text}`); });
    const entries: Dirent[] = [];
    for await (const e of listing) { stop(); entries.push(e); }
    const named = (e: Dirent) => e.name as unknown as Buffer;
    entries.sort((a, b) => Buffer.compare(named(a), named(b)));
    for (const e of entries) {
      stop();
      const eName = named(e);
      const name = nameText(eName);
      const full = Buffer.concat([d, sep, eName]);
      const bytes = [...relBytes, eName];
      const texts = [...relText, name.text];
      const rel = texts.join('/');
      const whole = utf8 && name.utf8;
      const ownHere = e.isDirectory() && own ? await ownFolderAt(full, eName, own) : null;
      if (ownHere) dropped.push(`${rel}: ${ownHere.what}, not evidence: left out`);
      else if (e.isDirectory()) await walk(full, bytes, texts, whole);
      else if (e.isFile()) {
        out.push(whole
          ? { rel, src: full.toString('utf8') }
          : { rel, src: full, sourceName: Buffer.concat(bytes.flatMap((b, i) => (i ? [Buffer.from('/'), b] : [b]))).toString('hex') });
      } else dropped.push(`${rel}: ${e.isSymbolicLink() ? 'a symbolic link' : 'not a regular file (device, FIFO or socket)'}, not evidence: left out`);
    }
  };
  await walk(Buffer.from(path.resolve(dir)), [], [], true);
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

interface ArchiveListing { members: number; bytes: number; dropped: string[] }

/** Refuses an archive whose members together or alone are past the caps, before a byte is written. */
function checkListing(file: string, list: ArchiveListing, biggest: { path: string; size: number }, archiveSize: number, limits: IntakeLimits): void {
  const name = path.basename(file);
  const hint = 'Raise the limit in case.json ("limits") or the environment if this is genuine.';
  if (biggest.size > limits.maxFileBytes) throw new LimitError(`${name}: member ${biggest.path} is ${humanBytes(biggest.size)}, over the ${humanBytes(limits.maxFileBytes)} per-file limit (maxFileBytes / CASEFILE_MAX_FILE_BYTES): refused. ${hint}`);
  if (list.bytes > limits.maxBundleBytes) throw new LimitError(`${name} expands to ${humanBytes(list.bytes)}, over the ${humanBytes(limits.maxBundleBytes)} per-bundle limit (maxBundleBytes / CASEFILE_MAX_BUNDLE_BYTES): refused. ${hint}`);
  if (limits.maxRatio > 0 && list.bytes > RATIO_FLOOR_BYTES && list.bytes > limits.maxRatio * archiveSize) {
    throw new LimitError(`${name} expands more than ${limits.maxRatio}:1 (${humanBytes(archiveSize)} holds ${humanBytes(list.bytes)}): refused as a decompression bomb (maxRatio / CASEFILE_MAX_RATIO). ${hint}`);
  }
}

const TAR_KEEP = new Set(['File', 'OldFile', 'ContiguousFile']);
const TAR_META = new Set(['Directory', 'GlobalExtendedHeader', 'ExtendedHeader', 'NextFileHasLongLinkpath', 'NextFileHasLongPath', 'OldGnuLongPath', 'OldExtendedHeader']);

/** Lists a tar (gzip or not) without extracting: sizes, and what extraction will leave out. Stops at the first cap passed. */
async function listTar(file: string, archiveSize: number, limits: IntakeLimits): Promise<ArchiveListing> {
  const out: ArchiveListing = { members: 0, bytes: 0, dropped: [] };
  const seen = new Map<string, number>();
  const biggest = { path: '', size: 0 };
  const src = createReadStream(file);
  await new Promise<void>((resolve, reject) => {
    const fail = (e: unknown) => { src.destroy(); reject(e instanceof LimitError ? e : damaged(file, e)); };
    const parser = new tar.Parser({
      strict: true,
      onReadEntry: (e) => {
        const p = e.path.replace(/\/+$/, '');
        if (TAR_KEEP.has(e.type)) {
          out.members++;
          out.bytes += e.size;
          if (e.size > biggest.size) { biggest.path = p; biggest.size = e.size; }
          seen.set(p, (seen.get(p) ?? 0) + 1);
          try { checkListing(file, out, biggest, archiveSize, limits); } catch (err) { fail(err); }
        } else if (!TAR_META.has(e.type)) {
          out.dropped.push(`${p}: ${e.type === 'SymbolicLink' || e.type === 'Link' ? `a ${e.type === 'Link' ? 'hard' : 'symbolic'} link to ${e.linkpath ?? '?'}` : `a ${e.type} entry`}, not evidence: left out`);
        }
        e.resume();
      },
    });
    parser.on('error', fail);
    parser.on('abort', fail);
    parser.on('end', () => resolve());
    src.on('error', fail);
    src.pipe(parser);
  });
  for (const [p, n] of seen) if (n > 1) out.dropped.push(`${p}: ${n} members of this name in the archive; the last one is kept (as tar extracts), the earlier ${n - 1} left out`);
  return out;
}

async function listZip(file: string, archiveSize: number, limits: IntakeLimits): Promise<ArchiveListing> {
  const zip = await openZip(file);
  const out: ArchiveListing = { members: 0, bytes: 0, dropped: [] };
  const biggest = { path: '', size: 0 };
  const seen = new Set<string>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (e) => reject(damaged(file, e)));
      zip.on('end', resolve);
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!/\/$/.test(entry.fileName)) {
          if (seen.has(entry.fileName)) out.dropped.push(`${entry.fileName}: a second member of this name: refused`);
          seen.add(entry.fileName);
          out.members++;
          out.bytes += entry.uncompressedSize;
          if (entry.uncompressedSize > biggest.size) { biggest.path = entry.fileName; biggest.size = entry.uncompressedSize; }
          try { checkListing(file, out, biggest, archiveSize, limits); } catch (e) { reject(e); return; }
        }
        zip.readEntry();
      });
      zip.readEntry();
    });
  } finally { zip.close(); }
  if (out.dropped.length) throw new LimitError(`${path.basename(file)} holds the same name twice (${out.dropped[0]}); which one is evidence is ambiguous.`);
  return out;
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((res, rej) => yauzl.open(file, { lazyEntries: true, strictFileNames: true }, (e, z) => (e ? rej(damaged(file, e)) : res(z!))));
}

/** A library's error about a damaged archive, as a sentence the operator can act on. */
function damaged(file: string, e: unknown): Error {
  const msg = (e instanceof Error ? e.message.split('\n')[0]! : String(e)).replace(/^TAR_\w+:?\s*/, '');
  // node-tar refuses a member named to leave the extraction folder: the archive is hostile, not damaged.
  if (/path contains '\.\.'|absolute path|invalid relative path/i.test(msg)) return new LimitError(`${path.basename(file)} holds a member whose name leaves the archive's folder (${msg}): refused, nothing was imported from it.`);
  return new LimitError(`${path.basename(file)} is damaged or truncated (${msg}): nothing was imported from it.`);
}

async function extractZip(file: string, into: string, onFile?: (bytes: number) => void, meter?: CopyMeter): Promise<void> {
  const zip = await openZip(file);
  await new Promise<void>((resolve, reject) => {
    zip.on('error', (e) => reject(damaged(file, e)));
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      try { meter?.goOn(); } catch (e) { zip.close(); reject(e); return; }
      // yauzl refuses absolute and ".." names (strictFileNames); directories end with "/".
      if (/\/$/.test(entry.fileName)) { zip.readEntry(); return; }
      const dst = path.join(into, entry.fileName);
      zip.openReadStream(entry, (err, stream) => {
        if (err || !stream) { reject(damaged(file, err ?? new Error('zip entry unreadable'))); return; }
        mkdirPrivate(path.dirname(dst))
          .then(() => pipeline(stream, createWriteStream(dst, { mode: 0o600, flags: 'wx' })))
          .then(() => { onFile?.(entry.uncompressedSize); zip.readEntry(); }, (e: unknown) => reject(damaged(file, e)));
      });
    });
    zip.readEntry();
  });
}

async function hashTree(names: WalkedFile[], scans: Map<string, FileScan>, sink?: HeadSink, meter?: CopyMeter): Promise<ManifestFile[]> {
  return inParallel(names, COPY_PARALLEL, async ({ rel, src }) => {
    meter?.goOn();
    const st = await fs.stat(src);
    const { sha256, scan } = await hashAndScan(src, rel, sink);
    scans.set(rel, scan);
    return { path: rel, size: st.size, mtime: st.mtime.toISOString(), sha256 };
  });
}

const staged = <H>(id: string, dir: string, manifest: Manifest, text: string, reused: boolean, scans = new Map<string, FileScan>(), heads = new Map<string, H>()): StagedBundle<H> => ({
  id, dir, manifest, reused, bytes: manifest.files.reduce((n, f) => n + f.size, 0),
  manifestSha256: createHash('sha256').update(text).digest('hex'), expansion: { expanded: 0 }, scans, heads, archives: new Map(),
});

/** A bundle already in the case (e.g. moved in by a pull), as the import takes it. */
export async function loadStagedBundle<H = never>(bundlesDir: string, id: string): Promise<StagedBundle<H>> {
  const found = await readManifest(bundlesDir, id);
  if (!found) throw new LimitError(`Bundle ${id} has no manifest.`);
  return staged<H>(id, path.join(bundlesDir, id), JSON.parse(found.text) as Manifest, found.text, true);
}

/** Puts one input (folder, archive, or a set of loose files) into the case as a bundle. */
async function stageOne<H>(bundlesDir: string, kind: Manifest['origin']['kind'], inputs: string[], limits: IntakeLimits, inspectHead?: HeadInspector<H>, from?: Manifest['origin']['from'], own?: CaseFolder, meter?: CopyMeter): Promise<StagedBundle<H>> {
  const dropped: string[] = [];
  // The copy's progress: what this intake listed, and copied so far (taken back if it fails).
  const listed: Tally = { files: 0, bytes: 0 };
  const copied: Tally = { files: 0, bytes: 0 };
  const copiedOne = (bytes: number) => { copied.files++; copied.bytes += bytes; meter?.copied(bytes); };
  let archiveSha256: string | undefined;
  // Size what will be written before writing it.
  if (kind === 'archive') {
    const file = inputs[0]!;
    const size = (await fs.stat(file)).size;
    const list = /\.zip$/i.test(file) ? await listZip(file, size, limits) : await listTar(file, size, limits);
    dropped.push(...list.dropped);
    await ensureFreeSpace(bundlesDir, list.bytes, limits, `the ${humanBytes(list.bytes)} in ${path.basename(file)}`);
    Object.assign(listed, { files: list.members, bytes: list.bytes });
  }
  // A folder is listed once: the same list (names, sizes, modification times) sizes the copy and drives it.
  const tree = kind === 'folder' ? await treeStats(inputs[0]!, dropped, own, meter?.signal) : undefined;
  if (kind !== 'archive') {
    let bytes = tree?.bytes ?? 0;
    if (!tree) for (const src of inputs) bytes += (await fs.stat(src)).size;
    await ensureFreeSpace(bundlesDir, bytes, limits, `a copy of the evidence (${humanBytes(bytes)})`);
    Object.assign(listed, { files: tree?.files.length ?? inputs.length, bytes });
  }
  meter?.listed(listed.files, listed.bytes);
  const incoming = path.join(bundlesDir, `.incoming-${randomBytes(6).toString('hex')}`);
  await mkdirPrivate(incoming);
  const scans = new Map<string, FileScan>();
  const heads = new Map<string, H>();
  const sink = inspectHead ? { inspect: inspectHead, into: heads as Map<string, unknown> } : undefined;
  const copier = new Copier(sink);
  // The size is the copy's (a live log may have grown since it was listed), so the manifest describes the bundle.
  const copyIn = async (src: string | Buffer, rel: string, mtime?: Date, sourceName?: string): Promise<ManifestFile> => {
    meter?.goOn();
    const when = mtime ?? (await fs.stat(src)).mtime;
    const { sha256, scan } = await copier.copy(src, path.join(incoming, rel), rel).catch((e: unknown) => { throw unreadable(e, typeof src === 'string' ? src : nameText(src).text); });
    scans.set(rel, scan);
    copiedOne(scan.bytes);
    await holdPoint('copy-file', meter?.signal);
    return { path: rel, size: scan.bytes, mtime: when.toISOString(), sha256, ...(sourceName ? { sourceName } : {}) };
  };
  try {
    let files: ManifestFile[];
    if (kind === 'folder') {
      files = await inParallel(tree!.files, COPY_PARALLEL, (f) => copyIn(f.src, f.rel, f.mtime, f.sourceName));
    } else if (kind === 'archive') {
      const file = inputs[0]!;
      archiveSha256 = await sha256File(file);
      // Its members count as copied as they are extracted (most of an archive's intake time), not as they are hashed.
      if (/\.zip$/i.test(file)) await extractZip(file, incoming, copiedOne, meter);
      else {
        // Once cancelled, the rest of the archive is read through but nothing more of it is written.
        await tar.x({ file, cwd: incoming, preservePaths: false, strict: true, filter: (_p, entry) => !meter?.stopped && ('type' in entry ? TAR_KEEP.has(entry.type) || entry.type === 'Directory' : true),
          onReadEntry: (entry) => { if (TAR_KEEP.has(entry.type)) entry.on('end', () => { if (!meter?.stopped) copiedOne(entry.size); }); } })
          .catch((e: unknown) => { throw damaged(file, e); });
      }
      meter?.goOn();
      files = await hashTree(await walkFiles(incoming, [], undefined, meter?.signal), scans, sink, meter);
    } else {
      files = [];
      const used = new Set<string>();
      for (const src of inputs) {
        let rel = path.basename(src);
        for (let i = 2; used.has(rel); i++) rel = `${i}/${path.basename(src)}`;
        used.add(rel);
        files.push(await copyIn(src, rel));
      }
    }
    const held = { files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) };
    meter?.settled(listed, copied, held);
    Object.assign(listed, held);
    Object.assign(copied, held);
    const id = bundleId(files);
    const dir = path.join(bundlesDir, id);
    const existing = existsSync(dir) ? await readManifest(bundlesDir, id) : null;
    if (existing) {
      await fs.rm(incoming, { recursive: true, force: true });
      return staged(id, dir, JSON.parse(existing.text) as Manifest, existing.text, true, scans, heads); // same id, same bytes
    }
    const manifest: Manifest = {
      format: 'casefile/manifest@1', bundle: id, created: new Date().toISOString(),
      origin: { kind, inputs: inputs.map((p) => path.resolve(p)), ...(archiveSha256 ? { archiveSha256 } : {}), ...(from ? { from } : {}) },
      files,
      ...(dropped.length ? { dropped } : {}),
    };
    // Evidence is read-only from here on. The folder lands first, its manifest second: a folder without a
    // manifest is a half-made bundle that the next intake of the same evidence replaces.
    for (const f of files) await fs.chmod(path.join(incoming, f.path), 0o400);
    if (existsSync(dir)) await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(incoming, dir);
    await writeJsonAtomic(manifestPath(bundlesDir, id), manifest);
    await fs.chmod(manifestPath(bundlesDir, id), 0o400);
    return staged(id, dir, manifest, await fs.readFile(manifestPath(bundlesDir, id), 'utf8'), false, scans, heads);
  } catch (e) {
    await fs.rm(incoming, { recursive: true, force: true }).catch(() => undefined);
    meter?.dropped(listed, copied);
    throw e;
  }
}

async function treeStats(dir: string, dropped: string[], own?: CaseFolder, signal?: AbortSignal): Promise<{ files: (WalkedFile & { mtime: Date })[]; bytes: number }> {
  let bytes = 0;
  const files = await inParallel(await walkFiles(dir, dropped, own, signal), COPY_PARALLEL, async (f) => {
    const st = await fs.stat(f.src);
    bytes += st.size;
    return { ...f, mtime: st.mtime };
  });
  return { files, bytes };
}

/**
 * Stages every input: each folder and archive is a bundle; all loose files together make one bundle; each archive
 * inside them, a bundle of its own (expandArchives). `readAsLines`: files the operator's overrides read as lines,
 * archives or not (never expanded). `own`: the case's folder, refused as input and left out of a folder holding it.
 */
export async function stageBundles<H = never>(bundlesDir: string, inputs: string[], limits: IntakeLimits = DEFAULT_LIMITS, inspectHead?: HeadInspector<H>, readAsLines?: (rel: string) => boolean, own?: CaseFolder, meter?: CopyMeter): Promise<StagedBundle<H>[]> {
  await mkdirPrivate(bundlesDir);
  for (const e of await fs.readdir(bundlesDir)) if (isStaging(e)) await fs.rm(path.join(bundlesDir, e), { recursive: true, force: true });
  const kinds: { input: string; dir: boolean }[] = [];
  for (const input of inputs) kinds.push({ input, dir: (await inputKind(input, own)).dir });
  const out: StagedBundle<H>[] = [];
  const loose: string[] = [];
  for (const { input, dir } of kinds) {
    if (dir) out.push(await stageOne(bundlesDir, 'folder', [input], limits, inspectHead, undefined, own, meter));
    else if (ARCHIVE_NAME.test(input)) out.push(await stageOne(bundlesDir, 'archive', [input], limits, inspectHead, undefined, undefined, meter));
    else loose.push(input);
  }
  if (loose.length) out.push(await stageOne(bundlesDir, 'files', loose, limits, inspectHead, undefined, undefined, meter));
  return expandArchives(bundlesDir, out, limits, inspectHead, readAsLines, meter);
}

/**
 * The archives inside `bundles` (a .tar.gz/.tgz/.tar/.zip name the content confirms: magic.ts) become bundles of their
 * own through the same archive intake as an input archive (listing first, caps, bomb ratio, links refused, free
 * space). The archive stays in its bundle, byte-for-byte; the new bundle's manifest names it (`origin.from`). One
 * level deep: an archive inside an expanded one is kept and noted, never expanded, so no nest or quine goes further.
 * The same archive twice (by content) is expanded once. One that cannot be expanded (damaged, past a cap) is noted
 * with why; the import goes on. Returns `bundles` and the new ones after them, each bundle once.
 */
export async function expandArchives<H>(bundlesDir: string, bundles: StagedBundle<H>[], limits: IntakeLimits, inspectHead?: HeadInspector<H>, readAsLines?: (rel: string) => boolean, meter?: CopyMeter): Promise<StagedBundle<H>[]> {
  const out = [...bundles];
  const ids = new Set(bundles.map((b) => b.id));
  const bySha = new Map<string, NestedArchive>();
  for (const outer of bundles) {
    for (const f of outer.manifest.files) {
      const archive = await archiveIn(outer, f.path, readAsLines);
      if (!archive) continue;
      let got = bySha.get(f.sha256);
      if (!got) {
        try {
          const inner = await stageOne(bundlesDir, 'archive', [path.join(outer.dir, f.path)], limits, inspectHead, { bundle: outer.id, path: f.path }, undefined, meter);
          inner.from = { bundle: outer.id, path: f.path };
          got = { what: archive.what, state: 'expanded', bundle: inner.id, files: inner.manifest.files.length };
          if (!ids.has(inner.id)) { ids.add(inner.id); out.push(inner); await markInner(inner, readAsLines); }
        } catch (e) {
          // Damage and the caps are LimitErrors (a sentence for the operator); anything else is a fault of ours.
          if (!(e instanceof LimitError)) throw e;
          got = { what: archive.what, state: 'failed', why: e.message };
        }
        bySha.set(f.sha256, got);
      }
      outer.archives.set(f.path, got);
    }
  }
  // Each bundle once (the same evidence given twice, or given and also inside another).
  return out.filter((b, i) => out.findIndex((o) => o.id === b.id) === i);
}

/** A bundle's file as an archive (its name and content say so), unless the operator's overrides read it as lines. */
async function archiveIn(b: StagedBundle<unknown>, rel: string, readAsLines?: (rel: string) => boolean) {
  return ARCHIVE_NAME.test(rel) && !readAsLines?.(rel) ? archiveByContent(path.join(b.dir, rel), rel) : null;
}

/** The archives inside an expanded archive: kept and noted, not expanded. */
async function markInner<H>(inner: StagedBundle<H>, readAsLines?: (rel: string) => boolean): Promise<void> {
  for (const f of inner.manifest.files) {
    const archive = await archiveIn(inner, f.path, readAsLines);
    if (archive) inner.archives.set(f.path, { what: archive.what, state: 'inner', within: `${inner.from!.bundle}/${inner.from!.path}` });
  }
}
