// Outside text in the audit view: a file name from a customer's server can hold a bidi override (U+202E makes
// `gol.exe` read `exe.log`), a zero-width space and terminal escapes. An import of it records the name in its inputs
// and, when it fails, in its message; the list and the entry's detail show them as escapes, as `casefile audit show`
// does (shared/printable.ts), and a name already reading `\x1b` is not escaped a second time.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { api, caseLink } from './workbenchKit';

// eslint-disable-next-line no-control-regex -- finding the raw ESC is the point
const RAW = /[\u202e\u200b\u001b]/;

test('a file name with a bidi override, a zero-width space and ESC shows escaped in the list and the detail', async ({ app, casefile, problems }) => {
  const { page } = app;
  const work = await mkdtemp(path.join(os.tmpdir(), 'casefile-audit-printable-'));
  try {
    const made = await api<{ id: string }>(casefile, 'cases.create', { name: 'Outside text', dir: path.join(work, 'case') });
    // The name as a server could send it, with a literal backslash-x1b beside the real ESC.
    const missing = path.join(work, 'in', 'gol\u202eexe\u200b\x1b[31m \\x1b.log');
    await expect(api(casefile, 'import.paths', { caseId: made.id, paths: [missing] })).rejects.toThrow(/Cannot read/);
    const shownPath = path.join(work, 'in', 'gol\\u202eexe\\u200b\\x1b[31m \\x1b.log');
    const [entry] = await api<{ seq: number; action: string; result: { status: string; message?: string }; params: { paths: string[] } }[]>(casefile, 'audit.list', { caseId: made.id, action: 'import.paths', limit: 1 });
    // The trail holds the raw characters (it records what happened); only the view escapes them.
    expect(entry!.result.status).toBe('error');
    expect(entry!.result.message).toContain(missing);
    expect(entry!.params.paths).toEqual([missing]);

    await page.goto(caseLink(casefile, made.id, 'audit'));
    const row = page.getByTestId('audit-row').filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${entry!.seq}$`) }) });
    const result = row.locator('td').nth(5);
    await expect(result).toContainText(`error: Cannot read ${shownPath}`);
    expect(await result.textContent()).not.toMatch(RAW);

    await row.click();
    const detail = page.getByTestId('audit-detail');
    await expect(detail.getByTestId('audit-result')).toContainText(`Cannot read ${shownPath}`);
    const param = detail.getByTestId('audit-param').filter({ hasText: 'paths' });
    await expect(param.locator('td')).toHaveText(shownPath);
    expect(await detail.textContent()).not.toMatch(RAW);
    // The stored entry as JSON: the same JSON with what JSON leaves raw written as \u escapes (ESC is JSON's \u001b).
    await detail.getByTestId('audit-json-toggle').click();
    const json = detail.getByTestId('audit-json');
    await expect(json).toContainText('gol\\u202eexe\\u200b\\u001b[31m \\\\x1b.log');
    expect(await json.textContent()).not.toMatch(RAW);

    // The filter finds the entry by the text as shown, as well as by the raw characters pasted.
    const filter = page.getByTestId('audit-text');
    for (const typed of ['gol\\u202eexe', '\\x1b[31m', 'gol\u202eexe']) {
      await filter.fill(typed);
      await expect(row, typed).toHaveCount(1);
    }
    await filter.fill('gol\\u202fexe');
    await expect(row).toHaveCount(0);
    expect(problems.errors).toEqual([]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
