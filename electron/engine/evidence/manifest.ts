// A bundle's manifest: the sha256 record of its evidence files, kept beside the bundle folder
// (`bundles/<id>.manifest.json`; cases made before kept it at `bundles/<id>/manifest.json`). Below every feature:
// intake writes it, a pull hands one over, custody checks the evidence against it.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { readOwnFile } from '../util/smallFile';

export interface ManifestFile {
  path: string; size: number; mtime: string; sha256: string;
  /** This file begins with the bytes of an earlier bundle's file (a log that grew, or grew and was rotated). */
  continues?: { bundle: string; path: string; bytes: number; sha256: string };
  /** Hex of the file's relative path as its bytes were in the input, when they are not UTF-8 (`path` says them %XX). */
  sourceName?: string;
}
export interface Manifest {
  format: 'casefile/manifest@1';
  bundle: string;
  created: string;
  /**
   * `from`: the archive this bundle's files came out of is a file of another bundle (its id and the file's path; that
   * bundle's manifest pins the archive's sha256, as `archiveSha256` here does).
   */
  origin: { kind: 'folder' | 'archive' | 'files'; inputs: string[]; archiveSha256?: string; from?: { bundle: string; path: string } };
  files: ManifestFile[];
  /** What the input held that is not evidence and was left out (links, devices, duplicate archive members). */
  dropped?: string[];
}

/** Where a bundle's manifest is. Legacy cases kept it inside the bundle folder. */
export const manifestPath = (bundlesDir: string, id: string) => path.join(bundlesDir, `${id}.manifest.json`);
export const LEGACY_MANIFEST = 'manifest.json';

export async function sha256File(file: string | Buffer): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(file), h);
  return h.digest('hex');
}

/** A bundle's manifest (its text, for hashing, and parsed), from where it is or, for legacy cases, was kept. */
export async function readManifest(bundlesDir: string, id: string): Promise<{ text: string; file: string; legacy: boolean } | null> {
  for (const [file, legacy] of [[manifestPath(bundlesDir, id), false], [path.join(bundlesDir, id, LEGACY_MANIFEST), true]] as const) {
    // never through a link, never waiting on a pipe: such a manifest is as good as missing (verify says so)
    const read = await readOwnFile(file, 256 * 1024 * 1024, 'a manifest');
    if (!('bytes' in read)) continue;
    const text = read.bytes.toString('utf8');
    if (legacy) {
      // Only ours if it says so: an evidence file of that name in a new-style bundle is evidence.
      try { if ((JSON.parse(text) as { format?: unknown; bundle?: unknown }).bundle !== id) continue; } catch { continue; }
    }
    return { text, file, legacy };
  }
  return null;
}

/** A bundle's id, from its content: the same evidence imported twice (folder or tarball) is one bundle. */
export function bundleId(files: ManifestFile[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => a.path.localeCompare(b.path))) h.update(`${f.path}\0${f.sha256}\n`);
  return h.digest('hex').slice(0, 16);
}

/** Leftovers of an intake killed midway are never evidence. */
export const isStaging = (name: string) => name.startsWith('.incoming-');
