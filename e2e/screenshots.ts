// `npm run screenshots`: the README's pictures, taken from the real app (browser mode, real engine, demo case).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM as CHROMIUM_PATH, CHROMIUM_ARGS } from './playwright.config';

const ROOT = path.resolve(import.meta.dirname, '..');
const home = await mkdtemp(path.join(os.tmpdir(), 'casefile-shots-'));
process.env.CASEFILE_HOME = home;
const { Engine } = await import('../electron/engine/engine');
const { startServer } = await import('../electron/serve/server');
const engine = await Engine.create({ via: 'browser' });
await engine.openDefaultCase();
const server = await startServer({ engine, port: 0, rendererDir: path.join(ROOT, 'out', 'renderer') });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1480, height: 900 } });
  await page.goto(server.url);
  await page.getByTestId('lane').first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: path.join(ROOT, 'docs/screenshots/timeline.png') });
  const which = process.argv[2];
  if (which !== 'timeline') {
    await page.getByRole('button', { name: /chains/i }).first().click().catch(() => undefined);
    const row = page.getByTestId('chain-row').first();
    if (await row.isVisible({ timeout: 10_000 }).catch(() => false)) {
      await row.click();
      await page.getByTestId('trace-lane').first().waitFor({ timeout: 30_000 });
      await page.waitForTimeout(800);
      await page.screenshot({ path: path.join(ROOT, 'docs/screenshots/trace.png') });
    }
  }
} finally {
  await browser.close();
  await server.close();
  await engine.close();
  await rm(home, { recursive: true, force: true });
}
