// The timeline's zoom (issue 16): a brushed range narrows the table to that range's first rows and its total (the
// histogram's count), drawn only once the new page is in; a zoom replaced before its page answered leaves no stale
// page behind; and where one pixel of the new view spans a minute or more, the range runs over whole minutes (the
// engine then counts it from the per-minute summary alone).
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test, type Casefile } from './fixtures';
import { generateTree } from '../electron/testkit/synth/generate';
import { api, eventsTotal } from './workbenchKit';

test.use({ openDefault: true });

interface Range { from: string; to: string }
interface PageAnswer { rows: { id: number; ts: string | null }[]; total: number }

/** Drags across the plot from fraction `a` to `b` of its width and lets go. */
async function brush(page: Page, a: number, b: number): Promise<void> {
  const box = (await page.locator('.lane-plot').boundingBox())!;
  await page.mouse.move(box.x + box.width * a, box.y + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * b, box.y + 12, { steps: 4 });
  await page.mouse.up();
}

/** The range in the address (the filter the page asks with). */
const rangeIn = (page: Page): Range | null => {
  const f = JSON.parse(new URL(page.url()).searchParams.get('filter') ?? '{}') as Partial<Range>;
  return f.from && f.to ? { from: f.from, to: f.to } : null;
};

const shownIds = (page: Page) => page.getByTestId('event-row').evaluateAll((rs) => rs.slice(0, 20).map((r) => Number(r.getAttribute('data-id'))));

/** A generated case spanning three weeks (the demo's few hours put well under a minute in a pixel), opened in the page. */
async function openLongCase(page: Page, casefile: Casefile): Promise<string> {
  // Each test its own tree and case: the server (and its home) may be shared by the tests of this file.
  const tag = randomUUID().slice(0, 8);
  const tree = await generateTree(path.join(casefile.home, `long-tree-${tag}`), { targetBytes: 300_000, seed: 5, spanHours: 21 * 24 });
  const { id } = await api<{ id: string }>(casefile, 'cases.create', { name: 'three weeks', dir: path.join(casefile.home, 'cases', `long-${tag}`) });
  await api(casefile, 'import.paths', { caseId: id, paths: [tree.root] });
  const url = new URL(casefile.server.url);
  url.searchParams.set('case', id);
  await page.goto(url.toString());
  const all = await api<PageAnswer>(casefile, 'events.page', { caseId: id, filter: {}, limit: 1 });
  await expect(page.getByTestId('timeline-range')).toContainText('→');
  await expect.poll(() => eventsTotal(page)).toBe(all.total);
  return id;
}

test('a zoom shows its range\'s first rows and total, the histogram\'s count, on whole minutes where a pixel spans one', async ({ app, casefile, problems }) => {
  test.setTimeout(120_000);
  const { page } = app;
  const caseId = await openLongCase(page, casefile);
  const all = await api<PageAnswer>(casefile, 'events.page', { caseId, filter: {}, limit: 1 });
  const hists: { range?: Range; total: number }[] = [];
  page.on('response', (r) => {
    if (!r.url().endsWith('/api/events.histogram')) return;
    const range = (JSON.parse(r.request().postData() ?? '{}') as { range?: Range }).range;
    void r.json().then((e: { ok: boolean; value: { lanes: { total: number }[] } }) => {
      if (e.ok) hists.push({ ...(range ? { range } : {}), total: e.value.lanes.reduce((a, l) => a + l.total, 0) });
    }, () => undefined);
  });
  const plotWidth = (await page.locator('.lane-plot').boundingBox())!.width;

  await brush(page, 0.05, 0.95);
  await expect(page.locator('[data-testid="filter-chip"][data-kind="range"]')).toBeVisible();
  const range = rangeIn(page)!;
  const want = await api<PageAnswer>(casefile, 'events.page', { caseId, filter: range, limit: 200 });
  expect(want.total).toBeGreaterThan(0);
  expect(want.total).toBeLessThan(all.total);
  await expect.poll(() => eventsTotal(page)).toBe(want.total);
  await expect.poll(() => shownIds(page)).toEqual(want.rows.slice(0, 20).map((r) => r.id));
  for (const r of want.rows) expect(Date.parse(r.ts!)).toBeGreaterThanOrEqual(Date.parse(range.from));
  // The table's total is the zoom's histogram's count.
  await expect.poll(() => hists.find((h) => h.range?.from === range.from && h.range.to === range.to)?.total).toBe(want.total);

  // On whole minutes where a pixel of the new view spans one or more (three weeks do at nine tenths of them).
  const pxMs = (Date.parse(range.to) - Date.parse(range.from)) / plotWidth;
  expect(pxMs).toBeGreaterThanOrEqual(60_000);
  expect(Date.parse(range.from) % 60_000).toBe(0);
  expect(range.to).toMatch(/:59\.999999Z$/);
  await expect(page.locator('[data-testid="filter-chip"][data-kind="range"]')).toContainText(':59.999999');
  // A zoom deep enough that a pixel is under a minute keeps the range to the millisecond it was drawn at.
  for (let i = 0; i < 12 && (Date.parse(rangeIn(page)!.to) - Date.parse(rangeIn(page)!.from)) / plotWidth >= 60_000; i++) {
    const before = rangeIn(page)!;
    await brush(page, 0.45, 0.55);
    await expect.poll(() => rangeIn(page)?.from !== before.from || rangeIn(page)?.to !== before.to).toBe(true);
  }
  const deep = rangeIn(page)!;
  expect((Date.parse(deep.to) - Date.parse(deep.from)) / plotWidth).toBeLessThan(60_000);
  expect(deep.to).not.toMatch(/\.\d{4,}Z$/);
  const deepWant = await api<PageAnswer>(casefile, 'events.page', { caseId, filter: deep, limit: 200 });
  await expect.poll(() => eventsTotal(page)).toBe(deepWant.total);
  expect(problems.errors).toEqual([]);
});

test('a zoom replaced before its page answered leaves no stale page: the table shows the last range\'s rows and total', async ({ app, casefile, problems }) => {
  test.setTimeout(120_000);
  const { page } = app;
  // Events over every part of three weeks, so both zooms hold events and their totals differ whichever view the
  // second brush lands on (the demo's gaps could leave both ranges empty when the first zoom's plot was not yet drawn).
  const caseId = await openLongCase(page, casefile);
  const engine = casefile.engine;
  const invoke = engine.invoke.bind(engine);
  // The first zoom's page is held in the engine until well after the second zoom's answers, so its answer (were it
  // still taken) would land last: the race is set, not left to timing.
  let held: Range | null = null;
  engine.invoke = (async (name: string, input: { filter?: Partial<Range> }, opts?: unknown) => {
    const f = input?.filter;
    if (name === 'events.page' && f?.from && f.to && (!held || (held.from === f.from && held.to === f.to))) {
      held = { from: f.from, to: f.to };
      await new Promise((r) => setTimeout(r, 2500));
    }
    return invoke(name as never, input as never, opts as never);
  }) as typeof engine.invoke;
  try {
    await brush(page, 0.05, 0.95);
    await expect.poll(() => rangeIn(page)).not.toBeNull();
    const first = rangeIn(page)!;
    await expect.poll(() => held).not.toBeNull();
    // The second zoom while the first's page is still held (the first's histogram has redrawn the plot or not: the
    // brush works on whichever view is shown).
    await brush(page, 0.2, 0.6);
    await expect.poll(() => rangeIn(page)?.from !== first.from || rangeIn(page)?.to !== first.to).toBe(true);
    const second = rangeIn(page)!;
    const want = await invoke('events.page', { caseId, filter: second, limit: 200 }) as PageAnswer;
    const firstWant = await invoke('events.page', { caseId, filter: first, limit: 200 }) as PageAnswer;
    expect(want.total).toBeGreaterThan(0);
    expect(firstWant.total).toBeGreaterThan(0);
    expect(want.total).not.toBe(firstWant.total);
    await expect.poll(() => eventsTotal(page)).toBe(want.total);
    await expect.poll(() => shownIds(page)).toEqual(want.rows.slice(0, 20).map((r) => r.id));
    // Past the held page's release: still the second range's rows and total.
    await page.waitForTimeout(3000);
    expect(await eventsTotal(page)).toBe(want.total);
    expect(await shownIds(page)).toEqual(want.rows.slice(0, 20).map((r) => r.id));
    await expect(page.locator('.events-head')).not.toContainText('loading');
  } finally {
    engine.invoke = invoke;
  }
  expect(problems.errors).toEqual([]);
});
