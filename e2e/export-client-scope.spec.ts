// Pseudonyms shared across a client's extracts, chosen in the export dialog: two per-client extracts for the same
// client give each person and id the same token, an extract keyed per export gives them others, and the report and
// the exports' history say which it was. Against the real engine and bridge, on a case of its own (its maps are
// encrypted to a key this test removes: the worker's other specs must not meet them), with the operator's key made
// by real gpg (the client's pseudonym key is kept encrypted to it).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { GpgLab } from '../electron/testkit/gpg';
import { generateRedactionCorpus } from '../electron/testkit/redaction/corpus';
import { expect, test } from './fixtures';
import { caseLink } from './workbenchKit';

const TOKEN = /<[a-z_]+:[A-Za-z0-9]{6,}>/g;
/** The pseudonyms in an extract (a secret is a bare type marker, `<secret:RULE>`, the same in every extract). */
const tokensOf = (text: string) => new Set((text.match(TOKEN) ?? []).filter((t) => !t.startsWith('<secret:')));

/** Runs a plaintext export of the page's selection from the dialog and returns its folder. */
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
  test.setTimeout(300_000); // a case of its own imported, then three exports
  const { page } = app;
  const root = mkdtempSync(path.join(os.tmpdir(), 'casefile-e2e-scope-'));
  const corpus = generateRedactionCorpus({ seed: 5 });
  for (const f of corpus.files) {
    mkdirSync(path.dirname(path.join(root, 'bundle', f.path)), { recursive: true });
    writeFileSync(path.join(root, 'bundle', f.path), f.records.join('\n') + '\n');
  }
  const { id: caseId } = await casefile.engine.invoke('cases.create', { name: 'scope-e2e', dir: path.join(root, 'case') }) as { id: string };
  await casefile.engine.invoke('import.paths', { caseId, paths: [path.join(root, 'bundle')] });
  // the corpus's client rules (its planted ids and names), as export.spec.ts saves them: without them the fail-closed
  // check rightly blocks the extract
  await casefile.engine.invoke('redact.rules.save', { caseId, rules: { patterns: [], domains: [], hosts: [], words: [], secretKeys: [], harvestKinds: ['user', 'host', 'client_id'], ...corpus.rules } });
  const lab = GpgLab.create();
  const passphrase = 'e2e-scope-pass';
  const me = await lab.genKey('Operator <op-scope@example.test>', passphrase);
  await casefile.engine.invoke('keys.import', { kind: 'secret', armored: me.secretArmored });
  try {
    await casefile.engine.invoke('keys.unlock', { ref: me.fingerprint, passphrase });
    // the Doodle log's events, as export.spec.ts exports them (names and ids recurring across its lines)
    await page.goto(caseLink(casefile, caseId, 'table', { filter: JSON.stringify({ sources: ['doodle'] }) }));
    await expect(page.getByTestId('events-total')).not.toHaveText('0');
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
    await casefile.engine.invoke('cases.close', { caseId });
    rmSync(root, { recursive: true, force: true });
  }
});
