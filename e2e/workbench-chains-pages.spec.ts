// The Chains view past its first page (qa11b): a case with more chains than one page says how many match in all,
// "Show more" brings the next page after the first (none repeated), [ and ] step across the pages, and a new filter
// starts again from the first page. The case is 1,200 Celery tasks written here: 1,200 chains, imported by the CLI.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, ROOT, test } from './fixtures';
import { api, caseLink } from './workbenchKit';

const TASKS = 1200;

/** A Celery worker log with `n` tasks a second apart, each received and succeeded: one chain per task. */
function celeryLog(n: number): string {
  const at = (ms: number) => new Date(Date.UTC(2023, 6, 1) + ms).toISOString().replace('T', ' ').replace('.', ',').slice(0, 23);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    lines.push(`[${at(i * 1000)}: INFO/MainProcess] Task search_chunk[${id}] received`,
      `[${at(i * 1000 + 250 + i)}: INFO/ForkPoolWorker-1] Task search_chunk[${id}] succeeded in 0.${250 + i}s: {}`);
  }
  return lines.join('\n') + '\n';
}

test('more chains than one page: the count of all, "Show more" for the next page, a new filter back to the first', async ({ app, casefile, problems }) => {
  test.setTimeout(120_000);
  const { page } = app;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'casefile-chain-pages-'));
  await mkdir(path.join(dir, 'logs/celery'), { recursive: true });
  await writeFile(path.join(dir, 'logs/celery/celery-worker.log'), celeryLog(TASKS));
  const caseDir = path.join(dir, 'case');
  const cli = spawnSync(process.execPath, [path.join(ROOT, 'electron/cli/bin.mjs'), 'import', path.join(dir, 'logs'), '--case', caseDir],
    { env: { ...process.env, CASEFILE_HOME: casefile.home }, encoding: 'utf8' });
  expect(cli.status, cli.stderr).toBe(0);
  const { id: caseId } = await api<{ id: string }>(casefile, 'cases.open', { dir: caseDir });
  // The engine's own order, read in two pages: what the view must show, in that order.
  const first = await api<{ chains: { key: string }[]; total: number }>(casefile, 'chains.list', { caseId, limit: 1000 });
  const second = await api<{ chains: { key: string }[]; total: number }>(casefile, 'chains.list', { caseId, limit: 1000, offset: 1000 });
  expect(first.total).toBe(TASKS);
  expect(second.chains).toHaveLength(TASKS - 1000);
  const later = second.chains[0]!.key;

  await page.goto(caseLink(casefile, caseId, 'chains'));
  const rows = page.getByTestId('chain-row');
  await expect(page.getByTestId('chains-count')).toHaveText('1,000 of 1,200 chains');
  await expect(rows).toHaveCount(1000);
  await expect(page.locator(`[data-testid="chain-row"][data-key="${later}"]`)).toHaveCount(0);

  await page.getByTestId('chains-more').click();
  await expect(page.getByTestId('chains-count')).toHaveText('1,200 of 1,200 chains');
  await expect(rows).toHaveCount(TASKS);
  await expect(page.getByTestId('chains-more')).toHaveCount(0);
  // The rows are the two pages one after the other: none repeated, none skipped.
  const keys = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
  expect(keys).toEqual([...first.chains, ...second.chains].map((c) => c.key));

  // A chain of the second page opens its trace; [ steps back across the page boundary, and back in the list the
  // second page is still there.
  await page.locator(`[data-testid="chain-row"][data-key="${later}"]`).click();
  await expect(page).toHaveURL(new RegExp(`trace=${later}`));
  await page.keyboard.press('[');
  await expect(page).toHaveURL(new RegExp(`trace=${first.chains[999]!.key}`));
  await page.getByTestId('trace-back').click();
  await expect(page.getByTestId('chains-count')).toHaveText('1,200 of 1,200 chains');

  // Another order is another list: the first page of it again, with "Show more".
  await page.getByTestId('chain-head-duration').click();
  await expect(page.getByTestId('chains-count')).toHaveText('1,000 of 1,200 chains');
  await expect(rows).toHaveCount(1000);
  const slowest = await api<{ chains: { key: string }[] }>(casefile, 'chains.list', { caseId, limit: 1, sort: 'duration' });
  await expect(rows.first()).toHaveAttribute('data-key', slowest.chains[0]!.key);
  await expect(page.getByTestId('chains-more')).toHaveText('Show 200 more');
  expect(problems.errors).toEqual([]);

  await api(casefile, 'cases.close', { caseId });
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
});
