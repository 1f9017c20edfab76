// npm run bench:query -- [--case <dir>] [--size 1g] [--synthetic <rows>] [--runs 20]
// p50/p95 of the timeline's queries on a real case (default .bench/case-<size>, made by bench:ingest) or on a
// synthetic one generated in SQL. Prints a table and writes .bench/query.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import type { Cursor, EventFilter } from '../../shared/domain';
import type { EngineContext, HandlerMap } from '../engine/api';
import { CaseHandle } from '../engine/case/caseStore';
import { clearCountCache, countMatching } from '../engine/query/count';
import { page } from '../engine/query/events';
import { fieldNames, fieldValues, sources } from '../engine/query/fields';
import { histogram } from '../engine/query/histogram';
import { forgetEventSources, indexedBlocks, textIndexReady } from '../engine/query/textIndex';
import { buildTextIndex } from '../engine/query/textIndexBuild';
import { isoFromMicros } from '../engine/store/sql';
import { makeSyntheticCase } from './querySynth';

const opts = new Command()
  .option('--case <dir>', 'case folder to measure')
  .option('--size <name>', 'size label of the bench:ingest case (.bench/case-<size>)', '1g')
  .option('--synthetic <rows>', 'generate (once) and measure .bench/case-synth-<rows> instead')
  .option('--sorted', 'with --synthetic: store the rows in time order (the proposed layout)')
  .option('--runs <n>', 'timed runs per query', '20')
  .option('--no-text-index', 'do not build the case\'s text index first (the "(index)" rows then scan, and say so)')
  .parse()
  .opts<{ case?: string; size: string; synthetic?: string; sorted?: boolean; runs: string; textIndex: boolean }>();

const BENCH = path.resolve('.bench');
const runs = Math.max(1, Number(opts.runs));

interface Result { name: string; target: number | null; coldMs: number; p50: number; p95: number; max: number; note?: string }

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

/** `settle`: what a run started beside the timed call, awaited after each run outside the timing. */
async function measure(name: string, target: number | null, fn: () => Promise<unknown>, note?: string, settle?: () => Promise<unknown>): Promise<Result> {
  let t = performance.now();
  await fn();
  const coldMs = performance.now() - t;
  await settle?.();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    t = performance.now();
    await fn();
    times.push(performance.now() - t);
    await settle?.();
  }
  const res = { name, target, coldMs: r1(coldMs), p50: r1(pct(times, 50)), p95: r1(pct(times, 95)), max: r1(Math.max(...times)), ...(note ? { note } : {}) };
  const ok = target === null ? '' : res.p95 <= target ? 'ok' : 'SLOW';
  console.log(`${name.padEnd(44)} ${String(res.coldMs).padStart(8)} ${String(res.p50).padStart(8)} ${String(res.p95).padStart(8)} ${String(target ?? '-').padStart(7)}  ${ok}`);
  return res;
}

async function main(): Promise<void> {
  let dir: string;
  if (opts.synthetic) {
    const rows = Number(opts.synthetic);
    dir = opts.case ?? path.join(BENCH, `case-synth-${rows}${opts.sorted ? '-sorted' : ''}`);
    if (!existsSync(dir)) {
      console.log(`generating ${rows} synthetic rows in ${dir} …`);
      const t = performance.now();
      await mkdir(BENCH, { recursive: true });
      await makeSyntheticCase(dir, rows, { sorted: !!opts.sorted });
      console.log(`  done in ${r1((performance.now() - t) / 1000)} s`);
    }
  } else {
    dir = opts.case ?? path.join(BENCH, `case-${opts.size}`);
    if (!existsSync(dir)) {
      console.error(`No case at ${dir}. Run \`npm run bench:ingest\` first, pass --case <dir>, or --synthetic 2400000.`);
      process.exit(2);
    }
  }
  // The app and `serve` build the text index in the background after an import; a case made by the CLI has none, and
  // its "(index)" rows would time the plain scan. Built here, outside the timings, as the app would have.
  if (opts.textIndex) {
    const w = await CaseHandle.open(dir, { via: 'bench' });
    try {
      if (!(await textIndexReady(w.db))) {
        const built = await buildTextIndex(w);
        console.log(`text index built first (as the app does after an import): ${r1(built.seconds)} s, ${built.rows.toLocaleString()} rows`);
      }
    } finally {
      await w.close();
    }
  }
  const handle = await CaseHandle.open(dir, { readOnly: true, via: 'bench' });
  const db = () => handle.db;
  const [info] = await db().read<{ n: string; lo: string; hi: string; mb: string }>(
    `SELECT count(*) AS n, epoch_us(min(ts)) AS lo, epoch_us(max(ts)) AS hi, sum(strlen(raw)) / 1e6 AS mb FROM event_store`);
  const srcs = await sources(db());
  const busiest = [...srcs].sort((a, b) => b.count - a.count)[0]?.source ?? 'system';
  const lo = isoFromMicros(info!.lo)!;
  const hourFrom = new Date(Date.parse(lo) + (Date.parse(isoFromMicros(info!.hi)!) - Date.parse(lo)) / 2).toISOString();
  const hourTo = new Date(Date.parse(hourFrom) + 3_600_000).toISOString();
  const [mid] = await db().read<{ ts: string | null; id: string }>(
    `SELECT epoch_us(ts) AS ts, id FROM event_store ORDER BY ts ASC NULLS LAST, id LIMIT 1 OFFSET ${Math.floor(Number(info!.n) / 2)}`);
  const midCursor: Cursor = { ts: isoFromMicros(mid!.ts), id: Number(mid!.id) };
  const errFilter: EventFilter = { levels: ['ERROR'], sources: [busiest] };
  const substring: EventFilter = { text: 'connection reset by PEER' };
  const regex: EventFilter = { text: 'Timeout after \\d+s', regex: true };
  // Every timed run pays for its count: the per-DB count memo would otherwise answer runs 2..n.
  const uncached = <T>(fn: () => Promise<T>) => async () => { clearCountCache(db()); forgetEventSources(db()); return fn(); };

  console.log(`case ${dir}: ${Number(info!.n).toLocaleString()} events, ${Math.round(Number(info!.mb))} MB of raw text, ${srcs.length} sources; ${runs} runs each`);
  console.log(`${'query'.padEnd(44)} ${'cold ms'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'target'.padStart(7)}`);
  const results: Result[] = [];
  results.push(await measure('histogram, full range, 400 buckets', 100, () => histogram(db(), { filter: {}, buckets: 400 })));
  results.push(await measure('histogram, 1 hour, 400 buckets', 100,
    () => histogram(db(), { filter: {}, range: { from: hourFrom, to: hourTo }, buckets: 400 })));
  results.push(await measure(`page 1, level ERROR + source ${busiest}`, 100, uncached(() => page(db(), { filter: errFilter, limit: 200 }))));
  results.push(await measure('page 1, no filter', 100, uncached(() => page(db(), { filter: {}, limit: 200 }))));
  results.push(await measure('page deep in the middle (keyset), no filter', 100,
    uncached(() => page(db(), { filter: {}, after: midCursor, limit: 200 }))));
  results.push(await measure('page deep in the middle, count memoised', 100,
    () => page(db(), { filter: {}, after: midCursor, limit: 200 }), 'what the UI pays while scrolling one filter'));
  results.push(await measure('page backward from the middle', 100,
    uncached(() => page(db(), { filter: {}, before: midCursor, limit: 200 }))));
  results.push(await measure('text search (substring), page 1 + count', 1000, uncached(() => page(db(), { filter: substring, limit: 200 }))));
  results.push(await measure('regex search, page 1 + count', 1000, uncached(() => page(db(), { filter: regex, limit: 200 }))));
  results.push(await measure('histogram with text search', 1000, () => histogram(db(), { filter: substring, buckets: 400 })));
  results.push(...await textIndexBenches(db));
  results.push(await measure('fieldValues user (all events)', null, () => fieldValues(db(), {}, 'user', 20)));
  results.push(await measure('fieldValues user (ERROR + source)', null, () => fieldValues(db(), errFilter, 'user', 20)));
  results.push(await measure('fieldNames (sampled)', null, () => fieldNames(db())));
  results.push(await measure('sources', null, () => sources(db())));
  results.push(...await correlationBenches(handle));

  await mkdir(BENCH, { recursive: true });
  const out = { when: new Date().toISOString(), case: dir, events: Number(info!.n), rawMB: Math.round(Number(info!.mb)), runs, results };
  const file = path.join(BENCH, 'query.json');
  await writeFile(file, JSON.stringify(out, null, 2) + '\n');
  console.log(`written ${file}`);
  await handle.close();
}

/**
 * Substring searches the text index narrows (a rare word, a rarer one whose trigrams are common, an absent one), with
 * the index (with and without its shared matched ids) and without it (CASEFILE_TEXT_INDEX=off: the plain scan of
 * every record's text): first page with its total as the UI asks it (countLater), alone and beside the histogram,
 * count and the full-range histogram.
 */
async function textIndexBenches(db: () => CaseHandle['db']): Promise<Result[]> {
  const out: Result[] = [];
  const uncached = <T>(fn: () => Promise<T>) => async () => { clearCountCache(db()); forgetEventSources(db()); return fn(); };
  for (const [kind, text] of [['rare', 'Registered'], ['rare, common trigrams', 'ALPHA1234'], ['absent', 'connection refused']] as const) {
    const filter: EventFilter = { text };
    const s = await indexedBlocks(db(), filter);
    const note = s.narrowed ? `index reads ${(s.sql.match(/BETWEEN/g) ?? []).length} id range(s) + the uncovered tail` : 'index not used (too many blocks, or none built)';
    // 'index, not shared': each query reads the blocks itself (CASEFILE_TEXT_MATCHES=off), as before the shared matches.
    for (const mode of ['index', 'index, not shared', 'no index'] as const) {
      if (mode === 'no index') process.env.CASEFILE_TEXT_INDEX = 'off'; else delete process.env.CASEFILE_TEXT_INDEX;
      if (mode === 'index, not shared') process.env.CASEFILE_TEXT_MATCHES = 'off'; else delete process.env.CASEFILE_TEXT_MATCHES;
      try {
        if (mode !== 'no index' && !s.narrowed) console.log(`  (${mode}: ${note})`);
        out.push(await measure(`text ${kind} "${text}" (${mode}): first page`, 500,
          uncached(() => page(db(), { filter, limit: 200, countLater: true })), mode !== 'no index' ? note : 'as the UI asks it: the total may follow'));
        // As the UI asks it: the table's first page and the timeline's histogram at once (timed: the first page).
        let beside: Promise<unknown> = Promise.resolve();
        out.push(await measure(`text ${kind} "${text}" (${mode}): first page beside histogram`, 500, uncached(() => {
          beside = histogram(db(), { filter, buckets: 400 });
          return page(db(), { filter, limit: 200, countLater: true });
        }), 'the histogram asked at the same moment', () => beside));
        out.push(await measure(`text ${kind} "${text}" (${mode}): count`, 500, uncached(() => countMatching(db(), filter))));
        out.push(await measure(`text ${kind} "${text}" (${mode}): histogram`, 500, uncached(() => histogram(db(), { filter, buckets: 400 }))));
      } finally {
        delete process.env.CASEFILE_TEXT_INDEX;
        delete process.env.CASEFILE_TEXT_MATCHES;
      }
    }
  }
  return out;
}

/** chains.list and a trace, when the correlation handlers exist (issue 4); skipped otherwise. */
async function correlationBenches(handle: CaseHandle): Promise<Result[]> {
  const mod = (await import('../engine/correlate/handlers').catch(() => null)) as Record<string, unknown> | null;
  const handlers = mod ? Object.values(mod).find((v): v is HandlerMap => !!v && typeof v === 'object' && 'chains.list' in v) : undefined;
  if (!handlers?.['chains.list']) {
    console.log('chains.list / chains.trace: skipped (no correlation handlers in electron/engine/correlate/handlers.ts)');
    return [];
  }
  const ctx = { via: 'cli', getCase: () => handle, openCases: () => [handle] } as unknown as EngineContext;
  const list = handlers['chains.list'];
  const trace = handlers['chains.trace'];
  const out = [await measure('chains.list (500)', 100, () => list(ctx, { caseId: 'bench', limit: 500 }))];
  const first = (await list(ctx, { caseId: 'bench', limit: 1, sort: 'events' })).chains[0];
  if (first && trace) out.push(await measure('chains.trace (largest chain)', 100, () => trace(ctx, { caseId: 'bench', key: first.key })));
  return out;
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
