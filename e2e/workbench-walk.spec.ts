// The operator's walk through an incident on the demo case (qa10): each test is one place where what the screen said
// did not match what the operator had asked for.
import { expect, test } from './fixtures';
import { api, caseLink, eventsTotal, openDemo } from './workbenchKit';

test.use({ openDefault: true });

test('the time-range chip speaks the zone the rest of the screen is in, and says which', async ({ app, casefile }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const info = await api<{ timezone: { zone: string } }>(casefile, 'cases.get', { caseId });
  const from = '2023-07-06T05:20:00.000Z';
  const to = '2023-07-06T05:30:00.000Z';
  // The site wall clock from this Node's ICU, independent of the page: "2023-07-06 10:50:00".
  const site = (iso: string) => new Date(iso).toLocaleString('sv-SE', { timeZone: info.timezone.zone });
  await page.goto(caseLink(casefile, caseId, 'timeline', { filter: JSON.stringify({ from, to }) }));
  const chip = page.locator('[data-testid="filter-chip"][data-kind="range"]');
  await expect(chip).toContainText('2023-07-06 05:20:00.000 → 2023-07-06 05:30:00.000 (UTC)');
  await page.getByTestId('time-mode-site').click();
  await expect(chip).toContainText(`${site(from)}.000 → ${site(to)}.000 (site +05:30)`);
});

test('a time typed on the clock shown (site or UTC) becomes the range: that minute, on the day in view', async ({ app, casefile }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  // 10:54 at the site (Asia/Kolkata) is 05:24 UTC: the minute the RouteOpt run and the TaskBlade request failed.
  const minute = { from: '2023-07-06T05:24:00.000Z', to: '2023-07-06T05:24:59.999Z' };
  const inMinute = await api<{ total: number }>(casefile, 'events.page', { caseId, filter: minute, limit: 1 });
  expect(inMinute.total).toBeGreaterThan(0);
  const chip = page.locator('[data-testid="filter-chip"][data-kind="range"]');
  const firstTime = () => page.locator('[data-testid="event-row"] .c-time').first().textContent();

  await page.getByTestId('time-mode-site').click();
  await expect(page.getByTestId('goto-time')).toHaveAttribute('placeholder', 'go to time (site +05:30)');
  await page.getByTestId('goto-time').fill('10:54');
  await page.getByTestId('goto-time').press('Enter');
  await expect(chip).toContainText('2023-07-06 10:54:00.000 → 2023-07-06 10:54:59.999 (site +05:30)');
  await expect.poll(() => eventsTotal(page)).toBe(inMinute.total);
  await expect.poll(firstTime).toMatch(/^2023-07-06 10:54:/);
  // The ten minutes up to that minute, typed as a range.
  await page.getByTestId('goto-time').fill('10:44 - 10:54');
  await page.getByTestId('goto-time').press('Enter');
  await expect(chip).toContainText('2023-07-06 10:44:00.000 → 2023-07-06 10:54:59.999 (site +05:30)');

  // The same minute typed on the UTC clock; a typo says so and leaves the range alone.
  await page.getByTestId('timeline-reset').click();
  await page.getByTestId('time-mode-utc').click();
  await page.getByTestId('goto-time').fill('05:24');
  await page.getByTestId('goto-time').press('Enter');
  await expect(chip).toContainText('2023-07-06 05:24:00.000 → 2023-07-06 05:24:59.999 (UTC)');
  await expect.poll(() => eventsTotal(page)).toBe(inMinute.total);
  await page.getByTestId('goto-time').fill('05:61');
  await page.getByTestId('goto-time').press('Enter');
  await expect(page.getByTestId('goto-time-error')).toContainText('not a time');
  await expect(chip).toContainText('05:24:00.000');
});

test('the Chains view\'s filters and sort are in the address: a reload or a shared link finds the failed pipeline runs again', async ({ app, casefile }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const failedRuns = await api<{ chains: { key: string }[] }>(casefile, 'chains.list', { caseId, kinds: ['pipeline_run'], statuses: ['failure'], limit: 1000 });
  const all = await api<{ chains: unknown[] }>(casefile, 'chains.list', { caseId, limit: 1000 });
  expect(failedRuns.chains.length).toBeGreaterThan(1);
  expect(failedRuns.chains.length).toBeLessThan(all.chains.length);
  await page.getByTestId('tab-chains').click();
  await page.getByTestId('chain-kind-pipeline_run').click();
  await page.getByTestId('chain-status-failure').click();
  await page.getByTestId('chain-head-duration').click();
  await expect(page.getByTestId('chain-row')).toHaveCount(failedRuns.chains.length);
  const order = await page.getByTestId('chain-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));

  await page.reload();
  await expect(page.getByTestId('chain-kind-pipeline_run')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('chain-status-failure')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('chain-row')).toHaveCount(failedRuns.chains.length);
  expect(await page.getByTestId('chain-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')))).toEqual(order);

  // The address as a link opened afresh (another operator's tab: the store starts empty).
  const link = page.url();
  await page.goto(caseLink(casefile, caseId, 'timeline'));
  await expect(page.getByTestId('timeline')).toBeVisible();
  await page.goto(link);
  await expect(page.getByTestId('chain-row')).toHaveCount(failedRuns.chains.length);
  // A link to Chains without them is every chain again.
  await page.goto(caseLink(casefile, caseId, 'chains'));
  await expect(page.getByTestId('chain-status-failure')).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('chain-row')).toHaveCount(all.chains.length);
});

test('N pressed three times in quick succession lands on the third error back, not the first one again', async ({ app, casefile }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  // Sources whose last page of records holds no error: each N from the end asks the engine and moves the window.
  const filter = { sources: ['doodle', 'jupyter', 'pipeline', 'prefect'] };
  const all = await api<{ total: number; rows: { id: number }[] }>(casefile, 'events.page', { caseId, filter, limit: 1000 });
  const severe = (await api<{ rows: { id: number }[] }>(casefile, 'events.page', { caseId, filter: { ...filter, levels: ['ERROR', 'CRITICAL'] }, limit: 1000 })).rows.map((r) => r.id);
  expect(severe.length).toBeGreaterThan(3);
  expect(all.rows.slice(-200).map((r) => r.id).filter((id) => severe.includes(id))).toEqual([]);
  await page.goto(caseLink(casefile, caseId, 'timeline', { filter: JSON.stringify(filter) }));
  await expect.poll(() => eventsTotal(page)).toBe(all.total);
  const selected = () => new URL(page.url()).searchParams.get('event');
  // Pressed as a quick operator does, each before the last has moved the window.
  await page.keyboard.press('G');
  await page.keyboard.press('N');
  await page.keyboard.press('N');
  await page.keyboard.press('N');
  await expect.poll(selected).toBe(String(severe.at(-3)));
  await expect(page.locator(`[data-testid="event-row"].selected`)).toHaveCount(1);
  await page.keyboard.press('n');
  await expect.poll(selected).toBe(String(severe.at(-2)));
});

test('the ± seconds of "around" can be cleared and retyped, and Enter there opens it', async ({ app, casefile }) => {
  const { page } = app;
  await openDemo(app, casefile);
  await page.getByTestId('event-row').first().click();
  const box = page.getByTestId('around-seconds');
  await expect(box).toHaveValue('30');
  // Backspace twice and type ten minutes: the box must not refill with 30 when it is empty for a moment.
  await box.click();
  await box.press('End');
  await box.press('Backspace');
  await box.press('Backspace');
  await expect(box).toHaveValue('');
  await box.pressSequentially('600');
  await expect(box).toHaveValue('600');
  await box.press('Enter');
  await expect(page.getByTestId('around-view')).toContainText('±600s');
});

test('an id pasted with the spaces around it still finds its records', async ({ app, casefile }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const task = '97809eee-1fb2-4964-ba30-077b847bfa6c';
  const found = await api<{ total: number }>(casefile, 'events.page', { caseId, filter: { text: task }, limit: 1 });
  expect(found.total).toBeGreaterThan(1);
  await page.getByTestId('search-input').fill(`  ${task} `);
  await page.getByTestId('search-input').press('Enter');
  await expect.poll(() => eventsTotal(page)).toBe(found.total);
  await expect(page.locator('[data-testid="filter-chip"][data-kind="text"]')).toHaveText(`text: ${task}×`);
  // A pause after a space while typing two words searches the first and leaves the space in the box.
  const box = page.getByTestId('search-input');
  await box.fill('');
  await box.pressSequentially('Task ');
  await expect(page.locator('[data-testid="filter-chip"][data-kind="text"]')).toHaveText('text: Task×');
  await box.pressSequentially('export_report');
  await expect(box).toHaveValue('Task export_report');
  await expect(page.locator('[data-testid="filter-chip"][data-kind="text"]')).toHaveText('text: Task export_report×');
});

test('the timeline\'s hover names the clock its time is on', async ({ app, casefile }) => {
  const { page } = app;
  await openDemo(app, casefile);
  await page.getByTestId('time-mode-site').click();
  await expect(page.getByTestId('timeline-range')).toContainText('(site +05:30)');
  const plot = (await page.locator('.lane-plot').boundingBox())!;
  // The celery lane's bars near the start of the demo's range.
  for (let x = 2; x < plot.width; x += 6) {
    await page.mouse.move(plot.x + x, plot.y + 20);
    if (await page.getByTestId('timeline-tooltip').isVisible()) break;
  }
  await expect(page.getByTestId('timeline-tooltip')).toContainText(/^celery2023-07-06 \d\d:\d\d:\d\d\.\d{3} \(site \+05:30\) \+/);
});

test('"around this moment" opens where the operator can see it, below a long record, at 1280 × 800 (qa19)', async ({ app, casefile, problems }) => {
  const { page } = app;
  await page.setViewportSize({ width: 1280, height: 800 });
  await openDemo(app, casefile);
  // A Celery task's id: its system JSON record has enough fields to push the panel below the fold.
  await page.getByTestId('search-input').fill('df91214e-797b-4e9f-8dc0-ba406160b53c');
  await page.getByTestId('search-input').press('Enter');
  await expect(page.getByTestId('event-row')).toHaveCount(15);
  await page.getByTestId('event-row').filter({ hasText: 'system' }).first().click();
  await expect(page.getByTestId('detail-raw')).toBeVisible();
  await page.getByTestId('around-btn').click();
  await expect(page.getByTestId('around-view').locator('.detail-head')).toBeInViewport();
  await expect(page.getByTestId('around-event').first()).toBeInViewport();
  expect(problems.errors).toEqual([]);
});

test('a chain\'s time figure is called its span and says what it spans, since a worker\'s own run time can be shorter (qa19)', async ({ app, casefile, problems }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const key = 'df91214e-797b-4e9f-8dc0-ba406160b53c';
  const chain = (await api<{ chains: { durationMs: number }[] }>(casefile, 'chains.list', { caseId, text: key, limit: 1 })).chains[0]!;
  // The dashboard's submit at 11:58:30.374 to its last result poll at 11:58:46.568; Celery says "succeeded in 14.215s".
  expect(chain.durationMs).toBe(16194);
  await page.goto(caseLink(casefile, caseId, 'trace', { trace: key }));
  const span = page.getByTestId('trace-span');
  await expect(span).toHaveText('span 16.2 s');
  await expect(span).toHaveAttribute('title', /first record to its last, across every source.*succeeded in/);
  await page.getByTestId('tab-chains').click();
  await expect(page.getByRole('columnheader', { name: 'Span' })).toBeVisible();
  expect(problems.errors).toEqual([]);
});
