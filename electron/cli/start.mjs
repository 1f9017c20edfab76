#!/usr/bin/env node
// `npm start [-- --case <dir>]`: the desktop app when the Electron binary is on disk, else browser mode
// (`casefile serve`, which opens the bundled demo case when no case is given).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);

/** Only --case <dir> / --case=<dir> is passed on; the case path is made absolute (cwd differs for the child). */
function caseArgs(argv) {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--case' && argv[i + 1]) return ['--case', path.resolve(argv[i + 1])];
    if (argv[i].startsWith('--case=')) return ['--case', path.resolve(argv[i].slice('--case='.length))];
  }
  return [];
}

/** Runs a child with our stdio, forwards Ctrl+C/TERM to it, and exits with its code. */
function run(cmd, cmdArgs) {
  const child = spawn(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  child.on('error', (e) => {
    console.error(`casefile: could not start ${cmd}: ${e.message}`);
    process.exit(1);
  });
}

const built = ['out/main/index.js', 'out/main/engine-host.js', 'out/preload/index.cjs', 'out/renderer/index.html']
  .every((f) => existsSync(path.join(root, f)));

const electron = findElectronBinary(root);
if (electron.found) {
  if (!built || args.includes('--rebuild')) {
    console.log('casefile: building the app (npm run build)…');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const res = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    if (res.status !== 0) {
      console.error('casefile: the build failed; see the output above.');
      process.exit(res.status ?? 1);
    }
  }
  run(electron.path, ['.', ...caseArgs(args)]);
} else {
  console.log(`casefile: Electron binary not found at ${electron.path}: starting browser mode (casefile serve).`);
  console.log('casefile: to use the desktop app, install the Electron binary (npx install-electron) and run npm start again.');
  run(process.execPath, [path.join(root, 'electron', 'cli', 'bin.mjs'), 'serve', ...caseArgs(args)]);
}
