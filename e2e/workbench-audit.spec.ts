// The audit view as the operator reads it on the demo case, against the real engine and bridge (e2e/fixtures): an
// entry says what was done and with which inputs; what they typed (a search) is recorded as an HMAC, labelled so,
// and a text they remember can be checked against it without the key ever reaching the page.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openDemo } from './workbenchKit';

test.use({ openDefault: true });

async function search(page: Page, text: string) {
  await page.getByTestId('search-input').fill(text);
  await page.getByTestId('search-input').press('Enter');
}

test('an entry shows its inputs readably, a hashed one labelled, and checks a remembered text against it', async ({ app, casefile, problems }) => {
  const { page } = app;
  await openDemo(app, casefile);
  await search(page, 'sneha');
  await expect(page.locator('[data-testid="filter-chip"]').first()).toBeVisible();

  await page.getByTestId('tab-audit').click();
  await page.getByTestId('audit-action').selectOption('events.page');
  const row = page.getByTestId('audit-row').first();
  await row.click();
  const detail = page.getByTestId('audit-detail');
  await expect(detail).toBeVisible();
  // What was done, in words, and each input on its own line: no JSON to decode by eye.
  await expect(detail.getByTestId('audit-what')).not.toBeEmpty();
  await expect(detail).not.toContainText('{"hmac"');
  const text = detail.getByTestId('audit-param').filter({ hasText: 'search text' });
  await expect(text).toHaveCount(1);
  await expect(text.getByTestId('audit-hashed')).toContainText(/hashed/i);

  // A text the operator remembers, checked against the entry's hashed inputs by the engine.
  await detail.getByTestId('audit-check-text').fill('sneha');
  await detail.getByTestId('audit-check').click();
  await expect(detail.getByTestId('audit-check-result')).toContainText(/matches.*search text/i);
  await detail.getByTestId('audit-check-text').fill('priya');
  await detail.getByTestId('audit-check').click();
  await expect(detail.getByTestId('audit-check-result')).toContainText(/no hashed input of this entry/i);

  // The check is itself on the trail, with the text as an HMAC like every typed text.
  const caseId = casefile.defaultCaseId!;
  const checks = await casefile.engine.invoke('audit.list', { caseId, action: 'audit.matchText', limit: 10 }) as { params: Record<string, unknown> }[];
  expect(checks).toHaveLength(2);
  expect(JSON.stringify(checks)).not.toMatch(/sneha|priya/);
  expect(problems.errors).toEqual([]);
});
