// Words on the workbench that said something other than what they meant (qa20).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { api, caseLink, eventsTotal, openDemo } from './workbenchKit';

test.use({ openDefault: true });

test('the status bar counts a case\'s one bundle as "1 bundle", not "1 bundles"', async ({ app, casefile }) => {
  // A case of its own: the demo case gains bundles from other specs of the full run.
  const root = mkdtempSync(path.join(os.tmpdir(), 'casefile-words-'));
  let caseId = '';
  try {
    writeFileSync(path.join(root, 'app.json.log'), `${JSON.stringify({ timestamp: '2023-07-06T05:24:26.688Z', level: 'INFO', name: 'app', message: 'one line' })}\n`);
    caseId = (await api<{ id: string }>(casefile, 'cases.create', { name: 'words-one-bundle', dir: path.join(root, 'case') })).id;
    await api(casefile, 'import.paths', { caseId, paths: [path.join(root, 'app.json.log')] });
    const info = await api<{ bundleCount: number }>(casefile, 'cases.get', { caseId });
    expect(info.bundleCount).toBe(1);
    await app.goto();
    await app.page.goto(caseLink(casefile, caseId, 'timeline'));
    await expect(app.page.getByTestId('status-bundles')).toHaveText('1 bundle');
  } finally {
    if (caseId) await api(casefile, 'cases.close', { caseId }).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  }
});

test('a trace\'s header says its query time as the time it took to find, not beside the chain as if it were its duration', async ({ app, casefile, problems }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const key = '97809eee-1fb2-4964-ba30-077b847bfa6c'; // export_report, failed, span 1.28 s
  await page.goto(caseLink(casefile, caseId, 'trace', { trace: key }));
  await expect(page.getByTestId('trace-span')).toHaveText('span 1.28 s');
  const found = page.getByTestId('trace-found');
  await expect(found).toHaveText(/^9 events · found in \d+ ms$/);
  expect(problems.errors).toEqual([]);
});

test('a user chip says that it searches within the filters already set, as it does (it said "every record")', async ({ app, casefile, problems }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  await page.getByTestId('level-ERROR').click();
  const errors = await api<{ total: number }>(casefile, 'events.page', { caseId, filter: { levels: ['ERROR'] }, limit: 1 });
  await expect.poll(() => eventsTotal(page)).toBe(errors.total);
  await page.getByTestId('search-input').fill('Failed to load dataset');
  await page.getByTestId('search-input').press('Enter');
  await page.getByTestId('event-row').first().click();
  const chip = page.getByTestId('detail-panel').locator('[data-testid="facet-chip"][data-facet="user"]').first();
  await expect(chip).toHaveText('rahul');
  await expect(chip).toHaveAttribute('title', 'Search the timeline for rahul, within the other filters set (level, source, fields, time)');
  await chip.click();
  // what the chip made: rahul's ERROR records, fewer than every record that mentions rahul
  const within = await api<{ total: number }>(casefile, 'events.page', { caseId, filter: { levels: ['ERROR'], text: 'rahul' }, limit: 1 });
  const every = await api<{ total: number }>(casefile, 'events.page', { caseId, filter: { text: 'rahul' }, limit: 1 });
  expect(within.total).toBeLessThan(every.total);
  await expect.poll(() => eventsTotal(page)).toBe(within.total);
  expect(problems.errors).toEqual([]);
});
