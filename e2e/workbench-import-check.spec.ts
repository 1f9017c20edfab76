// The check before an import, on a case that already holds evidence: it reads every incoming file (tens of seconds
// for 1 GB), so the panel says how far it is and offers Cancel; a cancelled check imports nothing — real engine,
// Debian Chromium.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { api, openDemo } from './workbenchKit';

test.use({ openDefault: true });

test('a check on a case with evidence shows its progress and Cancel stops it, importing nothing', async ({ app, casefile }) => {
  test.setTimeout(120_000);
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const work = await mkdtemp(path.join(os.tmpdir(), 'casefile-check-'));
  try {
    await mkdir(path.join(work, 'bundle'));
    for (let i = 0; i < 12; i++) await writeFile(path.join(work, 'bundle', `f${i}.log`), `line ${i}\n`.repeat(2000));
    const before = await api<{ eventCount: number; bundleCount: number }>(casefile, 'cases.get', { caseId });
    // Test-only: the engine (in this process) holds the check after its first progress until it is cancelled.
    process.env.CASEFILE_HOLD = 'import-check';
    await page.getByTestId('tab-cases').click();
    await page.getByTestId('import-paths').fill(path.join(work, 'bundle'));
    await page.getByTestId('import-start').click();
    await expect(page.getByTestId('import-check-stage')).toHaveText(/Checking which files the case already has: 0 of 12 files read \(0\.\d of 0\.\d MB\)/);
    await page.getByTestId('import-check-cancel').click();
    await expect(page.getByTestId('import-error')).toContainText('cancelled while checking which files the case already has: nothing was imported', { timeout: 30_000 });
    await expect(page.getByTestId('import-checking')).toHaveCount(0);
    await expect(page.getByTestId('import-start')).toBeEnabled();
    const after = await api<{ eventCount: number; bundleCount: number }>(casefile, 'cases.get', { caseId });
    expect(after).toMatchObject({ eventCount: before.eventCount, bundleCount: before.bundleCount });
    // Recorded: the check's entry says it was cancelled.
    await expect.poll(async () => (await api<{ result: { status: string; message?: string } }[]>(casefile, 'audit.list', { caseId, action: 'import.check', limit: 1 }))[0]?.result.message)
      .toMatch(/cancelled/);
    // Without the hold the same check runs to its end and the import goes on (new content: no question asked).
    delete process.env.CASEFILE_HOLD;
    await page.getByTestId('import-start').click();
    await expect(page.getByTestId('import-results')).toBeVisible({ timeout: 60_000 });
  } finally {
    delete process.env.CASEFILE_HOLD;
    await rm(work, { recursive: true, force: true });
  }
});
