// Chains and traces on the workbench (issue 16), in Debian Chromium against the real engine and bridge: the
// waterfall across linked chains, and secrets masked on screen until one click reveals one (audited).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test, type Casefile } from './fixtures';
import { PLANTED, writePlantedSecretsBundle } from '../electron/testkit/plantedSecrets';

function api<T>(casefile: Casefile, name: string, input: unknown): Promise<T> {
  return casefile.engine.invoke(name, input) as Promise<T>;
}

async function openChains(page: Page, text: string) {
  await page.getByTestId('tab-chains').click();
  await page.getByTestId('chain-text').fill(text);
}

test.use({ openDefault: true });

test.describe('linked chains on the demo case', () => {
  test('a pipeline run draws its flow, its sibling runs and its registrations as one collapsible tree', async ({ app, casefile, problems }) => {
    const { page } = app;
    const caseId = casefile.defaultCaseId!;
    await app.goto();
    const RUN = 'hourly-20230706-105553';
    const tree = await api<{ root: string; nodes: { key: string; depth: number; parent: string | null; link: { inferred: boolean } | null }[] }>(
      casefile, 'chains.tree', { caseId, key: RUN });
    expect(tree.root).toMatch(/^flow:/);
    const below = (k: string) => tree.nodes.filter((n) => n.parent === k).length;

    await openChains(page, RUN);
    await expect(page.getByTestId('chain-row')).toHaveCount(1);
    await page.getByTestId('chain-row').click();
    const linked = page.getByTestId('linked-chains');
    const nodes = linked.getByTestId('tree-node');
    await expect(nodes).toHaveCount(tree.nodes.length);
    await expect(nodes.first()).toHaveAttribute('data-key', tree.root);
    await expect(nodes.first()).toHaveAttribute('data-depth', '0');
    // The launch is inferred (Prefect task window), the registrations are evidence.
    const run = linked.locator(`[data-testid="tree-node"][data-key="${RUN}"]`);
    await expect(run).toHaveClass(/current/);
    await expect(run.getByTestId('tree-link')).toHaveText('inferred');
    await expect(run.getByTestId('tree-link')).toHaveAttribute('title', /prefect-task-window: Task 'run_/);
    const entity = tree.nodes.find((n) => n.parent === RUN)!;
    await expect(linked.locator(`[data-testid="tree-node"][data-key="${entity.key}"]`).getByTestId('tree-link')).toHaveText('evidence');

    // Collapse the run: its registrations go; collapse the flow: only the flow stays; expand again: all back.
    await run.getByTestId('tree-toggle').click();
    await expect(nodes).toHaveCount(tree.nodes.length - below(RUN));
    await nodes.first().getByTestId('tree-toggle').click();
    await expect(nodes).toHaveCount(1);
    await nodes.first().getByTestId('tree-toggle').click();
    await expect(nodes).toHaveCount(tree.nodes.length - below(RUN));

    // A row opens that chain's own trace; the tree is the same one, now centred on it.
    await linked.locator(`[data-testid="tree-node"][data-key="${tree.root}"] .tree-name`).click();
    await expect(page.getByTestId('trace-key')).toHaveText(/acme_operations/);
    await expect(linked.locator(`[data-testid="tree-node"][data-key="${tree.root}"]`)).toHaveClass(/current/);
    await expect(nodes).toHaveCount(tree.nodes.length);
    expect(problems.errors).toEqual([]);
  });

  test('a Celery parent and its children form a tree; a chain linked to nothing draws none', async ({ app, casefile }) => {
    const { page } = app;
    const caseId = casefile.defaultCaseId!;
    await app.goto();
    const links = await api<{ rows: { from_key: string; n: number }[] }>(casefile, 'events.sql',
      { caseId, sql: `SELECT from_key, count(*)::INTEGER AS n FROM chain_links WHERE relation = 'parent_of' GROUP BY 1 ORDER BY 1 LIMIT 1` });
    const parent = links.rows[0]!;
    await openChains(page, parent.from_key);
    await page.locator(`[data-testid="chain-row"][data-key="${parent.from_key}"]`).click();
    await expect(page.getByTestId('tree-node')).toHaveCount(1 + parent.n);
    await expect(page.getByTestId('tree-link')).toHaveText(Array(parent.n).fill('evidence'));

    const lone = await api<{ rows: { key: string }[] }>(casefile, 'events.sql', { caseId, sql:
      `SELECT key FROM chains WHERE kind = 'taskblade_request' AND key NOT IN (SELECT from_key FROM chain_links UNION SELECT to_key FROM chain_links) LIMIT 1` });
    await page.getByTestId('trace-back').click();
    await openChains(page, lone.rows[0]!.key);
    await page.locator(`[data-testid="chain-row"][data-key="${lone.rows[0]!.key}"]`).click();
    await expect(page.getByTestId('trace-event').first()).toBeVisible();
    await expect(page.getByTestId('linked-chains')).toHaveCount(0);
  });
});

test('the chains list says why each failed chain failed: its last ERROR or traceback line', async ({ app, casefile }) => {
  const { page } = app;
  const caseId = casefile.defaultCaseId!;
  await app.goto();
  const failed = await api<{ chains: { key: string; failureReason: string | null }[] }>(casefile, 'chains.list', { caseId, statuses: ['failure'], limit: 1000 });
  expect(failed.chains.length).toBeGreaterThan(2);
  expect(failed.chains.every((c) => c.failureReason)).toBe(true);
  await page.getByTestId('tab-chains').click();
  await page.getByTestId('chain-status-failure').click();
  await expect(page.getByTestId('chain-row')).toHaveCount(failed.chains.length);
  for (const c of failed.chains) {
    await expect(page.locator(`[data-testid="chain-row"][data-key="${c.key}"]`).getByTestId('chain-reason')).toHaveText(c.failureReason!);
  }
  // Prefect's traceback, written as one line of Python bytes, gives its exception line.
  expect(failed.chains.map((c) => c.failureReason)).toContain('KeyError: customer_id');
  // Its trace says the same at the top.
  await page.locator(`[data-testid="chain-row"][data-key="${failed.chains[0]!.key}"]`).click();
  await expect(page.getByTestId('trace-reason')).toHaveText(failed.chains[0]!.failureReason!);
  await page.getByTestId('trace-back').click();
  // Successful chains have none.
  await page.getByTestId('chain-status-failure').click();
  await page.getByTestId('chain-status-success').click();
  await expect(page.getByTestId('chain-row').first()).toBeVisible();
  await expect(page.getByTestId('chain-reason')).toHaveCount(0);
});

test.describe('secrets on screen', () => {
  let root = '';
  test.beforeAll(async () => { root = await mkdtemp(path.join(os.tmpdir(), 'casefile-e2e-secrets-')); });
  test.afterAll(async () => { await rm(root, { recursive: true, force: true }); });

  test('the page never receives a secret until one click reveals that one field, and the trail says which', async ({ app, casefile, problems }) => {
    const { page } = app;
    const info = await api<{ id: string; dir: string }>(casefile, 'cases.create', { name: 'planted secrets', dir: path.join(root, 'case') });
    await api(casefile, 'import.paths', { caseId: info.id, paths: [writePlantedSecretsBundle(path.join(root, 'bundle'))] });

    // Every answer the page gets from the engine, as text.
    const answers: { call: string; body: string }[] = [];
    page.on('response', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/') && u.pathname !== '/api/events') void r.text().then((body) => answers.push({ call: u.pathname.slice(5), body }), () => undefined);
    });
    const leaked = () => answers.filter((a) => Object.values(PLANTED).some((s) => a.body.includes(s)));

    await app.goto();
    await page.getByTestId('tab-cases').click();
    await page.locator(`[data-testid="case-row"][data-case="${info.id}"]`).getByTestId('case-open').click();
    await expect(page.getByTestId('event-row')).toHaveCount(10);
    const dbRow = page.getByTestId('event-row').filter({ hasText: 'connecting to postgresql://' });
    await expect(dbRow.getByTestId('secret-masked')).toContainText('postgresql://enrich:••••••••@db.acme.example');
    await expect(page.getByTestId('event-row').filter({ hasText: 'pushing with token' }).getByTestId('secret-masked')).toBeVisible();
    // The detail panel: the password field and the raw record masked, each with its own reveal.
    await page.getByTestId('event-row').filter({ hasText: 'Settings loaded' }).click();
    const field = page.locator('[data-testid="detail-field"][data-field="password"]');
    await expect(field.getByTestId('secret-masked')).toContainText('••••••••');
    await expect(page.getByTestId('detail-raw').getByTestId('secret-masked')).toBeVisible();
    await expect(page.locator('[data-testid="detail-field"][data-field="db_user"]')).toContainText('enrich');
    await page.waitForLoadState('networkidle');
    expect(answers.length).toBeGreaterThan(3);
    expect(leaked()).toEqual([]);

    // One click: that field only.
    await field.getByTestId('secret-reveal').click();
    await expect(field.getByTestId('secret-revealed')).toContainText(PLANTED.fieldPassword);
    await expect(page.getByTestId('detail-raw').getByTestId('secret-masked')).toBeVisible();
    await expect.poll(() => leaked().map((a) => a.call)).toEqual(['events.reveal']);
    expect(leaked()[0]!.body).not.toContain(PLANTED.dbPassword);
    await dbRow.getByTestId('secret-reveal').click();
    await expect(dbRow.getByTestId('secret-revealed')).toContainText(`postgresql://enrich:${PLANTED.dbPassword}@`);

    // A failed chain's reason ends in that URL: masked in the chains list too.
    await page.getByTestId('tab-chains').click();
    await expect(page.getByTestId('chain-reason')).toContainText('postgresql://enrich:••••••••@db.acme.example');
    // And at the top of its trace.
    await page.getByTestId('chain-row').filter({ has: page.getByTestId('chain-reason') }).first().click();
    await expect(page.getByTestId('trace-reason')).toContainText('postgresql://enrich:••••••••@db.acme.example');

    const trail = (await readFile(path.join(info.dir, 'audit.jsonl'), 'utf8')).split('\n').filter(Boolean)
      .map((l) => JSON.parse(l) as { action: string; params: { id?: number; field?: string } });
    const reveals = trail.filter((e) => e.action === 'events.reveal');
    expect(reveals.map((e) => e.params.field)).toEqual(['fields:/password', 'message']);
    expect(Object.values(PLANTED).filter((s) => JSON.stringify(trail).includes(s))).toEqual([]);
    expect(problems.errors).toEqual([]);
  });
});
