// The workbench on a common laptop window (1280 × 800) with a record open (qa20): what the operator needs stays on
// screen instead of being pushed under the detail panel.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { api, caseLink, openDemo } from './workbenchKit';

test.use({ openDefault: true });

test('with a record open at 1280 × 800, the events header keeps every button inside its card (Columns was under the detail panel)', async ({ app, casefile, problems }) => {
  const { page } = app;
  await page.setViewportSize({ width: 1280, height: 800 });
  await openDemo(app, casefile);
  await page.getByTestId('event-row').first().click();
  await expect(page.getByTestId('detail-panel')).toBeVisible();
  // A selected record adds "Export selected": the header then held more than the narrowed card.
  await expect(page.getByTestId('export-open-selected')).toBeVisible();
  const card = (await page.getByTestId('events-table').boundingBox())!;
  const panel = (await page.getByTestId('detail-panel').boundingBox())!;
  for (const id of ['export-open', 'exports-open', 'export-open-selected', 'column-picker']) {
    const b = (await page.getByTestId(id).boundingBox())!;
    expect(b.x + b.width, `${id}'s right edge`).toBeLessThanOrEqual(card.x + card.width);
    expect(b.x + b.width, `${id} left of the detail panel`).toBeLessThanOrEqual(panel.x);
  }
  // the view beside the panel does not scroll sideways to reach them
  const sideways = await page.getByTestId('events-table').evaluate((el) => {
    const view = el.closest('.view')!;
    return view.scrollWidth - view.clientWidth;
  });
  expect(sideways).toBe(0);
  // and the picker opens where it was clicked
  await page.getByTestId('column-picker').click();
  expect(problems.errors).toEqual([]);
});

test('the record\'s time and tz rule break between words at 1280 × 800, not inside one ("(i nferred)", ",9 22")', async ({ app, casefile, problems }) => {
  const { page } = app;
  await page.setViewportSize({ width: 1280, height: 800 });
  await openDemo(app, casefile);
  await page.getByTestId('level-ERROR').click();
  await page.getByTestId('event-row').filter({ hasText: 'system' }).first().click();
  await expect(page.getByTestId('detail-time')).toContainText('as written');
  // every word of the record's metadata (a space-free run up to 40 characters: a stamp, "(inferred)") on one line
  const split = await page.getByTestId('detail-panel').locator('dl.meta dd').evaluateAll((dds) => {
    const broken: string[] = [];
    for (const dd of dds) {
      const walker = document.createTreeWalker(dd, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent ?? '';
        for (const m of text.matchAll(/\S+/g)) {
          if (m[0].length > 40) continue; // a long path may break where it must
          const r = document.createRange();
          r.setStart(n, m.index);
          r.setEnd(n, m.index + m[0].length);
          const tops = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
          if (tops.size > 1) broken.push(m[0]);
        }
      }
    }
    return broken;
  });
  expect(split).toEqual([]);
  expect(problems.errors).toEqual([]);
});

test('with a record open at 1280 × 800, the Message column is read without scrolling sideways; the other columns come back when it closes', async ({ app, casefile, problems }) => {
  const { page } = app;
  await page.setViewportSize({ width: 1280, height: 800 });
  await openDemo(app, casefile);
  const heads = () => page.getByTestId('column-head').evaluateAll((hs) => hs.map((h) => h.getAttribute('data-col')));
  const before = await heads();
  expect(before).toContain('message');
  await page.getByTestId('event-row').first().click();
  await expect(page.getByTestId('detail-panel')).toBeVisible();
  const scroller = page.getByTestId('events-scroll');
  const card = (await scroller.boundingBox())!;
  // the first row's Message cell starts inside the card and has room for its words (at least 200 px of it shows)
  const cell = (await page.getByTestId('event-row').first().locator('.c-message').boundingBox())!;
  expect(cell.x).toBeGreaterThanOrEqual(card.x);
  expect(Math.min(cell.x + cell.width, card.x + card.width) - cell.x, 'Message width inside the card').toBeGreaterThanOrEqual(200);
  // its text is drawn there: the text's first characters are within the card's box
  const text = await page.getByTestId('event-row').first().locator('.c-message').evaluate((el) => {
    const r = document.createRange();
    r.selectNodeContents(el);
    const b = r.getClientRects()[0];
    return { left: b?.left ?? -1, words: (el.textContent ?? '').trim() };
  });
  expect(text.words.length).toBeGreaterThan(0);
  expect(text.left).toBeGreaterThanOrEqual(card.x);
  expect(text.left).toBeLessThan(card.x + card.width - 100);
  const sideways = await scroller.evaluate((el) => el.scrollWidth - el.clientWidth);
  expect(sideways, 'the table does not scroll sideways').toBe(0);
  // the time stays; the columns left out beside the record are said, and the user's choice is kept
  const open = await heads();
  expect(open[0]).toBe('time');
  expect(open).toContain('message');
  const hidden = before.filter((c) => !open.includes(c));
  expect(hidden.length).toBeGreaterThan(0);
  await expect(page.getByTestId('columns-hidden')).toContainText(`${hidden.length} column`);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('detail-panel')).toBeHidden();
  await expect.poll(heads).toEqual(before);
  await expect(page.getByTestId('columns-hidden')).toHaveCount(0);
  expect(problems.errors).toEqual([]);
});

test('the status bar stays one line at 1280 × 800 while an import runs (its words wrapped it to three); the whole words are its tooltip', async ({ app, casefile, problems }) => {
  test.setTimeout(180_000);
  const { page } = app;
  await page.setViewportSize({ width: 1280, height: 800 });
  const work = await mkdtemp(path.join(os.tmpdir(), 'casefile-status-line-'));
  // A batch per file (each commits on its own): the import runs a while with events in, and says so.
  const batchBytes = process.env.CASEFILE_IMPORT_BATCH_BYTES;
  process.env.CASEFILE_IMPORT_BATCH_BYTES = '1';
  try {
    const made = await api<{ id: string }>(casefile, 'cases.create', { name: 'Status line', dir: path.join(work, 'case') });
    await mkdir(path.join(work, 'many'));
    const line = (i: number) => JSON.stringify({ message: `tick ${i}`, levelname: 'INFO', name: 'gen', created: 1690656225.4 + i / 1000 });
    for (let f = 0; f < 120; f++) {
      await writeFile(path.join(work, 'many', `w${String(f).padStart(3, '0')}.json.log`), Array.from({ length: 2000 }, (_, i) => line(f * 2000 + i)).join('\n') + '\n');
    }
    await page.goto(caseLink(casefile, made.id, 'cases'));
    const bar = page.getByTestId('status-bar');
    await expect(page.getByTestId('status-case-events')).toBeVisible();
    const oneLine = (await bar.boundingBox())!.height;
    await page.getByTestId('import-paths').fill(path.join(work, 'many'));
    await page.getByTestId('import-start').click();
    const status = page.getByTestId('status-import');
    // measured while the import's words (stage, counts, "Show them") are all in the bar
    await expect(page.getByTestId('status-import-show')).toBeVisible({ timeout: 90_000 });
    const seen = await bar.evaluate((el) => ({
      height: el.getBoundingClientRect().height, running: !!el.querySelector('[data-testid="status-import"]'),
      words: el.querySelector('[data-testid="status-import"]')?.textContent ?? '', show: !!el.querySelector('[data-testid="status-import-show"]'),
    }));
    expect(seen.running && seen.show).toBe(true);
    expect(seen.height, `the bar with "${seen.words}"`).toBeLessThanOrEqual(oneLine + 1);
    // what does not fit is in the tooltip, and "Show them" stays on screen to be clicked
    await expect(status).toHaveAttribute('title', /events in so far/);
    await expect(page.getByTestId('status-import-show')).toBeInViewport();
    await page.getByTestId('import-cancel').click();
    await expect(status).toHaveCount(0, { timeout: 60_000 });
    await api(casefile, 'cases.close', { caseId: made.id });
  } finally {
    if (batchBytes === undefined) delete process.env.CASEFILE_IMPORT_BATCH_BYTES; else process.env.CASEFILE_IMPORT_BATCH_BYTES = batchBytes;
    await rm(work, { recursive: true, force: true, maxRetries: 5 });
  }
  expect(problems.errors).toEqual([]);
});
