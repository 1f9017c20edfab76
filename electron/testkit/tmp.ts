// Temporary folders for tests, removed afterwards (evidence files are read-only, so chmod first).
import { mkdtempSync, mkdirSync, rmSync, chmodSync, readdirSync, lstatSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tempDir(prefix = 'casefile-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  const unlock = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      // lstat, and links left alone: a link in a test tree may lead out of it (to /etc), and chmod follows links.
      const st = lstatSync(p);
      if (st.isSymbolicLink()) continue;
      chmodSync(p, st.isDirectory() ? 0o700 : 0o600);
      if (st.isDirectory()) unlock(p);
    }
  };
  try { unlock(dir); } catch { /* best effort */ }
  rmSync(dir, { recursive: true, force: true });
}

/** Writes `data` at `root/rel`, making the folders on the way; returns the file's path. */
export function writeAt(root: string, rel: string, data: string | Buffer): string {
  const p = path.join(root, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, data);
  return p;
}
