// The client rules editor and its tester as the operator uses them on the demo case, against the real engine and
// bridge (e2e/fixtures): a draft survives moving between the dialog's panes and closing it, the export pane says
// when the rules it runs with are not the draft, a test result that no longer matches the draft says so, and an
// empty row says what is missing.
import { expect, test } from './fixtures';
import { api, openDemo } from './workbenchKit';

test.use({ openDefault: true });

test('a draft of client rules is not lost between panes, and a stale test says so', async ({ app, casefile, problems }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const saved = await api<object>(casefile, 'redact.rules.get', { caseId });
  await page.getByTestId('export-open').click();
  await expect(page.getByTestId('export-preview')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('rules-unsaved')).toHaveCount(0);
  await page.getByTestId('export-pane-rules').click();
  const editor = page.getByTestId('rules-editor');
  // nothing to save until the draft differs from the saved rules
  await expect(editor.getByTestId('rules-save')).toBeDisabled();
  await editor.getByTestId('add-pattern').click();
  // An empty row says what it lacks, in words.
  await expect(editor.getByTestId('rules-errors')).toContainText('pattern 1 regex: empty');
  const row = editor.getByTestId('rule-pattern').last();
  await row.getByTestId('pattern-type').fill('kyc');
  await row.getByTestId('pattern-regex').fill('KYC\\d{6}');
  await expect(editor.getByTestId('rules-errors')).toHaveCount(0);

  await editor.getByTestId('tester-input').fill('kyc check for KYC123456 passed');
  await editor.getByTestId('tester-run').click();
  await expect(editor.getByTestId('tester-line').locator('mark[data-type="kyc"]')).toHaveCount(1);
  await expect(editor.getByTestId('tester-stale')).toHaveCount(0);
  // The draft changes: the result shown was made by other rules, and says so until tested again.
  await row.getByTestId('pattern-regex').fill('KYC\\d{7}');
  await expect(editor.getByTestId('tester-stale')).toBeVisible();
  await expect(editor.getByTestId('tester-output')).toHaveAttribute('data-stale', 'true');
  await editor.getByTestId('tester-run').click();
  await expect(editor.getByTestId('tester-stale')).toHaveCount(0);
  await expect(editor.getByTestId('tester-line').locator('mark[data-type="kyc"]')).toHaveCount(0);

  // To the export pane and back: the draft and the sample are still there, and the export pane says the preview
  // and the export run with the saved rules, not this draft.
  await page.getByTestId('export-pane-export').click();
  await expect(page.getByTestId('rules-unsaved')).toBeVisible();
  await expect(page.getByTestId('export-pane-rules')).toHaveAttribute('data-unsaved', 'true');
  await page.getByTestId('export-pane-rules').click();
  await expect(editor.getByTestId('pattern-regex')).toHaveValue('KYC\\d{7}');
  await expect(editor.getByTestId('tester-input')).toHaveValue('kyc check for KYC123456 passed');
  // Closing the dialog keeps it too.
  await page.getByTestId('export-close').click();
  await page.getByTestId('export-open').click();
  await page.getByTestId('export-pane-rules').click();
  await expect(editor.getByTestId('pattern-regex')).toHaveValue('KYC\\d{7}');
  expect(await api<object>(casefile, 'redact.rules.get', { caseId })).toEqual(saved);

  // Saved: nothing is pending any more.
  await editor.getByTestId('rules-save').click();
  await expect(editor.getByTestId('rules-saved')).toBeVisible();
  await expect(editor.getByTestId('rules-save')).toBeDisabled();
  await page.getByTestId('export-pane-export').click();
  await expect(page.getByTestId('rules-unsaved')).toHaveCount(0);
  await expect(page.getByTestId('export-pane-rules')).not.toHaveAttribute('data-unsaved', 'true');
  await api(casefile, 'redact.rules.save', { caseId, rules: saved });
  expect(problems.errors).toEqual([]);
});

test('a huge pasted sample: a line past the tester\'s length is cut and says so, and Test says it is working until the engine answers', async ({ app, casefile, problems }) => {
  const { page } = app;
  await openDemo(app, casefile);
  await page.getByTestId('export-open').click();
  await page.getByTestId('export-pane-rules').click();
  const editor = page.getByTestId('rules-editor');
  // A pasted log with one line longer than the engine takes (a minified JSON blob), among ordinary ones.
  const long = `token=Zq81bX0pLm3nR7sTw ${'x'.repeat(150_000)}`;
  await editor.getByTestId('tester-input').fill(['first line user=alice', long, 'last line'].join('\n'));
  await expect(editor.getByTestId('tester-cut')).toContainText('line 2 is tested only in part: the tester takes up to 100,000 characters a line and 400,000 in all');
  // Hold the engine's answer: the button says the test is under way and cannot be pressed again.
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  await page.route('**/api/redact.test', async (route) => { await held; await route.continue(); });
  await editor.getByTestId('tester-run').click();
  await expect(editor.getByTestId('tester-run')).toHaveText('Testing…');
  await expect(editor.getByTestId('tester-run')).toBeDisabled();
  release();
  await expect(editor.getByTestId('tester-line')).toHaveCount(3);
  await expect(editor.getByTestId('tester-error')).toHaveCount(0);
  await expect(editor.getByTestId('tester-run')).toHaveText('Test');
  await expect(editor.getByTestId('tester-line').nth(1).locator('mark.repl.secret')).toHaveCount(1);
  expect(problems.errors).toEqual([]);
});

test('a pattern that can match empty text is refused beside its row, with Save and Test off; one that takes a whole sample line is warned about there', async ({ app, casefile, problems }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const saved = await api<object>(casefile, 'redact.rules.get', { caseId });
  await page.getByTestId('export-open').click();
  await page.getByTestId('export-pane-rules').click();
  const editor = page.getByTestId('rules-editor');
  await editor.getByTestId('add-pattern').click();
  const n = await editor.getByTestId('rule-pattern').count();
  const row = editor.getByTestId('rule-pattern').last();
  await row.getByTestId('pattern-type').fill('customer');
  await editor.getByTestId('tester-input').fill('kyc check for OMEGA3231 failed');
  await row.getByTestId('pattern-regex').fill('OMEGA\\d*|');
  const note = row.getByTestId('pattern-note');
  await expect(note).toHaveText(`Rule "customer" (pattern ${n}): its pattern can match empty text, so it can match anywhere and replace whole lines. Make it require at least one character (for example \\d+ instead of \\d*).`);
  await expect(note).toHaveAttribute('data-level', 'error');
  // said once, beside the row it is about, not again in the list under the rules
  await expect(editor.getByTestId('rules-errors')).toHaveCount(0);
  await expect(editor.getByTestId('rules-save')).toBeDisabled();
  await expect(editor.getByTestId('tester-run')).toBeDisabled();
  // fixed: the refusal goes and the rules can be tested
  await row.getByTestId('pattern-regex').fill('OMEGA\\d+');
  await expect(note).toHaveCount(0);
  await expect(editor.getByTestId('tester-run')).toBeEnabled();
  await editor.getByTestId('tester-run').click();
  await expect(editor.getByTestId('tester-line').locator('mark[data-type="customer"]')).toHaveCount(1);
  // too broad: a warning beside the row, and the rules stay usable
  await row.getByTestId('pattern-regex').fill('[a-zA-Z0-9 ]+');
  await expect(note).toHaveText(`Rule "customer" (pattern ${n}) matches the whole of sample line 1, so it would replace that line whole: it is likely too broad.`);
  await expect(note).toHaveAttribute('data-level', 'warning');
  await expect(editor.getByTestId('rules-save')).toBeEnabled();
  await expect(editor.getByTestId('tester-run')).toBeEnabled();
  expect(await api<object>(casefile, 'redact.rules.get', { caseId })).toEqual(saved);
  expect(problems.errors).toEqual([]);
});
