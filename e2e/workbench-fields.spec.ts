// The field sidebar (Kibana's Discover), filter for / out and add as column from it and from the detail panel, and
// the table's columns resized, reordered and remembered per case — in Debian Chromium against the real engine.
import type { Page } from '@playwright/test';
import type { FieldStats } from '../shared/contract';
import { expect, test } from './fixtures';
import { api, eventsTotal, openDemo } from './workbenchKit';

test.use({ openDefault: true });

const item = (page: Page, field: string) => page.locator(`[data-testid="field-item"][data-field="${field}"]`);

test('the field sidebar lists the result\'s fields with top values; filter for, filter out, add as column', async ({ app, casefile, problems }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  await expect(page.getByTestId('field-sidebar')).toBeVisible();
  // The demo holds more events than the default sample: the sidebar says its numbers are sampled, until asked.
  const sampled = await api<FieldStats>(casefile, 'events.fieldStats', { caseId, filter: {}, top: 5 });
  expect(sampled.sampled).toBe(true);
  await expect(page.getByTestId('field-basis')).toContainText(`random sample of ${sampled.rowsRead.toLocaleString('en-US')} of ${sampled.total.toLocaleString('en-US')}`);
  await page.getByTestId('field-count-all').click();
  await expect(page.getByTestId('field-basis')).toContainText(`From all ${sampled.total.toLocaleString('en-US')} matching events`);

  // Exact numbers now: the same as the engine's for the same filter.
  const all = await api<FieldStats>(casefile, 'events.fieldStats', { caseId, filter: {}, top: 5, sample: 200_000 });
  const field = all.fields.find((f) => f.field === 'method')!;
  expect(field.distinct).toBe(2);
  await expect(page.getByTestId('field-item')).toHaveCount(all.fields.length);
  await item(page, 'method').locator('.field-name').click();
  const values = item(page, 'method').getByTestId('field-value');
  await expect(values).toHaveCount(field.top.length);
  for (const [i, t] of field.top.entries()) {
    await expect(values.nth(i)).toHaveAttribute('data-value', t.value);
    await expect(values.nth(i).getByTestId('field-value-count')).toHaveText(t.count.toLocaleString('en-US'));
  }

  // Filter for the top value: the table shows exactly those events, and the sidebar follows the new result.
  const top = field.top[0]!;
  await values.first().getByTestId('filter-for').click();
  await expect(page.locator('[data-testid="filter-chip"][data-kind="field"]')).toHaveText(new RegExp(`method = ${top.value}`));
  await expect.poll(() => eventsTotal(page)).toBe(top.count);
  await expect(page.getByTestId('field-basis')).toContainText(`From all ${top.count.toLocaleString('en-US')} matching events`);
  await expect(item(page, 'method').getByTestId('field-value')).toHaveCount(1);

  // Filter it out instead: everything else, records without the field included.
  await page.locator('[data-testid="filter-chip"][data-kind="field"] .chip-x').click();
  await item(page, 'method').getByTestId('field-value').first().getByTestId('filter-out').click();
  await expect(page.locator('[data-testid="filter-chip"][data-kind="field"]')).toHaveText(new RegExp(`method ≠ ${top.value}`));
  await expect.poll(() => eventsTotal(page)).toBe(all.total - top.count);

  // Add as column: a header appears and the rows carry the field's values, as the engine gives them.
  await page.getByTestId('clear-filters').click();
  await expect.poll(() => eventsTotal(page)).toBe(all.total);
  await item(page, 'url').locator('.field-name [data-testid="add-column"]').click();
  await expect(page.locator('[data-testid="column-head"][data-col="url"]')).toBeVisible();
  const first = await api<{ rows: { extra?: Record<string, string | null> }[] }>(casefile, 'events.page', { caseId, filter: {}, limit: 20, extraFields: ['url'] });
  const cells = page.locator('[data-testid="event-row"] .c-url');
  for (let i = 0; i < 20; i++) await expect(cells.nth(i)).toHaveText(first.rows[i]!.extra?.url ?? '');
  expect(first.rows.some((r) => r.extra?.url)).toBe(true);
  // The field search narrows the list.
  await page.getByTestId('field-search').fill('url');
  await expect(page.getByTestId('field-item')).toHaveCount(all.fields.filter((f) => f.field.toLowerCase().includes('url')).length);
  expect(problems.errors).toEqual([]);
});

test('every field of the detail panel filters for, filters out and adds a column', async ({ app, casefile }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const posts = await api<{ total: number; rows: { id: number }[] }>(casefile, 'events.page', { caseId, filter: { fields: [{ field: 'method', value: 'POST' }] }, limit: 1 });
  const id = posts.rows[0]!.id;
  const urlOf = await api<{ fields: Record<string, unknown> }>(casefile, 'events.get', { caseId, id });
  // Open that record (a link to it, as the URL carries the selected event).
  const link = new URL(page.url());
  link.searchParams.set('event', String(id));
  await page.goto(link.toString());
  await expect(page.getByTestId('detail-panel')).toBeVisible();
  const row = page.locator('[data-testid="detail-field"][data-field="method"]');
  await row.hover();
  await row.getByTestId('filter-for').click();
  await expect(page.locator('[data-testid="filter-chip"][data-kind="field"]')).toHaveText(/method = POST/);
  await expect.poll(() => eventsTotal(page)).toBe(posts.total);
  await row.hover();
  await row.getByTestId('add-column').click();
  await expect(page.locator('[data-testid="column-head"][data-col="method"]')).toBeVisible();
  await expect(page.locator('[data-testid="event-row"] .c-method').first()).toHaveText('POST');
  const urlRow = page.locator('[data-testid="detail-field"][data-field="url"]');
  await urlRow.hover();
  await urlRow.getByTestId('filter-out').click();
  await expect(page.locator('[data-testid="filter-chip"][data-kind="field"]').nth(1)).toHaveText(`url ≠ ${String(urlOf.fields.url)}×`);
  const both = await api<{ total: number }>(casefile, 'events.page', {
    caseId, filter: { fields: [{ field: 'method', value: 'POST' }, { field: 'url', value: String(urlOf.fields.url), negate: true }] }, limit: 1,
  });
  await expect.poll(() => eventsTotal(page)).toBe(both.total);
  expect(both.total).toBeLessThan(posts.total);
});

test('columns resize and reorder, and each case remembers its own layout', async ({ app, casefile }) => {
  const { page } = app;
  await openDemo(app, casefile);
  const head = (id: string) => page.locator(`[data-testid="column-head"][data-col="${id}"]`);
  const order = () => page.getByTestId('column-head').evaluateAll((els) => els.map((e) => e.getAttribute('data-col')));
  expect(await order()).toEqual(['time', 'level', 'source', 'file', 'message']);

  // Resize: drag the source column's right edge 90 px wider; the cells below follow.
  const before = (await head('source').boundingBox())!.width;
  const grip = (await head('source').getByTestId('column-resize').boundingBox())!;
  await page.mouse.move(grip.x + grip.width / 2, grip.y + grip.height / 2);
  await page.mouse.down();
  await page.mouse.move(grip.x + 50, grip.y + grip.height / 2, { steps: 4 });
  await page.mouse.move(grip.x + 90 + grip.width / 2, grip.y + grip.height / 2, { steps: 4 });
  await page.mouse.up();
  const wider = (await head('source').boundingBox())!.width;
  expect(wider).toBeGreaterThan(before + 80);
  expect(wider).toBeLessThan(before + 100);
  const cell = (await page.locator('[data-testid="event-row"] .c-source').first().boundingBox())!;
  expect(Math.abs(cell.width - wider)).toBeLessThan(1);

  // Reorder: dropped on the left half of a header goes before it, on the right half after it.
  await head('message').dragTo(head('level'), { targetPosition: { x: 6, y: 8 } });
  await expect.poll(order).toEqual(['time', 'message', 'level', 'source', 'file']);
  const fileBox = (await head('file').boundingBox())!;
  await head('time').dragTo(head('file'), { targetPosition: { x: fileBox.width - 12, y: 8 } });
  await expect.poll(order).toEqual(['message', 'level', 'source', 'file', 'time']);
  await head('time').dragTo(head('message'), { targetPosition: { x: 6, y: 8 } });

  // Reload: the same layout.
  await page.reload();
  await expect.poll(order).toEqual(['time', 'message', 'level', 'source', 'file']);
  expect(Math.abs((await head('source').boundingBox())!.width - wider)).toBeLessThan(1);

  // Another case has its own (default) layout; coming back restores this one.
  const other = await api<{ id: string }>(casefile, 'cases.create', { name: 'Second case' });
  await page.getByTestId('tab-cases').click();
  await page.reload();
  await page.locator(`[data-testid="case-row"][data-case="${other.id}"] [data-testid="case-open"]`).click();
  await expect(page.getByTestId('case-name-header')).toContainText('Second case');
  await expect.poll(order).toEqual(['time', 'level', 'source', 'file', 'message']);
  await page.getByTestId('tab-cases').click();
  await page.locator(`[data-testid="case-row"][data-case="${casefile.defaultCaseId}"] [data-testid="case-open"]`).click();
  await expect(page.getByTestId('case-name-header')).not.toContainText('Second case');
  await expect.poll(order).toEqual(['time', 'message', 'level', 'source', 'file']);
  // Double-click the grip: back to the default width.
  await head('source').getByTestId('column-resize').dblclick();
  await expect.poll(async () => Math.round((await head('source').boundingBox())!.width)).toBe(Math.round(before));
});
