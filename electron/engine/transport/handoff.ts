// The one hand-off from a finished pull to the evidence store: the pulled tree is moved (renamed, not copied) into
// `bundles/<id>/` with a manifest that records where each file came from. The id is computed like any bundle's
// (paths + sha256), so the same files brought in another way are recognised as the same evidence.
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { bundleId, manifestPath, readManifest, type Manifest, type ManifestFile } from '../ingest/bundle';
import { fsyncDir, mkdirPrivate, writeJsonAtomic } from '../util/atomic';
import type { HopInfo } from './sshChain';

export interface PulledManifestFile extends ManifestFile {
  remote: { path: string; size: number; mtime: string; sha256?: string };
}
export interface SftpOrigin {
  kind: 'sftp';
  /** For readers of any bundle: one human-readable input. */
  inputs: string[];
  profile: string;
  root: string;
  pullId: string;
  hosts: HopInfo[];
}
export type PulledManifest = Omit<Manifest, 'origin' | 'files' | 'dropped'> & { origin: SftpOrigin; files: PulledManifestFile[] };

export interface AdoptResult { id: string; dir: string; reused: boolean; manifest: PulledManifest }

/** A relative POSIX path that stays inside its folder: no absolute, no `..`, no empty or dot segments. */
export function safeRelative(rel: string): boolean {
  return !!rel && !rel.startsWith('/') && !rel.includes('\0') && !rel.includes('\\')
    && rel.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/**
 * Moves `tree` (holding exactly `files`, already hashed while pulled) into `bundlesDir/<id>/`. If the case already
 * holds a bundle with that id, the pulled copy is dropped and the existing bundle is returned.
 */
export async function adoptPulledTree(bundlesDir: string, tree: string, files: PulledManifestFile[], origin: SftpOrigin): Promise<AdoptResult> {
  for (const f of files) if (!safeRelative(f.path)) throw new Error(`Refusing to adopt "${f.path}": not a plain relative path.`);
  const id = bundleId(files);
  const dir = path.join(bundlesDir, id);
  await mkdirPrivate(bundlesDir);
  const existing = existsSync(dir) ? await readManifest(bundlesDir, id) : null;
  if (existing) {
    await fs.rm(tree, { recursive: true, force: true });
    return { id, dir, reused: true, manifest: JSON.parse(existing.text) as PulledManifest };
  }
  const manifest: PulledManifest = { format: 'casefile/manifest@1', bundle: id, created: new Date().toISOString(), origin, files };
  // As for any intake: evidence read-only, the folder lands first and its manifest (beside it) second; a folder
  // without a manifest is a half-made bundle that the next intake of the same evidence replaces.
  for (const f of files) await fs.chmod(path.join(tree, f.path), 0o400);
  if (existsSync(dir)) await fs.rm(dir, { recursive: true, force: true });
  await fs.rename(tree, dir); // same file system (both in the case folder): a move, never a copy
  await fsyncDir(bundlesDir);
  await writeJsonAtomic(manifestPath(bundlesDir, id), manifest);
  await fs.chmod(manifestPath(bundlesDir, id), 0o400);
  return { id, dir, reused: false, manifest };
}
