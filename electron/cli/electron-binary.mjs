// Finds the Electron binary by files on disk. Never require('electron'): since Electron 42 that downloads the
// binary on first use, which hangs or fails on offline build machines.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const DEFAULT_NAMES = { linux: 'electron', darwin: 'Electron.app/Contents/MacOS/Electron', win32: 'electron.exe' };

/**
 * @param {string} root project root (holding node_modules/electron)
 * @returns {{ found: boolean, path: string }} where the binary is, or where it was looked for
 */
export function findElectronBinary(root) {
  const pkgDir = path.join(root, 'node_modules', 'electron');
  const pathTxt = path.join(pkgDir, 'path.txt');
  const rel = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : (DEFAULT_NAMES[process.platform] ?? 'electron');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const bin = override ? path.join(override, rel) : path.join(pkgDir, 'dist', rel);
  return { found: existsSync(bin), path: bin };
}
