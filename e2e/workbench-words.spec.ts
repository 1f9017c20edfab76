// Words on the workbench that said something other than what they meant (qa20).
import { expect, test } from './fixtures';
import { api, caseLink, openDemo } from './workbenchKit';

test.use({ openDefault: true });

test('the status bar counts the demo case\'s one bundle as "1 bundle", not "1 bundles"', async ({ app, casefile }) => {
  const caseId = await openDemo(app, casefile);
  const info = await api<{ bundleCount: number }>(casefile, 'cases.get', { caseId });
  expect(info.bundleCount).toBe(1);
  await expect(app.page.getByTestId('status-bundles')).toHaveText('1 bundle');
});

test('a trace\'s header says its query time as the time it took to find, not beside the chain as if it were its duration', async ({ app, casefile, problems }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const key = '97809eee-1fb2-4964-ba30-077b847bfa6c'; // export_report, failed, span 1.28 s
  await page.goto(caseLink(casefile, caseId, 'trace', { trace: key }));
  await expect(page.getByTestId('trace-span')).toHaveText('span 1.28 s');
  const found = page.getByTestId('trace-found');
  await expect(found).toHaveText(/^9 events · found in \d+ ms$/);
  expect(problems.errors).toEqual([]);
});
