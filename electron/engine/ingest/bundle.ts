// Evidence intake: a folder, an archive (.tar/.tar.gz/.tgz/.zip) or loose files become an immutable bundle folder
// in the case, byte-for-byte, with a sha256 manifest. The bundle id is derived from the content, so the same
// evidence imported twice (even as a folder once and a tarball the next time) is recognised and not duplicated.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import * as tar from 'tar';
import yauzl from 'yauzl';
import { mkdirPrivate, writeJsonAtomic } from '../util/atomic';

export interface ManifestFile { path: string; size: number; mtime: string; sha256: string }
export interface Manifest {
  format: 'casefile/manifest@1';
  bundle: string;
  created: string;
  origin: { kind: 'folder' | 'archive' | 'files'; inputs: string[]; archiveSha256?: string };
  files: ManifestFile[];
}
export interface StagedBundle { id: string; dir: string; manifest: Manifest; reused: boolean; bytes: number }

export const MANIFEST = 'manifest.json';
const ARCHIVE = /\.(tar\.gz|tgz|tar|zip)$/i;

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(file), h);
  return h.digest('hex');
}

/** Copies src to dst (owner-only) and returns the sha256 of the bytes copied, in one pass. */
async function copyHashed(src: string, dst: string): Promise<string> {
  const h = createHash('sha256');
  await mkdirPrivate(path.dirname(dst));
  await pipeline(
    createReadStream(src),
    new Transform({ transform(chunk, _enc, cb) { h.update(chunk as Buffer); cb(null, chunk); } }),
    createWriteStream(dst, { mode: 0o600, flags: 'wx' }),
  );
  return h.digest('hex');
}

/** Regular files below dir, as sorted relative POSIX paths. Symlinks and devices are not evidence: skipped. */
export async function walkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) out.push(path.relative(dir, full).split(path.sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}

async function extractZip(file: string, into: string): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(file, { lazyEntries: true, strictFileNames: true }, (e, z) => (e ? rej(e) : res(z!))));
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      // yauzl refuses absolute and ".." names (strictFileNames); directories end with "/".
      if (/\/$/.test(entry.fileName)) { zip.readEntry(); return; }
      const dst = path.join(into, entry.fileName);
      zip.openReadStream(entry, (err, stream) => {
        if (err || !stream) { reject(err ?? new Error('zip entry unreadable')); return; }
        mkdirPrivate(path.dirname(dst))
          .then(() => pipeline(stream, createWriteStream(dst, { mode: 0o600, flags: 'wx' })))
          .then(() => zip.readEntry(), reject);
      });
    });
    zip.readEntry();
  });
}

async function hashTree(dir: string, names: string[]): Promise<ManifestFile[]> {
  const out: ManifestFile[] = [];
  for (const rel of names) {
    const full = path.join(dir, rel);
    const st = await fs.stat(full);
    out.push({ path: rel, size: st.size, mtime: st.mtime.toISOString(), sha256: await sha256File(full) });
  }
  return out;
}

export function bundleId(files: ManifestFile[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => a.path.localeCompare(b.path))) h.update(`${f.path}\0${f.sha256}\n`);
  return h.digest('hex').slice(0, 16);
}

/** Puts one input (folder, archive, or a set of loose files) into the case as a bundle. */
async function stageOne(bundlesDir: string, kind: Manifest['origin']['kind'], inputs: string[]): Promise<StagedBundle> {
  const incoming = path.join(bundlesDir, `.incoming-${randomBytes(6).toString('hex')}`);
  await mkdirPrivate(incoming);
  try {
    let files: ManifestFile[];
    let archiveSha256: string | undefined;
    if (kind === 'folder') {
      const root = inputs[0]!;
      files = [];
      for (const rel of await walkFiles(root)) {
        const src = path.join(root, rel);
        const st = await fs.stat(src);
        const sha256 = await copyHashed(src, path.join(incoming, rel));
        files.push({ path: rel, size: st.size, mtime: st.mtime.toISOString(), sha256 });
      }
    } else if (kind === 'archive') {
      const file = inputs[0]!;
      archiveSha256 = await sha256File(file);
      if (/\.zip$/i.test(file)) await extractZip(file, incoming);
      else await tar.x({ file, cwd: incoming, preservePaths: false, strict: true, filter: (_p, entry) => 'type' in entry ? entry.type === 'File' || entry.type === 'Directory' || entry.type === 'OldFile' : true });
      files = await hashTree(incoming, await walkFiles(incoming));
    } else {
      files = [];
      const used = new Set<string>();
      for (const src of inputs) {
        let rel = path.basename(src);
        for (let i = 2; used.has(rel); i++) rel = `${i}/${path.basename(src)}`;
        used.add(rel);
        const st = await fs.stat(src);
        const sha256 = await copyHashed(src, path.join(incoming, rel));
        files.push({ path: rel, size: st.size, mtime: st.mtime.toISOString(), sha256 });
      }
    }
    const id = bundleId(files);
    const dir = path.join(bundlesDir, id);
    const bytes = files.reduce((n, f) => n + f.size, 0);
    if (existsSync(path.join(dir, MANIFEST))) {
      const manifest = JSON.parse(await fs.readFile(path.join(dir, MANIFEST), 'utf8')) as Manifest;
      await fs.rm(incoming, { recursive: true, force: true });
      return { id, dir, manifest, reused: true, bytes };
    }
    const manifest: Manifest = {
      format: 'casefile/manifest@1', bundle: id, created: new Date().toISOString(),
      origin: { kind, inputs: inputs.map((p) => path.resolve(p)), ...(archiveSha256 ? { archiveSha256 } : {}) },
      files,
    };
    // Evidence is read-only from here on.
    for (const f of files) await fs.chmod(path.join(incoming, f.path), 0o400);
    await writeJsonAtomic(path.join(incoming, MANIFEST), manifest);
    await fs.chmod(path.join(incoming, MANIFEST), 0o400);
    if (existsSync(dir)) await fs.rm(dir, { recursive: true, force: true }); // a half-made bundle without a manifest
    await fs.rename(incoming, dir);
    return { id, dir, manifest, reused: false, bytes };
  } catch (e) {
    await fs.rm(incoming, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
}

/** Stages every input: each folder and archive is a bundle; all loose files together make one bundle. */
export async function stageBundles(bundlesDir: string, inputs: string[]): Promise<StagedBundle[]> {
  await mkdirPrivate(bundlesDir);
  // Leftovers of an intake killed midway are never evidence: clear them.
  for (const e of await fs.readdir(bundlesDir)) if (e.startsWith('.incoming-')) await fs.rm(path.join(bundlesDir, e), { recursive: true, force: true });
  const out: StagedBundle[] = [];
  const loose: string[] = [];
  for (const input of inputs) {
    const st = await fs.stat(input).catch(() => null);
    if (!st) throw new Error(`Cannot read ${input}: no such file or folder.`);
    if (st.isDirectory()) out.push(await stageOne(bundlesDir, 'folder', [input]));
    else if (ARCHIVE.test(input)) out.push(await stageOne(bundlesDir, 'archive', [input]));
    else loose.push(input);
  }
  if (loose.length) out.push(await stageOne(bundlesDir, 'files', loose));
  return out;
}
