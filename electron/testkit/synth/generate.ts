// Deterministic synthetic Enrich log tree (issue 2 benchmark input, issue 4 correlation ground truth).
// Same seed + options => byte-identical files: one seeded PRNG, integer-millisecond clock, no wall-clock reads.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { celeryBanner, celeryNoise, celeryTask } from './celery';
import { type Category, Emitter } from './emitter';
import { adhocRun, prefectFlow } from './pipeline';
import { Rng } from './prng';
import { banners, doodleBurst, gunicornBurst, invalidUtf8Gunicorn, jupyterBurst } from './services';
import { type FileKind, type Sink, Sinks } from './sink';
import { systemLine, systemNoise, tornSystemLine } from './system';
import { taskbladeRequest, tornTaskbladeLine } from './taskblade';
import { isoUtc, SiteZone } from './time';
import { type FileTruth, TRUTH_SCHEMA, TruthWriter } from './truth';
import type { World } from './world';

export interface GenerateOptions {
  /** Uncompressed bytes to produce (all files, the rotated .gz counted decompressed); result lands within a few %. */
  targetBytes: number;
  seed?: number;
  /** First instant, ISO 8601 with offset. Default 2023-07-01T00:00:00+05:30. */
  start?: string;
  /** IANA zone or fixed offset used for naive and offset stamps. Default Asia/Kolkata (+05:30). */
  siteTz?: string;
  /** Plant malformed input (torn/garbage/invalid UTF-8 lines, an empty file, a torn last line); 'all' adds a truncated .gz. */
  faults?: boolean | 'all';
  /** Time covered. Default max(3 h, one hour per 1.5 MB), i.e. ~4 weeks for 1 GB. */
  spanHours?: number;
  /** Where the planted incident (slow, failed and parent/child tasks, failed pipeline...) sits, as a fraction of the span. */
  incidentAt?: number;
  onProgress?: (scheduledBytes: number, targetBytes: number) => void;
}

export interface GenerateSummary {
  outDir: string;
  /** outDir/enrich: the tree to import. */
  root: string;
  /** outDir/truth.json (beside enrich/, not inside). */
  truthPath: string;
  seed: number;
  targetBytes: number;
  /** Uncompressed bytes written (excluding a planted truncated .gz). */
  bytes: number;
  /** Bytes on disk (compressed where gzipped). */
  diskBytes: number;
  files: number;
  lines: number;
  records: number;
  start: string;
  end: string;
  elapsedMs: number;
  byKind: Partial<Record<FileKind, { files: number; bytes: number; records: number }>>;
  chains: { celery: number; taskblade: number; pipelines: number; prefectFlows: number; metadata: number };
}

const SHARE: Record<Category, number> = { system: 0.4, celery: 0.15, taskblade: 0.15, pipeline: 0.15, other: 0.15 };
/** How the 'other' share splits among its own scenarios (Prefect logs arrive with pipelines). */
const OTHER_SHARE = { doodle: 0.05, gunicorn: 0.045, jupyter: 0.02 } as const;
const SYSTEM_LOG = 'enrich/logs/app/app.json.log';
const EMPTY_FILE = 'enrich/logs/netdata/netdata-error.log';
const TRUNCATED_GZ = 'enrich/logs/app/app.json.log.3.gz';

export async function generateTree(outDir: string, opts: GenerateOptions): Promise<GenerateSummary> {
  const began = process.hrtime.bigint();
  const target = opts.targetBytes;
  if (!Number.isFinite(target) || target < 1024) throw new Error(`targetBytes must be at least 1 KB (got ${target})`);
  const seed = opts.seed ?? 1;
  const startMs = Date.parse(opts.start ?? '2023-07-01T00:00:00+05:30');
  if (!Number.isFinite(startMs)) throw new Error(`start is not an ISO date: ${opts.start}`);
  const spanMs = Math.round((opts.spanHours ?? Math.max(3, target / 1.5e6)) * 3600_000);
  const faults = opts.faults ?? true;
  const root = path.join(outDir, 'enrich');
  if (fs.existsSync(root)) throw new Error(`${root} already exists; generate into an empty directory`);
  fs.mkdirSync(outDir, { recursive: true, mode: 0o700 });

  const rng = new Rng(seed);
  const zone = new SiteZone(opts.siteTz ?? 'Asia/Kolkata');
  const sinks = new Sinks(outDir);
  const em = new Emitter(sinks);
  const bootSec = Math.floor(startMs / 1000) - 1561;
  let logSeq = 0;
  const w: World = {
    rng, zone, em, sinks, faults: faults !== false, tearNextPipeline: false, runIds: new Set(),
    truth: { celery: [], taskblade: [], pipelines: [], prefectFlows: [], metadata: [] },
    nextLogId: () => `${bootSec}.${++logSeq}`,
    // Rotation by time: the oldest third is .2.gz, the middle third .1, the rest the live file.
    systemSink: (ts) => ts < startMs + spanMs / 3
      ? sinks.get(`${SYSTEM_LOG}.2.gz`, 'system', true)
      : ts < startMs + (2 * spanMs) / 3 ? sinks.get(`${SYSTEM_LOG}.1`, 'system') : sinks.get(SYSTEM_LOG, 'system'),
  };

  banners(w, startMs);
  celeryBanner(w, startMs);

  const incident = startMs + spanMs * (opts.incidentAt ?? 0.6);
  const planted: { at: number; fire: (t: number) => void }[] = [
    { at: incident, fire: (t) => celeryTask(w, t, { slow: true, fail: false, children: 0 }) },
    { at: incident + 20_000, fire: (t) => celeryTask(w, t, { fail: true, children: 0 }) },
    { at: incident + 45_000, fire: (t) => celeryTask(w, t, { children: 3, fail: false }) },
    { at: incident + 60_000, fire: (t) => prefectFlow(w, t, { fail: true, metadata: true }) },
    { at: incident + 90_000, fire: (t) => taskbladeRequest(w, t, { fail: true }) },
    { at: incident + 120_000, fire: (t) => celeryTask(w, t, { fail: true }) },
    { at: incident + 150_000, fire: (t) => gunicornBurst(w, t, { error: true }) },
  ];
  if (faults !== false) {
    const at = (f: number): number => startMs + spanMs * f;
    planted.push(
      { at: at(0.15), fire: (t) => em.emit(w.systemSink(t), t, tornSystemLine(w, t), -1, 'torn_json') },
      { at: at(0.45), fire: (t) => em.emit(w.systemSink(t), t, garbageLine(rng), -1, 'binary_garbage') },
      { at: at(0.5), fire: () => { w.tearNextPipeline = true; } },
      { at: at(0.55), fire: (t) => em.emit(sinks.get('enrich/logs/gunicorn/gunicorn_supervisor.log', 'gunicorn'), t, invalidUtf8Gunicorn(w, t), -1, 'invalid_utf8') },
      { at: at(0.65), fire: (t) => { const torn = tornTaskbladeLine(w, t); em.emit(sinks.get(torn.path, 'taskblade'), t, torn.text, -1, 'torn_json'); } },
      { at: at(0.75), fire: (t) => em.emit(w.systemSink(t), t, tornSystemLine(w, t), -1, 'torn_json') },
    );
  }
  planted.sort((a, b) => a.at - b.at);

  const scenario: Record<Category, (t: number) => void> = {
    system: (t) => systemNoise(w, t),
    celery: (t) => {
      celeryTask(w, t);
      if (rng.chance(0.03)) celeryNoise(w, t + rng.int(0, 5000));
    },
    taskblade: (t) => taskbladeRequest(w, t),
    pipeline: (t) => (rng.chance(0.05) ? adhocRun(w, t) : prefectFlow(w, t)),
    other: (t) => {
      const total = em.bytesBy.other + 1;
      let best: keyof typeof OTHER_SHARE = 'doodle';
      let gap = -Infinity;
      for (const k of Object.keys(OTHER_SHARE) as (keyof typeof OTHER_SHARE)[]) {
        const g = OTHER_SHARE[k] / 0.15 * total - (em.bytesByKind.get(k) ?? 0);
        if (g > gap) { gap = g; best = k; }
      }
      if (best === 'doodle') doodleBurst(w, t);
      else if (best === 'gunicorn') gunicornBurst(w, t);
      else jupyterBurst(w, t);
    },
  };

  let clock = startMs;
  let nextPlant = 0;
  let lastReport = 0;
  while (em.scheduledBytes < target) {
    while (nextPlant < planted.length && planted[nextPlant]!.at <= clock) planted[nextPlant++]!.fire(clock);
    scenario[neediest(em.bytesBy, em.scheduledBytes)](clock + rng.int(0, 1500));
    // Time advances with volume, so the tree covers the span evenly whatever the size.
    clock = Math.max(clock, startMs + Math.floor((spanMs * em.scheduledBytes) / target));
    await em.release(clock);
    if (opts.onProgress && em.scheduledBytes - lastReport > 16 << 20) {
      lastReport = em.scheduledBytes;
      opts.onProgress(lastReport, target);
    }
  }
  for (; nextPlant < planted.length; nextPlant++) planted[nextPlant]!.fire(Math.max(clock, planted[nextPlant]!.at));
  await em.releaseAll();

  if (faults !== false) {
    // The live log ends mid-record, as when copied while being written.
    const torn = tornSystemLine(w, em.maxTs + 250);
    em.writeNow(sinks.get(SYSTEM_LOG, 'system'), torn.slice(0, -1), 'torn_last_line');
    const empty = sinks.get(EMPTY_FILE, 'empty');
    em.faults.push({ sink: empty, line: 0, kind: 'empty_file' });
  }
  for (const s of sinks.list) await s.close();

  const files: FileTruth[] = sinks.list
    .map((s): FileTruth => ({ file: s.rel, kind: s.kind, lines: s.lines, records: s.records, bytes: s.bytes, gzip: s.gzip }))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const faultList = em.faults.map((f) => ({ file: f.sink.rel, line: f.line, kind: f.kind }));
  if (faults === 'all') {
    const t = writeTruncatedGz(w, outDir, startMs - 2 * 86400_000, Math.min(64 << 10, Math.max(8 << 10, target / 50)));
    files.push(t.file);
    faultList.push({ file: TRUNCATED_GZ, line: t.brokenLine, kind: 'truncated_gz' });
  }

  const truthPath = path.join(outDir, 'truth.json');
  await writeTruth(truthPath, w, em, files, faultList, { seed, target, zone: zone.zone, startMs, endMs: em.maxTs });

  let diskBytes = 0;
  for (const f of files) diskBytes += f.gzip ? fs.statSync(path.join(outDir, f.file)).size : f.bytes;
  const byKind: GenerateSummary['byKind'] = {};
  for (const s of sinks.list) {
    const k = (byKind[s.kind] ??= { files: 0, bytes: 0, records: 0 });
    k.files++;
    k.bytes += s.bytes;
    k.records += s.records;
  }
  const sum = (f: (s: Sink) => number): number => sinks.list.reduce((a, s) => a + f(s), 0);
  return {
    outDir, root, truthPath, seed, targetBytes: target,
    bytes: sum((s) => s.bytes), diskBytes, files: files.length, lines: sum((s) => s.lines), records: sum((s) => s.records),
    start: isoUtc(startMs), end: isoUtc(em.maxTs), elapsedMs: Number(process.hrtime.bigint() - began) / 1e6, byKind,
    chains: {
      celery: w.truth.celery.length, taskblade: w.truth.taskblade.length, pipelines: w.truth.pipelines.length,
      prefectFlows: w.truth.prefectFlows.length, metadata: w.truth.metadata.length,
    },
  };
}

/** The category furthest below its share of the volume so far. */
function neediest(bytes: Record<Category, number>, total: number): Category {
  let best: Category = 'system';
  let gap = -Infinity;
  for (const c of Object.keys(SHARE) as Category[]) {
    const g = SHARE[c] * (total + 1) - bytes[c];
    if (g > gap) { gap = g; best = c; }
  }
  return best;
}

/** A line of random bytes (no CR/LF), as disk corruption or a binary paste leaves. */
function garbageLine(rng: Rng): Buffer {
  const b = Buffer.alloc(97);
  for (let i = 0; i < 96; i++) {
    const v = rng.int(0, 255);
    b[i] = v === 10 || v === 13 ? 0 : v;
  }
  b[96] = 10;
  return b;
}

/** An older rotation cut short in the middle of its compressed stream. */
function writeTruncatedGz(w: World, outDir: string, t0: number, bytes: number): { file: FileTruth; brokenLine: number } {
  let text = '';
  let records = 0;
  for (let ts = t0; text.length < bytes; ts += w.rng.int(100, 20_000), records++) {
    text += systemLine(w, ts, { message: 'Scheduler heartbeat', level: 'DEBUG', funcName: 'heartbeat', lineno: 19,
      pathname: '/home/scribble/enrich/dashboard/lib/scheduler.py', data: `\nqueued=${w.rng.int(0, 30)} running=${w.rng.int(0, 8)} workers=8` });
  }
  const gz = zlib.gzipSync(Buffer.from(text, 'latin1'), { level: 6 });
  const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
  fs.writeFileSync(path.join(outDir, TRUNCATED_GZ), cut, { mode: 0o600 });
  const readable = zlib.gunzipSync(cut, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  let complete = 0;
  for (let i = readable.indexOf(10); i !== -1; i = readable.indexOf(10, i + 1)) complete++;
  return {
    file: { file: TRUNCATED_GZ, kind: 'system', lines: records, records, bytes: text.length, gzip: true, truncated: true },
    brokenLine: complete + 1,
  };
}

async function writeTruth(
  file: string, w: World, em: Emitter, files: FileTruth[], faults: { file: string; line: number; kind: string }[],
  meta: { seed: number; target: number; zone: string; startMs: number; endMs: number },
): Promise<void> {
  const q = JSON.stringify;
  const names = w.sinks.list.map((s) => q(s.rel));
  const events = (chain: number): string => {
    const flat = em.chainEvents[chain]!;
    const out: string[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push(`{"file": ${names[flat[i]!]}, "line": ${flat[i + 1]}}`);
    return `[${out.join(', ')}]`;
  };
  const withEvents = <T extends { chain: number }>(item: T): string => {
    const { chain, ...rest } = item;
    const body = q(rest);
    return `${body.slice(0, -1)}, "events": ${events(chain)}}`;
  };
  const t = new TruthWriter(file);
  t.raw(`{\n  "schema": ${q(TRUTH_SCHEMA)},\n  "seed": ${meta.seed},\n  "targetBytes": ${meta.target},\n  "siteTz": ${q(meta.zone)},\n`);
  t.raw(`  "start": ${q(isoUtc(meta.startMs))},\n  "end": ${q(isoUtc(meta.endMs))},\n`);
  t.array('files', files, (f) => q(f));
  t.array('faults', faults, (f) => q(f));
  t.array('celery', w.truth.celery, withEvents);
  t.array('taskblade', w.truth.taskblade, withEvents);
  t.array('pipelines', w.truth.pipelines, (p) => q(p));
  t.array('prefectFlows', w.truth.prefectFlows, (p) => q(p));
  t.array('metadata', w.truth.metadata, withEvents, true);
  t.raw('}\n');
  await t.close();
}
