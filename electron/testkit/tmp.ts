// Temporary folders for tests, removed afterwards (evidence files are read-only, so chmod first).
import { mkdtempSync, rmSync, chmodSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tempDir(prefix = 'casefile-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  const unlock = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      const st = statSync(p);
      chmodSync(p, st.isDirectory() ? 0o700 : 0o600);
      if (st.isDirectory()) unlock(p);
    }
  };
  try { unlock(dir); } catch { /* best effort */ }
  rmSync(dir, { recursive: true, force: true });
}
