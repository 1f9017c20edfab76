// Archives and binaries inside a bundle, as the operator sees the import report: a screenshot and a nested tarball
// next to the logs are each named in the report (kept as evidence, not read as lines; the tarball's bundle) and add
// no records of their own — real engine, Debian Chromium.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import * as tar from 'tar';
import { api, caseLink, openDemo } from './workbenchKit';

test.use({ openDefault: true });

const ROOT = path.resolve(import.meta.dirname, '..');

test('the import report names a PNG and a nested tar.gz kept as evidence, and the bundle the tarball became', async ({ app, casefile }) => {
  test.setTimeout(120_000);
  const { page } = app;
  await openDemo(app, casefile);
  const work = await mkdtemp(path.join(os.tmpdir(), 'casefile-nested-'));
  await mkdir(path.join(work, 'b', 'logs', 'archive'), { recursive: true });
  await copyFile(path.join(ROOT, 'docs/screenshots/timeline.png'), path.join(work, 'b', 'logs', 'timeline.png'));
  await copyFile(path.join(ROOT, 'resources/demo/demo-bundle.tar.gz'), path.join(work, 'b', 'logs', 'archive', 'old.tar.gz'));
  await writeFile(path.join(work, 'b', 'logs', 'app.log'), '2023-07-06T09:12:10.000Z INFO nested e2e hello\n');

  await page.getByTestId('tab-cases').click();
  await page.getByTestId('import-paths').fill(path.join(work, 'b'));
  await page.getByTestId('import-start').click();
  // The demo case holds the tarball's logs already: the check says so; import anyway (they become aliases).
  const confirm = page.getByTestId('import-confirm');
  await expect(page.getByTestId('import-results').or(confirm)).toBeVisible({ timeout: 60_000 });
  if (await confirm.isVisible()) await confirm.click();
  await expect(page.getByTestId('import-results')).toBeVisible({ timeout: 60_000 });
  const row = (file: string) => page.getByTestId('import-file').filter({ hasText: file });
  await expect(row('logs/timeline.png').getByTestId('import-note')).toHaveText('PNG image: kept as evidence, not read as log lines');
  await expect(row('logs/archive/old.tar.gz').getByTestId('import-note'))
    .toHaveText(/^tar archive \(gzip-compressed\): kept as evidence, not read as log lines; its 17 files were imported as bundle [0-9a-f]{16}$/);
  await rm(work, { recursive: true, force: true });
});

test('before the import, the panel says what will become of each archive in the bundle: expanded, kept one level down, or refused', async ({ app, casefile }) => {
  test.setTimeout(120_000);
  const { page } = app;
  const work = await mkdtemp(path.join(os.tmpdir(), 'casefile-nested-check-'));
  try {
    const made = await api<{ id: string }>(casefile, 'cases.create', { name: 'Archives checked', dir: path.join(work, 'case') });
    // packed.tar.gz holds the demo tarball (an archive two levels down); cut.tar.gz is the demo tarball cut in half.
    await mkdir(path.join(work, 'src'), { recursive: true });
    await copyFile(path.join(ROOT, 'resources/demo/demo-bundle.tar.gz'), path.join(work, 'src', 'inner.tar.gz'));
    await writeFile(path.join(work, 'src', 'app.log'), '2023-07-06T09:12:10.000Z INFO packed hello\n');
    await mkdir(path.join(work, 'b', 'archive'), { recursive: true });
    await tar.c({ gzip: true, file: path.join(work, 'b', 'archive', 'packed.tar.gz'), cwd: path.join(work, 'src') }, ['inner.tar.gz', 'app.log']);
    const demo = await readFile(path.join(ROOT, 'resources/demo/demo-bundle.tar.gz'));
    await writeFile(path.join(work, 'b', 'archive', 'cut.tar.gz'), demo.subarray(0, Math.floor(demo.length / 2)));
    await writeFile(path.join(work, 'b', 'app.log'), '2023-07-06T09:12:11.000Z INFO outer hello\n');

    await page.goto(caseLink(casefile, made.id, 'cases'));
    await page.getByTestId('import-paths').fill(path.join(work, 'b'));
    await page.getByTestId('import-start').click();
    await expect(page.getByTestId('import-warning')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('import-known')).toHaveCount(0); // nothing of it is in the case yet
    const archive = (file: string) => page.getByTestId('import-archive').filter({ hasText: new RegExp(`^${file.replace(/\./g, '\\.')}:`) });
    await expect(archive('archive/cut.tar.gz')).toContainText(/its contents cannot be imported: cut\.tar\.gz is damaged or truncated/);
    await expect(archive('archive/packed.tar.gz')).toContainText('its 2 files come in as a bundle of their own');
    await expect(archive('archive/packed.tar.gz/inner.tar.gz')).toContainText('not expanded (inside the archive archive/packed.tar.gz: archives are expanded one level deep only)');
    await page.getByTestId('import-confirm').click();
    await expect(page.getByTestId('import-results')).toBeVisible({ timeout: 60_000 });
    const row = (file: string) => page.getByTestId('import-file').filter({ hasText: file });
    await expect(row('archive/cut.tar.gz').getByTestId('import-note')).toContainText('its contents could not be imported');
    await expect(row('inner.tar.gz').getByTestId('import-note')).toContainText('not expanded');
    await api(casefile, 'cases.close', { caseId: made.id });
  } finally {
    await rm(work, { recursive: true, force: true, maxRetries: 5 });
  }
});
