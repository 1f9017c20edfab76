// Issue 16's speed on two cores, as the order of the engine calls a text search makes: its first rows are asked
// alone (a rare word reads every record's text), the histogram once they are in, and the pending total after the
// histogram, so the engine hands the histogram's count to events.count instead of scanning the text a third time.
import type { Request } from '@playwright/test';
import { expect, test } from './fixtures';
import { api, eventsTotal, openDemo } from './workbenchKit';

test.use({ openDefault: true });

test('a text search asks for its rows first, then the histogram, then the total it counts', async ({ app, casefile, problems }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const seen: { what: string; at: number }[] = [];
  const isText = (r: Request) => /"text":"Traceback"/.test(r.postData() ?? '');
  const callOf = (r: Request) => /\/api\/([\w.]+)$/.exec(r.url())?.[1];
  page.on('request', (r) => { if (isText(r)) seen.push({ what: `ask ${callOf(r)}`, at: performance.now() }); });
  page.on('requestfinished', (r) => { if (isText(r)) seen.push({ what: `got ${callOf(r)}`, at: performance.now() }); });

  await page.getByTestId('search-input').fill('Traceback');
  await page.getByTestId('search-input').press('Enter');
  await expect(page.getByTestId('events-total')).not.toHaveText(/counting/);
  const total = await eventsTotal(page);
  expect(total).toBeGreaterThan(0);
  await expect.poll(() => seen.filter((s) => s.what.startsWith('got ')).length).toBe(3);

  const at = (what: string) => seen.find((s) => s.what === what)?.at ?? NaN;
  expect(at('got events.page')).toBeLessThanOrEqual(at('ask events.histogram'));
  expect(at('ask events.histogram')).toBeLessThan(at('ask events.count'));
  // One of each: nothing asked twice for the same search.
  expect(seen.filter((s) => s.what.startsWith('ask ')).map((s) => s.what).sort()).toEqual(['ask events.count', 'ask events.histogram', 'ask events.page']);
  // The total shown is what the histogram counted (timed lanes plus untimed matches).
  const h = await api<{ lanes: { total: number }[]; untimed: number }>(casefile, 'events.histogram', { caseId, filter: { text: 'Traceback' }, buckets: 50 });
  expect(h.lanes.reduce((a, l) => a + l.total, 0) + h.untimed).toBe(total);
  expect(problems.errors).toEqual([]);
});
