// The import's transform statement alone, per format: stages a format's files as the import does (DuckDB's line reader
// and grouping, fastRead.ts) into a scratch case, then runs transformSql (rolled back, so every run starts alike) and
// reports its CPU-seconds and, with --explain, DuckDB's operator profile on one thread (which operator costs what).
// --alt <dir> runs a second copy of electron/engine/ingest (an older transform.ts beside it) in the same process,
// alternated A B B A with this checkout's, and checks both write the same events (a hash over every column).
// --variant 'name::SQL' times any other statement beside it; --into-temp the transform into a temp table (the share
// of storing the rows); --no-hash skips the check (for `perf record`: the hash sorts every row). Run with
// CASEFILE_DUCKDB_WRITER_MEMORY=1GB for large stages. CPU-seconds are the process's (user + sys) around the statement.
// Usage: tsx electron/bench/transformProfile.ts --format system [--files a,b] [--rows N] [--zone Asia/Kolkata]
//   [--threads 1] [--reps 2] [--explain [--full]] [--sql] [--alt electron/engine/ingestA]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CaseDb } from '../engine/store/db';
import { formatById } from '../engine/formats/registry';
import { scanFile } from '../engine/ingest/scan';
import { stageFast } from '../engine/ingest/fastRead';
import { DEFAULT_LIMITS } from '../engine/ingest/limits';
import { repairedCopy } from '../engine/ingest/repair';
import { transformSql as transformB, type TransformParams } from '../engine/ingest/transform';
import { EVENT_COLUMNS } from '../engine/store/schema';

const TREE = path.resolve('.bench/tree-1GB-1/enrich/logs');
const DEFAULT_FILES: Record<string, string[]> = {
  system: ['app/app.json.log'],
  celery: ['celery/celery-worker.log'],
  gunicorn: ['gunicorn/gunicorn_supervisor.log'],
  doodle: ['doodle/doodle.log'],
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

type Transform = typeof transformB;
const cpuS = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const sysS = () => process.cpuUsage().system / 1e6;

/** A flat list of the profile's operators: depth, name, own seconds, rows, and what it computes (cut short). */
function operators(node: Record<string, unknown>, depth = 0, out: string[] = []): string[] {
  const name = String(node.operator_name ?? node.operator_type ?? '');
  const t = Number(node.operator_timing ?? 0);
  const rows = Number(node.operator_cardinality ?? 0);
  const info = JSON.stringify(node.extra_info ?? {}).replace(/\s+/g, ' ');
  if (name) out.push(`${'  '.repeat(depth)}${name.padEnd(24 - Math.min(depth * 2, 20))} ${t.toFixed(3).padStart(7)} s ${String(rows).padStart(9)} rows  ${info.slice(0, flag('full') && t > 0.02 ? 4000 : 160)}`);
  for (const c of (node.children as Record<string, unknown>[] | undefined) ?? []) operators(c, depth + 1, out);
  return out;
}

async function main(): Promise<void> {
  const id = arg('format') ?? 'system';
  const def = formatById(id);
  if (!def) throw new Error(`no format ${id}`);
  const files = (arg('files')?.split(',') ?? DEFAULT_FILES[id] ?? []).map((f) => (path.isAbsolute(f) ? f : path.join(TREE, f)));
  const zone = arg('zone') ?? 'Asia/Kolkata';
  const threads = Number(arg('threads') ?? 1);
  const reps = Number(arg('reps') ?? 2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transform-profile-'));
  const db = await CaseDb.open(path.join(dir, 'case.duckdb'));
  try {
    await db.freshTemp('stage', 'file_id INTEGER, line INTEGER, line_count INTEGER, raw VARCHAR');
    await db.freshTemp('stage_files', 'file_id INTEGER, base BIGINT');
    // A file with a few lines that are not UTF-8 is read from a repaired copy, as the import does.
    const fast = await Promise.all(files.map(async (abs, i) => {
      const scan = await scanFile(abs);
      const fixed = scan.utf8 ? undefined : await repairedCopy(abs, path.join(dir, `${i + 1}.log`));
      return { fileId: i + 1, abs: fixed?.abs ?? abs, scan: fixed?.scan ?? scan };
    }));
    const back = await stageFast(db, def, fast, DEFAULT_LIMITS);
    if (back.length) throw new Error(`DuckDB's reader gave back ${back.map((f) => f.abs).join(', ')}`);
    const rows = arg('rows');
    if (rows) {
      // The first N records only: a temp table keeps its deleted rows, so copy them into a fresh one.
      await db.run(`CREATE TEMP TABLE stage_keep AS SELECT * FROM stage ORDER BY file_id, line LIMIT ${Number(rows)}`);
      await db.freshTemp('stage', 'file_id INTEGER, line INTEGER, line_count INTEGER, raw VARCHAR');
      await db.run('INSERT INTO stage SELECT * FROM stage_keep ORDER BY file_id, line');
      await db.run('DROP TABLE stage_keep');
    }
    await db.run(`INSERT INTO stage_files SELECT file_id, 1 + coalesce(sum(max(line) + 1) OVER (ORDER BY file_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) FROM stage GROUP BY file_id`);
    const staged = await db.one<{ n: string; bytes: string }>('SELECT count(*)::VARCHAR AS n, sum(strlen(raw))::VARCHAR AS bytes FROM stage');
    await db.run(`SET threads = ${threads}`);
    const params: TransformParams = { source: def.id, zone };
    const variants: { name: string; sql: string }[] = [{ name: 'B (this checkout)', sql: transformB(def, params) }];
    // --into-temp: the same statement into a temp table (no compression, no optimistic writes), to see the insert's share.
    if (flag('into-temp')) {
      await db.run('CREATE TEMP TABLE event_tmp AS SELECT * FROM event_store LIMIT 0');
      variants.unshift({ name: 'T (into a temp table)', sql: variants[0]!.sql.replace('INSERT INTO event_store', 'INSERT INTO event_tmp') });
    }
    // --variant 'name::SQL' (repeatable): another statement to time beside the transform (an experiment).
    process.argv.forEach((a, i) => {
      if (a !== '--variant') return;
      const v = process.argv[i + 1]!;
      variants.push({ name: v.slice(0, v.indexOf('::')), sql: v.slice(v.indexOf('::') + 2) });
    });
    const alt = arg('alt');
    if (alt) {
      const mod = await import(path.resolve(alt, 'transform.ts')) as { transformSql: Transform };
      variants.unshift({ name: `A (${alt})`, sql: mod.transformSql(def, params) });
    }
    const cols = [...EVENT_COLUMNS, 'msg_at', 'msg_len', 'ts_at', 'ts_len'].map((c) => `coalesce(${c}::VARCHAR, '~')`).join(" || '|' || ");
    const hash = `SELECT hash(list(${cols} ORDER BY id))::VARCHAR AS h, count(*)::VARCHAR AS n FROM event_store`;
    process.stdout.write(`format ${id}, ${staged!.n} records, ${(Number(staged!.bytes) / 1e6).toFixed(1)} MB, zone ${zone}, threads ${threads}, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
    const run = async (v: { name: string; sql: string }) => {
      await db.run('BEGIN TRANSACTION');
      const c = cpuS();
      const sys = sysS();
      const t = performance.now();
      await db.run(v.sql);
      const out = { cpu: cpuS() - c, sys: sysS() - sys, wall: (performance.now() - t) / 1000, ...(flag('no-hash') ? { h: '-', n: '-' } : (await db.one<{ h: string; n: string }>(hash))!) };
      await db.run('ROLLBACK');
      return out;
    };
    // A B B A (or B B with no alternative), `reps` times.
    const order = variants.length === 1 ? [0, 0] : [...variants.keys(), ...[...variants.keys()].reverse()];
    const totals = variants.map(() => [] as number[]);
    const hashes = new Set<string>();
    for (let r = 0; r < reps; r++) {
      for (const i of order) {
        const o = await run(variants[i]!);
        totals[i]!.push(o.cpu);
        hashes.add(`${o.h}/${o.n}`);
        process.stdout.write(`${variants[i]!.name}: ${o.cpu.toFixed(2)} CPU-s (sys ${o.sys.toFixed(2)}), ${o.wall.toFixed(2)} s wall, ${o.n} events, hash ${o.h}\n`);
      }
    }
    for (const [i, v] of variants.entries()) {
      const xs = totals[i]!;
      process.stdout.write(`${v.name}: median ${xs.slice().sort((a, b) => a - b)[xs.length >> 1]!.toFixed(3)}, min ${Math.min(...xs).toFixed(3)} CPU-s, ${(1e6 * xs.reduce((a, b) => a + b, 0) / xs.length / Number(staged!.n)).toFixed(2)} µs/record\n`);
    }
    if (hashes.size !== 1) process.stdout.write(`EVENTS DIFFER between variants: ${[...hashes].join(' ')}\n`);
    if (flag('explain')) {
      for (const v of variants) {
        const out = path.join(dir, 'profile.json');
        await db.run('BEGIN TRANSACTION');
        await db.run(`PRAGMA enable_profiling = 'json'`);
        await db.run(`PRAGMA profiling_output = '${out}'`);
        await db.run(v.sql);
        await db.run('PRAGMA disable_profiling');
        await db.run('ROLLBACK');
        const p = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>;
        process.stdout.write(`\n${v.name}: profile (latency ${Number(p.latency ?? 0).toFixed(3)} s, cpu_time ${Number(p.cpu_time ?? 0).toFixed(3)} s)\n${operators(p).join('\n')}\n`);
      }
    }
    if (flag('sql')) process.stdout.write(`\n${variants.map((v) => `${v.name}:\n${v.sql}`).join('\n\n')}\n`);
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`transformProfile: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
