// The Keys view of a data home with no key (qa20's words): its own data home, since a worker's is shared by the
// specs it runs and one run before this may have imported a key (sealed, export).
import { expect, test } from './fixtures';
import { api } from './workbenchKit';

// A value no other spec uses: Playwright starts a worker, and so a data home, for this file alone.
test.use({ ownHome: 'no-keys' });

test('Keys with no secret key says so instead of "locked" beside a Lock button', async ({ app, casefile }) => {
  const { page } = app;
  await app.goto();
  await page.getByTestId('tab-keys').click();
  expect((await api<{ secret: unknown[] }>(casefile, 'keys.list', {})).secret).toEqual([]);
  await expect(page.getByText('No key yet.')).toBeVisible();
  await expect(page.getByTestId('keys-lock-state')).toHaveText('no key to unlock');
});
