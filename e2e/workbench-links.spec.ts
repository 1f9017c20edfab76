// Links and history in browser mode: a copied link carries the view (case, view, filter, record) and no token;
// the app's Back / Forward buttons and Alt+← / Alt+→ move between views inside the app.
import { expect, test } from './fixtures';
import { api, openDemo } from './workbenchKit';

test.use({ openDefault: true });

test('copy a link to the view and open it; Back / Forward buttons and Alt+arrows stay in the app', async ({ app, casefile }) => {
  const { page } = app;
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await openDemo(app, casefile);
  await page.getByTestId('level-ERROR').click();
  const row = page.getByTestId('event-row').first();
  const id = await row.getAttribute('data-id');
  await row.click();
  await expect(page.getByTestId('detail-panel')).toBeVisible();
  await page.getByTestId('copy-link').click();
  await expect(page.getByTestId('copy-link')).toHaveText('Copied');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).not.toContain(casefile.server.token);
  const url = new URL(link);
  expect(url.searchParams.get('case')).toBe(casefile.defaultCaseId);
  expect(url.searchParams.get('event')).toBe(id);

  // Elsewhere in the app, then the link: the same filter and record come back.
  await page.getByTestId('clear-filters').click();
  await page.getByTestId('tab-audit').click();
  await page.goto(link);
  await expect(page.locator('[data-testid="filter-chip"][data-kind="level"]')).toContainText('ERROR');
  await expect(page.getByTestId('detail-panel')).toBeVisible();
  const rec = await api<{ file: string; line: number }>(casefile, 'events.get', { caseId: casefile.defaultCaseId, id: Number(id) });
  await expect(page.getByTestId('detail-file')).toContainText(`${rec.file}:${rec.line}`);

  // History: timeline → chains → audit, then back twice with the button and Alt+←, forward with Alt+→.
  await page.getByTestId('tab-chains').click();
  await expect(page.getByTestId('chains-view')).toBeVisible();
  await page.getByTestId('tab-audit').click();
  await page.getByTestId('nav-back').click();
  await expect(page.getByTestId('chains-view')).toBeVisible();
  await page.locator('body').click({ position: { x: 5, y: 860 } });
  await page.keyboard.press('Alt+ArrowLeft');
  await expect(page.getByTestId('timeline')).toBeVisible();
  await page.keyboard.press('Alt+ArrowRight');
  await expect(page.getByTestId('chains-view')).toBeVisible();
  await page.getByTestId('nav-forward').click();
  await expect(page.getByTestId('tab-audit')).toHaveClass(/on/);
  expect(new URL(page.url()).origin).toBe(casefile.server.origin);
});
