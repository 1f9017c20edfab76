// The text index in the browser: serve builds it behind the operator after the demo's import (a background
// `text-index` job), the status bar says so while it builds, and a search answers the same before and after.
import { expect, test } from './fixtures';
import { api, openDemo } from './workbenchKit';

test.use({ openDefault: true });

interface Job { kind: string; state: string }

test('serve builds the text index in the background; searches answer the same with it', async ({ app, casefile }) => {
  test.setTimeout(120_000);
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  await expect.poll(async () => (await api<Job[]>(casefile, 'jobs.list', { caseId })).some((j) => j.kind === 'text-index' && j.state === 'done'), { timeout: 60_000 }).toBe(true);
  await expect.poll(async () => (await api<{ textIndexPending?: boolean }>(casefile, 'cases.get', { caseId })).textIndexPending ?? false).toBe(false);
  await expect(page.getByTestId('status-text-index')).toHaveCount(0);
  // Rare, absent and short words: the same totals as the regex mode, which never uses the index.
  for (const word of ['timeout', 'no such text anywhere', 'ab', 'Traceback']) {
    const quoted = word.replace(/[^A-Za-z0-9_]/g, (c) => `\\${c}`);
    const viaIndex = await api<{ total: number }>(casefile, 'events.count', { caseId, filter: { text: word } });
    const plain = await api<{ total: number }>(casefile, 'events.count', { caseId, filter: { text: quoted, regex: true } });
    expect(viaIndex.total, word).toBe(plain.total);
  }
});
