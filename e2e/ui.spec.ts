// Browser-mode UI against the real engine and bridge (e2e/fixtures): create a case, import a bundle, check lanes
// against events.sources, page the table, zoom, filter by level and text, open a record and read its fields;
// then chains → trace → identifier chip → around this moment. Every number on screen is checked against the engine.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { ROOT, expect, test, type Casefile } from './fixtures';
import { removeDir } from '../electron/testkit/tmp';

test.describe.configure({ mode: 'serial' });

let work = '';

/** The bundled demo bundle when present, else a small generated tree. */
function bundlePath(): string {
  for (const p of ['resources/demo/demo-bundle.tar.gz', 'resources/demo']) if (existsSync(path.join(ROOT, p))) return path.join(ROOT, p);
  const out = path.join(work, 'synth');
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'electron/testkit/synth/cli.ts',
    '--out', out, '--size', '1MB', '--seed', '3'], { cwd: ROOT, stdio: 'ignore' });
  return path.join(out, 'enrich');
}

test.beforeAll(() => { work = mkdtempSync(path.join(os.tmpdir(), 'casefile-ui-')); });
// The engine is shared by the worker's specs: close this file's case before its folder goes.
test.afterAll(async ({ casefile }) => {
  for (const c of await api<{ id: string; name: string }[]>(casefile, 'cases.list', {})) {
    if (c.name === 'Playwright case') await api(casefile, 'cases.close', { caseId: c.id }).catch(() => undefined);
  }
  if (work) removeDir(work);
});

function api<T>(casefile: Casefile, name: string, input: unknown): Promise<T> {
  return casefile.engine.invoke(name, input) as Promise<T>;
}

const num = (s: string | null) => Number((s ?? '').replace(/[^\d]/g, ''));
const eventsTotal = async (page: Page) => num(await page.getByTestId('events-total').textContent());

test('create a case, import a bundle, and investigate it on the timeline', async ({ app, casefile, problems }) => {
  test.setTimeout(240_000);
  const { page } = app;
  await app.goto();
  // The token leaves the address bar at once.
  await expect.poll(() => page.url()).not.toContain('token=');

  await page.getByTestId('case-name').fill('Playwright case');
  await page.getByTestId('case-dir').fill(path.join(work, 'case'));
  await page.getByTestId('case-create').click();
  await expect(page.getByTestId('case-name-header')).toHaveText(/Playwright case/);

  await page.getByTestId('import-paths').fill(bundlePath());
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-results')).toBeVisible({ timeout: 180_000 });
  expect(await page.getByTestId('import-file').count()).toBeGreaterThan(3);
  await page.getByTestId('goto-timeline').click();

  // Lanes and their totals match the engine's own per-source counts.
  const cases = await api<{ id: string; name: string }[]>(casefile, 'cases.list', {});
  const caseId = cases.find((c) => c.name === 'Playwright case')!.id;
  const sources = await api<{ source: string; count: number }[]>(casefile, 'events.sources', { caseId });
  expect(sources.length).toBeGreaterThan(2);
  const lanes = page.getByTestId('lane');
  await expect(lanes).toHaveCount(sources.length);
  for (const s of sources) {
    await expect(page.locator(`[data-testid="lane"][data-source="${s.source}"] [data-testid="lane-total"]`))
      .toHaveText(s.count.toLocaleString('en-US'));
  }
  const grand = sources.reduce((a, s) => a + s.count, 0);
  await expect.poll(() => eventsTotal(page)).toBe(grand);
  await expect(page.getByTestId('event-row').first()).toBeVisible();

  // Keyset paging: scrolling down loads later pages (never all rows) in time order.
  const scroller = page.getByTestId('events-scroll');
  const firstIds = await page.getByTestId('event-row').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-id'))));
  // Scrolled to the end until rows not on the first screen are drawn (a loaded runner answers pages slowly).
  const rowIds = () => page.getByTestId('event-row').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-id'))));
  for (let k = 0; k < 4; k++) {
    await scroller.evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await page.waitForTimeout(300);
  }
  if (grand > 400) {
    await expect.poll(async () => {
      await scroller.evaluate((el) => { el.scrollTop = el.scrollHeight; });
      return (await rowIds()).some((id) => !firstIds.includes(id));
    }, { timeout: 30_000 }).toBe(true);
  }
  const times = await page.locator('[data-testid="event-row"] .c-time').allTextContents();
  expect([...times].sort()).toEqual(times);
  expect(await page.getByTestId('event-row').count()).toBeLessThan(200);
  await scroller.evaluate((el) => { el.scrollTop = 0; });

  // Zoom: brush the middle third of the plot; the range becomes a chip and narrows the table.
  const plot = page.getByTestId('lane-plot').first();
  const box = (await page.locator('.lane-plot').boundingBox())!;
  expect(box).toBeTruthy();
  await plot.hover();
  await page.mouse.move(box.x + box.width * 0.33, box.y + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + 20, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.66, box.y + 30, { steps: 5 });
  await page.mouse.up();
  await expect(page.locator('[data-testid="filter-chip"][data-kind="range"]')).toBeVisible();
  await expect.poll(() => eventsTotal(page)).toBeLessThan(grand);
  const zoomed = await eventsTotal(page);
  expect(zoomed).toBeGreaterThan(0);
  await page.getByTestId('timeline-reset').click();
  await expect(page.locator('[data-testid="filter-chip"][data-kind="range"]')).toHaveCount(0);
  await expect.poll(() => eventsTotal(page)).toBe(grand);

  // Filter by level: only ERROR rows, and the total is what the engine counts.
  await page.getByTestId('level-ERROR').click();
  await expect(page.locator('[data-testid="filter-chip"][data-kind="level"]')).toBeVisible();
  const errPage = await api<{ total: number }>(casefile, 'events.page', { caseId, filter: { levels: ['ERROR'] }, limit: 1 });
  expect(errPage.total).toBeGreaterThan(0);
  await expect.poll(() => eventsTotal(page)).toBe(errPage.total);
  const levels = await page.getByTestId('event-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-level')));
  expect(levels.length).toBeGreaterThan(0);
  expect(new Set(levels)).toEqual(new Set(['ERROR']));

  // Then by text: a word from the first error's message.
  const firstMsg = (await page.locator('[data-testid="event-row"] .c-message').first().textContent()) ?? '';
  const word = firstMsg.split(/[^A-Za-z]+/).filter((w) => w.length >= 5)[0] ?? firstMsg.slice(0, 6);
  await page.keyboard.press('/');
  await expect(page.getByTestId('search-input')).toBeFocused();
  await page.getByTestId('search-input').fill(word);
  await page.getByTestId('search-input').press('Enter');
  await expect(page.locator('[data-testid="filter-chip"][data-kind="text"]')).toContainText(word);
  const textPage = await api<{ total: number }>(casefile, 'events.page', { caseId, filter: { levels: ['ERROR'], text: word }, limit: 1 });
  await expect.poll(() => eventsTotal(page)).toBe(textPage.total);
  expect(textPage.total).toBeGreaterThan(0);

  // Open a record: its fields, raw text and file:line show in the side panel.
  const row = page.getByTestId('event-row').first();
  const id = Number(await row.getAttribute('data-id'));
  await row.click();
  await expect(page.getByTestId('detail-panel')).toBeVisible();
  const detail = await api<{ fields: Record<string, unknown>; raw: string; file: string; line: number }>(casefile, 'events.get', { caseId, id });
  await expect(page.getByTestId('detail-field')).toHaveCount(Object.keys(detail.fields).length);
  await expect(page.getByTestId('detail-file')).toContainText(`${detail.file}:${detail.line}`);
  await expect(page.getByTestId('detail-raw')).toHaveText(detail.raw);
  await expect(page.getByTestId('detail-message')).toContainText(word);

  // Around this moment: the other sources near this record, grouped by source.
  await page.getByTestId('around-btn').click();
  await expect(page.getByTestId('around-view')).toBeVisible();
  expect(await page.getByTestId('around-group').count()).toBeGreaterThan(0);

  // Esc closes "around", then the record.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('around-view')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('detail-panel')).toHaveCount(0);

  // The audit panel lists what we just did and verifies the chain.
  await page.getByTestId('tab-audit').click();
  await expect(page.getByTestId('audit-row').first()).toBeVisible();
  await expect(page.getByTestId('integrity-badge')).toHaveAttribute('data-state', 'ok');

  expect(problems.csp).toEqual([]);
  expect(problems.errors).toEqual([]);
});

test('chains → trace → identifier chip → around this moment', async ({ app, casefile, problems }) => {
  test.setTimeout(120_000);
  const { page } = app;
  const cases = await api<{ id: string; name: string }[]>(casefile, 'cases.list', {});
  const caseId = cases.find((c) => c.name === 'Playwright case')?.id;
  expect(caseId, 'the first test creates and imports the case').toBeTruthy();
  // A failing call fails the test: nothing here skips itself.
  const listed = await api<{ chains: { key: string }[]; total: number }>(casefile, 'chains.list', { caseId, limit: 1000 });
  expect(listed.chains.length, 'the imported bundle has correlated chains').toBeGreaterThan(0);

  await app.goto();
  await page.getByTestId('tab-chains').click();
  await expect(page.getByTestId('chain-row')).toHaveCount(listed.chains.length);
  const row = page.getByTestId('chain-row').first();
  const key = (await row.getAttribute('data-key'))!;
  await row.click();
  await expect(page.getByTestId('trace-view')).toBeVisible();
  const trace = await api<{ events: { id: number; source: string; ts: string | null }[]; mentions?: unknown[] }>(casefile, 'chains.trace', { caseId, key });
  await expect(page.getByTestId('trace-event')).toHaveCount(trace.events.length);
  const timedSources = new Set(trace.events.filter((e) => e.ts).map((e) => e.source));
  await expect(page.getByTestId('trace-lane')).toHaveCount(timedSources.size);
  await expect(page.getByTestId('trace-mention')).toHaveCount(trace.mentions?.length ?? 0);

  // Open one event of the trace, then pivot on an identifier chip in its detail (when it has one).
  await page.getByTestId('trace-event').first().click();
  await expect(page.getByTestId('detail-panel')).toBeVisible();
  // Every identifier the engine sees in the record is a chip; the key of the chain it was opened from among them.
  const idents = await api<{ identifiers: { role: string; value: string }[] }>(casefile, 'chains.identifiers', { caseId, eventId: trace.events[0]!.id });
  await expect(page.getByTestId('identifier')).toHaveCount(idents.identifiers.length);
  expect(idents.identifiers.length).toBeGreaterThan(0);
  await expect(page.locator(`[data-testid="identifier"] [data-testid="id-chip"]`, { hasText: key }).first()).toBeVisible();
  await page.getByTestId('around-btn').click();
  await expect(page.getByTestId('around-group').first()).toBeVisible();
  const chip = page.locator('[data-testid="detail-panel"] [data-testid="id-chip"]').first();
  if (await chip.count()) {
    const id = (await chip.textContent())!;
    await chip.click();
    await expect(page.getByTestId('trace-key')).toBeVisible();
    const pivot = await api<{ events: unknown[] }>(casefile, 'chains.trace', { caseId, key: id });
    await expect(page.getByTestId('trace-event')).toHaveCount(pivot.events.length);
  }
  expect(problems.errors).toEqual([]);
});
