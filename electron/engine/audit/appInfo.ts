// Who and what wrote an audit entry: the operator, the host, and the exact app build (version, git commit,
// a digest of the dependency versions) so a reviewer can tell which code produced a result.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dataHome } from '../case/paths';
import { sha256Hex } from './canonical';
import { readSmallFile } from '../util/smallFile';

export interface AppInfo { version: string; commit: string; depsDigest: string }
export interface Operator { osUser: string; name: string }

/** The folder holding Casefile's package.json: walk up from this module (works from sources and from out/). */
export function appRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try { if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'casefile') return dir; } catch { /* keep walking */ }
    }
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

let cached: Promise<AppInfo> | undefined;

/** Computed once per process: the build does not change under a running app. */
export function appInfo(): Promise<AppInfo> {
  cached ??= computeAppInfo(appRoot());
  return cached;
}

async function computeAppInfo(root: string): Promise<AppInfo> {
  const pkg = await readJson<{ version?: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> }>(path.join(root, 'package.json'));
  return { version: pkg?.version ?? 'unknown', commit: await gitCommit(root), depsDigest: await depsDigest(root, pkg) };
}

function gitCommit(root: string): Promise<string> {
  // A packaged build has no .git: the build step may pass the commit in CASEFILE_COMMIT.
  if (process.env.CASEFILE_COMMIT) return Promise.resolve(process.env.CASEFILE_COMMIT);
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', 'HEAD'], { cwd: root, timeout: 5000 }, (err, stdout) => {
      const sha = String(stdout ?? '').trim();
      resolve(!err && /^[0-9a-f]{40}$/.test(sha) ? sha : 'unknown');
    });
  });
}

/** sha256 of the sorted `name@version` lines of the installed tree (package-lock), else of package.json's ranges. */
async function depsDigest(root: string, pkg: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> } | null): Promise<string> {
  const lock = await readJson<{ packages?: Record<string, { version?: string }> }>(path.join(root, 'package-lock.json'));
  let lines: string[];
  if (lock?.packages) {
    lines = Object.entries(lock.packages)
      .filter(([k]) => k.startsWith('node_modules/'))
      .map(([k, v]) => `${k.slice(k.lastIndexOf('node_modules/') + 'node_modules/'.length)}@${v.version ?? '?'}`);
  } else {
    lines = Object.entries({ ...pkg?.dependencies, ...pkg?.devDependencies }).map(([n, v]) => `${n}@${v}`);
  }
  return sha256Hex([...new Set(lines)].sort().join('\n'));
}

async function readJson<T>(file: string): Promise<T | null> {
  // A regular file of a bound only: settings.json is read for every audited entry, and a pipe there hung them all.
  try { return JSON.parse((await readSmallFile(file, 64 << 20, 'a JSON file')).toString('utf8')) as T; } catch { return null; }
}

/** The operator: CASEFILE_OPERATOR, else `operatorName` in <data home>/settings.json, else the OS user. Read per entry, so a settings change shows at once. */
export async function currentOperator(): Promise<Operator> {
  let osUser: string;
  try { osUser = os.userInfo().username; } catch { osUser = process.env.USER ?? process.env.USERNAME ?? 'unknown'; }
  const fromEnv = process.env.CASEFILE_OPERATOR?.trim();
  if (fromEnv) return { osUser, name: fromEnv };
  const settings = await readJson<{ operatorName?: unknown }>(path.join(dataHome(), 'settings.json'));
  const fromSettings = typeof settings?.operatorName === 'string' ? settings.operatorName.trim() : '';
  return { osUser, name: fromSettings || osUser };
}
