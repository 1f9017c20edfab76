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
  // `npm run screenshots [name…]`: all of them, or the ones named.
  const wanted = process.argv.slice(2);
  const want = (name: string) => !wanted.length || wanted.includes(name);
  const shot = (name: string) => page.screenshot({ path: path.join(ROOT, `docs/screenshots/${name}.png`) });
  if (want('timeline')) {
    // The field sidebar with one field open: its top values, each to filter for, filter out or add as a column.
    await page.locator('[data-testid="field-item"][data-field="logger"] .field-name').click();
    await page.getByTestId('field-value').first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(300);
    await shot('timeline');
    await page.locator('[data-testid="field-item"][data-field="logger"] .field-name').click();
  }
  // The first-run steps are in the timeline picture; the others show the app as it is used.
  await page.getByTestId('start-here-dismiss').click();
  if (want('export')) {
    // The export dialog on the ERROR events: the redacted preview with its replacements counted by type.
    await page.getByTestId('level-ERROR').click();
    await page.getByTestId('export-open').click();
    await page.getByTestId('preview-row').first().waitFor({ timeout: 60_000 });
    await page.getByTestId('export-recipient').selectOption('plaintext');
    await page.waitForTimeout(500);
    await shot('export');
    await page.getByTestId('export-close').click();
    await page.getByTestId('level-ERROR').click();
  }
  if (want('around')) {
    // An ERROR record's detail and "around this moment": every source merged in time order, ±30 s.
    await page.getByTestId('level-ERROR').click();
    const errors = (await engine.invoke('events.page', { caseId, filter: { levels: ['ERROR'] }, limit: 5 })) as { rows: { id: number }[] };
    const row = page.locator(`[data-testid="event-row"][data-id="${errors.rows[4]!.id}"]`);
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await page.getByTestId('around-btn').click();
    await page.getByTestId('around-merged').click();
    await page.locator('[data-testid="around-all"] [data-testid="around-event"]').first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(500);
    await shot('around');
    await page.getByTestId('detail-close').click();
    await page.getByTestId('level-ERROR').click();
  }
  const openChain = async (key: string) => {
    await page.getByTestId('tab-chains').click();
    await page.getByTestId('chain-text').fill(key);
    const row = page.locator(`[data-testid="chain-row"][data-key="${key}"]`);
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await page.getByTestId('waterfall').first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(800);
  };
  if (want('trace')) {
    // A failed Celery task: the dashboard's polls, the worker's records and the traceback on one waterfall.
    const failed = (await engine.invoke('chains.list', { caseId, kinds: ['celery_task'], statuses: ['failure'], sort: 'events', limit: 1 })) as { chains: { key: string }[] };
    await openChain(failed.chains[0]!.key);
    await shot('trace');
  }
  if (want('linked')) {
    // A pipeline run inside its Prefect flow: the flow, its runs and their registrations as one tree (evidence/inferred).
    await openChain('hourly-20230706-105553');
    await page.getByTestId('linked-chains').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(500);
    await shot('linked');
  }
} finally {
  await browser.close();
  await server.close();
  await engine.close();
  await rm(home, { recursive: true, force: true });
}
