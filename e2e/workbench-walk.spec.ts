// The operator's walk through an incident on the demo case (qa10): each test is one place where what the screen said
// did not match what the operator had asked for.
import { expect, test } from './fixtures';
import { api, caseLink, openDemo } from './workbenchKit';

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
