// Correcting the site zone of a case in the app: what it re-times is said and asked first; after it, the open views
// show the new times without a reload. Against the real engine and bridge.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { api } from './workbenchKit';

test.use({ openDefault: true });

test('changing the site zone says how many events it re-times, asks, and the timeline redraws in the new times', async ({ app, casefile, problems }) => {
  const { page } = app;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'casefile-tz-'));
  await writeFile(path.join(dir, 'celery-worker.log'), [
    '[2023-07-06 03:30:00,000: INFO/MainProcess] Connected to redis://localhost:6379/0',
    '[2023-07-06 03:30:01,000: ERROR/MainProcess] Task boom[0b6ba3a4-7a6e-4f4e-9a38-2f1c8c4d8e11] raised unexpected: ValueError()',
    '[2023-07-06 03:31:00,000: INFO/MainProcess] mingle: all alone',
  ].join('\n') + '\n');
  const made = await api<{ id: string }>(casefile, 'cases.create', { name: 'Wrong zone', dir: path.join(dir, 'case'), timezone: 'UTC' });
  await api(casefile, 'import.paths', { caseId: made.id, paths: [path.join(dir, 'celery-worker.log')] });
  await app.goto();
  await page.getByTestId('tab-cases').click();
  await page.locator(`[data-testid="case-row"][data-case="${made.id}"]`).getByTestId('case-open').click();
  await expect(page.getByTestId('case-name-header')).toContainText('Wrong zone');
  await page.getByTestId('time-mode-utc').click();
  await page.getByTestId('tab-timeline').click();
  await expect(page.getByTestId('timeline-range')).toContainText('2023-07-06 03:30:00');

  await page.getByTestId('tab-cases').click();
  await page.getByTestId('zone-input').fill('Asia/Kolkata');
  await page.getByTestId('zone-check').click();
  await expect(page.getByTestId('zone-confirm')).toContainText('3 events in 1 files were read in UTC; they will be re-timed to Asia/Kolkata.');
  await page.getByTestId('zone-apply').click();
  await expect(page.getByTestId('zone-done')).toHaveText('Re-timed 3 events in 1 files to Asia/Kolkata.');
  await expect(page.getByTestId('status-bar')).toContainText('tz Asia/Kolkata (operator)');
  await page.getByTestId('tab-timeline').click();
  // 03:30 in Kolkata is 22:00 UTC the day before.
  await expect(page.getByTestId('timeline-range')).toContainText('2023-07-05 22:00:00');
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  expect(problems.errors).toEqual([]);
  await api(casefile, 'cases.close', { caseId: made.id });
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

/** A case with one celery log read in UTC (three events), made through the bridge. */
async function celeryCase(casefile: Parameters<typeof api>[0], dir: string, name: string): Promise<{ id: string }> {
  await writeFile(path.join(dir, `${name}.log`), [
    '[2023-07-06 03:30:00,000: INFO/MainProcess] Connected to redis://localhost:6379/0',
    '[2023-07-06 03:31:00,000: INFO/MainProcess] mingle: all alone',
  ].join('\n') + '\n');
  const made = await api<{ id: string }>(casefile, 'cases.create', { name, dir: path.join(dir, name), timezone: 'UTC' });
  await api(casefile, 'import.paths', { caseId: made.id, paths: [path.join(dir, `${name}.log`)] });
  return made;
}

test('a change asked for one case is not applied to another, nor over a change made in another window meanwhile', async ({ app, casefile }) => {
  const { page } = app;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'casefile-tz-'));
  const a = await celeryCase(casefile, dir, 'Zone A');
  const b = await celeryCase(casefile, dir, 'Zone B');
  await app.goto();
  await page.getByTestId('tab-cases').click();
  await page.locator(`[data-testid="case-row"][data-case="${a.id}"]`).getByTestId('case-open').click();
  await expect(page.getByTestId('case-name-header')).toContainText('Zone A');
  await page.getByTestId('tab-cases').click();
  await page.getByTestId('zone-input').fill('Asia/Kolkata');
  await page.getByTestId('zone-check').click();
  await expect(page.getByTestId('zone-confirm')).toContainText('2 events in 1 files were read in UTC');
  // Another case opened while A's question stands: the question (and its Re-time) goes with A.
  await page.locator(`[data-testid="case-row"][data-case="${b.id}"]`).getByTestId('case-open').click();
  await expect(page.getByTestId('case-name-header')).toContainText('Zone B');
  await page.getByTestId('tab-cases').click();
  await expect(page.getByTestId('zone-confirm')).toHaveCount(0);
  await expect(page.getByTestId('zone-input')).toHaveValue('');

  // B's question is asked, then another window sets B's zone first: Re-time here says so and changes nothing.
  await page.getByTestId('zone-input').fill('Asia/Kolkata');
  await page.getByTestId('zone-check').click();
  await expect(page.getByTestId('zone-confirm')).toContainText('read in UTC; they will be re-timed to Asia/Kolkata');
  await api(casefile, 'cases.setTimezone', { caseId: b.id, timezone: 'Europe/Berlin', expect: 'UTC' });
  await page.getByTestId('zone-apply').click();
  await expect(page.getByTestId('error-banner')).toContainText('The site timezone was changed to Europe/Berlin since the change from UTC was asked');
  expect((await api<{ timezone: { zone: string } }>(casefile, 'cases.get', { caseId: b.id })).timezone.zone).toBe('Europe/Berlin');
  expect((await api<{ timezone: { zone: string } }>(casefile, 'cases.get', { caseId: a.id })).timezone.zone).toBe('UTC');
  for (const c of [a, b]) await api(casefile, 'cases.close', { caseId: c.id });
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

test('while an import writes the case the change is refused in words, with no button; a change under way can be stopped, nothing changed', async ({ app, casefile, problems }) => {
  test.setTimeout(120_000);
  const { page } = app;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'casefile-tz-'));
  const a = await celeryCase(casefile, dir, 'Zone busy');
  // A job of the test's own holds the case: what is queued behind it stays live for as long as the test needs.
  const hold = () => {
    let release!: () => void;
    const held = casefile.engine.context.jobs.run(a.id, 'test-hold', () => new Promise<void>((r) => { release = r; }));
    return async () => { release(); await held; };
  };
  let release = hold();
  await writeFile(path.join(dir, 'more.log'), '[2023-07-06 04:00:00,000: INFO/MainProcess] mingle: all alone\n');
  const importing = api(casefile, 'import.paths', { caseId: a.id, paths: [path.join(dir, 'more.log')] });
  await app.goto();
  await page.getByTestId('tab-cases').click();
  await page.locator(`[data-testid="case-row"][data-case="${a.id}"]`).getByTestId('case-open').click();
  await expect(page.getByTestId('case-name-header')).toContainText('Zone busy');
  await page.getByTestId('tab-cases').click();
  const busy = 'An import is running in this case. Change the site zone when it has finished.';
  await expect(page.getByTestId('zone-busy')).toHaveText(busy);
  await page.getByTestId('zone-input').fill('Asia/Kolkata');
  await expect(page.getByTestId('zone-check')).toBeDisabled();
  // The engine refuses it too (another window, a script): nothing is queued behind the import.
  await expect(api(casefile, 'cases.setTimezone', { caseId: a.id, timezone: 'Asia/Kolkata' })).rejects.toMatchObject({ error: { code: 'conflict', message: busy } });
  expect((await api<{ kind: string }[]>(casefile, 'jobs.list', { caseId: a.id })).filter((j) => j.kind === 'retime')).toEqual([]);
  await release();
  await importing;
  await expect(page.getByTestId('zone-busy')).toHaveCount(0);
  await expect(page.getByTestId('zone-check')).toBeEnabled();

  // A change under way is stopped: it waits here behind the test's job, and Stop cancels it; the case keeps its zone.
  release = hold();
  await page.getByTestId('zone-check').click();
  await expect(page.getByTestId('zone-confirm')).toContainText('3 events in 2 files were read in UTC; they will be re-timed to Asia/Kolkata.');
  await page.getByTestId('zone-apply').click();
  await page.getByTestId('zone-stop').click();
  await expect(page.getByTestId('zone-done')).toHaveText('The change of the site zone to Asia/Kolkata was cancelled: nothing was changed, the case keeps its zone UTC and its times.');
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  await expect(page.getByTestId('status-bar')).toContainText('tz UTC');
  expect((await api<{ timezone: { zone: string } }>(casefile, 'cases.get', { caseId: a.id })).timezone.zone).toBe('UTC');
  await release();
  expect(problems.errors).toEqual([]);
  await api(casefile, 'cases.close', { caseId: a.id });
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
});
