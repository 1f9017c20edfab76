// npm run bench:export -- [--size 1GB] [--seed 1] [--format jsonl|csv|parquet] [--workers N] [--digest] [--probe]
//                          [--small [--chain <key> | --where <expr>] [--rounds N]]
// --small: the latency of a small extract (a 10-event chain unless --chain or --where names the rows), the case's
// harvest cache removed (cold) and kept (warm), A B B A per round, each in a fresh engine: wall, CPU-seconds, the
// stages and the progress words as they came; the extract's sha256 (fixed key) must be the same in every run.
// --probe: no export; the row path against redaction as a mapping over distinct values, step by step (exportProbe.ts).
// --digest: a fixed pseudonym key, and the sha256 of the data file and of the counts are printed (a before/after
// check that a speed change left the output byte for byte the same).
// A full export (every event of the case, plaintext) of the bench:ingest tree: MB/s of input (the events' raw text)
// and the share of each stage (select, redact, write, re-scan, encrypt). The tree and its imported case are kept
// under .bench/ and reused. Prints a table and writes .bench/export-<size>.json. See docs/BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../engine/engine';
import { runExport } from '../engine/export/run';
import { formatSize, parseSize } from '../../shared/size';
import { generateTree } from '../testkit/synth/generate';
import { probe } from './exportProbe';
import { smallExports } from './exportSmall';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BENCH = path.join(REPO, '.bench');
const CLI = path.join(REPO, 'electron/cli/bin.mjs');
const a = process.argv.slice(2);
const val = (k: string): string | undefined => {
  const i = a.indexOf(k);
  return i >= 0 ? a[i + 1] : a.find((x) => x.startsWith(`${k}=`))?.slice(k.length + 1);
};
const size = parseSize(val('--size') ?? '1GB');
const seed = Number(val('--seed') ?? 1);
const format = (val('--format') ?? 'jsonl') as 'jsonl' | 'csv' | 'parquet';
const workers = Number(val('--workers') ?? Math.max(1, os.availableParallelism()));
const digest = a.includes('--digest');
const probeOnly = a.includes('--probe');

fs.mkdirSync(BENCH, { recursive: true, mode: 0o700 });
// the same tree bench:ingest builds (and reuses)
const tree = path.join(BENCH, `tree-${formatSize(size)}-${seed}`);
if (!fs.existsSync(path.join(tree, 'truth.json'))) {
  fs.rmSync(tree, { recursive: true, force: true });
  process.stderr.write(`generating ${formatSize(size)} tree (seed ${seed}) in ${tree}\n`);
  await generateTree(tree, { targetBytes: size, seed });
}
const caseDir = path.join(BENCH, `export-case-${formatSize(size)}-${seed}`);
if (!fs.existsSync(path.join(caseDir, 'case.json'))) {
  fs.rmSync(caseDir, { recursive: true, force: true });
  process.stderr.write(`importing into ${caseDir}\n`);
  const t = performance.now();
  execFileSync(process.execPath, [CLI, 'import', path.join(tree, 'enrich'), '--case', caseDir, '--json'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  process.stderr.write(`  imported in ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
}

/**
 * CPU-seconds per thread of this process (Linux: /proc/self/task/<tid>/stat, utime + stime), sampled: a thread is
 * counted up to its last sample before it ended. Shows whether the export's own thread or the workers bound it, and
 * what V8's helper threads (garbage collection, compilation) and DuckDB's take beside them.
 */
function threadSampler(): { tick: () => void; report: () => { main: number; others: number[] } } {
  const ticks = new Map<string, { first: number; last: number }>();
  const tick = () => {
    let tasks: string[];
    try { tasks = fs.readdirSync('/proc/self/task'); } catch { return; }
    for (const tid of tasks) {
      try {
        const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const n = Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
        const known = ticks.get(tid);
        if (known) known.last = n; else ticks.set(tid, { first: n, last: n });
      } catch { /* the thread ended */ }
    }
  };
  const hz = 100; // USER_HZ
  const report = () => {
    const others: number[] = [];
    let main = 0;
    for (const [tid, { first, last }] of ticks) {
      if (Number(tid) === process.pid) main = (last - first) / hz; else others.push((last - first) / hz);
    }
    return { main, others: others.filter((s) => s >= 0.1).sort((x, y) => y - x) };
  };
  return { tick, report };
}

process.env.CASEFILE_HOME ??= path.join(BENCH, 'export-home');
if (a.includes('--small')) {
  process.stdout.write(await smallExports(caseDir, { chain: val('--chain'), where: val('--where'), rounds: Number(val('--rounds') ?? 1), format, workers }));
  process.exit(0);
}
const engine = await Engine.create({ via: 'cli' });
try {
  const info = await engine.call('cases.open', { dir: caseDir });
  const h = engine.context.getCase(info.id);
  if (probeOnly) {
    process.stdout.write(`Probe on the ${formatSize(size)} bench case (seed ${seed}), ${os.cpus().length} CPUs\n${await probe(h)}`);
    await engine.close();
    process.exit(0); // the engine is closed; the finally below is for the export
  }
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  let peakRss = process.memoryUsage().rss;
  const threads = threadSampler();
  threads.tick();
  const rssTimer = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); threads.tick(); }, 200);
  const r = await runExport(h, {
    selection: {}, format, recipient: null, operator: null, workers,
    ...digest ? { pseudonymScope: 'per-client' as const, pseudonymKey: new Uint8Array(32).fill(7) } : {},
    onProgress: (p) => { if (p.rows % 100_000 < 2000) process.stderr.write(`\r  ${p.phase} ${p.rows}/${p.total}   `); },
  });
  clearInterval(rssTimer);
  threads.tick();
  const perThread = threads.report();
  const wallMs = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000; // every thread of the process: main and workers
  process.stderr.write('\n');
  if (digest) {
    const counts = JSON.stringify([r.byType, r.byRule, r.events, r.inputBytes]);
    process.stdout.write(`digest: data ${r.files[0]!.sha256} counts ${crypto.createHash('sha256').update(counts).digest('hex')}\n`);
  }
  fs.rmSync(r.dir, { recursive: true, force: true });
  const mbs = (bytes: number, ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(1);
  const total = Object.values(r.stages).reduce((x, y) => x + y, 0);
  const lines = [
    `Export of the ${formatSize(size)} bench case (seed ${seed}): ${r.events} events, ${formatSize(r.inputBytes)} of raw text, ${format}, `
      + `${workers} workers, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`,
    `wall ${(wallMs / 1000).toFixed(1)} s — ${mbs(r.inputBytes, wallMs)} MB/s of input; CPU ${(cpuMs / 1000).toFixed(1)} s — `
      + `${mbs(r.inputBytes, cpuMs)} MB per CPU-second (${mbs(r.inputBytes * Math.min(workers, os.cpus().length), cpuMs)} MB/s on ${Math.min(workers, os.cpus().length)} idle cores); output ${formatSize(r.files[0]!.bytes)}; peak RSS ${formatSize(peakRss)}`,
    `CPU-seconds per thread: export's own ${perThread.main.toFixed(1)}, others (workers, V8 and DuckDB helpers) ${perThread.others.map((x) => x.toFixed(1)).join(', ')}`,
    '| stage | seconds | share |', '|---|---:|---:|',
    ...Object.entries(r.stages).map(([k, ms]) => `| ${k} | ${(ms / 1000).toFixed(1)} | ${((100 * ms) / total).toFixed(1)} % |`),
    `replacements: ${Object.entries(r.byType).map(([k, n]) => `${k} ${n}`).join(', ')}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  fs.writeFileSync(path.join(BENCH, `export-${formatSize(size)}.json`), JSON.stringify({
    size: formatSize(size), seed, format, workers, cpus: os.cpus().length, loadavg: os.loadavg(), node: process.version,
    events: r.events, inputBytes: r.inputBytes, outputBytes: r.files[0]!.bytes, wallMs, cpuMs, cpuPerThread: perThread, stages: r.stages, peakRss, byType: r.byType,
  }, null, 2) + '\n', { mode: 0o600 });
} finally {
  await engine.close();
}
