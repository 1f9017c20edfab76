// Before any spec: make sure the built UI exists and is newer than its sources (and, when an Electron binary is
// present, the main/preload bundles too), so specs always test the code in the tree.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { findElectronBinary } from '../electron/cli/electron-binary.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function stale(output: string, sources: string[]): boolean {
  const out = path.join(ROOT, output);
  if (!existsSync(out)) return true;
  const built = statSync(out).mtimeMs;
  return sources.some((s) => existsSync(path.join(ROOT, s)) && newestMtime(path.join(ROOT, s)) > built);
}

function run(args: string[]): void {
  const res = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`e2e setup: ${args.join(' ')} failed (exit ${res.status})`);
}

export default function globalSetup(): void {
  if (process.env.CASEFILE_SKIP_BUILD === '1') return;
  if (stale('out/renderer/index.html', ['renderer', 'shared'])) {
    run([path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
  }
  if (findElectronBinary(ROOT).found && stale('out/main/index.js', ['electron/shell', 'electron/engine', 'shared'])) {
    run([path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build']);
  }
}
