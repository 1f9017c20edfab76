// Redacted exports from the UI against the real engine and bridge: a case imported from the labelled redaction
// corpus (planted secrets and PII in every seed format), previewed, exported as a job and read back from disk.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import * as openpgp from 'openpgp';
import { FIELDS_NOTE } from '../shared/exportFields';
import type { RedactionRules } from '../shared/redaction';
import { readBack } from '../electron/engine/export/formats';
import { generateRedactionCorpus, type Corpus } from '../electron/testkit/redaction/corpus';
import { expect, test as base, type Casefile } from './fixtures';
import { caseLink } from './workbenchKit';

interface Planted {
  caseId: string;
  /** The case's exports folder. */
  exportsDir: string;
  corpus: Corpus;
  /** Every planted secret value (what must never reach the client, nor the page). */
  secrets: string[];
  client: { fingerprint: string; privateKey: openpgp.PrivateKey };
}

const test = base.extend<object, { planted: Planted }>({
  planted: [async ({ casefile }, use) => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'casefile-e2e-export-'));
    const corpus = generateRedactionCorpus({ seed: 12 });
    for (const f of corpus.files) {
      mkdirSync(path.dirname(path.join(root, 'bundle', f.path)), { recursive: true });
      writeFileSync(path.join(root, 'bundle', f.path), f.records.join('\n') + '\n');
    }
    const info = await api<{ id: string }>(casefile, 'cases.create', { name: 'export-e2e', dir: path.join(root, 'case') });
    await api(casefile, 'import.paths', { caseId: info.id, paths: [path.join(root, 'bundle')] });
    await api(casefile, 'redact.rules.save', { caseId: info.id, rules: { ...emptyRules(), ...corpus.rules } });
    const k = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Acme Client', email: 'soc@acme-client.example' }], format: 'object' });
    const imported = await api<{ imported: { fingerprint: string }[] }>(casefile, 'keys.import', { kind: 'client', armored: k.publicKey.armor() });
    const secrets = [...new Set(corpus.truth.filter((t) => t.kind === 'secret').map((t) => t.value))];
    await use({ caseId: info.id, exportsDir: path.join(root, 'case', 'exports'), corpus, secrets, client: { fingerprint: imported.imported[0]!.fingerprint, privateKey: k.privateKey } });
    rmSync(root, { recursive: true, force: true });
  }, { scope: 'worker', timeout: 180_000 }],
});

function api<T = unknown>(casefile: Casefile, name: string, input: unknown): Promise<T> {
  return casefile.engine.invoke(name, input) as Promise<T>;
}
const emptyRules = (): RedactionRules => ({ patterns: [], domains: [], hosts: [], words: [], secretKeys: [], harvestKinds: ['user', 'host', 'client_id'] });

/** Opens the case with a filter (through the address, as a link would) and the export dialog on it. */
async function openDialog(page: Page, casefile: Casefile, caseId: string, filter: object) {
  const url = new URL(casefile.server.url);
  url.searchParams.set('case', caseId);
  url.searchParams.set('filter', JSON.stringify(filter));
  await page.goto(url.toString());
  await expect(page.getByTestId('events-total')).not.toHaveText('0');
  await page.getByTestId('export-open').click();
  await expect(page.getByTestId('export-dialog')).toBeVisible();
  await expect(page.getByTestId('export-preview')).toBeVisible({ timeout: 60_000 });
}

const listExports = (p: Planted) => (existsSync(p.exportsDir) ? readdirSync(p.exportsDir).sort() : []);

/**
 * Starts an export of the doodle events to the client's key while the case is held by a job of the test's own, so the
 * export stays queued for as long as the test needs; `release` lets the hold end (`held` settles when it has).
 */
async function queueHeldExport(page: Page, casefile: Casefile, planted: Planted) {
  await openDialog(page, casefile, planted.caseId, { sources: ['doodle'] });
  const before = listExports(planted);
  let release!: () => void;
  const held = casefile.engine.context.jobs.run(planted.caseId, 'test-hold', () => new Promise<void>((r) => { release = r; }));
  try {
    await page.getByTestId('export-recipient').selectOption(planted.client.fingerprint);
    await page.getByTestId('export-run').click();
    await expect(page.getByTestId('export-step')).toHaveText(/queued/);
  } catch (e) {
    release();
    await held;
    throw e;
  }
  return { before, release, held };
}
const leaked = (text: string, secrets: string[]) => secrets.filter((s) => s.length >= 6 && text.includes(s));
const counts = async (page: Page, testid: string): Promise<Record<string, number>> => Object.fromEntries(await page.getByTestId(testid).getByTestId('type-count')
  .evaluateAll((els) => els.map((e) => [e.getAttribute('data-type'), Number(e.querySelector('strong')?.textContent)])));

test('the preview shows the selection, every replacement highlighted and counted by type, and no original', async ({ app, casefile, planted, problems }) => {
  const { page } = app;
  const filter = { sources: ['gunicorn'] };
  await openDialog(page, casefile, planted.caseId, filter);
  const engine = await api<{ total: number; rows: { replacements: unknown[] }[]; byType: Record<string, number> }>(
    casefile, 'export.preview', { caseId: planted.caseId, selection: { filter }, limit: 50 });
  expect(engine.total).toBeGreaterThan(50);
  await expect(page.getByTestId('export-count')).toContainText(`${engine.total} events`);
  await expect(page.getByTestId('export-source')).toContainText('sources gunicorn');
  // counts per type are the engine's, and there are secrets and PII among them
  expect(await counts(page, 'preview-counts')).toEqual(engine.byType);
  expect(engine.byType.secret).toBeGreaterThan(0);
  expect(Object.keys(engine.byType).filter((t) => t !== 'secret').length).toBeGreaterThanOrEqual(2);
  // every replacement of every shown row is highlighted as a token, secrets apart
  const marks = page.getByTestId('export-preview').getByTestId('replacement');
  await expect(marks).toHaveCount(engine.rows.reduce((n, r) => n + r.replacements.length, 0));
  for (const text of await page.locator('mark.repl.secret').allTextContents()) expect(text).toMatch(/^"?<secret:[\w-]+>"?$/);
  for (const text of await page.locator('mark.repl.pii').allTextContents()) expect(text).toMatch(/^"?<[a-z_]+:[A-Z2-7]{10,}>"?$/);
  expect(leaked(await page.getByTestId('export-dialog').innerText(), planted.secrets)).toEqual([]);
  // the extract writes fields once and the preview shows what it writes, and says so
  await expect(page.getByTestId('preview-fields-note')).toHaveText(`Columns: ${FIELDS_NOTE}.`);
  expect(problems.errors).toEqual([]);
});

test('the rules editor validates, saves a client pattern, and the tester shows it replaced', async ({ app, casefile, planted }) => {
  const { page } = app;
  await openDialog(page, casefile, planted.caseId, { sources: ['doodle'] });
  await page.getByTestId('export-pane-rules').click();
  const editor = page.getByTestId('rules-editor');
  await expect(editor.getByTestId('rules-domains')).toHaveValue('acmeinc.com');
  await editor.getByTestId('add-pattern').click();
  const row = editor.getByTestId('rule-pattern').last();
  // an invalid type is named with its row and field, and nothing can be saved
  await row.getByTestId('pattern-type').fill('KYC id');
  await row.getByTestId('pattern-regex').fill('KYC\\d{6}');
  await expect(editor.getByTestId('rules-errors')).toContainText('pattern 1 type: a type is lower-case');
  await expect(editor.getByTestId('rules-save')).toBeDisabled();
  // a pattern RE2 refuses is named by the engine with its reason while it is typed, before any Save, and nothing is written
  await row.getByTestId('pattern-type').fill('kyc');
  await row.getByTestId('pattern-regex').fill('KYC(?=\\d)');
  // (said beside the row, not again in the list under the rules)
  await expect(row.getByTestId('pattern-note')).toContainText('pattern 1 regex: not a valid RE2 expression');
  await expect(editor.getByTestId('rules-errors')).toHaveCount(0);
  await expect(editor.getByTestId('rules-save')).toBeDisabled();
  expect((await api<RedactionRules>(casefile, 'redact.rules.get', { caseId: planted.caseId })).patterns).toEqual([]);

  await row.getByTestId('pattern-regex').fill('KYC\\d{6}');
  await expect(editor.getByTestId('rules-errors')).toHaveCount(0);
  await editor.getByTestId('rules-save').click();
  await expect(editor.getByTestId('rules-saved')).toBeVisible();
  const saved = await api<RedactionRules>(casefile, 'redact.rules.get', { caseId: planted.caseId });
  expect(saved.patterns).toEqual([{ type: 'kyc', regex: 'KYC\\d{6}', action: 'pseudonymise' }]);
  expect(saved.domains).toEqual(['acmeinc.com']);

  await editor.getByTestId('tester-input').fill('kyc check for KYC123456 passed\nlogin from db.acmeinc.com password=Hunter2Hunter2x');
  await editor.getByTestId('tester-run').click();
  const lines = editor.getByTestId('tester-line');
  await expect(lines).toHaveCount(2);
  await expect(lines.nth(0).locator('mark[data-type="kyc"]')).toHaveText(/^<kyc:[A-Z2-7]{10,}>$/);
  await expect(lines.nth(0)).toHaveText(/^kyc check for <kyc:[A-Z2-7]{10,}> passed$/);
  await expect(lines.nth(1).locator('mark[data-type="host"]')).toHaveCount(1);
  await expect(lines.nth(1).locator('mark.repl.secret')).toHaveCount(1);
  const out = await editor.getByTestId('tester-output').innerText();
  expect(out).not.toContain('KYC123456');
  expect(out).not.toContain('Hunter2Hunter2x');
  expect(await counts(page, 'tester-counts')).toMatchObject({ kyc: 1, host: 1 });
  await expect(editor.getByTestId('tester-warnings')).toHaveCount(0);

  // a harvested kind with a typo harvests nothing: the editor says so as it is typed, in the engine's words, and the
  // tester too (the rules still run); a malformed one is refused
  const usr = 'harvested identifier kind "usr" is not one this case has or any format defines (did you mean "user"?)';
  await editor.getByTestId('rules-harvest').fill('usr, host');
  await expect(editor.getByTestId('rules-warnings')).toContainText(usr);
  await editor.getByTestId('rules-harvest').fill('user, host');
  await expect(editor.getByTestId('rules-warnings')).toHaveCount(0);
  await editor.getByTestId('rules-harvest').fill('usr, host');
  await expect(editor.getByTestId('rules-warnings')).toContainText(usr);
  await editor.getByTestId('tester-run').click();
  await expect(lines).toHaveCount(2);
  await expect(editor.getByTestId('tester-stale')).toHaveCount(0);
  // the test ran these rules and warns as the live check does: the warning is said once, not under both
  await expect(editor.getByText(usr)).toHaveCount(1);
  await expect(editor.getByTestId('tester-warnings')).toHaveCount(0);
  await editor.getByTestId('rules-harvest').fill('User Name');
  await expect(editor.getByTestId('rules-errors')).toContainText('an identifier kind is a lower-case word');

  // restore the corpus rules for the next tests
  await api(casefile, 'redact.rules.save', { caseId: planted.caseId, rules: { ...emptyRules(), ...planted.corpus.rules } });
});

test('the export\'s warnings show before it runs, and in its report', async ({ app, casefile, planted }) => {
  const { page } = app;
  await api(casefile, 'redact.rules.save', { caseId: planted.caseId, rules: { ...emptyRules(), ...planted.corpus.rules, harvestKinds: ['usr', 'host'] } });
  try {
    await openDialog(page, casefile, planted.caseId, { sources: ['doodle'] });
    const warning = 'harvested identifier kind "usr" is not one this case has or any format defines (did you mean "user"?)';
    await expect(page.getByTestId('export-warnings')).toContainText(warning);
    await page.getByTestId('export-recipient').selectOption('plaintext');
    await page.getByTestId('plaintext-confirm').check();
    await page.getByTestId('export-run').click();
    await expect(page.getByTestId('export-report')).toBeVisible({ timeout: 90_000 });
    await expect(page.getByTestId('report-warnings')).toContainText(warning);
  } finally {
    await api(casefile, 'redact.rules.save', { caseId: planted.caseId, rules: { ...emptyRules(), ...planted.corpus.rules } });
  }
  await openDialog(page, casefile, planted.caseId, { sources: ['doodle'] });
  await expect(page.getByTestId('export-warnings')).toHaveCount(0);
});

test('an export to a client key runs as a job; the report matches the files on disk, which hold no planted secret', async ({ app, casefile, planted }) => {
  const { page } = app;
  await openDialog(page, casefile, planted.caseId, { sources: ['prefect'] });
  const total = Number((await page.getByTestId('export-count').innerText()).replace(/\D/g, ''));
  await page.getByTestId('export-format-parquet').check();
  await expect(page.getByTestId('export-run')).toBeDisabled();
  await page.getByTestId('export-recipient').selectOption(planted.client.fingerprint);
  await expect(page.getByTestId('plaintext-warning')).toHaveCount(0);
  await page.getByTestId('export-run').click();
  const report = page.getByTestId('export-report');
  await expect(report).toBeVisible({ timeout: 90_000 });
  await expect(report.getByTestId('report-events')).toHaveText(String(total));
  await expect(report.getByTestId('report-recipient')).toContainText(planted.client.fingerprint);
  await expect(report.getByTestId('report-selection')).toHaveText('events matching sources prefect');
  // The rule set's name as the report gives it, once (it said "gitleaks gitleaks v8.27.2 …").
  await expect(report.getByTestId('report-rules')).toHaveText(/^gitleaks v\d+\.\d+\.\d+ default config sha256 [0-9a-f]{16}… · client rules sha256 [0-9a-f]{16}…$/);
  const byType = await counts(page, 'report-by-type');
  expect(byType.secret).toBeGreaterThan(0);
  expect(Number((await report.getByTestId('report-total').innerText()).replace(/\D/g, ''))).toBe(Object.values(byType).reduce((a, b) => a + b, 0));

  const dir = await report.getByTestId('report-dir').innerText();
  const files = await report.getByTestId('report-file').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
  expect(files.map((f) => f[0]).sort()).toEqual(['events.parquet.pgp', 'manifest.json.pgp', 'report.json.pgp']);
  for (const [name, , sha] of files) {
    const bytes = readFileSync(path.join(dir, name!));
    expect(createHash('sha256').update(bytes).digest('hex'), name).toBe(sha);
    const armored = bytes.toString('utf8');
    expect(armored).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    const plain = Buffer.from((await openpgp.decrypt({ message: await openpgp.readMessage({ armoredMessage: armored }), decryptionKeys: planted.client.privateKey, format: 'binary' })).data as Uint8Array);
    if (name !== 'events.parquet.pgp') { expect(leaked(plain.toString('utf8'), planted.secrets), name).toEqual([]); continue; }
    // the Parquet file decoded by DuckDB, every column
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'casefile-e2e-parquet-')), 'events.parquet');
    writeFileSync(file, plain);
    const rows = [];
    for await (const row of readBack(file, 'parquet')) rows.push(row);
    rmSync(path.dirname(file), { recursive: true, force: true });
    expect(rows).toHaveLength(total);
    // fields written once: never a copy of raw (these text records' fields are their parsed fields)
    for (const r of rows) expect(r.fields === null || r.fields !== r.raw).toBe(true);
    const all = JSON.stringify(rows);
    expect(all).toContain('<secret:');
    expect(leaked(all, planted.secrets)).toEqual([]);
  }
});

test('plaintext needs an explicit confirmation, then writes readable files with no planted secret', async ({ app, casefile, planted }) => {
  const { page } = app;
  await openDialog(page, casefile, planted.caseId, { sources: ['doodle'] });
  await page.getByTestId('export-format-csv').check();
  await page.getByTestId('export-recipient').selectOption('plaintext');
  await expect(page.getByTestId('plaintext-warning')).toContainText('unencrypted');
  await expect(page.getByTestId('export-run')).toBeDisabled();
  await page.getByTestId('plaintext-confirm').check();
  await expect(page.getByTestId('export-run')).toBeEnabled();
  // choosing again asks again
  await page.getByTestId('export-recipient').selectOption(planted.client.fingerprint);
  await page.getByTestId('export-recipient').selectOption('plaintext');
  await expect(page.getByTestId('plaintext-confirm')).not.toBeChecked();
  await expect(page.getByTestId('export-run')).toBeDisabled();
  await page.getByTestId('plaintext-confirm').check();
  await page.getByTestId('export-run').click();
  const report = page.getByTestId('export-report');
  await expect(report).toBeVisible({ timeout: 90_000 });
  await expect(report.getByTestId('report-recipient')).toContainText('plaintext');
  const dir = await report.getByTestId('report-dir').innerText();
  const csv = readFileSync(path.join(dir, 'events.csv'), 'utf8');
  expect(csv.split('\n')[0]).toContain('message');
  expect(csv).toContain('<secret:');
  expect(leaked(csv, planted.secrets)).toEqual([]);
  for (const f of ['report.json', 'manifest.json']) expect(leaked(readFileSync(path.join(dir, f), 'utf8'), planted.secrets)).toEqual([]);
  const reportJson = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as Record<string, unknown>;
  expect(JSON.stringify(reportJson)).toContain('secret');
  // the client is told why fields is empty on JSON records
  expect((reportJson.settings as Record<string, unknown>).fieldsWhereRaw).toBe(FIELDS_NOTE);
});

test('an export waits its turn behind the running job of its case, shows it, and can be cancelled; nothing is left behind', async ({ app, casefile, planted }) => {
  const { page } = app;
  const { before, release, held } = await queueHeldExport(page, casefile, planted);
  try {
    await expect(page.getByTestId('export-progress')).toBeVisible();
    await expect(page.getByTestId('export-run')).toBeDisabled();
    await page.getByTestId('export-cancel').click();
    // a cancelled queued job ends at once, while the job ahead of it still runs; the operator asked for it: said as a
    // notice, not as a failure
    await expect(page.getByTestId('export-notice')).toHaveText('The export was cancelled: nothing was written.');
    await expect(page.getByTestId('export-error')).toHaveCount(0);
    await expect(page.getByTestId('export-progress')).toHaveCount(0);
  } finally {
    release();
    await held;
  }
  await expect(page.getByTestId('export-report')).toHaveCount(0);
  const jobs = await api<{ kind: string; state: string }[]>(casefile, 'jobs.list', { caseId: planted.caseId });
  expect(jobs.find((j) => j.kind === 'export')?.state).toBe('cancelled');
  expect(listExports(planted)).toEqual(before);
  // and the next run goes through, its progress shown while it works
  await page.getByTestId('export-run').click();
  await expect(page.getByTestId('export-report')).toBeVisible({ timeout: 90_000 });
  expect(listExports(planted)).toHaveLength(before.length + 1);
});

test('an export belongs to its case: another case\'s dialog neither shows nor cancels it, and coming back shows it', async ({ app, casefile, planted }) => {
  test.setTimeout(180_000);
  const { page } = app;
  const otherRoot = mkdtempSync(path.join(os.tmpdir(), 'casefile-e2e-export-other-'));
  writeFileSync(path.join(otherRoot, 'app.json.log'), Array.from({ length: 20 }, (_, i) => JSON.stringify({ message: `tick ${i}`, levelname: 'INFO', name: 'gen', created: 1690656225.4 + i })).join('\n') + '\n');
  const other = await api<{ id: string }>(casefile, 'cases.create', { name: 'export-other', dir: path.join(otherRoot, 'case') });
  await api(casefile, 'import.paths', { caseId: other.id, paths: [path.join(otherRoot, 'app.json.log')] });
  const { before, release, held } = await queueHeldExport(page, casefile, planted);
  const openCase = async (caseId: string, name: string) => {
    await page.getByTestId('export-close').click();
    await page.getByTestId('tab-cases').click();
    await page.locator(`[data-testid="case-row"][data-case="${caseId}"]`).getByTestId('case-open').click();
    await expect(page.getByTestId('case-name-header')).toContainText(name);
    await page.getByTestId('tab-timeline').click();
    await page.getByTestId('export-open').click();
    await expect(page.getByTestId('export-dialog')).toBeVisible();
  };
  try {
    await openCase(other.id, 'export-other');
    // the other case's dialog is its own: no progress, no Cancel of the first case's export
    await expect(page.getByTestId('export-progress')).toHaveCount(0);
    await expect(page.getByTestId('export-cancel')).toHaveCount(0);
    await expect(page.getByTestId('export-source')).not.toContainText('doodle');
    await openCase(planted.caseId, 'export-e2e');
    await expect(page.getByTestId('export-progress')).toBeVisible();
    await expect(page.getByTestId('export-step')).toHaveText(/queued/);
    await page.getByTestId('export-cancel').click();
    await expect(page.getByTestId('export-notice')).toHaveText('The export was cancelled: nothing was written.');
  } finally {
    release();
    await held;
    await api(casefile, 'cases.close', { caseId: other.id }).catch(() => undefined);
    rmSync(otherRoot, { recursive: true, force: true });
  }
  expect(listExports(planted)).toEqual(before);
});

test('an export the fail-closed check blocks shows where it hit, never the value, and writes nothing', async ({ app, casefile, planted }) => {
  const { page } = app;
  // searching for a planted secret puts it in the selecting query, which the manifest records: the re-scan must refuse
  const gunicorn = planted.corpus.files.find((f) => f.format === 'gunicorn')!;
  const secret = planted.corpus.truth.find((t) => t.file === gunicorn.path && t.kind === 'secret' && /^[A-Za-z0-9]{16,}$/.test(t.value)
    && gunicorn.records[t.record]!.includes(t.value))!.value;
  await openDialog(page, casefile, planted.caseId, { sources: ['gunicorn'], text: secret });
  await page.getByTestId('export-recipient').selectOption('plaintext');
  await page.getByTestId('plaintext-confirm').check();
  const before = listExports(planted);
  await page.getByTestId('export-run').click();
  const blocked = page.getByTestId('export-blocked');
  await expect(blocked).toBeVisible({ timeout: 90_000 });
  await expect(blocked).toContainText('nothing was written');
  await expect(blocked.getByTestId('blocked-where').first()).toBeVisible();
  const where = await blocked.getByTestId('blocked-where').allTextContents();
  for (const w of where) expect(w).toMatch(/^(event \d+ \w+|manifest\.json|report\.json)$/);
  expect(await blocked.innerText()).not.toContain(secret);
  await expect(page.getByTestId('export-report')).toHaveCount(0);
  const jobs = await api<{ kind: string; state: string; error?: string }[]>(casefile, 'jobs.list', { caseId: planted.caseId });
  expect(jobs.find((j) => j.kind === 'export')).toMatchObject({ state: 'failed', error: expect.stringMatching(/fail-closed/) });
  // the places listed are the contract's (the job carries the same list as the call's error)
  expect(where).toEqual((jobs.find((j) => j.kind === 'export') as unknown as { places: string[] }).places);
  expect(listExports(planted)).toEqual(before);
});

test('a run whose selection holds no events by the time it runs is refused plainly, not as a failure, and writes nothing', async ({ app, casefile, planted, problems }) => {
  const { page } = app;
  await openDialog(page, casefile, planted.caseId, { sources: ['doodle'] });
  await page.getByTestId('export-recipient').selectOption('plaintext');
  await page.getByTestId('plaintext-confirm').check();
  const before = listExports(planted);
  // Run is off while the preview counts no events, so the dialog meets this refusal only when the selection emptied
  // between the preview and the run: the run's request reaches the real engine with a chain no case has
  await page.route('**/api/export.run', async (route) => {
    const input = route.request().postDataJSON() as Record<string, unknown>;
    await route.continue({ postData: JSON.stringify({ ...input, selection: { chain: 'no-such-chain-key' } }) });
  });
  try {
    await page.getByTestId('export-run').click();
    await expect(page.getByTestId('export-notice')).toHaveText('No chain of that key in this case: nothing was exported.');
  } finally {
    await page.unroute('**/api/export.run');
  }
  await expect(page.getByTestId('export-error')).toHaveCount(0);
  await expect(page.getByTestId('export-blocked')).toHaveCount(0);
  await expect(page.getByTestId('export-report')).toHaveCount(0);
  await expect(page.getByTestId('export-progress')).toHaveCount(0);
  expect(listExports(planted)).toEqual(before);
  // the next run goes through and the notice goes
  await page.getByTestId('export-run').click();
  await expect(page.getByTestId('export-report')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('export-notice')).toHaveCount(0);
  expect(problems.errors).toEqual([]);
});

test('closing the dialog drops its preview request, which stops the preview\'s reads in the engine (seconds of both cores on a 1 GB case)', async ({ app, casefile, planted }) => {
  const { page } = app;
  const url = new URL(casefile.server.url);
  url.searchParams.set('case', planted.caseId);
  await page.goto(url.toString());
  await expect(page.getByTestId('events-total')).not.toHaveText('0');
  // the engine answers this corpus's preview at once: its request is held here, as a big case's would be
  let held!: () => void;
  const release = new Promise<void>((r) => { held = r; });
  await page.route('**/api/export.preview', async (route) => { await release; await route.continue().catch(() => undefined); });
  const aborted = page.waitForEvent('requestfailed', { predicate: (r) => r.url().endsWith('/api/export.preview'), timeout: 15_000 });
  try {
    await page.getByTestId('export-open').click();
    await expect(page.getByText('Redacting a preview…')).toBeVisible();
    await page.getByTestId('export-close').click();
    expect((await aborted).failure()?.errorText).toMatch(/ABORTED/);
  } finally {
    held();
    await page.unroute('**/api/export.preview');
  }
  // opened again, it asks again and shows the preview, with no error from the stopped one
  await page.getByTestId('export-open').click();
  await expect(page.getByTestId('export-preview')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('preview-error')).toHaveCount(0);
});

test('rows picked with Ctrl-click export exactly those events', async ({ app, casefile, planted }) => {
  const { page } = app;
  await openDialog(page, casefile, planted.caseId, { sources: ['prefect'] });
  // the dialog is modal: Esc closes it and the table's keys do not act behind it
  await page.keyboard.press('j');
  await expect(page.locator('.events-row.selected')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('export-dialog')).toHaveCount(0);
  const rows = page.getByTestId('event-row');
  const ids = [Number(await rows.nth(1).getAttribute('data-id')), Number(await rows.nth(4).getAttribute('data-id'))];
  await rows.nth(1).click({ modifiers: ['ControlOrMeta'] });
  await rows.nth(4).click({ modifiers: ['ControlOrMeta'] });
  await expect(page.locator('.events-row.picked')).toHaveCount(2);
  await page.getByTestId('export-open-picked').click();
  await expect(page.getByTestId('export-source')).toHaveText('2 picked events');
  await expect(page.getByTestId('export-count')).toHaveText('2 events');
  await page.getByTestId('export-recipient').selectOption('plaintext');
  await page.getByTestId('plaintext-confirm').check();
  await page.getByTestId('export-run').click();
  const report = page.getByTestId('export-report');
  await expect(report.getByTestId('report-events')).toHaveText('2', { timeout: 90_000 });
  const out = readFileSync(path.join(await report.getByTestId('report-dir').innerText(), 'events.jsonl'), 'utf8');
  expect(out.trim().split('\n').map((l) => (JSON.parse(l) as { id: number }).id).sort((a, b) => a - b)).toEqual(ids.sort((a, b) => a - b));
  expect(leaked(out, planted.secrets)).toEqual([]);
  await page.getByTestId('export-close').click();
  await page.getByTestId('picks-clear').click();
  await expect(page.locator('.events-row.picked')).toHaveCount(0);
  await expect(page.getByTestId('export-open-picked')).toHaveCount(0);
});

test('a trace exports its chain', async ({ app, casefile, planted }) => {
  const { page } = app;
  const { chains } = await api<{ chains: { key: string; events: number }[] }>(casefile, 'chains.list', { caseId: planted.caseId, sort: 'events', limit: 1 });
  const key = chains[0]!.key;
  await page.goto(caseLink(casefile, planted.caseId, 'trace', { trace: key }));
  await expect(page.getByTestId('trace-view')).toBeVisible();
  await page.getByTestId('export-open-trace').click();
  await expect(page.getByTestId('export-source')).toContainText('chain');
  await expect(page.getByTestId('export-preview')).toBeVisible({ timeout: 60_000 });
  const engine = await api<{ total: number }>(casefile, 'export.preview', { caseId: planted.caseId, selection: { chain: key }, limit: 1 });
  expect(engine.total).toBe(chains[0]!.events);
  await expect(page.getByTestId('export-count')).toHaveText(`${engine.total} events`);
});

test('an export still running when the page reloads is followed again: the dialog shows its progress, then how it ended', async ({ app, casefile, planted }) => {
  const { page } = app;
  // the export is still queued when the page reloads
  const { before, release, held } = await queueHeldExport(page, casefile, planted);
  try {
    await page.reload();
    // the engine still holds the export: the reloaded page finds it and follows it, with no run button of its own
    await expect(page.getByTestId('export-dialog')).toBeVisible();
    await expect(page.getByTestId('export-source')).toHaveText(/already running/);
    await expect(page.getByTestId('export-step')).toHaveText(/queued/);
    await expect(page.getByTestId('export-cancel')).toBeEnabled();
    await expect(page.getByTestId('export-run')).toHaveCount(0);
  } finally {
    release();
    await held;
  }
  await expect(page.getByTestId('export-outcome')).toContainText(/events written to .*encrypted to/, { timeout: 90_000 });
  await expect(page.getByTestId('export-progress')).toHaveCount(0);
  const made = listExports(planted);
  expect(made).toHaveLength(before.length + 1);
  await expect(page.getByTestId('export-outcome')).toContainText(made.find((m) => !before.includes(m))!);
  // closed, the next Export… opens on the table's selection as usual
  await page.getByTestId('export-close').click();
  await page.getByTestId('export-open').click();
  await expect(page.getByTestId('export-preview')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('export-run')).toBeVisible();
});

test('after an export, the same selection is exported again in another format from the dialog, with the plaintext choice asked again', async ({ app, casefile, planted }) => {
  const { page } = app;
  await openDialog(page, casefile, planted.caseId, { sources: ['doodle'] });
  const before = listExports(planted);
  await page.getByTestId('export-recipient').selectOption(planted.client.fingerprint);
  await page.getByTestId('export-run').click();
  const report = page.getByTestId('export-report');
  await expect(report).toBeVisible({ timeout: 90_000 });
  await expect(report.getByTestId('report-format')).toHaveText('jsonl');
  // the settings stay editable under the report: what the operator changes there runs only through "Export again"
  await page.getByTestId('export-format-csv').check();
  await page.getByTestId('export-recipient').selectOption('plaintext');
  await page.getByTestId('export-again').click();
  await expect(report).toBeHidden();
  await expect(page.getByTestId('export-preview')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('plaintext-confirm')).not.toBeChecked();
  await expect(page.getByTestId('export-run')).toBeDisabled();
  await page.getByTestId('plaintext-confirm').check();
  await page.getByTestId('export-run').click();
  await expect(report).toBeVisible({ timeout: 90_000 });
  await expect(report.getByTestId('report-format')).toHaveText('csv');
  await expect(report.getByTestId('report-recipient')).toContainText('plaintext');
  const added = listExports(planted).filter((n) => !before.includes(n));
  expect(added).toHaveLength(2);
  expect(added.map((n) => readdirSync(path.join(planted.exportsDir, n)).sort())).toEqual(expect.arrayContaining([
    ['events.jsonl.pgp', 'manifest.json.pgp', 'report.json.pgp'], ['events.csv', 'manifest.json', 'report.json'],
  ]));
});
