// bench:export --small: how long a small extract takes (an operator exports a chain or ten rows for a client many
// times in an incident), with the case's harvest cache (export/harvestCache.ts) removed before the run (cold) and
// kept from the run before (warm), alternated A B B A. Each run opens the case in a fresh engine, as a CLI export does.
import fs from 'node:fs';
import os from 'node:os';
import { caseFiles } from '../engine/case/paths';
import { Engine } from '../engine/engine';
import { runExport } from '../engine/export/run';
import type { ExportFormat } from '../engine/export/formats';
import type { Selection } from '../engine/export/select';

interface Run { mode: 'cold' | 'warm'; load: number; wallMs: number; cpuMs: number; openMs: number; stages: Record<string, number>; words: string[]; sha256: string; events: number }

async function once(caseDir: string, selection: Selection, mode: Run['mode'], format: ExportFormat, workers: number): Promise<Run> {
  if (mode === 'cold') fs.rmSync(caseFiles(caseDir).harvestCache, { force: true });
  const load = os.loadavg()[0]!;
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  const engine = await Engine.create({ via: 'cli' });
  try {
    const info = await engine.call('cases.open', { dir: caseDir });
    const openMs = performance.now() - t;
    const words: string[] = [];
    const r = await runExport(engine.context.getCase(info.id), {
      selection, format, recipient: null, operator: null, workers, pseudonymScope: 'per-client', pseudonymKey: new Uint8Array(32).fill(7),
      onProgress: (p) => { if (p.words) words.push(`${((performance.now() - t) / 1000).toFixed(1)} s ${p.words}`); },
    });
    const wallMs = performance.now() - t;
    const cpu = process.cpuUsage(cpu0);
    fs.rmSync(r.dir, { recursive: true, force: true });
    return { mode, load, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, openMs, stages: r.stages, words, sha256: r.files[0]!.sha256, events: r.events };
  } finally {
    await engine.close();
  }
}

/** A chain of ten events (the QA round's example), else the first chain of 5–20. */
async function tenEventChain(caseDir: string): Promise<string> {
  const engine = await Engine.create({ via: 'cli' });
  try {
    const info = await engine.call('cases.open', { dir: caseDir });
    const [row] = await engine.context.getCase(info.id).db.read<{ key: string }>(
      'SELECT key FROM chains WHERE events BETWEEN 5 AND 20 ORDER BY abs(events - 10), key LIMIT 1');
    if (!row) throw new Error('no chain of 5–20 events in the case: give --chain or --where');
    return row.key;
  } finally {
    await engine.close();
  }
}

export async function smallExports(caseDir: string, o: { chain?: string; where?: string; rounds: number; format: ExportFormat; workers: number }): Promise<string> {
  const selection: Selection = o.where ? { where: o.where } : { chain: o.chain ?? await tenEventChain(caseDir) };
  const runs: Run[] = [];
  for (let i = 0; i < o.rounds; i++) {
    for (const mode of ['cold', 'warm', 'warm', 'cold'] as const) {
      // a warm run after a cold one finds the cache that run wrote; the first warm of the first round needs one first
      if (mode === 'warm' && !fs.existsSync(caseFiles(caseDir).harvestCache)) await once(caseDir, selection, 'cold', o.format, o.workers);
      runs.push(await once(caseDir, selection, mode, o.format, o.workers));
    }
  }
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const same = new Set(runs.map((r) => r.sha256)).size === 1;
  const lines = [
    `Small export of ${o.where ? `--where ${o.where}` : `chain ${selection.chain}`}: ${runs[0]!.events} events, ${o.format}, up to ${o.workers} workers, ${os.cpus().length} CPUs`,
    '| run | load | wall s | CPU-seconds | open s | setup s | select s | redact s | write s | re-scan s | encrypt s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...runs.map((r) => `| ${r.mode} | ${r.load.toFixed(1)} | ${s(r.wallMs)} | ${s(r.cpuMs)} | ${s(r.openMs)} | ${['setup', 'select', 'redact', 'write', 'rescan', 'encrypt'].map((k) => s(r.stages[k] ?? 0)).join(' | ')} |`),
    `extract sha256 (fixed key) ${runs[0]!.sha256}: ${same ? 'the same in every run' : 'DIFFERS between runs'}`,
    'progress words of the last cold and warm runs:',
    ...['cold', 'warm'].flatMap((m) => [`  ${m}:`, ...runs.filter((r) => r.mode === m).at(-1)!.words.map((w) => `    ${w}`)]),
  ];
  if (!same) process.exitCode = 1;
  return lines.join('\n') + '\n';
}

