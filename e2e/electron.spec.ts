/// <reference lib="dom" />
// The desktop app through Playwright's _electron. Skips cleanly when the Electron binary is not on disk (our
// build machines); detection is by files, never by require('electron'), which would try to download it.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { _electron, expect, test } from '@playwright/test';
import { findElectronBinary } from '../electron/cli/electron-binary.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const electron = findElectronBinary(ROOT);

test.skip(!electron.found, `Electron binary not found at ${electron.path}`);

test('the desktop window is sandboxed, on app://, and talks only through window.casefile', async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'casefile-e2e-electron-'));
  const app = await _electron.launch({
    executablePath: electron.path,
    args: [ROOT],
    env: { ...process.env, CASEFILE_HOME: home },
  });
  try {
    const win = await app.firstWindow();
    await win.waitForLoadState('domcontentloaded');
    expect(win.url()).toMatch(/^app:\/\/casefile\//);

    const surface = await win.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      bridge: Object.keys((window as unknown as { casefile: object }).casefile).sort(),
    }));
    expect(surface).toEqual({ require: 'undefined', process: 'undefined', bridge: ['invoke', 'on', 'pathForFile'] });

    const info = await win.evaluate(() => (window as unknown as { casefile: { invoke(n: string, i: unknown): Promise<unknown> } }).casefile.invoke('app.info', {}));
    expect(info).toMatchObject({ ok: true, value: { mode: 'electron' } });

    const refused = await win.evaluate(() => (window as unknown as { casefile: { invoke(n: string, i: unknown): Promise<unknown> } }).casefile.invoke('no.such.call', {}));
    expect(refused).toMatchObject({ ok: false, error: { code: 'unknown_call' } });

    // Navigation away is refused: the window stays on app://.
    await win.evaluate(() => { window.location.href = 'https://example.com/'; });
    await win.waitForTimeout(500);
    expect(win.url()).toMatch(/^app:\/\/casefile\//);

    const webPrefs = await app.evaluate(({ BrowserWindow }) => {
      const w = BrowserWindow.getAllWindows()[0]!;
      return { windows: BrowserWindow.getAllWindows().length, url: w.webContents.getURL() };
    });
    expect(webPrefs).toEqual({ windows: 1, url: expect.stringMatching(/^app:\/\/casefile\//) });
  } finally {
    await app.close();
    await rm(home, { recursive: true, force: true });
  }
});
