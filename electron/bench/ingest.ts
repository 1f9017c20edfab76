// npm run bench:ingest -- [--size 200MB] [--seed 1] [--keep] [--skip-lnav] [--pairs N]
// Generates (or reuses) a synthetic Enrich tree and, in one run, times: reading every byte, a plain DuckDB
// auto-detected load, lnav headless indexing, the Casefile import (wall + peak RSS), and reopening the case
// for a count by source. Prints a table and writes .bench/ingest-<size>.json. See docs/BENCHMARKS.md.
// --pairs N: N plain loads and N imports alternated (P I, then I P, P I, …), each pair's ratios and their median:
// on a machine whose speed drifts, a pair run back to back is the comparison the targets mean.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateTree } from '../testkit/synth/generate';
import { formatSize, parseSize } from '../../shared/size';
import { readTruthHead } from '../testkit/synth/truth';
import { lnavArgs, lnavVersion, writeLnavConfig } from './lnav';
import { CHAINS_STAGE, EXTRACT_STAGE, SUMMARY_STAGE } from '../engine/util/stageTimes';
import { type Measured, runMeasured } from './proc';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BENCH = path.join(REPO, '.bench');
const CLI = path.join(REPO, 'electron/cli/bin.mjs');
const COUNT_SQL = 'SELECT source, count(*) AS n FROM events GROUP BY 1 ORDER BY 1';
// Issue 13: the whole import within 2x a plain DuckDB load of the same files, events queryable within 1x.
const TARGETS = { vsDuckdb: 2.0, eventsVsDuckdb: 1.0, vsLnav: 0.5, rssBytes: 1e9, reopenMs: 1000, correlationShare: 0.25 };

interface Step {
  name: string;
  ok: boolean;
  wallMs: number | null;
  peakRssBytes?: number | null;
  cpuSeconds?: number | null;
  rows?: number | null;
  note?: string;
  detail?: unknown;
}

function args(): { size: number; seed: number; keep: boolean; skipLnav: boolean; pairs: number } {
  const a = process.argv.slice(2);
  const val = (k: string): string | undefined => {
    const i = a.indexOf(k);
    return i >= 0 ? a[i + 1] : a.find((x) => x.startsWith(`${k}=`))?.slice(k.length + 1);
  };
  const pairs = Number(val('--pairs') ?? 1);
  if (!Number.isInteger(pairs) || pairs < 1 || pairs > 20) throw new Error('--pairs takes a whole number from 1 to 20');
  return { size: parseSize(val('--size') ?? '200MB'), seed: Number(val('--seed') ?? 1), keep: a.includes('--keep'), skipLnav: a.includes('--skip-lnav'), pairs };
}

/** Reuses .bench/tree-<size>-<seed>/ when its truth.json (written last) exists; otherwise (re)generates it. */
async function ensureTree(size: number, seed: number): Promise<{ dir: string; generatedMs: number | null }> {
  const dir = path.join(BENCH, `tree-${formatSize(size)}-${seed}`);
  if (fs.existsSync(path.join(dir, 'truth.json'))) return { dir, generatedMs: null };
  fs.rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`generating ${formatSize(size)} tree (seed ${seed}) in ${dir}\n`);
  const s = await generateTree(dir, {
    targetBytes: size, seed,
    onProgress: (d, t) => process.stderr.write(`\r  ${(d / 1e6).toFixed(0)} / ${(t / 1e6).toFixed(0)} MB`),
  });
  process.stderr.write('\n');
  return { dir, generatedMs: s.elapsedMs };
}

function listFiles(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

const tail = (s: string, n = 400): string => (s.length > n ? `…${s.slice(-n)}` : s).trim();

function parseJson(s: string): unknown {
  try { return JSON.parse(s); } catch { /* fall through */ }
  const last = s.trim().split('\n').at(-1) ?? '';
  try { return JSON.parse(last); } catch { return null; }
}

async function readAll(root: string): Promise<Step> {
  const script = `find "$1" -type f ! -name '*.gz' -exec cat {} + > /dev/null; find "$1" -type f -name '*.gz' -exec zcat -f {} + > /dev/null 2>&1; true`;
  await runMeasured('sh', ['-c', script, 'sh', root]); // warm the page cache, as MEASUREMENTS.md did
  const m = await runMeasured('sh', ['-c', script, 'sh', root]);
  return { name: 'read every byte (cat/zcat, warm)', ok: m.code === 0, wallMs: m.wallMs, peakRssBytes: null };
}

async function duckdbPlain(files: string[], work: string, dbName = 'plain.duckdb'): Promise<Step> {
  const list = path.join(work, 'files.txt');
  fs.writeFileSync(list, files.join('\n'), { mode: 0o600 });
  const m = await runMeasured(process.execPath, ['--import', 'tsx', path.join(REPO, 'electron/bench/duckdb-load.ts'), path.join(work, dbName), list], { cwd: REPO });
  const d = parseJson(m.stdout) as { jsonRows: number; textRows: number } | null;
  return {
    name: 'plain DuckDB load (read_json_auto + read_csv lines)', ok: m.code === 0 && d !== null, wallMs: m.wallMs, peakRssBytes: m.peakRssBytes, cpuSeconds: m.cpuSeconds,
    rows: d ? d.jsonRows + d.textRows : null, detail: d ?? undefined, note: m.code === 0 ? undefined : tail(m.stderr),
  };
}

async function lnav(root: string, work: string, totalFiles: number): Promise<Step> {
  const version = lnavVersion();
  if (!version) return { name: 'lnav headless index', ok: false, wallMs: null, note: 'lnav not on PATH' };
  const cfg = writeLnavConfig(path.join(work, 'lnav-config'));
  const home = path.join(work, 'lnav-home');
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  const sql = ';SELECT (SELECT count(*) FROM lnav_file) AS files, (SELECT count(*) FROM all_logs) AS n';
  const a = lnavArgs(cfg, root).map((x) => (x.startsWith(';SELECT') ? sql : x));
  const m: Measured = await runMeasured('lnav', a, { env: { ...process.env, HOME: home, TERM: 'dumb' } });
  const nums = /(\d+)\s+(\d+)\s*$/.exec(m.stdout.trim());
  const files = nums ? Number(nums[1]) : null;
  return {
    name: 'lnav headless index', ok: m.code === 0, wallMs: m.wallMs, peakRssBytes: m.peakRssBytes, rows: nums ? Number(nums[2]) : null,
    note: `${version}; files indexed ${files ?? '?'} / ${totalFiles}${m.code === 0 ? '' : `; ${tail(m.stderr)}`}`,
  };
}

async function casefileImport(root: string, caseDir: string): Promise<Step> {
  const name = 'Casefile import';
  if (!fs.existsSync(CLI)) return { name, ok: false, wallMs: null, note: `CLI missing: ${path.relative(REPO, CLI)}` };
  const m = await runMeasured(process.execPath, [CLI, 'import', root, '--case', caseDir, '--json'], { cwd: REPO, env: { ...process.env, CASEFILE_IMPORT_TIMINGS: '1' } });
  // ImportResult (--json): { bundles, files: [{ file, format, records, ok, malformed, unparsed, ... }], seconds, eventsReadySeconds }
  const result = parseJson(m.stdout) as { files?: { records?: number }[]; seconds?: number; eventsReadySeconds?: number; firstEventsSeconds?: number } | null;
  const rows = Array.isArray(result?.files) ? result.files.reduce((n, f) => n + (f.records ?? 0), 0) : null;
  const stages = /^stage-times (\{.*\})$/m.exec(m.stderr)?.[1];
  // Events were queryable when the import's own clock says, plus the CLI's start-up before it: the wall time less
  // what came after (the correlation stage and closing).
  const eventsReadyMs = result?.seconds !== undefined && result.eventsReadySeconds !== undefined
    ? m.wallMs - (result.seconds - result.eventsReadySeconds) * 1000 : null;
  // The first batch's events, on the same clock: the views show them while the rest import.
  const firstEventsMs = result?.seconds !== undefined && result.firstEventsSeconds !== undefined
    ? m.wallMs - (result.seconds - result.firstEventsSeconds) * 1000 : null;
  return {
    name, ok: m.code === 0, wallMs: m.wallMs, peakRssBytes: m.peakRssBytes, cpuSeconds: m.cpuSeconds, rows,
    note: m.code === 0 ? undefined : `exit ${m.code}: ${tail(m.stderr || m.stdout)}`,
    detail: { eventsReadyMs, firstEventsMs, stageSeconds: stages ? JSON.parse(stages) as Record<string, number> : null, files: result?.files?.length },
  };
}

async function reopenCli(caseDir: string): Promise<Step> {
  const name = 'reopen + count by source (CLI, incl. node start)';
  if (!fs.existsSync(CLI)) return { name, ok: false, wallMs: null, note: 'CLI missing' };
  const m = await runMeasured(process.execPath, [CLI, 'query', '--case', caseDir, '--sql', COUNT_SQL, '--json'], { cwd: REPO });
  return { name, ok: m.code === 0, wallMs: m.wallMs, peakRssBytes: m.peakRssBytes, note: m.code === 0 ? undefined : tail(m.stderr || m.stdout), detail: parseJson(m.stdout) ?? undefined };
}

async function reopenInProcess(caseDir: string): Promise<Step> {
  const name = 'reopen + count by source (in-process DuckDB)';
  const db = path.join(caseDir, 'case.duckdb');
  if (!fs.existsSync(db)) return { name, ok: false, wallMs: null, note: `no ${db}` };
  try {
    const t0 = performance.now();
    const inst = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
    const con = await inst.connect();
    const rows = (await con.runAndReadAll(COUNT_SQL)).getRows();
    const wallMs = performance.now() - t0;
    con.closeSync();
    inst.closeSync();
    return { name, ok: true, wallMs, rows: rows.reduce((n, r) => n + Number(r[1]), 0), detail: rows.map((r) => [String(r[0]), Number(r[1])]) };
  } catch (e) {
    return { name, ok: false, wallMs: null, note: e instanceof Error ? e.message : String(e) };
  }
}

const fmtS = (ms: number | null | undefined): string => (ms == null ? '—' : (ms / 1000).toFixed(2));

/** One plain load and one import run back to back, as ratios (null where a run failed). */
interface Pair { plainS: number | null; plainCpu: number | null; eventsS: number | null; wholeS: number | null; importCpu: number | null;
  eventsX: number | null; wholeX: number | null; cpuX: number | null }

const eventsReadyOf = (imp: Step): number | null => (imp.detail as { eventsReadyMs?: number | null } | undefined)?.eventsReadyMs ?? null;

function pairOf(plain: Step, imp: Step): Pair {
  const ok = plain.ok && imp.ok && !!plain.wallMs;
  const events = eventsReadyOf(imp);
  const div = (a: number | null | undefined, b: number | null | undefined) => (ok && a != null && b ? a / b : null);
  return {
    plainS: plain.wallMs === null ? null : plain.wallMs / 1000, plainCpu: plain.cpuSeconds ?? null,
    eventsS: events === null ? null : events / 1000, wholeS: imp.wallMs === null ? null : imp.wallMs / 1000, importCpu: imp.cpuSeconds ?? null,
    eventsX: div(events, plain.wallMs), wholeX: div(imp.wallMs, plain.wallMs), cpuX: div(imp.cpuSeconds, plain.cpuSeconds),
  };
}

function median(xs: (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/** Pairs 2…n, each in the other order from the one before (I P, P I, …), so a drift in the machine's speed evens out. */
async function morePairs(n: number, files: string[], root: string, work: string): Promise<Pair[]> {
  const out: Pair[] = [];
  for (let k = 2; k <= n; k++) {
    const caseDir = path.join(work, `case-${k}`);
    const db = `plain-${k}.duckdb`;
    const plain = () => duckdbPlain(files, work, db);
    const imp = () => casefileImport(root, caseDir);
    let p: Step;
    let i: Step;
    if (k % 2 === 0) { i = await imp(); p = await plain(); } else { p = await plain(); i = await imp(); }
    const pair = pairOf(p, i);
    process.stderr.write(`  pair ${k} (${k % 2 === 0 ? 'import first' : 'plain first'}): plain ${fmtS(p.wallMs)} s, events ready ${pair.eventsX?.toFixed(2) ?? '—'} x, whole ${pair.wholeX?.toFixed(2) ?? '—'} x${p.ok && i.ok ? '' : ` (FAILED: ${p.note ?? i.note ?? ''})`}\n`);
    out.push(pair);
    fs.rmSync(caseDir, { recursive: true, force: true });
    fs.rmSync(path.join(work, db), { force: true });
    fs.rmSync(path.join(work, `${db}.wal`), { force: true });
  }
  return out;
}
const fmtMB = (b: number | null | undefined): string => (b == null ? '—' : `${(b / 1e6).toFixed(0)} MB`);

async function main(): Promise<void> {
  const { size, seed, keep, skipLnav, pairs: pairsWanted } = args();
  fs.mkdirSync(BENCH, { recursive: true, mode: 0o700 });
  const tree = await ensureTree(size, seed);
  const root = path.join(tree.dir, 'enrich');
  const truth = await readTruthHead(path.join(tree.dir, 'truth.json'));
  const files = listFiles(root);
  const bytes = truth.files.reduce((n, f) => n + f.bytes, 0);
  const diskBytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
  const lines = truth.files.reduce((n, f) => n + f.lines, 0);
  const records = truth.files.reduce((n, f) => n + f.records, 0);
  const work = fs.mkdtempSync(path.join(BENCH, `run-${formatSize(size)}-`));
  const caseDir = path.join(work, 'case');
  process.stderr.write(`tree ${root}: ${files.length} files, ${fmtMB(bytes)} (${fmtMB(diskBytes)} on disk), ${lines} lines\n`);

  const steps: Step[] = [];
  for (const run of [
    () => readAll(root), () => duckdbPlain(files, work),
    () => (skipLnav ? Promise.resolve<Step>({ name: 'lnav headless index', ok: false, wallMs: null, note: 'skipped (--skip-lnav)' }) : lnav(root, work, files.length)),
    () => casefileImport(root, caseDir), () => reopenCli(caseDir), () => reopenInProcess(caseDir),
  ]) {
    const s = await run();
    process.stderr.write(`  ${s.ok ? 'ok  ' : 'FAIL'} ${s.name}: ${fmtS(s.wallMs)} s${s.note ? ` (${s.note})` : ''}\n`);
    steps.push(s);
  }
  const [readStep, duck, ln, imp, , reopen] = steps as [Step, Step, Step, Step, Step, Step];
  const pairs = [pairOf(duck, imp), ...await morePairs(pairsWanted, files, root, work)];
  const ratio = (a: Step, b: Step): number | null => (a.ok && b.ok && a.wallMs && b.wallMs ? a.wallMs / b.wallMs : null);
  const eventsReadyMs = eventsReadyOf(imp);
  const firstEventsMs = (imp.detail as { firstEventsMs?: number | null } | undefined)?.firstEventsMs ?? null;
  // Issue 15: identifiers, status and chains as a share of the whole import; the timeline's per-minute summary is
  // built in the chains stage but is not correlation (it is built when correlation is off too).
  const st = (imp.detail as { stageSeconds: Record<string, number> | null } | undefined)?.stageSeconds;
  const correlationS = st && st[EXTRACT_STAGE] !== undefined && st[CHAINS_STAGE] !== undefined
    ? st[EXTRACT_STAGE] + st[CHAINS_STAGE] - (st[SUMMARY_STAGE] ?? 0) : null;
  // With several pairs the targets are judged on the median pair.
  const checks = {
    casefileVsDuckdb: { value: pairs.length > 1 ? median(pairs.map((p) => p.wholeX)) : ratio(imp, duck), target: `<= ${TARGETS.vsDuckdb}` },
    eventsReadyVsDuckdb: { value: pairs.length > 1 ? median(pairs.map((p) => p.eventsX)) : pairs[0]!.eventsX, target: `<= ${TARGETS.eventsVsDuckdb}` },
    importCpuVsDuckdbCpu: { value: median(pairs.map((p) => p.cpuX)), target: 'reported (no target): CPU-seconds of the whole import over the plain load\'s' },
    firstEventsVsDuckdb: { value: imp.ok && duck.ok && firstEventsMs && duck.wallMs ? firstEventsMs / duck.wallMs : null, target: 'reported (no target): the first batch on screen' },
    casefileVsLnav: { value: ratio(imp, ln), target: `<= ${TARGETS.vsLnav}` },
    importMBps: { value: imp.ok && imp.wallMs ? bytes / 1e6 / (imp.wallMs / 1000) : null, target: 'higher is better' },
    importPeakRssBytes: { value: imp.ok ? imp.peakRssBytes ?? null : null, target: `<= ${TARGETS.rssBytes}` },
    reopenCountMs: { value: reopen.ok ? reopen.wallMs : null, target: `<= ${TARGETS.reopenMs}` },
    correlationShare: { value: imp.ok && imp.wallMs && correlationS !== null ? correlationS / (imp.wallMs / 1000) : null, target: `<= ${TARGETS.correlationShare}` },
  };
  const pass = {
    casefileVsDuckdb: checks.casefileVsDuckdb.value === null ? null : checks.casefileVsDuckdb.value <= TARGETS.vsDuckdb,
    eventsReadyVsDuckdb: checks.eventsReadyVsDuckdb.value === null ? null : checks.eventsReadyVsDuckdb.value <= TARGETS.eventsVsDuckdb,
    casefileVsLnav: checks.casefileVsLnav.value === null ? null : checks.casefileVsLnav.value <= TARGETS.vsLnav,
    importPeakRssBytes: checks.importPeakRssBytes.value == null ? null : checks.importPeakRssBytes.value <= TARGETS.rssBytes,
    reopenCountMs: checks.reopenCountMs.value === null ? null : checks.reopenCountMs.value <= TARGETS.reopenMs,
    correlationShare: checks.correlationShare.value === null ? null : checks.correlationShare.value <= TARGETS.correlationShare,
  };

  const rows = steps.map((s) => [
    s.ok ? s.name : `${s.name} [FAILED]`, fmtS(s.wallMs), s.cpuSeconds == null ? '—' : s.cpuSeconds.toFixed(1),
    s.ok && s.wallMs ? (bytes / 1e6 / (s.wallMs / 1000)).toFixed(0) : '—', fmtMB(s.peakRssBytes), s.rows == null ? '—' : String(s.rows),
  ]);
  const head = ['step', 'wall s', 'CPU s', 'MB/s', 'peak RSS', 'rows'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [
    `Casefile ingest benchmark: ${formatSize(size)} tree (seed ${seed}), ${files.length} files, ${fmtMB(bytes)} uncompressed, ${lines} lines, ${records} records planted, ${os.cpus().length} CPUs`,
    line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '',
    ...Object.entries(checks).map(([k, c]) => {
      const p = (pass as Record<string, boolean | null>)[k];
      const v = c.value == null ? 'n/a' : k === 'importPeakRssBytes' ? fmtMB(c.value) : c.value.toFixed(k.endsWith('Ms') ? 0 : 2);
      return `${k.padEnd(20)} ${v.padStart(10)}   target ${c.target}${p === null || p === undefined ? '' : p ? '  PASS' : '  MISS'}`;
    }),
  ];
  if (pairs.length > 1) {
    const n = (x: number | null, d = 2) => (x === null ? '—' : x.toFixed(d));
    out.push('', 'pairs (plain load and import back to back; the checks above take the median):',
      '  pair  plain s  plain CPU s  events ready s  whole s  import CPU s  events x  whole x  CPU x',
      ...pairs.map((p, i) => `  ${String(i + 1).padStart(4)}  ${n(p.plainS).padStart(7)}  ${n(p.plainCpu, 1).padStart(11)}  ${n(p.eventsS).padStart(14)}  ${n(p.wholeS).padStart(7)}  ${n(p.importCpu, 1).padStart(12)}  ${n(p.eventsX).padStart(8)}  ${n(p.wholeX).padStart(7)}  ${n(p.cpuX).padStart(5)}`));
  }
  const stages = (imp.detail as { stageSeconds: Record<string, number> | null } | undefined)?.stageSeconds;
  if (stages) {
    const sum = Object.values(stages).reduce((a, b) => a + b, 0);
    out.push('', `Casefile import stages (seconds of wall time, summed over batches; events ready at ${fmtS(eventsReadyMs)} s of ${fmtS(imp.wallMs)} s):`,
      ...Object.entries(stages).map(([k, v]) => `  ${k.padEnd(44)} ${v.toFixed(2).padStart(8)}`), `  ${'(sum; nested stages counted twice)'.padEnd(44)} ${sum.toFixed(2).padStart(8)}`);
  }
  process.stdout.write(out.join('\n') + '\n');

  const report = {
    version: 1, size: formatSize(size), seed, tree: path.relative(REPO, tree.dir), generatedMs: tree.generatedMs,
    bytes, diskBytes, files: files.length, lines, records, cpus: os.cpus().length, node: process.version,
    steps, pairs, checks, pass, readMBps: readStep.ok && readStep.wallMs ? bytes / 1e6 / (readStep.wallMs / 1000) : null,
  };
  const jsonPath = path.join(BENCH, `ingest-${formatSize(size)}.json`);
  fs.writeFileSync(jsonPath, JSON.stringify(report, null, 2) + '\n', { mode: 0o600 });
  process.stderr.write(`report: ${path.relative(REPO, jsonPath)}\n`);
  if (keep) process.stderr.write(`kept: ${path.relative(REPO, work)} (case, plain.duckdb, lnav config)\n`);
  else fs.rmSync(work, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:ingest: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
