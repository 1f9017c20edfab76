/// <reference lib="dom" />
// The desktop app through Playwright's _electron. Skips cleanly when the Electron binary is not on disk (our
// build machines); detection is by files, never by require('electron'), which would try to download it.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
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

test('a casefile://open link opens its record at launch, and a second launch hands its link to the running window', async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'casefile-e2e-electron-'));
  const env = { ...process.env, CASEFILE_HOME: home };
  type Bridge = { casefile: { invoke(n: string, i: unknown): Promise<{ ok: boolean; value: unknown }> } };
  const launch = (link?: string) => _electron.launch({ executablePath: electron.path, args: link ? [ROOT, link] : [ROOT], env });
  try {
    // First run: the demo case is made; note its id and two of its ERROR records.
    let app = await launch();
    let win = await app.firstWindow();
    const found = await win.evaluate(async () => {
      const c = (window as unknown as Bridge).casefile;
      const info = (await c.invoke('app.info', {})).value as { defaultCaseId: string };
      const page = (await c.invoke('events.page', { caseId: info.defaultCaseId, filter: { levels: ['ERROR'] }, limit: 2 })).value as { rows: { id: number; file: string; line: number }[] };
      return { caseId: info.defaultCaseId, rows: page.rows };
    });
    await app.close();
    const [a, b] = found.rows;

    // Launched by a link: that record is open.
    app = await launch(`casefile://open?case=${found.caseId}&event=${a!.id}`);
    win = await app.firstWindow();
    await expect(win.getByTestId('detail-file')).toContainText(`${a!.file}:${a!.line}`);

    // A second launch with another link quits at once and the running window opens that record.
    const second = spawn(electron.path, [ROOT, `casefile://open?case=${found.caseId}&event=${b!.id}`], { env, stdio: 'ignore' });
    await new Promise((resolve) => second.once('exit', resolve));
    await expect(win.getByTestId('detail-file')).toContainText(`${b!.file}:${b!.line}`);
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);

    // A link to a case this installation does not have changes nothing.
    const third = spawn(electron.path, [ROOT, `casefile://open?case=0f0f0f0f-0000-4000-8000-000000000000&event=${a!.id}`], { env, stdio: 'ignore' });
    await new Promise((resolve) => third.once('exit', resolve));
    await win.waitForTimeout(1000);
    await expect(win.getByTestId('detail-file')).toContainText(`${b!.file}:${b!.line}`);
    await app.close();
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
