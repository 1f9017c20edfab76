// The job after an import's events (identifiers, chains) cancelled from the app, against the real engine in browser
// mode: the import panel's Cancel (by keyboard) stops it, the panel and the status bar say plainly what the case holds,
// and "Build them now" builds the chains, which the Chains view then lists.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT, expect, test } from './fixtures';
import { api, caseLink } from './workbenchKit';

const STOPPED = 'Chain building was cancelled. The timeline and table are complete; chains and identifiers are not.';

test('the chain build is cancelled from the import panel, said plainly, and built again from there', async ({ app, casefile }) => {
  test.setTimeout(120_000);
  const { page } = app;
  const work = await mkdtemp(path.join(os.tmpdir(), 'casefile-chains-cancel-'));
  const c = await api<{ id: string; dir: string }>(casefile, 'cases.create', { name: 'Chains cancelled', dir: path.join(work, 'case') });
  // The correlate job runs as soon as the import ends; the test holds the case's writer from the moment that job is
  // queued, so the job is running (waiting for the writer) for as long as the test needs, then carries on with the
  // cancel already given.
  let release!: () => void;
  let held: Promise<unknown> | undefined;
  const off = casefile.engine.on('job.progress', (j) => {
    if (j.caseId !== c.id || j.kind !== 'correlate' || j.state !== 'queued' || held) return;
    held = casefile.engine.context.getCase(c.id).withWriter(() => new Promise<void>((r) => { release = r; }));
  });
  try {
    await page.goto(caseLink(casefile, c.id, 'cases'));
    await page.getByTestId('import-paths').fill(path.join(ROOT, 'resources/demo/demo-bundle.tar.gz'));
    await page.getByTestId('import-start').click();
    await expect(page.getByTestId('import-stage')).toContainText('Events are readable now; building identifiers and chains', { timeout: 60_000 });
    const cancel = page.getByTestId('import-after-cancel');
    await expect(cancel).toHaveAccessibleName('Cancel building identifiers and chains');
    await expect(page.getByTestId('status-chains-cancel')).toBeVisible();
    // No confirmation: reached by keyboard and pressed.
    await cancel.focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await api<{ kind: string; state: string }[]>(casefile, 'jobs.list', { caseId: c.id }))
      .filter((j) => j.kind === 'correlate').map((j) => j.state)).toEqual(['running']);
    release();
    await held;

    await expect(page.getByTestId('import-stage')).toHaveText(STOPPED, { timeout: 30_000 });
    await expect(page.getByTestId('import-after-cancel')).toHaveCount(0);
    await expect(page.getByTestId('status-chains')).toContainText(STOPPED);
    expect((await api<{ chainsPending?: boolean }>(casefile, 'cases.get', { caseId: c.id })).chainsPending).toBe(true);
    // The Chains view says the same, with the same button.
    await page.getByTestId('tab-chains').click();
    await expect(page.getByTestId('chains-pending')).toContainText(STOPPED);
    await page.getByTestId('tab-cases').click();

    await page.getByTestId('import-after-build').click();
    await expect(page.getByTestId('import-stage')).toHaveText('Events, identifiers and chains are ready.', { timeout: 60_000 });
    await expect(page.getByTestId('status-chains')).toHaveCount(0);
    await page.getByTestId('tab-chains').click();
    await expect(page.getByTestId('chain-row').first()).toBeVisible();
    await expect(page.getByTestId('chains-pending')).toHaveCount(0);
  } finally {
    off();
    release?.();
    await api(casefile, 'cases.close', { caseId: c.id }).catch(() => undefined);
    await rm(work, { recursive: true, force: true, maxRetries: 5 });
  }
});
