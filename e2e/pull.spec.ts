// Browser-mode pull against the real engine and a real two-hop sshd lab (target reachable only through the bastion):
// the unknown target key is shown as a prompt, accepted, the plan appears as a tree against the cap, the pull runs with
// progress, and its events are in the case. The target's key is passphrase-protected: typed once, it serves the plan,
// the host-key prompt's retry and the pull, and is forgotten when the pull ends or the view is left.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { startLab, type SshLab } from '../electron/testkit/sshLab';
import { systemLines, writePublic, writeRemoteTree } from '../electron/testkit/remoteTree';
import { removeDir } from '../electron/testkit/tmp';

test.describe.configure({ mode: 'serial' });

let lab: SshLab;
let work = '';
test.beforeAll(async () => {
  lab = await startLab({ strict: true });
  writeRemoteTree(lab.root, Date.now(), { denied: true });
  work = mkdtempSync(path.join(os.tmpdir(), 'casefile-pull-e2e-'));
  process.env.SSH_AUTH_SOCK = lab.agentSocket; // the engine runs in this worker
});
test.afterAll(async ({ casefile }) => {
  // The engine is shared by the worker's specs: leave no case open behind (the next spec starts from none).
  for (const c of await casefile.engine.invoke('cases.list', {}) as { id: string; name: string }[]) {
    if (c.name.startsWith('Pull case')) await casefile.engine.invoke('cases.close', { caseId: c.id }).catch(() => undefined);
  }
  await lab?.stop();
  if (work) removeDir(work); // the case is closed: nothing holds its files
});

test('host-key prompt → planner → progress → events, the key passphrase typed once', async ({ app, casefile, problems }) => {
  test.setTimeout(180_000);
  const { page } = app;
  const hops = lab.hops({ target: { kind: 'key', path: lab.keys.passKey } });
  hops.target.hostKeys = [];
  await casefile.engine.invoke('profiles.save', { profile: { name: 'acme', ...hops, logRoot: lab.root, capBytes: 50_000_000, timezone: 'Asia/Kolkata' } });

  await app.goto();
  await page.getByTestId('case-name').fill('Pull case');
  await page.getByTestId('case-dir').fill(path.join(work, 'case'));
  await page.getByTestId('case-create').click();
  await expect(page.getByTestId('case-name-header')).toHaveText(/Pull case/);
  await page.getByTestId('tab-pull').click();
  await expect(page.getByTestId('profile-acme')).toBeVisible();

  await page.getByTestId('pull-passphrase').fill(lab.keys.passphrase);
  await page.getByTestId('pull-plan').click();
  await expect(page.getByTestId('hostkey-prompt')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('hostkey-fingerprint')).toHaveText(lab.target.fingerprint);
  await page.getByTestId('hostkey-accept').click();

  await expect(page.getByTestId('pull-plan-view')).toBeVisible({ timeout: 60_000 });
  const cases = await casefile.engine.invoke('cases.list', {}) as { id: string; name: string }[];
  const caseId = cases.find((c) => c.name === 'Pull case')!.id;
  const plan = await casefile.engine.invoke('pull.plan', { caseId, profile: 'acme', passphrase: lab.keys.passphrase }) as { status: string; plan: { files: unknown[]; bytes: number } };
  expect(plan.status).toBe('planned');
  await expect(page.getByTestId('plan-summary')).toContainText(`${plan.plan.files.length} files`);
  await expect(page.getByText('permission denied on the server: logs/netdata/private')).toBeVisible();
  await expect(page.getByTestId('cap-gauge')).toBeVisible();

  await page.getByTestId('pull-run').click();
  await expect(page.getByTestId('pull-done')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('pull-progress-summary')).toContainText(`${plan.plan.files.length}/${plan.plan.files.length} files`);
  await expect(page.getByTestId('pull-passphrase')).toHaveValue(''); // the pull is over: forgotten
  await page.getByTestId('pull-passphrase').fill('typed-then-left');
  await page.getByTestId('tab-timeline').click();
  await page.getByTestId('tab-pull').click();
  await expect(page.getByTestId('pull-passphrase')).toHaveValue(''); // leaving the view forgets it

  const info = await casefile.engine.invoke('cases.get', { caseId }) as { eventCount: number; bundleCount: number };
  expect(info.eventCount).toBeGreaterThan(0);
  expect(info.bundleCount).toBe(1);
  await expect(page.getByTestId('status-case-events')).toHaveText(`${info.eventCount.toLocaleString('en-US')} events in case`);
  await page.getByTestId('tab-timeline').click();
  await expect.poll(async () => Number(((await page.getByTestId('events-total').textContent()) ?? '').replace(/[^\d]/g, ''))).toBe(info.eventCount);
  expect(problems.errors).toEqual([]);
  expect(problems.csp).toEqual([]);
});

test('a pull still running when the page reloads is followed again: its state, Cancel, then how it ended', async ({ app, casefile }) => {
  test.setTimeout(180_000);
  const { page } = app;
  // the profile of the test above (saved again, so this test also runs alone)
  const hops = lab.hops({ target: { kind: 'key', path: lab.keys.passKey } });
  hops.target.hostKeys = [];
  await casefile.engine.invoke('profiles.save', { profile: { name: 'acme', ...hops, logRoot: lab.root, capBytes: 50_000_000, timezone: 'Asia/Kolkata' }, replace: true });
  const made = await casefile.engine.invoke('cases.create', { name: 'Pull case reloaded', dir: path.join(work, 'case-reloaded') }) as { id: string };
  const url = new URL(casefile.server.url);
  url.searchParams.set('case', made.id);
  url.searchParams.set('view', 'pull');
  await page.goto(url.toString());
  await expect(page.getByTestId('profile-acme')).toBeVisible();
  await page.getByTestId('pull-passphrase').fill(lab.keys.passphrase);
  await page.getByTestId('pull-plan').click();
  await expect(page.getByTestId('pull-plan-view').or(page.getByTestId('hostkey-prompt'))).toBeVisible({ timeout: 60_000 });
  if (await page.getByTestId('hostkey-prompt').isVisible()) await page.getByTestId('hostkey-accept').click();
  await expect(page.getByTestId('pull-plan-view')).toBeVisible({ timeout: 60_000 });
  // hold the case with a job of our own, so the pull is still queued when the page reloads
  let release!: () => void;
  const held = casefile.engine.context.jobs.run(made.id, 'test-hold', () => new Promise<void>((r) => { release = r; }));
  try {
    await page.getByTestId('pull-run').click();
    await expect(page.getByTestId('pull-cancel')).toBeVisible();
    await page.reload();
    await expect(page.getByTestId('pull-view')).toBeVisible();
    await expect(page.getByTestId('pull-run')).toHaveText('Pulling…');
    await expect(page.getByTestId('pull-cancel')).toBeVisible();
    // Queued behind the case's other job: said, so a wait is not taken for a hang.
    await expect(page.getByTestId('pull-waiting')).toContainText("Waiting for the case's test-hold job to finish");
  } finally {
    release();
    await held;
  }
  await expect(page.getByTestId('pull-outcome')).toContainText(/Pulled \d+ files into bundle .*: \d+ events imported/, { timeout: 120_000 });
  await expect(page.getByTestId('pull-cancel')).toHaveCount(0);
  await expect(page.getByTestId('pull-progress-summary')).toContainText(/files/);
  const info = await casefile.engine.invoke('cases.get', { caseId: made.id }) as { eventCount: number };
  expect(info.eventCount).toBeGreaterThan(0);
  await expect(page.getByTestId('status-case-events')).toHaveText(`${info.eventCount.toLocaleString('en-US')} events in case`);
});

/** Opens a listed case from the Cases view and goes to its Pull view. */
async function pullViewOf(page: Page, caseId: string, name: string): Promise<void> {
  await page.getByTestId('tab-cases').click();
  await page.locator(`[data-testid="case-row"][data-case="${caseId}"]`).getByTestId('case-open').click();
  await expect(page.getByTestId('case-name-header')).toContainText(name);
  await page.getByTestId('tab-pull').click();
  await expect(page.getByTestId('pull-view')).toBeVisible();
}

test('a pull through the jump host belongs to its case; after a reload it is listed once, as running; cancelled, it says how to resume, and resumes', async ({ app, casefile }) => {
  test.setTimeout(240_000);
  const { page } = app;
  const relay = await lab.relay(0, { bytesPerSecond: 250_000 }); // a slow link: the pull runs while the operator walks around
  try {
    const root = path.join(lab.root, 'slow-root');
    writePublic(root, 'logs/app/app.json.log', systemLines(Date.now() - 3_600_000, 100_000, 'slow'));
    const slow = (via?: { host: string; port: number }) => ({ name: 'slow', ...lab.hops({}, via), logRoot: root, capBytes: 50_000_000, timezone: 'UTC' });
    await casefile.engine.invoke('profiles.save', { profile: slow({ host: '127.0.0.1', port: relay.port }), replace: true });
    const a = await casefile.engine.invoke('cases.create', { name: 'Pull case switch A', dir: path.join(work, 'switch-a') }) as { id: string };
    const b = await casefile.engine.invoke('cases.create', { name: 'Pull case switch B', dir: path.join(work, 'switch-b') }) as { id: string };
    const url = new URL(casefile.server.url);
    url.searchParams.set('case', a.id);
    url.searchParams.set('view', 'pull');
    await page.goto(url.toString());
    await page.getByTestId('profile-slow').getByRole('radio').check();
    await page.getByTestId('pull-plan').click();
    await expect(page.getByTestId('pull-plan-view')).toBeVisible({ timeout: 60_000 });
    await page.getByTestId('pull-run').click({ timeout: 10_000 });
    await expect(page.getByTestId('pull-progress-summary')).toContainText(/^[1-9]|0\.[0-9]*[1-9]/, { timeout: 60_000 });

    // Case B has no pull: none of A's shows there. Back in A, its pull is shown running again.
    await pullViewOf(page, b.id, 'Pull case switch B');
    await expect(page.getByTestId('pull-cancel')).toHaveCount(0);
    await expect(page.getByTestId('pull-progress')).toHaveCount(0);
    await expect(page.getByTestId('pull-run')).toHaveText('Pull');
    await pullViewOf(page, a.id, 'Pull case switch A');
    await expect(page.getByTestId('pull-cancel')).toBeVisible();
    await expect(page.getByTestId('pull-progress')).toBeVisible();

    // Reloaded mid-pull: the pull is followed, shown once (running), not also offered as unfinished.
    const pulls = async () => await casefile.engine.invoke('pull.list', { caseId: a.id }) as { id: string; status: string }[];
    const [running] = await pulls();
    expect(running?.status).toBe('running');
    await page.reload();
    await expect(page.getByTestId('pull-cancel')).toBeVisible();
    await expect(page.getByTestId('pull-progress')).toContainText(running!.id);
    await expect(page.getByTestId('pull-resumable')).toHaveCount(0);
    await expect(page.getByText(running!.id)).toHaveCount(1);
    // The operator looks elsewhere and comes back (the view lists the case's pulls again): still once, as running.
    await page.getByTestId('tab-timeline').click();
    await page.getByTestId('tab-pull').click();
    await expect(page.getByTestId('pull-progress')).toContainText(running!.id);
    await expect(page.getByTestId('pull-resumable')).toHaveCount(0);
    await expect(page.getByText(running!.id)).toHaveCount(1);

    // Cancelled: the page says what was kept and how to go on; the pull is offered for resume once.
    await page.getByTestId('pull-cancel').click();
    await expect(page.getByTestId('pull-error')).toContainText('Resume', { timeout: 60_000 });
    await expect(page.getByTestId('pull-cancel')).toHaveCount(0);
    await expect(page.getByTestId('pull-resumable')).toContainText(running!.id);
    await page.reload();
    await expect(page.getByTestId('pull-resumable')).toContainText(running!.id);

    // Resumed over the direct link (the plan stands; what was fetched is kept): it ends with its events in the case.
    await casefile.engine.invoke('profiles.save', { profile: slow(), replace: true });
    await page.getByTestId('pull-resumable').getByRole('button', { name: 'Resume' }).click();
    await expect(page.getByTestId('pull-done')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('pull-resumable')).toHaveCount(0);
    expect((await pulls()).map((p) => [p.id, p.status])).toEqual([[running!.id, 'complete']]);
    for (const c of [a, b]) await casefile.engine.invoke('cases.close', { caseId: c.id }).catch(() => undefined);
  } finally { await relay.close(); }
});

test('a pull whose state is damaged is shown as such, with why and that it is left as it is, never offered to resume', async ({ app, casefile }) => {
  const { page } = app;
  const c = await casefile.engine.invoke('cases.create', { name: 'Pull damaged', dir: path.join(work, 'damaged') }) as { id: string; dir: string };
  const id = '2026-11-30-0badd00d';
  mkdirSync(path.join(c.dir, 'pulls', id), { recursive: true });
  writeFileSync(path.join(c.dir, 'pulls', id, 'pull.json'), '{"format":"casefile/pull@1"'); // cut short by a crash or an edit
  const url = new URL(casefile.server.url);
  url.searchParams.set('case', c.id);
  url.searchParams.set('view', 'pull');
  await page.goto(url.toString());
  const damaged = page.getByTestId('pull-damaged');
  await expect(damaged).toContainText(`The state of pull ${id}`);
  await expect(damaged).toContainText('is damaged (not JSON: cut short or garbled), so the pull cannot be resumed. It is left as it is');
  await expect(damaged.getByRole('button')).toHaveCount(0);
  await expect(page.getByTestId('pull-resumable')).toHaveCount(0);
  await casefile.engine.invoke('cases.close', { caseId: c.id }).catch(() => undefined);
});

test('a server folder of 100,000 logs plans: the plan lists its first files and says how many more; hostile names are shown escaped', async ({ app, casefile, problems }) => {
  test.setTimeout(420_000);
  const { page } = app;
  // Listing only (a plan fetches nothing): the files may be empty; their folders must be listable by the SFTP account.
  const root = path.join(lab.root, 'many-root');
  const flat = path.join(root, 'logs/doodle/flat');
  const odd = path.join(root, 'logs/doodle/odd');
  mkdirSync(flat, { recursive: true });
  mkdirSync(odd, { recursive: true });
  for (let i = 0; i < 100_000; i++) writeFileSync(path.join(flat, `f${String(i).padStart(6, '0')}.log`), '');
  writeFileSync(path.join(odd, 'spoof\u202egol.exe'), '');
  writeFileSync(path.join(odd, 'title\u001b]0;pwned\u0007.log'), '');
  for (const d of [root, path.join(root, 'logs'), path.join(root, 'logs/doodle'), flat, odd]) chmodSync(d, 0o755);
  await casefile.engine.invoke('profiles.save', { profile: { name: 'many', ...lab.hops(), logRoot: root, capBytes: 50_000_000, timezone: 'UTC' }, replace: true });
  const made = await casefile.engine.invoke('cases.create', { name: 'Pull case many', dir: path.join(work, 'case-many') }) as { id: string };
  const url = new URL(casefile.server.url);
  url.searchParams.set('case', made.id);
  url.searchParams.set('view', 'pull');
  await page.goto(url.toString());
  await page.getByTestId('profile-many').getByRole('radio').check();
  await page.getByTestId('pull-plan').click();
  // Grouping the files by folder copied the folder's list once per file: 100,000 in one folder froze the page.
  // Listing 100,000 names through two sshds takes ~20 s quiet and over 60 s on a loaded 2-core runner; a page that
  // froze would still fail the steps below (the rows, the escaped names).
  await expect(page.getByTestId('plan-summary')).toContainText('100002 files', { timeout: 240_000 });
  await expect(page.getByTestId('plan-more')).toHaveText('… and 99,800 more files (100,000 in this folder)');
  await expect(page.getByTestId('pull-plan-view').locator('li li')).toHaveCount(203); // 200 + the line that says how many more + the 2 odd names
  // Names a server chose are shown with their controls and bidi overrides escaped (the UI and the CLI alike).
  await expect(page.getByTestId('pull-plan-view')).toContainText('spoof\\u202egol.exe');
  await expect(page.getByTestId('pull-plan-view')).toContainText('title\\x1b]0;pwned\\x07.log');
  await casefile.engine.invoke('cases.close', { caseId: made.id }).catch(() => undefined);
  expect(problems.errors).toEqual([]);
});

test('a jump host and a target both unknown: two prompts in turn, each accepted, then the plan', async ({ app, casefile }) => {
  test.setTimeout(120_000);
  const { page } = app;
  const fresh = await startLab(); // new host keys: neither is in the engine's known_hosts
  try {
    writePublic(fresh.root, 'logs/app/app.json.log', systemLines(Date.now() - 3_600_000, 10, 'two'));
    const hops = fresh.hops();
    hops.jumps[0]!.hostKeys = [];
    hops.target.hostKeys = [];
    process.env.SSH_AUTH_SOCK = fresh.agentSocket;
    await casefile.engine.invoke('profiles.save', { profile: { name: 'twohops', ...hops, logRoot: fresh.root, capBytes: 50_000_000, timezone: 'UTC' }, replace: true });
    const made = await casefile.engine.invoke('cases.create', { name: 'Pull case two prompts', dir: path.join(work, 'case-two') }) as { id: string };
    const url = new URL(casefile.server.url);
    url.searchParams.set('case', made.id);
    url.searchParams.set('view', 'pull');
    await page.goto(url.toString());
    await page.getByTestId('profile-twohops').getByRole('radio').check();
    await page.getByTestId('pull-plan').click();
    await expect(page.getByTestId('hostkey-fingerprint')).toHaveText(fresh.bastion.fingerprint, { timeout: 60_000 });
    await page.getByTestId('hostkey-accept').click();
    await expect(page.getByTestId('hostkey-fingerprint')).toHaveText(fresh.target.fingerprint, { timeout: 60_000 });
    await page.getByTestId('hostkey-accept').click();
    await expect(page.getByTestId('plan-summary')).toContainText('1 files', { timeout: 60_000 });
    await casefile.engine.invoke('cases.close', { caseId: made.id }).catch(() => undefined);
  } finally {
    process.env.SSH_AUTH_SOCK = lab.agentSocket;
    await fresh.stop();
  }
});
