// The exports' history and "Who is this?" as the operator uses them, against the real engine and bridge: export the
// demo case from the dialog, find it in the Exports list, paste a client's sentence holding one of its tokens, meet
// the locked key, unlock, reveal the original (checked against the map decrypted by real gpg) and jump to the event
// it first stood in. The original is on the page only after its reveal.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GpgLab } from '../electron/testkit/gpg';
import { expect, test } from './fixtures';

test.use({ openDefault: true });

test('lists the export, and says who a pasted token is once the key is unlocked, masked until revealed', async ({ app, casefile }) => {
  const { page } = app;
  const lab = GpgLab.create();
  try {
    const passphrase = 'e2e-op-pass';
    const me = await lab.genKey('Operator <op@example.test>', passphrase);
    await casefile.engine.invoke('keys.import', { kind: 'secret', armored: me.secretArmored });
    const caseId = casefile.defaultCaseId!;
    const caseDir = casefile.engine.context.getCase(caseId).dir;

    await app.goto();
    await page.getByTestId('export-open').click();
    await expect(page.getByTestId('export-count')).toBeVisible({ timeout: 60_000 });
    await page.getByTestId('export-recipient').selectOption('plaintext');
    await page.getByTestId('plaintext-confirm').check();
    await page.getByTestId('export-run').click();
    await expect(page.getByTestId('export-report')).toBeVisible({ timeout: 90_000 });
    const exportId = (await page.getByTestId('export-report').locator('h4').innerText()).replace(/^Export (\S+) written$/, '$1');

    await page.getByTestId('export-pane-exports').click();
    const row = page.locator(`[data-testid="exports-row"][data-export="${exportId}"]`);
    await expect(row).toHaveAttribute('data-state', 'complete');
    await expect(row.getByTestId('exports-map')).toHaveText('kept');
    // an export that finishes while the list is open (another window, the CLI through the same engine) appears in it
    // without leaving the tab: the list follows the case's export jobs
    const rows = await page.getByTestId('exports-row').count();
    const later = await casefile.engine.invoke('export.run', { caseId, selection: { where: "level = 'ERROR'" }, format: 'csv', plaintext: true }) as { exportId: string };
    await expect(page.locator(`[data-testid="exports-row"][data-export="${later.exportId}"]`)).toHaveAttribute('data-state', 'complete');
    await expect(page.getByTestId('exports-row')).toHaveCount(rows + 1);
    await row.click();
    await expect(page.getByTestId('export-report').locator('h4')).toContainText(`Export ${exportId}`);

    // a token of the extract, and its original as the map says (decrypted here by gpg, not by the app)
    const data = readFileSync(path.join(caseDir, 'exports', exportId, 'events.jsonl'), 'utf8');
    const map = JSON.parse((await lab.decrypt(readFileSync(path.join(caseDir, 'redaction', `${exportId}.map.pgp`)), passphrase)).toString()) as
      { entries: { token: string; type: string; original: string; firstEvent: string | null }[] };
    // one whose original is nowhere on the page yet (the events behind the dialog show the case's own lines)
    const before = await page.locator('body').innerText();
    const entry = map.entries.find((e) => e.firstEvent !== null && e.original.length >= 4 && data.includes(e.token) && !before.includes(e.original))!;
    expect(entry).toBeTruthy();

    const who = page.getByTestId('who-is-this');
    await who.getByTestId('who-text').fill(`${entry.token} failed 300 times, who is that? and <user:ZZZZZZZZZZ>`);
    await who.getByTestId('who-run').click();
    await expect(who.getByTestId('who-error')).toContainText('which is locked: unlock it first');
    await casefile.engine.invoke('keys.unlock', { ref: me.fingerprint, passphrase });
    await who.getByTestId('who-run').click();
    const found = who.locator(`[data-testid="who-row"][data-token="${entry.token}"]`);
    await expect(found).toBeVisible();
    await expect(who.getByTestId('who-not-found')).toContainText('<user:ZZZZZZZZZZ>');
    await expect(found.getByTestId('who-original')).toHaveCount(0);
    expect(await page.locator('body').innerText()).not.toContain(entry.original);
    await found.getByTestId('who-reveal').click();
    await expect(found.getByTestId('who-original')).toHaveText(entry.original);

    const event = await casefile.engine.invoke('events.get', { caseId, id: Number(entry.firstEvent) }) as { file: string; line: number };
    await found.getByTestId('who-jump').click();
    await expect(page.getByTestId('export-dialog')).toHaveCount(0);
    await expect(page.getByTestId('detail-file')).toContainText(`${event.file}:${event.line}`);
  } finally {
    lab.close();
  }
});
