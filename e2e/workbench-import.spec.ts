// The import panel before and during an import: new evidence goes straight in, evidence the case already has is
// said first (and can be left out), and a running import can be cancelled — real engine, Debian Chromium.
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { api, openDemo, caseLink, num, eventsTotal } from './workbenchKit';

test.use({ openDefault: true });

const line = (i: number) => JSON.stringify({ message: `tick ${i} ${'x'.repeat(80)}`, levelname: i % 97 ? 'INFO' : 'ERROR', name: 'gen', created: 1690656225.4 + i / 1000 });

test('a new bundle imports at once; the same again is warned about and can be left out; Cancel stops a running import', async ({ app, casefile }) => {
  test.setTimeout(150_000);
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const work = await mkdtemp(path.join(os.tmpdir(), 'casefile-import-'));
  await mkdir(path.join(work, 'small'));
  await writeFile(path.join(work, 'small', 'a.json.log'), Array.from({ length: 50 }, (_, i) => line(i)).join('\n') + '\n');
  const count = async () => (await api<{ total: number }>(casefile, 'events.page', { caseId, filter: {}, limit: 1 })).total;
  const before = await count();

  await page.getByTestId('tab-cases').click();
  await page.getByTestId('import-paths').fill(path.join(work, 'small'));
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-results')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('import-warning')).toHaveCount(0);
  expect(await count()).toBe(before + 50);

  // The same file again, copied under another name: warned, and "Do not import" imports nothing.
  await mkdir(path.join(work, 'copy'));
  await writeFile(path.join(work, 'copy', 'renamed.log'), Array.from({ length: 50 }, (_, i) => line(i)).join('\n') + '\n');
  await page.getByTestId('import-paths').fill(path.join(work, 'copy'));
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-known')).toHaveText('All of 1 files');
  await expect(page.getByTestId('import-warning')).toContainText('renamed.log = a.json.log');
  await page.getByTestId('import-dismiss').click();
  await expect(page.getByTestId('import-warning')).toHaveCount(0);
  const bundles = await api<{ bundleCount: number }>(casefile, 'cases.get', { caseId });
  expect(await count()).toBe(before + 50);

  // A big file: Cancel while it runs; the job ends cancelled and says so.
  await mkdir(path.join(work, 'big'));
  const chunk = Array.from({ length: 20_000 }, (_, i) => line(i)).join('\n') + '\n';
  await writeFile(path.join(work, 'big', 'big.json.log'), chunk.repeat(30));
  await page.getByTestId('import-paths').fill(path.join(work, 'big'));
  await page.getByTestId('import-start').click();
  await page.getByTestId('import-cancel').click();
  await expect(page.getByTestId('import-error')).toContainText('cancelled', { timeout: 60_000 });
  await expect(page.getByTestId('import-cancel')).toHaveCount(0);
  const jobs = await api<{ kind: string; state: string }[]>(casefile, 'jobs.list', { caseId });
  expect(jobs.find((j) => j.kind === 'import')?.state).toBe('cancelled');
  expect(await count()).toBeLessThan(before + 50 + 600_000);
  expect((await api<{ bundleCount: number }>(casefile, 'cases.get', { caseId })).bundleCount).toBeGreaterThanOrEqual(bundles.bundleCount);
  await rm(work, { recursive: true, force: true });
});

test('an import still running when the page reloads is followed again: its progress shows and Cancel stops it', async ({ app, casefile }) => {
  test.setTimeout(150_000);
  const { page } = app;
  const work = await mkdtemp(path.join(os.tmpdir(), 'casefile-import-'));
  try {
    const made = await api<{ id: string }>(casefile, 'cases.create', { name: 'Reloaded mid-import', dir: path.join(work, 'case') });
    await mkdir(path.join(work, 'big'));
    const chunk = Array.from({ length: 20_000 }, (_, i) => line(i)).join('\n') + '\n';
    await writeFile(path.join(work, 'big', 'big.json.log'), chunk.repeat(40));
    await page.goto(caseLink(casefile, made.id, 'cases'));
    await page.getByTestId('import-paths').fill(path.join(work, 'big'));
    await page.getByTestId('import-start').click();
    await expect(page.getByTestId('import-cancel')).toBeVisible();
    await page.reload();
    // The engine goes on importing; the reloaded page finds the job and follows it.
    await expect(page.getByTestId('import-progress')).toBeVisible();
    await page.getByTestId('import-cancel').click();
    await expect(page.getByTestId('import-error')).toContainText('cancelled', { timeout: 60_000 });
    await expect(page.getByTestId('import-cancel')).toHaveCount(0);
    const jobs = await api<{ kind: string; state: string }[]>(casefile, 'jobs.list', { caseId: made.id });
    expect(jobs.find((j) => j.kind === 'import')?.state).toBe('cancelled');
    // What was committed before the cancel shows in the case.
    const info = await api<{ eventCount: number }>(casefile, 'cases.get', { caseId: made.id });
    await expect(page.getByTestId('status-case-events')).toHaveText(`${info.eventCount.toLocaleString('en-US')} events in case`);
    await api(casefile, 'cases.close', { caseId: made.id });
  } finally {
    await rm(work, { recursive: true, force: true, maxRetries: 5 });
  }
});

test('files picked in the browser are uploaded, imported, and their upload removed once the import is done', async ({ app, casefile }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const before = (await api<{ total: number }>(casefile, 'events.page', { caseId, filter: {}, limit: 1 })).total;
  await page.getByTestId('tab-cases').click();
  await page.getByTestId('file-input').setInputFiles({
    name: 'picked.json.log', mimeType: 'text/plain', buffer: Buffer.from(Array.from({ length: 7 }, (_, i) => line(1000 + i)).join('\n') + '\n'),
  });
  await expect(page.getByTestId('import-file')).toContainText(['picked.json.log']);
  expect((await api<{ total: number }>(casefile, 'events.page', { caseId, filter: {}, limit: 1 })).total).toBe(before + 7);
  // The case has its own copy of the evidence: the upload in the temp folder is gone, not kept until the server stops.
  expect(await readdir(casefile.server.uploadDir)).toEqual([]);
});

test('a dropped bundle the case already has, declined with "Do not import", leaves no upload behind', async ({ app, casefile }) => {
  const { page } = app;
  await openDemo(app, casefile);
  await page.getByTestId('tab-cases').click();
  const file = { name: 'again.json.log', mimeType: 'text/plain', buffer: Buffer.from(Array.from({ length: 5 }, (_, i) => line(2000 + i)).join('\n') + '\n') };
  await page.getByTestId('file-input').setInputFiles(file);
  await expect(page.getByTestId('import-file')).toContainText(['again.json.log']);
  // The same file picked again: the case already has it, the operator declines.
  await page.getByTestId('file-input').setInputFiles([]);
  await page.getByTestId('file-input').setInputFiles(file);
  await expect(page.getByTestId('import-known')).toHaveText('All of 1 files');
  await page.getByTestId('import-dismiss').click();
  await expect(page.getByTestId('import-warning')).toHaveCount(0);
  // Nothing was imported, so no import's end removed it: the decline did.
  await expect.poll(() => readdir(casefile.server.uploadDir)).toEqual([]);
});

test('what an import has committed shows while the rest imports: the counts grow on screen, then the whole', async ({ app, casefile }) => {
  test.setTimeout(180_000);
  const { page } = app;
  const work = await mkdtemp(path.join(os.tmpdir(), 'casefile-import-live-'));
  // A batch per file (each commits on its own), so the import runs for a while after its first events are in.
  const batchBytes = process.env.CASEFILE_IMPORT_BATCH_BYTES;
  process.env.CASEFILE_IMPORT_BATCH_BYTES = '1';
  try {
    const made = await api<{ id: string }>(casefile, 'cases.create', { name: 'Live import', dir: path.join(work, 'case') });
    const files = 120;
    const perFile = 2000;
    await mkdir(path.join(work, 'many'));
    for (let f = 0; f < files; f++) {
      await writeFile(path.join(work, 'many', `w${String(f).padStart(3, '0')}.json.log`), Array.from({ length: perFile }, (_, i) => line(f * perFile + i)).join('\n') + '\n');
    }
    await page.goto(caseLink(casefile, made.id, 'cases'));
    await page.getByTestId('import-paths').fill(path.join(work, 'many'));
    await page.getByTestId('import-start').click();
    // The panel says the stage in words: the reading with its megabytes, the bar past the copy's share (not at 0).
    await expect(page.getByTestId('import-stage')).toContainText(/Reading the logs: [\d.]+ of [\d.]+ MB/, { timeout: 60_000 });
    await expect.poll(async () => parseFloat(await page.locator('[data-testid=import-progress] .progress-bar > div').evaluate((e) => (e as HTMLElement).style.width))).toBeGreaterThanOrEqual(20);
    // Before the import ends, the status bar and the panel say what is in, and the first batch is drawn.
    await expect(page.getByTestId('status-import')).toContainText('events in so far', { timeout: 60_000 });
    const inSoFar = num(await page.getByTestId('import-committed').textContent());
    await expect(page.getByTestId('import-cancel')).toBeVisible();
    expect(inSoFar).toBeGreaterThan(0);
    expect(inSoFar).toBeLessThan(files * perFile);
    // Seen while the import still runs (its word is still in the status bar), not after its end redrew the page.
    const whileRunning = async (count: () => Promise<number>) => (await page.getByTestId('status-import').count()) === 1 ? count() : -1;
    await expect.poll(() => whileRunning(async () => num(await page.getByTestId('status-case-events').textContent()))).toBeGreaterThan(0);
    // The timeline shows them; the import goes on (no "building chains" while it runs: the import's word stands).
    await page.getByTestId('import-look').click();
    await expect.poll(() => whileRunning(() => eventsTotal(page))).toBeGreaterThan(0);
    await expect(page.getByTestId('status-chains')).toHaveCount(0);
    // Later batches are not drawn by themselves; "Show them" draws what is in at that moment. What is drawn is read
    // once the table's own page is in (its rows shown): until then the total is the count the Cases view asked for.
    await expect(page.getByTestId('event-row').first()).toBeVisible();
    await expect(page.getByTestId('events-table')).not.toContainText('loading…');
    const drawn = await eventsTotal(page);
    await expect.poll(() => whileRunning(async () => num(await page.getByTestId('status-import-in').textContent()))).toBeGreaterThan(drawn);
    expect(await eventsTotal(page)).toBe(drawn);
    // "In case" keeps up with the batches (a count, no redraw), so "matching" on the live table is never above it.
    await expect.poll(() => whileRunning(async () => num(await page.getByTestId('status-case-events').textContent()))).toBeGreaterThan(drawn);
    expect(await eventsTotal(page)).toBe(drawn);
    const asked = num(await page.getByTestId('status-import-in').textContent());
    await page.getByTestId('status-import-show').click();
    await expect.poll(() => eventsTotal(page)).toBeGreaterThanOrEqual(asked);
    // When it ends, the views hold every record.
    await expect(page.getByTestId('status-import')).toHaveCount(0, { timeout: 150_000 });
    await expect.poll(() => eventsTotal(page), { timeout: 30_000 }).toBe(files * perFile);
    // Back in the Cases view, the line follows the job after the events to its end.
    await page.getByTestId('tab-cases').click();
    await expect(page.getByTestId('import-stage')).toHaveText('Events, identifiers and chains are ready.', { timeout: 60_000 });
    const jobs = await api<{ kind: string; state: string }[]>(casefile, 'jobs.list', { caseId: made.id });
    expect(jobs.find((j) => j.kind === 'import')?.state).toBe('done');
    await api(casefile, 'cases.close', { caseId: made.id });
  } finally {
    if (batchBytes === undefined) delete process.env.CASEFILE_IMPORT_BATCH_BYTES; else process.env.CASEFILE_IMPORT_BATCH_BYTES = batchBytes;
    await rm(work, { recursive: true, force: true, maxRetries: 5 });
  }
});

test('a case opened again while its import runs shows what is in by then: "shown" is not the first batch\'s count', async ({ app, casefile }) => {
  test.setTimeout(180_000);
  const { page } = app;
  const work = await mkdtemp(path.join(os.tmpdir(), 'casefile-import-back-'));
  const batchBytes = process.env.CASEFILE_IMPORT_BATCH_BYTES;
  process.env.CASEFILE_IMPORT_BATCH_BYTES = '1';
  try {
    const demo = casefile.defaultCaseId!;
    const made = await api<{ id: string }>(casefile, 'cases.create', { name: 'Left mid-import', dir: path.join(work, 'case') });
    const files = 150;
    const perFile = 2000;
    await mkdir(path.join(work, 'many'));
    for (let f = 0; f < files; f++) {
      await writeFile(path.join(work, 'many', `w${String(f).padStart(3, '0')}.json.log`), Array.from({ length: perFile }, (_, i) => line(f * perFile + i)).join('\n') + '\n');
    }
    const openCase = async (id: string) => {
      await page.getByTestId('tab-cases').click();
      await page.locator(`[data-testid=case-row][data-case="${id}"] [data-testid=case-open]`).click();
      await expect(page.getByTestId('case-name-header')).toContainText(id === demo ? 'Acme' : 'Left mid-import');
    };
    await page.goto(caseLink(casefile, made.id, 'cases'));
    await page.getByTestId('import-paths').fill(path.join(work, 'many'));
    await page.getByTestId('import-start').click();
    await expect(page.getByTestId('status-import')).toContainText('events in so far', { timeout: 60_000 });
    // The operator looks at another case while more batches land, then comes back: the case opens with all of them.
    await openCase(demo);
    const committed = async () => (await api<{ total: number }>(casefile, 'events.page', { caseId: made.id, filter: {}, limit: 1 })).total;
    await expect.poll(committed, { timeout: 60_000 }).toBeGreaterThanOrEqual(10 * perFile);
    await openCase(made.id);
    await page.getByTestId('tab-timeline').click();
    const shown = async () => num((await page.getByTestId('status-import').textContent())?.match(/([\d,]+) shown/)?.[1] ?? '0');
    await expect(page.getByTestId('status-import')).toBeVisible();
    expect(await shown()).toBeGreaterThanOrEqual(9 * perFile);
    // What the views drew when the case opened is at least what the status bar says is shown.
    await expect.poll(() => eventsTotal(page)).toBeGreaterThanOrEqual(await shown());
    // Not waited out: cancelled, and the case closed once the job has ended.
    const job = () => api<{ jobId: string; kind: string; state: string }[]>(casefile, 'jobs.list', { caseId: made.id }).then((js) => js.find((j) => j.kind === 'import')!);
    await api(casefile, 'jobs.cancel', { jobId: (await job()).jobId });
    await expect.poll(async () => (await job()).state, { timeout: 60_000 }).toMatch(/cancelled|done/);
    await api(casefile, 'cases.close', { caseId: made.id });
  } finally {
    if (batchBytes === undefined) delete process.env.CASEFILE_IMPORT_BATCH_BYTES; else process.env.CASEFILE_IMPORT_BATCH_BYTES = batchBytes;
    await rm(work, { recursive: true, force: true, maxRetries: 5 });
  }
});

test('a case opened while its import runs is not said to have failed its integrity check: its custody is pending, not broken', async ({ app, casefile }) => {
  test.setTimeout(240_000);
  const { page } = app;
  const work = await mkdtemp(path.join(os.tmpdir(), 'casefile-import-verify-'));
  const batchBytes = process.env.CASEFILE_IMPORT_BATCH_BYTES;
  process.env.CASEFILE_IMPORT_BATCH_BYTES = '1';
  try {
    const made = await api<{ id: string }>(casefile, 'cases.create', { name: 'Verified mid-import', dir: path.join(work, 'case') });
    await mkdir(path.join(work, 'many'));
    for (let f = 0; f < 150; f++) {
      await writeFile(path.join(work, 'many', `w${String(f).padStart(3, '0')}.json.log`), Array.from({ length: 2000 }, (_, i) => line(f * 2000 + i)).join('\n') + '\n');
    }
    await page.goto(caseLink(casefile, made.id, 'cases'));
    await page.getByTestId('import-paths').fill(path.join(work, 'many'));
    await page.getByTestId('import-start').click();
    await expect(page.getByTestId('status-import')).toContainText('events in so far', { timeout: 60_000 });
    // The page is reloaded mid-import: the case opens and verifies while events are in whose custody is still to come.
    await page.reload();
    await expect(page.getByTestId('import-progress')).toBeVisible();
    const badge = page.getByTestId('integrity-badge');
    await expect(badge).not.toContainText('verifying', { timeout: 60_000 });
    expect(await page.getByTestId('status-import').count()).toBe(1);
    await expect(badge).toHaveAttribute('data-state', 'unknown');
    await expect(badge).toContainText('not verified yet');
    // Once the import and its chains are done, verifying again passes.
    const jobs = () => api<{ kind: string; state: string }[]>(casefile, 'jobs.list', { caseId: made.id });
    await expect.poll(async () => (await jobs()).some((j) => j.state === 'running' || j.state === 'queued'), { timeout: 180_000 }).toBe(false);
    await badge.click();
    await expect(badge).toHaveAttribute('data-state', 'ok', { timeout: 60_000 });
    await api(casefile, 'cases.close', { caseId: made.id });
  } finally {
    if (batchBytes === undefined) delete process.env.CASEFILE_IMPORT_BATCH_BYTES; else process.env.CASEFILE_IMPORT_BATCH_BYTES = batchBytes;
    await rm(work, { recursive: true, force: true, maxRetries: 5 });
  }
});

test('the status bar\'s counts agree once an import watched from the import panel ends: matching is not the count from before', async ({ app, casefile }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const work = await mkdtemp(path.join(os.tmpdir(), 'casefile-import-matching-'));
  try {
    await mkdir(path.join(work, 'small'));
    await writeFile(path.join(work, 'small', 'm.json.log'), Array.from({ length: 40 }, (_, i) => line(5000 + i)).join('\n') + '\n');
    const before = (await api<{ total: number }>(casefile, 'events.page', { caseId, filter: {}, limit: 1 })).total;
    await expect(page.getByTestId('status-matching')).toHaveText(`${before.toLocaleString('en-US')} matching`);
    await page.getByTestId('tab-cases').click();
    await page.getByTestId('import-paths').fill(path.join(work, 'small'));
    await page.getByTestId('import-start').click();
    await expect(page.getByTestId('import-results')).toBeVisible({ timeout: 60_000 });
    const after = `${(before + 40).toLocaleString('en-US')}`;
    await expect(page.getByTestId('status-case-events')).toHaveText(`${after} events in case`);
    await expect(page.getByTestId('status-matching')).toHaveText(`${after} matching`);
  } finally {
    await rm(work, { recursive: true, force: true, maxRetries: 5 });
  }
});

test('a file name with a right-to-left override is shown escaped, as the CLI prints it', async ({ app, casefile }) => {
  test.setTimeout(150_000);
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const work = await mkdtemp(path.join(os.tmpdir(), 'casefile-import-names-'));
  // shown raw, the override makes "evil\u202egol.exe.log" read "evilgol.exe" backwards: "evil" + "gol.exe" reversed,
  // so the log looks like a program; the import keeps it in the name (a control or zero-width character makes it
  // store an escaped name of its own)
  const name = 'evil\u202egol.exe.log';
  await mkdir(path.join(work, 'names'));
  await writeFile(path.join(work, 'names', name), Array.from({ length: 3 }, (_, i) => line(5000 + i)).join('\n') + '\n');
  await page.getByTestId('tab-cases').click();
  await page.getByTestId('import-paths').fill(path.join(work, 'names'));
  await page.getByTestId('import-start').click();
  const row = page.getByTestId('import-file').filter({ hasText: 'evil' });
  await expect(row).toContainText('evil\\u202egol.exe.log', { timeout: 60_000 });
  expect(await row.innerText()).not.toContain('\u202e');
  // the event's file in the detail pane, the same way
  // SQL waits for the import's identifiers and chains to be built
  let ev: { id: number } | undefined;
  await expect.poll(async () => {
    ev = await api<{ rows: { id: number }[] }>(casefile, 'events.sql', { caseId, sql: "SELECT id FROM events WHERE file LIKE '%gol.exe%' LIMIT 1" }).then((r) => r.rows[0], () => undefined);
    return ev;
  }, { timeout: 60_000 }).toBeTruthy();
  await page.goto(caseLink(casefile, caseId, 'timeline', { event: String(ev!.id) }));
  await expect(page.getByTestId('detail-file')).toContainText('evil\\u202egol.exe.log');
  expect(await page.getByTestId('detail-file').innerText()).not.toContain('\u202e');
  await rm(work, { recursive: true, force: true });
});

test('while a new case is being created the import waits for it: nothing lands in the case being left, and its count is not shown as the new one\'s', async ({ app, casefile }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const work = await mkdtemp(path.join(os.tmpdir(), 'casefile-import-switch-'));
  try {
    await mkdir(path.join(work, 'small'));
    await writeFile(path.join(work, 'small', 's.json.log'), Array.from({ length: 9 }, (_, i) => line(7000 + i)).join('\n') + '\n');
    const demoCount = async () => (await api<{ total: number }>(casefile, 'events.page', { caseId, filter: {}, limit: 1 })).total;
    const before = await demoCount();
    await expect(page.getByTestId('status-matching')).toHaveText(`${before.toLocaleString('en-US')} matching`);
    // A slow create (a busy disk): the operator types the bundle's path and presses Import before the case opens.
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    await page.route('**/api/cases.create', async (route) => { await held; await route.continue(); });
    await page.getByTestId('tab-cases').click();
    await page.getByTestId('case-name').fill('Created while importing');
    await page.getByTestId('case-dir').fill(path.join(work, 'case'));
    await page.getByTestId('case-create').click();
    await page.getByTestId('import-paths').fill(path.join(work, 'small'));
    await expect(page.getByTestId('import-start')).toBeDisabled();
    release();
    await expect(page.getByTestId('status-case-events')).toHaveText('0 events in case');
    // The new case has not been read: the demo's "matching" is not said of it.
    await expect(page.getByTestId('status-matching')).toHaveCount(0);
    await page.getByTestId('import-start').click();
    await expect(page.getByTestId('import-results')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('status-case-events')).toHaveText('9 events in case');
    await page.getByTestId('goto-timeline').click();
    await expect(page.getByTestId('status-matching')).toHaveText('9 matching');
    expect(await demoCount()).toBe(before);
    const made = (await api<{ id: string; dir: string }[]>(casefile, 'cases.list', {})).find((c) => c.dir === path.join(work, 'case'));
    if (made) await api(casefile, 'cases.close', { caseId: made.id });
  } finally {
    await rm(work, { recursive: true, force: true, maxRetries: 5 });
  }
});

test('an import cancelled while the evidence is copied says nothing of it is in the case; the same import again brings all of it, once', async ({ app, casefile }) => {
  test.setTimeout(150_000);
  const { page } = app;
  const work = await mkdtemp(path.join(os.tmpdir(), 'casefile-import-copy-'));
  const hold = process.env.CASEFILE_HOLD;
  try {
    const made = await api<{ id: string }>(casefile, 'cases.create', { name: 'Cancelled in the copy', dir: path.join(work, 'case') });
    await mkdir(path.join(work, 'logs'));
    for (let f = 0; f < 20; f++) await writeFile(path.join(work, 'logs', `w${f}.json.log`), Array.from({ length: 50 }, (_, i) => line(f * 50 + i)).join('\n') + '\n');
    await page.goto(caseLink(casefile, made.id, 'cases'));
    // Each copied file is held until the cancel comes (fault.ts holdPoint): the copy is under way when Cancel lands.
    process.env.CASEFILE_HOLD = 'copy-file';
    await page.getByTestId('import-paths').fill(path.join(work, 'logs'));
    await page.getByTestId('import-start').click();
    await expect(page.getByTestId('import-stage')).toContainText('Copying the evidence', { timeout: 60_000 });
    await page.getByTestId('import-cancel').click();
    await expect(page.getByTestId('import-error')).toHaveText('Import cancelled before any event was committed: nothing of this evidence is in the case; importing it again brings all of it', { timeout: 60_000 });
    expect((await api<{ eventCount: number }>(casefile, 'cases.get', { caseId: made.id })).eventCount).toBe(0);
    // The trail says the import was cancelled.
    const trail = await api<{ result: { status: string; message?: string } }[]>(casefile, 'audit.list', { caseId: made.id, action: 'import.paths', limit: 10 });
    expect(trail.map((e) => e.result)).toEqual([{ status: 'error', message: 'The import job was cancelled.' }]);
    delete process.env.CASEFILE_HOLD;
    // Again: nothing of it is known to the case, so it imports at once, every record once.
    await page.getByTestId('import-start').click();
    await expect(page.getByTestId('import-results')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('import-warning')).toHaveCount(0);
    expect((await api<{ eventCount: number }>(casefile, 'cases.get', { caseId: made.id })).eventCount).toBe(1000);
    await api(casefile, 'cases.close', { caseId: made.id });
  } finally {
    if (hold === undefined) delete process.env.CASEFILE_HOLD; else process.env.CASEFILE_HOLD = hold;
    await rm(work, { recursive: true, force: true, maxRetries: 5 });
  }
});
