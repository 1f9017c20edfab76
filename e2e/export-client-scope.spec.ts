// Pseudonyms shared across a client's extracts, chosen in the export dialog: two per-client extracts for the same
// client give each person and id the same token, an extract keyed per export gives them others, and the report and
// the exports' history say which it was. Against the real engine and bridge, on the demo case, with the operator's
// key made by real gpg (the client's pseudonym key is kept encrypted to it).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { GpgLab } from '../electron/testkit/gpg';
import { expect, test } from './fixtures';

test.use({ openDefault: true });

const TOKEN = /<[a-z_]+:[A-Za-z0-9]{6,}>/g;
/** The pseudonyms in an extract (a secret is a bare type marker, `<secret:RULE>`, the same in every extract). */
const tokensOf = (text: string) => new Set((text.match(TOKEN) ?? []).filter((t) => !t.startsWith('<secret:')));

/** Runs a plaintext export of the whole case from the dialog and returns its folder. */
async function exportFromDialog(page: Page, scope: 'per-client' | 'per-export', client?: string): Promise<string> {
  await page.getByTestId('export-open').click();
  await expect(page.getByTestId('export-count')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId(`export-scope-${scope}`).check();
  if (client !== undefined) await page.getByTestId('export-client').fill(client);
  await page.getByTestId('export-recipient').selectOption('plaintext');
  await page.getByTestId('plaintext-confirm').check();
  await page.getByTestId('export-run').click();
  const report = page.getByTestId('export-report');
  await expect(report).toBeVisible({ timeout: 90_000 });
  const dir = await report.getByTestId('report-dir').innerText();
  await expect(report.getByTestId('report-pseudonyms')).toContainText(scope === 'per-client' ? `every per-client extract for ${client}` : "this extract's own");
  await page.getByTestId('export-close').click();
  return dir;
}

test('per-client pseudonyms give the same tokens in each of that client\'s extracts, and the report says so', async ({ app, casefile }) => {
  const { page } = app;
  const lab = GpgLab.create();
  const passphrase = 'e2e-scope-pass';
  const me = await lab.genKey('Operator <op-scope@example.test>', passphrase);
  await casefile.engine.invoke('keys.import', { kind: 'secret', armored: me.secretArmored });
  try {
    await casefile.engine.invoke('keys.unlock', { ref: me.fingerprint, passphrase });
    await app.goto();
    const first = await exportFromDialog(page, 'per-client', 'Acme Ltd');
    // the choice stays for the next extract: the operator sends this client several
    await page.getByTestId('export-open').click();
    await expect(page.getByTestId('export-scope-per-client')).toBeChecked();
    await expect(page.getByTestId('export-client')).toHaveValue('Acme Ltd');
    await page.getByTestId('export-close').click();
    const second = await exportFromDialog(page, 'per-client', 'Acme Ltd');
    const own = await exportFromDialog(page, 'per-export');

    const read = (dir: string) => readFileSync(path.join(dir, 'events.jsonl'), 'utf8');
    const a = tokensOf(read(first));
    const b = tokensOf(read(second));
    const c = tokensOf(read(own));
    expect(a.size).toBeGreaterThan(10);
    expect([...a].sort()).toEqual([...b].sort());
    // per export: a fresh key, so none of the client's tokens
    expect([...c].filter((t) => a.has(t))).toEqual([]);
    expect(c.size).toBeGreaterThan(10);

    // the history's report says the same
    await page.getByTestId('export-open').click();
    await page.getByTestId('export-pane-exports').click();
    const firstId = path.basename(first);
    await page.locator(`[data-testid="exports-row"][data-export="${firstId}"]`).click();
    await expect(page.getByTestId('export-report').getByTestId('report-pseudonyms')).toContainText('every per-client extract for Acme Ltd');
  } finally {
    await casefile.engine.invoke('keys.remove', { ref: me.fingerprint });
    lab.close();
  }
});
