// Jobs belong to a case: an import running (or just finished) in one case is not shown in another the operator
// switches to, and switching back shows it again — real engine, Debian Chromium.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { jobIsLive } from '../shared/contract';
import { expect, test, type Casefile } from './fixtures';
import { api, caseLink } from './workbenchKit';

const line = (i: number) => JSON.stringify({ message: `tick ${i}`, levelname: 'INFO', name: 'gen', created: 1690656225.4 + i });

/** Opens a listed case from the Cases view, then goes back there (where the import panel is). */
async function switchTo(page: Page, caseId: string, name: string): Promise<void> {
  await page.getByTestId('tab-cases').click();
  await page.locator(`[data-testid="case-row"][data-case="${caseId}"]`).getByTestId('case-open').click();
  await expect(page.getByTestId('case-name-header')).toContainText(name);
  await page.getByTestId('tab-cases').click();
  await expect(page.getByTestId('import-panel')).toContainText(`Import into “${name}”`);
}

/**
 * A case held by a job of the test's own (an import into it stays queued, live, for as long as the test needs), a
 * 30-line log to import into it, and with `otherName` a second case to switch to (`otherId`). `release` ends the
 * hold; `done` also closes the cases and removes the folder.
 */
async function heldCase(casefile: Casefile, name: string, otherName?: string) {
  const work = await mkdtemp(path.join(os.tmpdir(), 'casefile-jobs-held-'));
  const { id } = await api<{ id: string }>(casefile, 'cases.create', { name, dir: path.join(work, 'a') });
  const otherId = otherName ? (await api<{ id: string }>(casefile, 'cases.create', { name: otherName, dir: path.join(work, 'b') })).id : undefined;
  const file = path.join(work, 'few.json.log');
  await writeFile(file, Array.from({ length: 30 }, (_, i) => line(i)).join('\n') + '\n');
  let release!: () => void;
  const held = casefile.engine.context.jobs.run(id, 'test-hold', () => new Promise<void>((r) => { release = r; }));
  return {
    id, otherId: otherId ?? '', file, release: () => release(),
    async done() {
      release();
      await held;
      for (const caseId of [id, otherId]) if (caseId) await api(casefile, 'cases.close', { caseId }).catch(() => undefined);
      await rm(work, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/** Starts, from the Cases view of the held case, the import of its log (it queues behind the hold). */
async function startImport(page: Page, casefile: Casefile, held: { id: string; file: string }): Promise<void> {
  await page.goto(caseLink(casefile, held.id, 'cases'));
  await page.getByTestId('import-paths').fill(held.file);
  await page.getByTestId('import-start').click();
}

test('an import of one case is not shown in another; switching back shows it running, then how it ended', async ({ app, casefile }) => {
  test.setTimeout(120_000);
  const { page } = app;
  // A job of the test's own holds case A, so its import stays queued (live) for as long as the test needs.
  const a = await heldCase(casefile, 'Switch A', 'Switch B');
  const b = { id: a.otherId };
  try {
    await startImport(page, casefile, a);
    await expect(page.getByTestId('import-cancel')).toBeVisible();
    // Queued behind the case's other job: the panel says so instead of "starting…" for as long as it waits.
    await expect(page.getByTestId('import-progress')).toContainText("Waiting for the case's test-hold job to finish: a case runs one job at a time.");

    await switchTo(page, b.id, 'Switch B');
    await expect(page.getByTestId('import-cancel')).toHaveCount(0);
    await expect(page.getByTestId('import-progress')).toHaveCount(0);
    await page.getByTestId('import-paths').fill('/nowhere');
    await expect(page.getByTestId('import-start')).toBeEnabled(); // B is free to import

    await switchTo(page, a.id, 'Switch A');
    await expect(page.getByTestId('import-cancel')).toBeVisible();
    await expect(page.getByTestId('import-progress')).toContainText('Waiting for');

    // A's import ends while B is shown: B stays clean, and A shows its result when the operator comes back.
    await switchTo(page, b.id, 'Switch B');
    a.release();
    await expect.poll(async () => (await api<{ kind: string; state: string }[]>(casefile, 'jobs.list', { caseId: a.id }))
      .filter((j) => j.kind === 'import' || j.kind === 'correlate').map((j) => j.state), { timeout: 60_000 }).toEqual(['done', 'done']);
    await expect(page.getByTestId('import-file')).toHaveCount(0);
    await expect(page.getByTestId('import-cancel')).toHaveCount(0);
    await switchTo(page, a.id, 'Switch A');
    await expect(page.getByTestId('import-file')).toContainText(['few.json.log']);
    await expect(page.getByTestId('import-cancel')).toHaveCount(0);
  } finally { await a.done(); }
});

test('the re-read of a case whose import ended does not take the operator back to it once they opened another', async ({ app, casefile }) => {
  test.setTimeout(90_000);
  const { page } = app;
  // The import waits behind a job of the test's own, so the hold below starts before the import can end.
  const a = await heldCase(casefile, 'Reread A', 'Reread B');
  const b = { id: a.otherId };
  // A's re-read once its import ended (cases.get) is held on the wire until the operator has opened B: a slow answer.
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  let holding = false;
  let held = false;
  await page.route('**/api/cases.get', async (route) => {
    if (holding && !held && (route.request().postDataJSON() as { caseId?: string }).caseId === a.id) { held = true; await gate; }
    await route.continue();
  });
  try {
    await startImport(page, casefile, a);
    await expect(page.getByTestId('import-cancel')).toBeVisible();
    holding = true;
    a.release();
    await expect.poll(() => held, { timeout: 60_000 }).toBe(true);
    await page.locator(`[data-testid="case-row"][data-case="${b.id}"]`).getByTestId('case-open').click();
    await expect(page.getByTestId('case-name-header')).toContainText('Reread B');
    await expect(page.getByTestId('events-total')).toBeVisible();
    // After the held answer is taken in, the import's end redraws the views (bumpData): the next events.page says so.
    const redrawn = page.waitForRequest((r) => r.url().endsWith('/api/events.page'));
    release();
    await redrawn;
    await expect(page.getByTestId('case-name-header')).toContainText('Reread B');
    await expect(page.getByTestId('case-name-header')).not.toContainText('Reread A');
  } finally {
    release();
    await a.done();
    await page.unroute('**/api/cases.get');
  }
});

test('an import queued behind another job of the case is cancelled at once, not when that job ends', async ({ app, casefile }) => {
  const { page } = app;
  const a = await heldCase(casefile, 'Queued cancel');
  try {
    await startImport(page, casefile, a);
    await expect(page.getByTestId('import-progress')).toContainText('Waiting for');
    await page.getByTestId('import-cancel').click();
    // The job ahead is still running (held): the import ended anyway, and says so.
    await expect(page.getByTestId('import-error')).toContainText('cancelled');
    await expect(page.getByTestId('import-cancel')).toHaveCount(0);
    expect((await api<{ kind: string; state: string }[]>(casefile, 'jobs.list', { caseId: a.id })).map((j) => [j.kind, j.state]))
      .toEqual([['test-hold', 'running'], ['import', 'cancelled']]);
  } finally { await a.done(); }
});

test('an import followed after a reload says how it ended, as a followed pull does', async ({ app, casefile }) => {
  const { page } = app;
  const a = await heldCase(casefile, 'Followed import');
  try {
    await startImport(page, casefile, a);
    await expect(page.getByTestId('import-cancel')).toBeVisible();
    await page.reload();
    await expect(page.getByTestId('import-cancel')).toBeVisible(); // followed again
    a.release();
    await expect(page.getByTestId('import-outcome')).toHaveText('Imported 1 file: 30 events.');
    await expect(page.getByTestId('import-cancel')).toHaveCount(0);
    await expect(page.getByTestId('status-case-events')).toHaveText('30 events in case');
  } finally { await a.done(); }
});

test('chains whose build was cancelled are not shown as being built; Build again builds them', async ({ app, casefile }) => {
  test.setTimeout(120_000);
  const { page } = app;
  const work = await mkdtemp(path.join(os.tmpdir(), 'casefile-jobs-chains-'));
  const c = await api<{ id: string }>(casefile, 'cases.create', { name: 'Chains stopped', dir: path.join(work, 'c') });
  await writeFile(path.join(work, 'few.json.log'), Array.from({ length: 30 }, (_, i) => line(i)).join('\n') + '\n');
  // The correlation job that follows the import is cancelled as soon as it is queued: chains stay pending.
  const cancelled = new Promise<void>((resolve) => {
    const off = casefile.engine.on('job.progress', (j) => {
      if (j.caseId !== c.id || j.kind !== 'correlate') return;
      if (jobIsLive(j)) void casefile.engine.invoke('jobs.cancel', { jobId: j.jobId });
      else { off(); resolve(); }
    });
  });
  try {
    await api(casefile, 'import.paths', { caseId: c.id, paths: [path.join(work, 'few.json.log')], eventsFirst: true });
    await cancelled;
    await page.goto(caseLink(casefile, c.id, 'timeline'));
    await expect(page.getByTestId('status-chains')).toContainText('Chain building was cancelled. The timeline and table are complete; chains and identifiers are not.');
    await expect(page.getByTestId('status-chains')).not.toContainText('building identifiers');
    await page.getByTestId('status-chains-again').click();
    await expect(page.getByTestId('status-chains')).toHaveCount(0, { timeout: 60_000 });
    expect((await api<{ chainsPending?: boolean }>(casefile, 'cases.get', { caseId: c.id })).chainsPending).toBeUndefined();
  } finally {
    await api(casefile, 'cases.close', { caseId: c.id }).catch(() => undefined);
    await rm(work, { recursive: true, force: true, maxRetries: 5 });
  }
});
