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
const caseId = await engine.openDefaultCase();
const server = await startServer({ engine, port: 0, rendererDir: path.join(ROOT, 'out', 'renderer') });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1480, height: 900 } });
  await page.goto(server.url);
  await page.getByTestId('lane').first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1500);
  const which = process.argv[2];
  if (which !== 'export') await page.screenshot({ path: path.join(ROOT, 'docs/screenshots/timeline.png') });
  if (which === 'export' || !which) {
    // The export dialog on the ERROR events: the redacted preview with its replacements counted by type.
    await page.getByTestId('level-ERROR').click();
    await page.getByTestId('export-open').click();
    await page.getByTestId('preview-row').first().waitFor({ timeout: 60_000 });
    await page.getByTestId('export-recipient').selectOption('plaintext');
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(ROOT, 'docs/screenshots/export.png') });
    await page.getByTestId('export-close').click();
    await page.getByTestId('level-ERROR').click();
  }
  if (which !== 'timeline' && which !== 'export') {
    await page.getByTestId('tab-chains').click();
    await page.getByTestId('chain-row').first().waitFor({ timeout: 60_000 });
    // A failed Celery task: the dashboard's polls, the worker's records and the traceback on one waterfall.
    const failed = (await engine.invoke('chains.list', { caseId, kinds: ['celery_task'], statuses: ['failure'], sort: 'events', limit: 1 })) as { chains: { key: string }[] };
    const key = failed.chains[0]!.key;
    await page.getByTestId('chain-text').fill(key);
    const row = page.locator(`[data-testid="chain-row"][data-key="${key}"]`);
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await page.getByTestId('waterfall').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(ROOT, 'docs/screenshots/trace.png') });
  }
} finally {
  await browser.close();
  await server.close();
  await engine.close();
  await rm(home, { recursive: true, force: true });
}
