// Copy a link to a record, a chain or a trace (issue 16), in Debian Chromium against the real engine and bridge:
// each copied link, opened after going elsewhere, shows that same thing; hostile links open nothing. The desktop
// form (casefile://open?…) goes through the shell's own link router into the page as the desktop app would.
import type { Page } from '@playwright/test';
import { expect, test, type Casefile } from './fixtures';
import { api, openDemo } from './workbenchKit';
import { DeepLinkRouter } from '../electron/shell/deepLinks';
import { APP_START_URL } from '../electron/shell/channels';

test.use({ openDefault: true });

async function copied(page: Page, testId: string, within = page.locator('body')): Promise<string> {
  const btn = within.getByTestId(testId).first();
  await btn.click();
  await expect(btn).toHaveText('Copied');
  return page.evaluate(() => navigator.clipboard.readText());
}

async function firstFailedChain(casefile: Casefile) {
  const r = await api<{ chains: { key: string; label: string; events: number }[] }>(casefile, 'chains.list',
    { caseId: casefile.defaultCaseId!, kinds: ['celery_task'], statuses: ['failure'], sort: 'events', limit: 1 });
  return r.chains[0]!;
}

/** Somewhere else: another record selected, a filter on, the Audit view. */
async function goElsewhere(page: Page) {
  await page.getByTestId('tab-timeline').click();
  await page.getByTestId('event-row').nth(3).click();
  await page.getByTestId('level-INFO').click();
  await page.getByTestId('tab-audit').click();
}

test.beforeEach(async ({ page }) => { await page.context().grantPermissions(['clipboard-read', 'clipboard-write']); });

test('a record: the detail panel copies ?case=…&event=…, and the link opens that record', async ({ app, casefile, problems }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const row = page.getByTestId('event-row').nth(7);
  const id = Number(await row.getAttribute('data-id'));
  await row.click();
  await expect(page.getByTestId('event-row').nth(7)).toHaveClass(/selected/);
  const rec = await api<{ file: string; line: number; message: string | null }>(casefile, 'events.get', { caseId, id });
  await expect(page.getByTestId('detail-file')).toContainText(`${rec.file}:${rec.line}`);
  const link = await copied(page, 'copy-event-link', page.getByTestId('detail-panel'));
  const url = new URL(link);
  expect(url.origin).toBe(casefile.server.origin);
  expect([...url.searchParams.keys()]).toEqual(['case', 'event']);
  expect(url.searchParams.get('case')).toBe(caseId);
  expect(url.searchParams.get('event')).toBe(String(id));
  expect(link).not.toContain(casefile.server.token);

  await goElsewhere(page);
  await expect(page.getByTestId('detail-file')).not.toContainText(`${rec.file}:${rec.line}`);
  await page.goto(link);
  await expect(page.getByTestId('timeline')).toBeVisible();
  await expect(page.getByTestId('detail-file')).toContainText(`${rec.file}:${rec.line}`);
  await expect(page.getByTestId('filter-chip')).toHaveCount(0);
  expect(problems.errors).toEqual([]);
  expect(problems.csp).toEqual([]);
});

test('a record link pasted into a new tab waits for the session, then opens that record', async ({ app, casefile, browser }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const row = page.getByTestId('event-row').nth(5);
  const id = Number(await row.getAttribute('data-id'));
  await row.click();
  const link = await copied(page, 'copy-event-link', page.getByTestId('detail-panel'));
  const rec = await api<{ file: string; line: number }>(casefile, 'events.get', { caseId, id });

  // A new tab has no session token (it lives with the tab that opened the served address): the link waits, saying why.
  const ctx = await browser.newContext();
  try {
    const tab = await ctx.newPage();
    await tab.goto(link);
    await expect(tab.getByTestId('error-banner')).toContainText('no Casefile session');
    await expect(tab.getByTestId('detail-panel')).toHaveCount(0);
    // The served address (with its token) in that tab: the record opens, and the token leaves the address bar.
    await tab.goto(casefile.server.url);
    await expect(tab.getByTestId('detail-file')).toContainText(`${rec.file}:${rec.line}`);
    await expect.poll(() => new URL(tab.url()).searchParams.get('event')).toBe(String(id));
    expect(tab.url()).not.toContain(casefile.server.token);
    // Held once: a reload of the served address keeps the record from the address, not from the held link.
    await tab.getByTestId('detail-close').click();
    await expect.poll(() => new URL(tab.url()).searchParams.get('event')).toBeNull();
    await tab.reload();
    await expect(tab.getByTestId('timeline')).toBeVisible();
    await expect(tab.getByTestId('detail-panel')).toHaveCount(0);
  } finally {
    await ctx.close();
  }
});

test('a chain: its row in the Chains list copies a link that opens its trace', async ({ app, casefile, problems }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const chain = await firstFailedChain(casefile);
  await page.getByTestId('tab-chains').click();
  await page.getByTestId('chain-text').fill(chain.key);
  const row = page.locator(`[data-testid="chain-row"][data-key="${chain.key}"]`);
  const link = await copied(page, 'copy-chain-link', row);
  // Copying did not open the chain (the button is not a row click).
  await expect(page.getByTestId('chains-view')).toBeVisible();
  const url = new URL(link);
  expect(url.searchParams.get('case')).toBe(caseId);
  expect(url.searchParams.get('view')).toBe('trace');
  expect(url.searchParams.get('trace')).toBe(chain.key);

  await goElsewhere(page);
  await page.goto(link);
  await expect(page.getByTestId('trace-key')).toHaveText(chain.label);
  const trace = await api<{ events: unknown[] }>(casefile, 'chains.trace', { caseId, key: chain.key });
  await expect(page.getByTestId('trace-event')).toHaveCount(trace.events.length);
  await expect(page.getByTestId('waterfall')).toBeVisible();
  expect(problems.errors).toEqual([]);
  expect(problems.csp).toEqual([]);
});

test('a trace: its header copies a link that opens the same trace, also for a key that is not a chain', async ({ app, casefile, problems }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  // A pipeline run's trace, opened through the Chains list, then its linked flow's trace from the tree.
  const RUN = 'hourly-20230706-105553';
  await page.getByTestId('tab-chains').click();
  await page.getByTestId('chain-text').fill(RUN);
  await page.locator(`[data-testid="chain-row"][data-key="${RUN}"]`).click();
  const tree = await api<{ root: string }>(casefile, 'chains.tree', { caseId, key: RUN });
  await page.locator(`[data-testid="tree-node"][data-key="${tree.root}"] .tree-name`).click();
  await expect(page.getByTestId('trace-key')).toHaveText(/acme_operations/);
  const link = await copied(page, 'copy-trace-link');
  expect(new URL(link).searchParams.get('trace')).toBe(tree.root);
  const shown = await page.getByTestId('trace-key').textContent();

  await goElsewhere(page);
  await page.goto(link);
  await expect(page.getByTestId('trace-key')).toHaveText(shown!);
  await expect(page.locator(`[data-testid="tree-node"][data-key="${tree.root}"]`)).toHaveClass(/current/);
  const trace = await api<{ events: unknown[] }>(casefile, 'chains.trace', { caseId, key: tree.root });
  await expect(page.getByTestId('trace-event')).toHaveCount(trace.events.length);
  expect(problems.errors).toEqual([]);
  expect(problems.csp).toEqual([]);
});

test('hostile links in the address open nothing they name and break nothing', async ({ app, casefile, problems }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const origin = casefile.server.origin;
  for (const q of [
    `?case=${encodeURIComponent('../../etc')}&event=1`,
    `?case=${encodeURIComponent('<img src=x onerror=alert(1)>')}`,
    `?case=not-a-case-here&view=trace&trace=x&event=1`,
    `?case=${caseId}&event=1e3&view=%3Cscript%3E&filter=${encodeURIComponent('{"sql":"DROP TABLE events"}')}`,
    `?case=${caseId}&view=trace&trace=${'k'.repeat(9000)}`,
  ]) {
    await page.goto(`${origin}/${q}`);
    // The default case opens on its timeline with no filter and no record: nothing from the link was trusted.
    await expect(page.getByTestId('case-name-header')).not.toHaveText('no case open');
    await expect(page.getByTestId('timeline')).toBeVisible();
    await expect(page.getByTestId('detail-panel')).toHaveCount(0);
    await expect(page.getByTestId('filter-chip')).toHaveCount(0);
  }
  expect(problems.errors).toEqual([]);
  expect(problems.csp).toEqual([]);
});

test.describe('desktop links', () => {
  /** The page with the desktop preload's shape (invoke + on) over the real bridge, so the renderer runs as it does in
   * the desktop app; the shell's link router (the real one) pushes into it. */
  async function asDesktop(page: Page, casefile: Casefile) {
    await page.addInitScript(({ token }) => {
      const subs = new Map<string, Set<(p: unknown) => void>>();
      const w = window as unknown as Record<string, unknown>;
      w.__shellPush = (name: string, payload: unknown) => { for (const cb of subs.get(name) ?? []) cb(payload); };
      w.casefile = {
        invoke: async (name: string, input: unknown) => (await fetch(`/api/${name}`, {
          method: 'POST', headers: { 'content-type': 'application/json', 'x-casefile-token': token }, body: JSON.stringify(input),
        })).json(),
        on: (name: string, cb: (p: unknown) => void) => {
          const set = subs.get(name) ?? new Set();
          subs.set(name, set); set.add(cb);
          return () => { set.delete(cb); };
        },
        pathForFile: () => '',
      };
    }, { token: casefile.server.token });
    const pushed: unknown[] = [];
    let url = 'about:blank';
    const router = new DeepLinkRouter({
      knownCaseIds: async () => (await api<{ id: string }[]>(casefile, 'cases.list', {})).map((c) => c.id),
      window: () => ({
        getURL: () => url, isDestroyed: () => false,
        send: (_channel: string, name: unknown, payload: unknown) => {
          pushed.push(payload);
          void page.evaluate(([n, p]) => (window as unknown as { __shellPush(n: unknown, p: unknown): void }).__shellPush(n, p), [name, payload]);
        },
      }),
      log: () => undefined,
    });
    /** The window has loaded our page (the shell's did-finish-load on app://). */
    const loaded = () => { url = APP_START_URL; router.windowLoaded(); };
    return { router, pushed, loaded };
  }

  test('the record link is casefile://open?case=…&event=…, and the shell opens it at launch and while running', async ({ page, casefile, problems }) => {
    const caseId = casefile.defaultCaseId!;
    const { router, pushed, loaded } = await asDesktop(page, casefile);
    const page0 = await api<{ rows: { id: number }[] }>(casefile, 'events.page', { caseId, filter: { levels: ['ERROR'] }, limit: 3 });
    const [a, b] = [page0.rows[0]!.id, page0.rows[2]!.id];
    const recA = await api<{ file: string; line: number }>(casefile, 'events.get', { caseId, id: a });
    const recB = await api<{ file: string; line: number }>(casefile, 'events.get', { caseId, id: b });

    // At launch: the link waits for the page, then the page waits for its cases, then opens the record.
    expect(await router.open(`casefile://open?case=${caseId}&event=${a}`)).toMatchObject({ ok: true });
    expect(pushed).toEqual([]);
    await page.goto(`${casefile.server.origin}/`);
    loaded();
    await expect(page.getByTestId('detail-file')).toContainText(`${recA.file}:${recA.line}`);

    // Copied in the desktop app, the link is the casefile:// form, without any token.
    const link = await copied(page, 'copy-event-link', page.getByTestId('detail-panel'));
    expect(link).toBe(`casefile://open?case=${caseId}&event=${a}`);

    // While running: a second link moves to its record; Back returns to the first.
    await page.getByTestId('tab-audit').click();
    await router.open(`casefile://open?case=${caseId}&event=${b}`);
    await expect(page.getByTestId('detail-file')).toContainText(`${recB.file}:${recB.line}`);
    await expect(page.getByTestId('timeline')).toBeVisible();
    await page.getByTestId('nav-back').click();
    await expect(page.getByTestId('tab-audit')).toHaveClass(/on/);

    // Refused by the shell (never pushed): an unknown case, another scheme, a path trick.
    const before = pushed.length;
    for (const bad of [`casefile://open?case=0f0f0f0f-0000-4000-8000-000000000000&event=${a}`, `https://x.example/?case=${caseId}`, `casefile://open/../x?case=${caseId}`]) {
      expect(await router.open(bad)).toMatchObject({ ok: false });
    }
    expect(pushed).toHaveLength(before);
    // A payload that did not come through the router's checks is dropped by the page's own check.
    await page.evaluate(() => (window as unknown as { __shellPush(n: string, p: unknown): void }).__shellPush('app.openLink', { caseId: '../x', event: '1', token: 's' }));
    await expect(page.getByTestId('tab-audit')).toHaveClass(/on/);
    expect(problems.errors).toEqual([]);
  expect(problems.csp).toEqual([]);
  });
});
