// The audit view as the operator reads it on the demo case, against the real engine and bridge (e2e/fixtures): an
// entry says what was done and with which inputs; what they typed (a search) is recorded as an HMAC, labelled so,
// and a text they remember can be checked against it without the key ever reaching the page.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { appendAudit } from '../electron/engine/audit/trail';
import { api, openDemo } from './workbenchKit';

test.use({ openDefault: true });

/** The list's row of entry `seq`. */
const rowOf = (page: Page, seq: number) => page.getByTestId('audit-row').filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${seq}$`) }) });

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
  // The search's entry (the page may have asked for other pages since).
  const caseId = casefile.defaultCaseId!;
  // The chip shows as the filter is set; the page call it starts is recorded when it answers, so wait for its entry.
  const searchedEntry = async () => (await api<{ seq: number; params: { filter?: { text?: unknown } } }[]>(casefile, 'audit.list', { caseId, action: 'events.page', limit: 100 }))
    .find((e) => e.params.filter?.text);
  await expect.poll(searchedEntry).toBeDefined();
  const searched = (await searchedEntry())!;
  await rowOf(page, searched.seq).click();
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

  // The list's filter reads what is stored, so a remembered search is not found there as text; asked to, it finds
  // the entries whose hashed inputs it matches.
  await page.getByTestId('audit-action').selectOption('');
  await page.getByTestId('audit-text').fill('sneha');
  await expect(page.getByTestId('audit-count')).toContainText('0 shown');
  await page.getByTestId('audit-text-hashed').click();
  await expect(page.getByTestId('audit-hashed-found')).toContainText('1 entry');
  await expect(rowOf(page, searched.seq)).toBeVisible();
  await expect(page.getByTestId('audit-row')).toHaveCount(1);

  // The checks are themselves on the trail, with the text as an HMAC like every typed text.
  const checks = await casefile.engine.invoke('audit.list', { caseId, action: 'audit.matchText', limit: 10 }) as { params: Record<string, unknown> }[];
  expect(checks).toHaveLength(3);
  expect(JSON.stringify(checks)).not.toMatch(/sneha|priya/);
  expect(problems.errors).toEqual([]);
});

test('a tampered trail: verify names where it broke and how far it held, and a tear can be acknowledged here', async ({ app, casefile, problems }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const { dir } = await api<{ dir: string }>(casefile, 'cases.get', { caseId });
  const file = path.join(dir, 'audit.jsonl');
  await page.getByTestId('tab-audit').click();
  const verify = page.getByRole('button', { name: 'Verify audit chain' });
  const status = page.getByTestId('audit-status');
  await expect(status).toContainText('intact');
  // The file is rewritten below the way an intruder would: first let the page's own checks finish appending.
  await expect(page.getByTestId('case-verify')).toContainText('verified');
  await expect(page.getByTestId('integrity-badge')).not.toContainText('verifying');

  // Someone edits entry 3 in the file.
  const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
  const edited = lines[2]!.replace(/"via":"\w+"/, '"via":"cli"');
  expect(edited).not.toBe(lines[2]);
  await writeFile(file, [...lines.slice(0, 2), edited, ...lines.slice(3)].join('\n') + '\n');
  await verify.click();
  // Broken at entry 3; entries 1–2 chain, and what follows the break is not vouched for (one story, not "holds up to").
  await expect(status).toContainText('BROKEN at entry 3 (line 3)');
  await expect(page.getByTestId('audit-verified-to')).toContainText(/^Entries 1–2 chain correctly; from the break on, the last \d+ entries cannot be verified\./);
  await expect(page.locator('[data-testid="audit-row"][data-broken="true"]')).toHaveText(/^3/);
  // The list shows the verification it just recorded (read again once that entry was in).
  const lastVerify = (await api<{ seq: number }[]>(casefile, 'audit.list', { caseId, action: 'audit.verify', limit: 1 }))[0]!.seq;
  await expect(rowOf(page, lastVerify)).toContainText('audit.verify');
  // A check that found the trail broken is on it as a failure, shown like any failed action.
  await expect(rowOf(page, lastVerify).locator('td.warn')).toContainText('error: verification failed at entry 3');
  // The evidence check finds the edit too, and counts it in words that read.
  await page.getByRole('button', { name: 'Verify evidence' }).click();
  await expect(page.getByTestId('case-verify')).toContainText('✖ 1 problem · ');

  // Put it back: intact again.
  const now = (await readFile(file, 'utf8')).trimEnd().split('\n');
  now[2] = lines[2]!;
  await writeFile(file, now.join('\n') + '\n');
  await verify.click();
  await expect(status).toContainText('intact');

  // Someone cuts the last two entries; the next action records the tear.
  const all = (await readFile(file, 'utf8')).trimEnd().split('\n');
  await writeFile(file, all.slice(0, -2).join('\n') + '\n');
  await verify.click();
  // A check that sees the cut before any append says the next entry records it as a tear (its own entry is such an
  // append), and checking again names the tear; a call of the page may have appended first: then it names it at once.
  const broken = page.getByTestId('audit-broken');
  await expect(broken).toContainText(/truncated|Entries were cut off/);
  if ((await broken.textContent())!.includes('truncated')) {
    await expect(broken).toContainText('records it as a tear');
    await verify.click();
  }
  await expect(broken).toContainText('Entries were cut off');
  const tear = (await api<{ seq: number }[]>(casefile, 'audit.list', { caseId, action: 'audit.tear', limit: 1 }))[0]!;
  await expect(page.getByTestId('audit-broken')).toContainText(`casefile audit ack --case ${dir} --seq ${tear.seq}`);
  // The tear is the break, and the entries on both sides of the cut are said to chain: no "broken at 11, holds up to 14".
  await expect(status).toContainText(`BROKEN at entry ${tear.seq} (line ${tear.seq}, the tear record)`);
  await expect(page.getByTestId('audit-verified-to')).toContainText(`Entries 1–${tear.seq - 1} (before the cut) and entries ${tear.seq}–`);
  // Explained, then acknowledged from the view: verify passes and says a tear was acknowledged.
  await page.getByTestId('audit-ack-note').fill('cut by a restore from backup (ticket 4711)');
  await page.getByTestId('audit-ack').click();
  await expect(status).toContainText('intact');
  await expect(page.getByTestId('audit-chain-notes')).toContainText('1 acknowledged tear');
  const acks = await api<{ params: Record<string, unknown> }[]>(casefile, 'audit.list', { caseId, action: 'audit.ack', limit: 10 });
  expect(acks.map((a) => a.params)).toEqual([expect.objectContaining({ tearSeq: tear.seq, note: 'cut by a restore from backup (ticket 4711)' })]);
  expect(problems.errors).toEqual([]);
});

test('a long trail says the list holds only the newest entries, and older actions can still be chosen', async ({ app, casefile, problems }) => {
  test.setTimeout(180_000);
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const { dir } = await api<{ dir: string }>(casefile, 'cases.get', { caseId });
  // A day of searching: more entries than the view lists at once, all newer than the import.
  for (let i = 0; i < 2050; i++) await appendAudit(path.join(dir, 'audit.jsonl'), { action: 'test.bulk', params: { i }, result: { status: 'ok' }, via: 'test', caseId });
  await page.getByTestId('tab-audit').click();
  await expect(page.getByTestId('audit-count')).toContainText('newest 2,000');
  await expect(page.getByTestId('audit-more')).toBeVisible();
  // The import is older than every listed entry, yet its action is there to choose.
  await page.getByTestId('audit-action').selectOption('import.files');
  await expect(page.getByTestId('audit-row').first()).toContainText('import.files');
  await expect(page.getByTestId('audit-more')).toHaveCount(0);
  expect(problems.errors).toEqual([]);
});

test('the audit chain\'s head hash is shown whole, inside its card, so it can be read off and written down', async ({ app, casefile, problems }) => {
  const { page } = app;
  await page.setViewportSize({ width: 1280, height: 800 }); // a common laptop window
  await openDemo(app, casefile);
  // With a record open beside it (as during an investigation) the cards are at their narrowest.
  await page.getByTestId('event-row').first().click();
  await page.getByTestId('tab-audit').click();
  const head = page.getByTestId('audit-head');
  await expect(head).toHaveText(/^[0-9a-f]{64}$/);
  // The 64 hex digits are one unbroken word: at the default window it ran past its card and was clipped.
  const spill = await head.evaluate((el) => {
    const card = el.closest('section.card')!;
    return el.getBoundingClientRect().right - card.getBoundingClientRect().right;
  });
  expect(spill).toBeLessThanOrEqual(0);
  expect(problems.errors).toEqual([]);
});

test('the check card says how many entries came after what it checked, so the list reaching further is no gap', async ({ app, casefile, problems }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  await page.getByTestId('tab-audit').click();
  const status = page.getByTestId('audit-status');
  await expect(status).toContainText('intact through entry #');
  const checked = Number((await status.textContent())!.match(/#(\d+)/)![1]);
  const newest = async () => (await api<{ seq: number }[]>(casefile, 'audit.list', { caseId, limit: 1 }))[0]!.seq;
  // Moving between views writes entries (the table's reads are recorded): each is said to be after the check.
  await page.getByTestId('tab-timeline').click();
  await expect(page.getByTestId('events-total')).toBeVisible();
  await page.getByTestId('tab-audit').click();
  const later = page.getByTestId('audit-later');
  await expect.poll(async () => (await later.textContent()) ?? '').toContain(`${(await newest()) - checked} later entr`);
  expect(await newest()).toBeGreaterThan(checked);

  // Verifying again covers all of them; only the check's own record comes after it.
  await page.getByRole('button', { name: 'Verify audit chain' }).click();
  await expect.poll(async () => Number((await status.textContent())!.match(/#(\d+)/)![1])).toBeGreaterThan(checked);
  await expect(later).toContainText('1 later entry (this check\'s own record first)');
  const now = Number((await status.textContent())!.match(/#(\d+)/)![1]);
  expect(await newest()).toBe(now + 1);
  expect(problems.errors).toEqual([]);
});
