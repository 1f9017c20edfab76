#!/usr/bin/env node
// `npm start [-- --case <dir>]`: the desktop app when the Electron binary is on disk, else browser mode
// (`casefile serve`, which opens the bundled demo case when no case is given; serve's flags such as --port and
// --no-open are passed on to it).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
/** npm runs scripts in the project root; a relative --case means the folder `npm start` was typed in. */
const typedIn = process.env.INIT_CWD ?? process.cwd();

/** The arguments with --case <dir> / --case=<dir> made absolute (the child runs in the project root). */
function withAbsoluteCase(argv) {
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--case' && argv[i + 1] !== undefined) out.push('--case', path.resolve(typedIn, argv[++i]));
    else if (argv[i].startsWith('--case=')) out.push('--case', path.resolve(typedIn, argv[i].slice('--case='.length)));
    else out.push(argv[i]);
  }
  return out;
}

/** The desktop app takes only --case <dir>: that pair, and whatever else was given (said, not passed on). */
function splitCase(argv) {
  const i = argv.indexOf('--case');
  return { kept: i >= 0 ? argv.slice(i, i + 2) : [], ignored: argv.filter((_, j) => i < 0 || (j !== i && j !== i + 1)) };
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

// --rebuild is this script's own (rebuild the desktop app); the rest is for the app or serve.
const given = withAbsoluteCase(args.filter((a) => a !== '--rebuild'));
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
  const { kept, ignored } = splitCase(given);
  if (ignored.length) console.error(`casefile: the desktop app takes only --case <dir>; ignored: ${ignored.join(' ')}`);
  run(electron.path, ['.', ...kept]);
} else {
  console.log(`casefile: Electron binary not found at ${electron.path}: starting browser mode (casefile serve).`);
  console.log('casefile: to use the desktop app, install the Electron binary (npx install-electron) and run npm start again.');
  run(process.execPath, [path.join(root, 'electron', 'cli', 'bin.mjs'), 'serve', ...given]);
}
