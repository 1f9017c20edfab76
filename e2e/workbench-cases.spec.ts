// Cases as the operator comes back to them, against the real engine and bridge: yesterday's case (in the recent list,
// not open in this engine) opened from the Cases list, from a link and by Back; a link to a case that is gone.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { api, eventsTotal } from './workbenchKit';

test.use({ openDefault: true });

/** A case with a few events, made and closed: listed among the recent cases, not open in the engine. */
async function closedCase(casefile: Parameters<typeof api>[0], name: string) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'casefile-cases-'));
  await writeFile(path.join(dir, 'celery-worker.log'), [
    '[2023-07-06 03:30:00,000: INFO/MainProcess] Connected to redis://localhost:6379/0',
    '[2023-07-06 03:30:01,000: ERROR/MainProcess] Task boom[0b6ba3a4-7a6e-4f4e-9a38-2f1c8c4d8e11] raised unexpected: ValueError()',
    '[2023-07-06 03:30:02,000: INFO/MainProcess] mingle: all alone',
  ].join('\n') + '\n');
  const made = await api<{ id: string }>(casefile, 'cases.create', { name, dir: path.join(dir, 'case') });
  await api(casefile, 'import.paths', { caseId: made.id, paths: [path.join(dir, 'celery-worker.log')] });
  await api(casefile, 'cases.close', { caseId: made.id });
  return { id: made.id, dir };
}

test('a recent case not open in the engine opens from the Cases list, with its events', async ({ app, casefile, problems }) => {
  const { page } = app;
  const c = await closedCase(casefile, 'Yesterday');
  await app.goto();
  await expect(page.getByTestId('case-name-header')).toContainText('Demo');
  await page.getByTestId('tab-cases').click();
  await page.locator(`[data-testid="case-row"][data-case="${c.id}"]`).getByTestId('case-open').click();
  await expect(page.getByTestId('case-name-header')).toContainText('Yesterday');
  await expect.poll(() => eventsTotal(page)).toBe(3);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  expect(problems.errors).toEqual([]);
  await api(casefile, 'cases.close', { caseId: c.id });
  await rm(c.dir, { recursive: true, force: true, maxRetries: 5 });
});

test('a link to a recent case not open in the engine opens it; Back to it after it closed opens it again', async ({ app, casefile }) => {
  const { page } = app;
  const c = await closedCase(casefile, 'Linked yesterday');
  const link = new URL(casefile.server.url);
  link.searchParams.set('case', c.id);
  link.searchParams.set('view', 'timeline');
  await page.goto(link.toString());
  await expect(page.getByTestId('case-name-header')).toContainText('Linked yesterday');
  await expect.poll(() => eventsTotal(page)).toBe(3);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  // To the demo case, then the case closes in the engine (another window, the CLI); Back opens it again.
  await page.getByTestId('tab-cases').click();
  await page.locator(`[data-testid="case-row"][data-case="${casefile.defaultCaseId}"]`).getByTestId('case-open').click();
  await expect(page.getByTestId('case-name-header')).toContainText('Demo');
  await api(casefile, 'cases.close', { caseId: c.id });
  await page.goBack(); // to where it was left: its Cases view
  await expect(page.getByTestId('case-name-header')).toContainText('Linked yesterday');
  await expect(page.getByTestId('cases-view')).toBeVisible();
  await page.getByTestId('tab-timeline').click();
  await expect.poll(() => eventsTotal(page)).toBe(3);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  await api(casefile, 'cases.close', { caseId: c.id });
  await rm(c.dir, { recursive: true, force: true, maxRetries: 5 });
});

test('a link to a case that is gone says so, and shows the default case without the link\'s filter', async ({ app, casefile }) => {
  const { page } = app;
  const c = await closedCase(casefile, 'Deleted since');
  await rm(c.dir, { recursive: true, force: true, maxRetries: 5 });
  const link = new URL(casefile.server.url);
  link.searchParams.set('case', c.id);
  link.searchParams.set('view', 'timeline');
  link.searchParams.set('filter', JSON.stringify({ text: 'boom' }));
  await page.goto(link.toString());
  await expect(page.getByTestId('error-banner')).toContainText(`The linked case (${c.id}) is not open here`);
  await expect(page.getByTestId('case-name-header')).toContainText('Demo');
  await expect(page.getByTestId('search-input')).toHaveValue('');
});
