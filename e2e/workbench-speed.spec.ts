// Issue 16's speed on two cores, as the order of the engine calls a text search makes: its first rows are asked
// alone (a rare word reads every record's text), the histogram once they are in; a common word's pending total is
// asked after the histogram, so the engine hands the histogram's count to events.count instead of scanning the
// text a third time, and a rare word's short first page carries its total (no count asked at all).
import type { Page, Request } from '@playwright/test';
import { expect, test } from './fixtures';
import { eventsTotal, histogramTotal, openDemo } from './workbenchKit';

test.use({ openDefault: true });

/** Searches `word`; returns the text search's engine calls in the order they were asked and answered, and the total. */
async function searchCalls(page: Page, word: string) {
  const seen: { what: string; at: number }[] = [];
  const isText = (r: Request) => (r.postData() ?? '').includes(`"text":"${word}"`);
  const callOf = (r: Request) => /\/api\/([\w.]+)$/.exec(r.url())?.[1];
  page.on('request', (r) => { if (isText(r)) seen.push({ what: `ask ${callOf(r)}`, at: performance.now() }); });
  page.on('requestfinished', (r) => { if (isText(r)) seen.push({ what: `got ${callOf(r)}`, at: performance.now() }); });
  await page.getByTestId('search-input').fill(word);
  await page.getByTestId('search-input').press('Enter');
  await expect(page.getByTestId('events-total')).not.toHaveText(/counting/);
  await expect.poll(() => seen.filter((s) => s.what === 'got events.histogram').length).toBe(1);
  await page.waitForTimeout(500); // a count asked late would show (the field sidebar reads its sample meanwhile)
  const at = (what: string) => seen.find((s) => s.what === what)?.at ?? NaN;
  return { at, asked: seen.filter((s) => /^ask events\.(page|histogram|count)$/.test(s.what)).map((s) => s.what).sort(), total: await eventsTotal(page) };
}

test('a common word: rows first, then the histogram, then the total it counted', async ({ app, casefile, problems }) => {
  const caseId = await openDemo(app, casefile);
  // A word no other spec searches: the engine (one per worker) remembers a word's count once taken, and then nothing
  // is left to ask (workbench-abort searches INFO).
  const { at, asked, total } = await searchCalls(app.page, 'DEBUG');
  expect(total).toBeGreaterThan(200);
  expect(at('got events.page')).toBeLessThanOrEqual(at('ask events.histogram'));
  expect(at('ask events.histogram')).toBeLessThan(at('ask events.count'));
  expect(asked).toEqual(['ask events.count', 'ask events.histogram', 'ask events.page']);
  expect(total).toBe(await histogramTotal(casefile, caseId, 'DEBUG'));
  expect(problems.errors).toEqual([]);
});

test('a rare word: its first page carries the total, then the histogram; nothing counts again', async ({ app, casefile, problems }) => {
  const caseId = await openDemo(app, casefile);
  const { at, asked, total } = await searchCalls(app.page, 'Traceback');
  expect(total).toBeGreaterThan(0);
  expect(total).toBeLessThanOrEqual(200);
  expect(at('got events.page')).toBeLessThanOrEqual(at('ask events.histogram'));
  expect(asked).toEqual(['ask events.histogram', 'ask events.page']);
  expect(total).toBe(await histogramTotal(casefile, caseId, 'Traceback'));
  expect(problems.errors).toEqual([]);
});

test('the field sidebar reads the result the operator stops on, not each one clicked through', async ({ app, casefile, problems }) => {
  const { page } = app;
  await openDemo(app, casefile);
  await expect(page.getByTestId('field-sidebar')).toBeVisible();
  // The opening result's own read is not part of the burst: wait until the sidebar has shown it.
  await expect(page.getByTestId('field-item').first()).toBeVisible();
  const asked: string[] = [];
  page.on('request', (r) => { if (r.url().endsWith('/api/events.fieldStats')) asked.push(r.postData() ?? ''); });
  // Three level toggles, each 200 ms after the table has its new rows and total, as a quick operator clicks (the
  // sidebar waits for the table, then SETTLE_MS). Clicked and watched inside the page so the gaps are the page's own:
  // the test runner's per-click overhead on a loaded machine reached the settle time.
  await page.evaluate(async (levels) => {
    const head = () => document.querySelector('.events-head')?.textContent ?? '';
    const total = () => document.querySelector('[data-testid="events-total"]')?.textContent ?? '';
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (const level of levels) {
      const before = total();
      document.querySelector<HTMLElement>(`[data-testid="level-${level}"]`)!.click();
      while (total() === before || /counting|loading/.test(head())) await sleep(10);
      await sleep(200);
    }
  }, ['ERROR', 'WARNING', 'INFO']);
  await expect.poll(() => asked.length).toBe(1);
  expect(JSON.parse(asked[0]!).filter.levels.sort()).toEqual(['ERROR', 'INFO', 'WARNING']);
  await page.waitForTimeout(1000);
  expect(asked).toHaveLength(1);
  expect(problems.errors).toEqual([]);
});

test('the timeline draws each lane as a few shapes, one per level, whatever the bucket count', async ({ app, casefile, problems }) => {
  const { page } = app;
  // The histogram answers the page drew from: every non-zero (bucket, level) count is one bar. (The worker's demo
  // case may hold evidence other specs imported, which widens its range and so changes how many buckets hold data.)
  const answers: { lanes: { counts: number[][] }[] }[] = [];
  page.on('response', (r) => { if (r.url().endsWith('/api/events.histogram')) void r.json().then((e: { ok: boolean; value: (typeof answers)[number] }) => { if (e.ok) answers.push(e.value); }, () => undefined); });
  await openDemo(app, casefile);
  await expect(page.getByTestId('lane-bars').first()).toBeVisible();
  const drawn = () => page.getByTestId('lane-plot').evaluateAll((gs) => gs.map((g) => ({
    shapes: g.querySelectorAll('rect, path').length,
    bars: [...g.querySelectorAll('path')].reduce((a, p) => a + (p.getAttribute('d')?.match(/M/g)?.length ?? 0), 0),
    levels: [...g.querySelectorAll('path')].map((p) => p.getAttribute('data-level')),
  })));
  const cells = (h: (typeof answers)[number]) => h.lanes.reduce((a, l) => a + l.counts.reduce((b, c) => b + c.filter((n) => n > 0).length, 0), 0);
  await expect.poll(async () => answers.length > 0 && (await drawn()).reduce((a, l) => a + l.bars, 0) === cells(answers[answers.length - 1]!)).toBe(true);
  const lanes = await drawn();
  expect(lanes.length).toBeGreaterThan(1);
  // The lane's background and at most one path per level (six levels and "other"), however many buckets are drawn.
  for (const l of lanes) expect(l.shapes).toBeLessThanOrEqual(8);
  expect(lanes.reduce((a, l) => a + l.bars, 0)).toBeGreaterThan(lanes.length);
  expect(lanes.flatMap((l) => l.levels)).toContain('ERROR');
  // Hovering a bar still names its counts.
  const box = (await page.locator('.lane-plot').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 20);
  await expect(page.getByTestId('timeline-tooltip')).toContainText('total:');
  expect(problems.errors).toEqual([]);
});
