// npm run bench:ui -- [--size 200MB] [--seed 1] [--runs 15] [--case <dir>]
// The workbench as the operator feels it: Debian Chromium (Playwright) against `casefile serve` on a bench case,
// timing from the operator's action until the page has re-rendered with the engine's answers (the first events
// page and the histogram both arrived, then two animation frames). The case is imported once from the
// bench:ingest tree (.bench/tree-<size>-<seed>) into .bench/ui-case-<size>-<seed>. Writes .bench/ui-<size>.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { chromium, type Page, type Request, type Response } from 'playwright-core';
import { generateTree } from '../testkit/synth/generate';
import { formatSize, parseSize } from '../../shared/size';
import { runMeasured } from './proc';

const opts = new Command()
  .option('--size <size>', 'bench tree size (as bench:ingest: 50MB, 200MB, 1GB)', '200MB')
  .option('--seed <n>', 'tree seed', '1')
  .option('--runs <n>', 'timed runs per interaction', '15')
  .option('--case <dir>', 'measure this case folder instead of the bench case')
  .option('--trace', 'also list the engine calls each interaction made (first run of each), with their times')
  .option('--trace-all', 'list the engine calls of every run, without the pause --trace makes after the first')
  .parse()
  .opts<{ size: string; seed: string; runs: string; case?: string; trace?: boolean; traceAll?: boolean }>();

const REPO = path.resolve(import.meta.dirname, '../..');
const BENCH = path.join(REPO, '.bench');
const CLI = path.join(REPO, 'electron/cli/bin.mjs');
const CHROMIUM = process.env.CASEFILE_CHROMIUM ?? '/usr/bin/chromium';
const runs = Math.max(1, Number(opts.runs));
const TARGETS = { filter: 500, search: 500, zoom: 300, histogramQuery: 100, initialLoad: 1500 };

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};
const r0 = (x: number) => Math.round(x);

/** The bench case: imported once (marker written last), from the bench:ingest tree (generated if missing). */
async function ensureCase(): Promise<string> {
  if (opts.case) return path.resolve(opts.case);
  const size = parseSize(opts.size);
  const seed = Number(opts.seed);
  const tree = path.join(BENCH, `tree-${formatSize(size)}-${seed}`);
  if (!existsSync(path.join(tree, 'truth.json'))) {
    process.stderr.write(`generating the ${formatSize(size)} tree (seed ${seed}) in ${tree}\n`);
    rmSync(tree, { recursive: true, force: true });
    await generateTree(tree, { targetBytes: size, seed });
  }
  const dir = path.join(BENCH, `ui-case-${formatSize(size)}-${seed}`);
  const done = path.join(dir, '.bench-imported');
  if (!existsSync(done)) {
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`importing ${tree} into ${dir}\n`);
    const m = await runMeasured(process.execPath, [CLI, 'import', path.join(tree, 'enrich'), '--case', dir], { cwd: REPO });
    if (m.code !== 0) throw new Error(`import failed (exit ${m.code}): ${m.stderr.slice(-500)}`);
    process.stderr.write(`imported in ${(m.wallMs / 1000).toFixed(1)} s\n`);
    writeFileSync(done, new Date().toISOString());
  }
  return dir;
}

/** `casefile serve` as the operator runs it; resolves with its URL (token included) once it listens. */
function serve(caseDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--case', caseDir, '--port', '0', '--no-open'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /URL: (\S+)/.exec(out);
      if (m) resolve({ url: m[1]!, child });
    });
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('exit', (code) => reject(new Error(`serve exited (${code}): ${err.slice(-500)}`)));
  });
}

/**
 * The same interaction timed inside the page, as the operator sees it: from the input event that started it (its
 * `timeStamp`: the click, the Enter key, the brush's mouse-up) or, for a load, from the navigation's start, to two
 * frames after the answers were in. The wall time around it adds Playwright's own work (actionability checks, the
 * protocol round trips of each action and of each wait), which is not the application's.
 */
// Each engine answer is noted when the page has parsed it (the app's own continuation then sets its state) and again
// two frames later: the end of an interaction is the drawing of the last answer it waits for, as the page saw it.
const INPUT_SCRIPT = `window.__lastInput = null;
for (const type of ['click', 'keydown', 'mouseup']) addEventListener(type, (e) => { window.__lastInput = e.timeStamp; }, { capture: true });
window.__answers = [];
const pageFetch = window.fetch.bind(window);
window.__calls = [];
window.fetch = async (input, init) => {
  const m = /\\/api\\/(events\\.\\w+)$/.exec(String(input));
  const a = m ? { call: m[1], body: String((init && init.body) || ''), sent: performance.now(), head: 0, t: 0, drawn: null } : null;
  if (a) window.__calls.push(a);
  const res = await pageFetch(input, init);
  if (a) {
    a.head = performance.now();
    const json = res.json.bind(res);
    res.json = async () => { const v = await json(); a.t = performance.now(); window.__answers.push(a);
      requestAnimationFrame(() => requestAnimationFrame(() => { a.drawn = performance.now(); })); return v; };
  }
  return res;
};
window.__steps = () => {
  const from = window.__lastInput ?? 0;
  const r = (x) => Math.round(x - from);
  return window.__calls.filter((a) => a.sent >= from - 1).map((a) => ({
    call: a.call + (/"(after|before)"/.test(a.body) ? ' (next page)' : ''), sent: r(a.sent), head: a.head ? r(a.head) : -1, parsed: a.t ? r(a.t) : -1, drawn: a.drawn === null ? null : r(a.drawn),
  }));
};
window.__drawnInPage = (need, nav) => new Promise((resolve) => {
  const from = nav ? 0 : (window.__lastInput ?? NaN);
  const check = () => {
    const got = need.map((c) => window.__answers.find((a) => a.t >= from && a.call === c && (c !== 'events.page' || !/"(after|before)"/.test(a.body))));
    if (got.every((a) => a && a.drawn !== null)) resolve(Math.max(...got.map((a) => a.drawn)) - from);
    else requestAnimationFrame(check);
  };
  check();
});`;
/** One answer an interaction waits for: the call, and for events.page only the first page (no cursor). */
type Need = 'events.page' | 'events.histogram';
/** In-page ms from the interaction's input event (or the navigation's start) until every needed answer is drawn
 * (the page's own `__drawnInPage`, from INPUT_SCRIPT: tsx would name a function written here, which the page lacks). */
const drawnInPage = (page: Page, need: Need[], sinceNavigation = false) =>
  page.evaluate(([n, nav]) => (window as unknown as { __drawnInPage: (n: Need[], nav: boolean) => Promise<number> }).__drawnInPage(n, nav), [need, sinceNavigation] as [Need[], boolean]);
const drawnSinceInput = (page: Page, sinceNavigation = false) => page.evaluate((nav) => new Promise<number>((r) => requestAnimationFrame(() => requestAnimationFrame(() => {
  const w = window as unknown as { __lastInput: number | null };
  r(performance.now() - (nav ? 0 : w.__lastInput ?? NaN));
}))), sinceNavigation);
const clearInput = (page: Page) => page.evaluate(() => { (window as unknown as { __lastInput: number | null }).__lastInput = null; });
/** Each events call the page made since the interaction's input: when it was sent, its answer's headers came, the
 * page parsed it and drew two frames later, in ms from the input; and the server's phases (Server-Timing). */
interface PageStep { call: string; sent: number; head: number; parsed: number; drawn: number | null }
// The page's own `__steps` (INPUT_SCRIPT): tsx names the functions written here, which the page lacks.
const pageSteps = (page: Page) => page.evaluate(() => (window as unknown as { __steps: () => PageStep[] }).__steps());
const steps: Record<string, PageStep[]> = {};
/** In-page times of each interaction, by row name. */
const inPage: Record<string, number[]> = {};
const notePage = (name: string, ms: number) => { (inPage[name] ??= []).push(ms); };
const answer = (page: Page, call: string, since: number, pred: (body: unknown) => boolean = () => true) =>
  page.waitForResponse(async (r: Response) => {
    if (!r.url().endsWith(`/api/${call}`) || performance.now() < since) return false;
    try { return pred(JSON.parse(r.request().postData() ?? '{}')); } catch { return false; }
  }, { timeout: 300_000 });
/** The first page (no cursor) of the events table. */
const firstPage = (input: unknown) => !(input as { after?: unknown; before?: unknown }).after && !(input as { before?: unknown }).before;

/** Time from `act` until the table's first page and the histogram it caused are in and drawn (and, under `name`, the in-page time). */
async function rerender(page: Page, act: () => Promise<void>, name?: string): Promise<number> {
  await clearInput(page);
  const t0 = performance.now();
  const both = Promise.all([answer(page, 'events.page', t0, firstPage), answer(page, 'events.histogram', t0)]);
  await act();
  await both;
  if (name) notePage(name, await drawnInPage(page, ['events.page', 'events.histogram']));
  else await drawnSinceInput(page);
  return performance.now() - t0;
}

/** One engine call the page made: when it started (ms since the bench began), how long it took, what it asked. */
interface Call { call: string; at: number; ms: number; input: string; server?: string }
const calls: Call[] = [];
const benchStart = Date.now();
/** Engine calls the page made from `since` (ms since the bench began) on, for the trace. */
const callsSince = (since: number) => calls.filter((c) => c.at >= since).map((c) => ({ ...c, at: c.at - since }));
function traceCalls(page: Page): void {
  // When each request left, as the bench saw it (an aborted request's own timing has no start).
  const sentAt = new WeakMap<Request, number>();
  page.on('request', (r) => { sentAt.set(r, Date.now()); });
  const note = async (r: Request, aborted: boolean) => {
    const m = /\/api\/([\w.]+)$/.exec(r.url());
    if (!m) return;
    const server = aborted ? undefined : (await r.response())?.headers()['server-timing'];
    const t = r.timing();
    let input = r.postData() ?? '';
    input = input.replace(/"caseId":"[^"]*",?/, '');
    // An aborted call (superseded by the next action) has no end: its duration shows as -1.
    calls.push({ call: aborted ? `${m[1]!} (aborted)` : m[1]!, at: Math.round((t.startTime > 0 ? t.startTime : sentAt.get(r) ?? 0) - benchStart), ms: aborted ? -1 : Math.round(t.responseEnd), input: input.slice(0, 160), ...(server ? { server } : {}) });
  };
  page.on('requestfinished', (r) => { void note(r, false); });
  page.on('requestfailed', (r) => { void note(r, true); });
}

interface Row { name: string; target: number | null; p50: number; p95: number; max: number; n: number; note?: string; each: number[] }
const row = (name: string, target: number | null, xs: number[], note?: string): Row =>
  ({ name, target, p50: r0(pct(xs, 50)), p95: r0(pct(xs, 95)), max: r0(Math.max(...xs)), n: xs.length, ...(note ? { note } : {}), each: xs.map(r0) });

async function main(): Promise<void> {
  mkdirSync(BENCH, { recursive: true, mode: 0o700 });
  const caseDir = await ensureCase();
  if (!existsSync(path.join(REPO, 'out/renderer/index.html'))) throw new Error('No built UI: run npm run build:renderer first.');
  // The text index: serve would build it in the background beside the timed runs; built (or found current) first.
  const ti = await runMeasured(process.execPath, [CLI, 'text-index', '--case', caseDir, '--json'], { cwd: REPO });
  if (ti.code !== 0) throw new Error(`text-index failed (exit ${ti.code}): ${ti.stderr.slice(-500)}`);
  const textIndex = JSON.parse(ti.stdout) as { groups: number; seconds: number; rows: number; bytes: number };
  const { url, child } = await serve(caseDir);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  const rows: Row[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript(INPUT_SCRIPT);
    const page = await context.newPage();
    traceCalls(page);
    const traces: Record<string, Call[]> = {};
    /** --trace-all: when each run began; its calls are those that started before the next run (read at the end). */
    const runStarts: { name: string; since: number }[] = [];
    /** The calls the first timed run of an interaction made (read after the run). */
    const firstRun = async <T>(name: string, i: number, run: () => Promise<T>): Promise<T> => {
      const since = Date.now() - benchStart;
      const out = await run();
      if (opts.traceAll) runStarts.push({ name: `${name} #${i + 1}`, since });
      else if (i === 0) { await page.waitForTimeout(opts.trace ? 3000 : 0); traces[name] = callsSince(since); }
      return out;
    };
    const token = new URL(url).searchParams.get('token')!;
    const origin = new URL(url).origin;

    const step = (name: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${name}\n`);
    step('initial load');
    // Initial load: navigation until the timeline's range and the table's total are drawn from the engine's answers.
    const loads: number[] = [];
    for (let i = 0; i < Math.min(runs, 8); i++) {
      await firstRun('initial load', i, async () => {
        const t0 = performance.now();
        const both = Promise.all([answer(page, 'events.page', t0, firstPage), answer(page, 'events.histogram', t0)]);
        await page.goto(i === 0 ? url : `${origin}/`);
        await both;
        await page.getByTestId('timeline-range').filter({ hasText: '→' }).waitFor();
        notePage('load', await drawnInPage(page, ['events.page', 'events.histogram'], true));
        loads.push(performance.now() - t0);
      });
    }
    rows.push(row('initial load (page open → table and timeline drawn)', TARGETS.initialLoad, loads, 'reloads of the tab; the first includes the token hand-over'));
    rows.push(row('— in page (navigation start → drawn)', TARGETS.initialLoad, inPage.load!));
    const total = await page.getByTestId('events-total').textContent();

    step('level filter');
    // Filter by level over the full range: toggle ERROR on and off.
    const level: number[] = [];
    for (let i = 0; i < runs; i++) {
      level.push(await firstRun('level filter', i, () => rerender(page, () => page.getByTestId('level-ERROR').click(), 'level')));
      if (opts.trace || opts.traceAll) steps[`level filter #${i + 1}`] = await pageSteps(page);
    }
    rows.push(row('filter by level, full range (click → re-rendered)', TARGETS.filter, level, 'ERROR toggled on and off'));
    rows.push(row('— in page (click event → drawn)', TARGETS.filter, inPage.level!));

    // The search runs over the full range: the level toggles above leave ERROR on after an odd number of runs.
    if (runs % 2 === 1) await rerender(page, () => page.getByTestId('level-ERROR').click());

    step('text search');
    // Text search over the full range, a different word each time, cleared in between (not timed). The table draws
    // the first matching rows before the total and the histogram are counted (both read every record's text):
    // two times, to the rows and to everything.
    const words = ['timeout', 'Traceback', 'KycScorer', 'ALPHA1234', 'Registered', 'connection refused', 'run_', 'POST /api'];
    const searchRows: number[] = [];
    const searchAll: number[] = [];
    const box = page.getByTestId('search-input');
    for (let i = 0; i < runs; i++) {
      await firstRun('text search', i, async () => {
        await clearInput(page);
        const t0 = performance.now();
        const rowsIn = answer(page, 'events.page', t0, firstPage);
        const histIn = answer(page, 'events.histogram', t0);
        await box.fill(words[i % words.length]!);
        await box.press('Enter');
        await rowsIn;
        notePage('search', await drawnInPage(page, ['events.page']));
        searchRows.push(performance.now() - t0);
        if (opts.trace || opts.traceAll) steps[`text search #${i + 1} (${words[i % words.length]!})`] = await pageSteps(page);
        await histIn;
        await page.getByTestId('events-total').filter({ hasNotText: 'counting' }).waitFor({ timeout: 300_000 });
        notePage('searchAll', await drawnSinceInput(page));
        searchAll.push(performance.now() - t0);
      });
      await rerender(page, async () => { await box.fill(''); await box.press('Enter'); });
    }
    const note = `${words.length} words in turn, case-insensitive substring of the raw record`;
    rows.push(row('text search, full range (Enter → first matching rows drawn)', TARGETS.search, searchRows, `${note}; total shown as "counting…" meanwhile`));
    rows.push(row('— in page (Enter keydown → rows drawn)', TARGETS.search, inPage.search!));
    rows.push(row('text search, full range (Enter → total and histogram drawn)', null, searchAll, 'a full scan of the raw text (no index)'));
    rows.push(row('— in page (Enter keydown → total drawn)', null, inPage.searchAll!));

    step('zoom');
    // Histogram zoom: drag over the middle fifth of the plot (a brush); Reset (not timed) between.
    const plot = page.locator('[data-testid="lane-plot"]').first();
    const zoom: number[] = [];
    for (let i = 0; i < runs; i++) {
      const box2 = (await page.getByTestId('timeline').locator('svg').first().boundingBox())!;
      const y = (await plot.boundingBox())!.y + 8;
      const x1 = box2.x + box2.width * (0.3 + 0.02 * (i % 5));
      await page.mouse.move(x1, y);
      await page.mouse.down();
      await page.mouse.move(x1 + box2.width * 0.2, y, { steps: 4 });
      await clearInput(page);
      await firstRun('zoom', i, async () => {
        const t0 = performance.now();
        const hist = answer(page, 'events.histogram', t0);
        await page.mouse.up();
        await hist;
        notePage('zoom', await drawnInPage(page, ['events.histogram']));
        zoom.push(performance.now() - t0);
        // The table follows the histogram (its total is the histogram's count): timed too, not part of the target.
        notePage('zoomTable', await drawnInPage(page, ['events.page']));
        if (opts.trace || opts.traceAll) steps[`zoom #${i + 1}`] = await pageSteps(page);
      });
      await rerender(page, () => page.getByTestId('timeline-reset').click());
    }
    rows.push(row('histogram zoom (brush release → histogram re-drawn)', TARGETS.zoom, zoom, 'a lone change is asked at once; changes closer than 60 ms are asked as one'));
    rows.push(row('— in page (mouse-up → histogram drawn)', TARGETS.zoom, inPage.zoom!));
    rows.push(row('— in page (mouse-up → the table\'s first page drawn)', null, inPage.zoomTable!));

    step('histogram query');
    // The full-range histogram query itself: the engine's time and the round trip from the page.
    const q = await page.evaluate(async ({ token: tk, n }) => {
      const info = await (await fetch('/api/cases.list', { method: 'POST', headers: { 'content-type': 'application/json', 'x-casefile-token': tk }, body: '{}' })).json() as { value?: { id: string }[] };
      const caseId = info.value?.[0]?.id ?? '';
      const out: { engine: number; trip: number }[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        const r = await (await fetch('/api/events.histogram', { method: 'POST', headers: { 'content-type': 'application/json', 'x-casefile-token': tk },
          body: JSON.stringify({ caseId, filter: {}, buckets: 600 }) })).json() as { value?: { queryMs: number } };
        out.push({ engine: r.value?.queryMs ?? NaN, trip: performance.now() - t });
      }
      return out;
    }, { token, n: Math.max(runs, 20) });
    rows.push(row('full-range histogram query (engine)', TARGETS.histogramQuery, q.map((x) => x.engine), 'per-minute summary; 600 buckets'));
    rows.push(row('full-range histogram query (page round trip)', null, q.map((x) => x.trip)));

    // Other work on the machine shows in every number: the load average goes with them.
    runStarts.forEach((r, i) => {
      const end = runStarts[i + 1]?.since ?? Infinity;
      traces[r.name] = calls.filter((c) => c.at >= r.since && c.at < end).map((c) => ({ ...c, at: c.at - r.since }));
    });
    const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
    const result = { size: opts.case ? null : opts.size, case: caseDir, events: total, runs, at: new Date().toISOString(), cpus: os.cpus().length, load, textIndex, rows };
    writeFileSync(path.join(BENCH, `ui-${opts.case ? 'case' : formatSize(parseSize(opts.size))}.json`), JSON.stringify({ ...result, ...(opts.trace || opts.traceAll ? { traces, steps } : {}) }, null, 2));
    if (opts.trace || opts.traceAll) {
      for (const [name, cs] of Object.entries(traces)) {
        console.log(`${name}: ${cs.length} engine calls (start ms after the action, duration ms)`);
        for (const c of cs) console.log(`  +${c.at} ${c.ms} ${c.call} ${c.input}${c.server ? ` [${c.server}]` : ''}`);
      }
      console.log('\nIn page, ms from the input event: sent → headers → parsed → drawn');
      for (const [name, ss] of Object.entries(steps)) {
        console.log(`${name}: ${ss.map((x) => `${x.call} ${x.sent}→${x.head}→${x.parsed}→${x.drawn ?? '-'}`).join('; ')}`);
      }
    }
    console.log(`UI bench on ${caseDir} (${total} events), ${runs} runs each; ${os.cpus().length} CPUs, load average ${load}\n`);
    console.log(`text index: ${textIndex.groups ? `built ${textIndex.groups} group(s) in ${textIndex.seconds.toFixed(1)} s` : 'already current'}, ${textIndex.rows} rows, ${(textIndex.bytes / 1e6).toFixed(1)} MB\n`);
    console.log('| interaction | p50 ms | p95 ms | max ms | target p95 | |');
    console.log('|---|---:|---:|---:|---:|---|');
    for (const r of rows) console.log(`| ${r.name} | ${r.p50} | ${r.p95} | ${r.max} | ${r.target ?? '—'} | ${r.target === null ? '' : r.p95 <= r.target ? 'ok' : 'MISS'} |`);
    console.log('\nEach run, in order (ms):');
    for (const r of rows) console.log(`  ${r.name}: ${r.each.join(' ')}`);
  } finally {
    await browser.close();
    child.kill('SIGTERM');
  }
}

main().catch((e: unknown) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
