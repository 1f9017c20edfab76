// `npm start` on a machine without the Electron binary (our build machines): it says why and starts browser mode on
// the bundled demo case, passing serve's own flags on, and stops cleanly on Ctrl+C. The real start script and server.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir, writeAt } from '../testkit/tmp';

const start = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'start.mjs');
const root = tempDir('casefile-start-');
/** Where ELECTRON_OVERRIDE_DIST_PATH points: a folder without the binary. */
const noElectron = path.join(root, 'no-electron');
mkdirSync(noElectron);
/** Every start this file ran: a failed assertion must not leave a server running. */
const started: ChildProcess[] = [];
afterAll(() => {
  // Each start leads its own process group, so its server goes with it.
  for (const c of started) if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, 'SIGKILL');
  removeDir(root);
});
const run = (args: string[]) => {
  const child = spawn(process.execPath, [start, ...args], {
    env: { ...process.env, CASEFILE_HOME: path.join(root, 'home'), ELECTRON_OVERRIDE_DIST_PATH: noElectron },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.push(child);
  return child;
};

describe('npm start without the Electron binary', () => {
  it('says why, serves the demo case in browser mode with the flags it was given, and stops on SIGINT', async () => {
    // A stand-in UI, so the test neither needs nor builds the real one.
    const ui = path.join(root, 'ui');
    writeAt(ui, 'index.html', '<!doctype html><title>stand-in UI</title>');
    const child = run(['--no-open', '--port', '0', '--renderer', ui]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const poll = setInterval(() => {
        const m = /URL: (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(stdout);
        if (m) { clearInterval(poll); resolve(m[1]!); }
      }, 100);
      void exited.then((code) => { clearInterval(poll); reject(new Error(`start exited ${code}: ${stdout}${stderr}`)); });
    });
    expect(stdout).toMatch(/Electron binary not found at .*no-electron.*: starting browser mode/);
    expect(stdout).toMatch(/Opened: demo case/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('stand-in UI');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('refuses a flag serve does not know, saying so, instead of ignoring it', async () => {
    const child = run(['--no-such-flag']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(stderr).toMatch(/unknown option '--no-such-flag'/);
  });
});
