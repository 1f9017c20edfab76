// npm run bench:correlate -- [--size 200MB] [--seed 1] [--runs 40] [--keep] [--no-baseline] [--reuse <kept dir>]
// Generates a synthetic tree, imports it twice (correlation off, then on) to measure what identifier extraction and
// chain building add to an import, then times trace-by-id and the chains list (p50/p95) on the correlated case.
// Then imports two more (smaller, other-seed) bundles into the same case and times their chain updates against a
// full rebuild of every chain: an update should cost in proportion to the bundle, not to the case.
// Writes .bench/correlate-<size>.json. The machine may be shared: compare ratios, not absolute seconds.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import type { ChainListRequest } from '../engine/correlate/query';
import { listChains, traceKey } from '../engine/correlate/query';
import { afterBatchImported, afterImportFinished } from '../engine/correlate/ingestHooks';
import { buildChains, lastBuildTimings } from '../engine/correlate/chains';
import { CaseHandle } from '../engine/case/caseStore';
import { importPaths } from '../engine/ingest/importer';
import { generateTree } from '../testkit/synth/generate';
import { parseSize } from '../../shared/size';
import { readTruth } from '../testkit/synth/truth';
import { removeDir, tempDir } from '../testkit/tmp';

const o = new Command()
  .option('--size <size>', 'synthetic tree volume', '200MB')
  .option('--seed <n>', 'generator seed', '1')
  .option('--runs <n>', 'timed runs per query kind', '40')
  .option('--keep', 'keep the temp folder (tree and cases)')
  .option('--no-baseline', 'skip the import without correlation (the hooks\' own time still gives the overhead)')
  .option('--reuse <dir>', 'only time queries on a folder kept by an earlier --keep run')
  .option('--no-update', 'skip the second-bundle updates')
  .parse()
  .opts<{ size: string; seed: string; runs: string; keep?: boolean; baseline: boolean; reuse?: string; update: boolean }>();

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

async function timedImport(tree: string, dir: string, correlate: boolean) {
  const h = await CaseHandle.create(dir, { name: path.basename(dir) });
  let hookMs = 0;
  const timed = <A extends unknown[]>(fn: (...a: A) => Promise<void>) => async (...a: A) => {
    const t = performance.now();
    await fn(...a);
    hookMs += performance.now() - t;
  };
  const t0 = performance.now();
  await importPaths(h, [tree], correlate
    ? { hooks: { afterBatch: timed((db, ids: number[]) => afterBatchImported(db, ids)), afterImport: timed((db) => afterImportFinished(db)) } }
    : {});
  const seconds = (performance.now() - t0) / 1000;
  return { h, seconds, hookSeconds: hookMs / 1000 };
}

/** A second bundle into the correlated case: its import, and the chain update inside it, timed; then a full rebuild. */
async function secondBundles(h: CaseHandle, caseBytes: number) {
  const out: { bundleBytes: number; importSeconds: number; afterImportSeconds: number; chainUpdateSeconds: number; steps: Record<string, number> }[] = [];
  for (const [i, share] of [0.02, 0.1].entries()) {
    const g = await generateTree(path.join(root, `extra${i}`), { targetBytes: Math.max(200_000, Math.round(caseBytes * share)), seed: Number(o.seed) + 100 + i, faults: false });
    let updateMs = 0;
    const t0 = performance.now();
    await importPaths(h, [g.root], { hooks: { afterBatch: (db, ids: number[]) => afterBatchImported(db, ids), afterImport: async (db) => {
      const t = performance.now();
      await afterImportFinished(db);
      updateMs = performance.now() - t;
    } } });
    // The import's after-hook also builds the timeline's per-minute summary: the chain update is its steps' sum.
    const steps = { ...lastBuildTimings };
    const chainUpdateSeconds = Math.round(Object.values(steps).reduce((a, b) => a + b, 0) * 100) / 100;
    out.push({ bundleBytes: g.bytes, importSeconds: r1((performance.now() - t0) / 1000), afterImportSeconds: Math.round(updateMs / 10) / 100, chainUpdateSeconds, steps });
    process.stderr.write(`  bundle of ${g.bytes} B: chain update ${chainUpdateSeconds} s\n`);
  }
  const t = performance.now();
  await h.withWriter((db) => db.tx(() => buildChains(db)));
  return { bundles: out, fullRebuildSeconds: Math.round((performance.now() - t) / 10) / 100, steps: { ...lastBuildTimings } };
}

async function measure(runs: number, keys: string[], fn: (k: string) => Promise<unknown>) {
  await fn(keys[0]!); // warm-up (first read opens files)
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn(keys[i % keys.length]!);
    ms.push(performance.now() - t);
  }
  return { p50: r1(pct(ms, 50)), p95: r1(pct(ms, 95)), max: r1(Math.max(...ms)) };
}

const root = o.reuse ? path.resolve(o.reuse) : tempDir('casefile-bench-correlate-');
try {
  const runs = Math.max(5, Number(o.runs));
  let g: { root: string; truthPath: string; bytes: number; files: number };
  let plain: { seconds: number } | null = null;
  let chainSteps: Record<string, number> = {};
  let corr: { h: CaseHandle; seconds: number; hookSeconds: number };
  if (o.reuse) {
    g = { root: path.join(root, 'tree', 'enrich'), truthPath: path.join(root, 'tree', 'truth.json'), bytes: 0, files: 0 };
    corr = { h: await CaseHandle.open(path.join(root, 'correlated'), { readOnly: true }), seconds: 0, hookSeconds: 0 };
  } else {
    process.stderr.write(`generating ${o.size} (seed ${o.seed}) in ${root}\n`);
    g = await generateTree(path.join(root, 'tree'), { targetBytes: parseSize(o.size), seed: Number(o.seed), faults: true });
    if (o.baseline) {
      process.stderr.write('import without correlation...\n');
      const p = await timedImport(g.root, path.join(root, 'plain'), false);
      await p.h.close();
      plain = p;
      process.stderr.write(`  ${p.seconds.toFixed(1)} s\n`);
    }
    process.stderr.write('import with correlation...\n');
    corr = await timedImport(g.root, path.join(root, 'correlated'), true);
    chainSteps = { ...lastBuildTimings };
    process.stderr.write(`  ${corr.seconds.toFixed(1)} s (hooks ${corr.hookSeconds.toFixed(1)} s; chains ${JSON.stringify(chainSteps)})\n`);
  }
  const truth = readTruth(g.truthPath);
  const db = corr.h.db;

  const counts = (await db.read<Record<string, string>>(
    `SELECT (SELECT count(*) FROM event_store)::VARCHAR AS events, (SELECT count(*) FROM identifiers)::VARCHAR AS identifiers,
            (SELECT count(*) FROM chains)::VARCHAR AS chains, (SELECT count(*) FROM chain_events)::VARCHAR AS chain_events`))[0]!;

  // Keys an operator would paste: task ids, request ids, run ids, client ids; and identifiers that are no chain key.
  const pick = <T>(xs: T[], n: number) => xs.filter((_, i) => i % Math.max(1, Math.floor(xs.length / n)) === 0).slice(0, n);
  const chainKeys = [
    ...pick(truth.celery.map((c) => c.id), 20), ...pick(truth.taskblade.map((r) => r.request_id), 10),
    ...pick(truth.pipelines.map((p) => p.runid), 10), ...pick(truth.celery.flatMap((c) => c.kycIds), 10),
  ];
  const otherIds = [...new Set(truth.pipelines.flatMap((p) => (p.prefectTask ? [p.prefectTask] : [])))].slice(0, 5).concat(['no-such-id']);
  const lists: ChainListRequest[] = [
    { limit: 500 },
    { limit: 500, sort: 'duration' },
    { limit: 500, kinds: ['celery_task'], statuses: ['failure'] },
    { limit: 500, kinds: ['celery_task', 'taskblade_request'], minDurationMs: 60_000, sort: 'duration' },
    { limit: 500, text: 'search_', sort: 'events' },
  ];
  let li = 0;
  const result = {
    size: o.size, seed: Number(o.seed), bytes: g.bytes, files: g.files, ...Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number(v)])),
    import: o.reuse ? null : {
      withoutSeconds: plain ? r1(plain.seconds) : null, withSeconds: r1(corr.seconds), hookSeconds: r1(corr.hookSeconds),
      addedByTotals: plain ? `${Math.round(((corr.seconds - plain.seconds) / plain.seconds) * 100)}%` : null,
      // The hooks' own time against the rest of the same import: steadier than two imports on a shared machine.
      addedByHooks: `${Math.round((corr.hookSeconds / (corr.seconds - corr.hookSeconds)) * 100)}%`,
      chainBuildSeconds: chainSteps,
      target: '≤ 25%',
    },
    traceChainKeyMs: { ...(await measure(runs, chainKeys, (k) => traceKey(db, k))), target: 200 },
    traceOtherIdMs: await measure(Math.min(runs, 12), otherIds, (k) => traceKey(db, k)),
    chainsListMs: { ...(await measure(runs, lists.map(() => ''), () => listChains(db, lists[li++ % lists.length]!))), target: 500 },
  };
  const update = o.update && !o.reuse ? await secondBundles(corr.h, g.bytes) : null;
  await corr.h.close();
  Object.assign(result, { secondBundle: update });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  await mkdir(path.resolve('.bench'), { recursive: true });
  await writeFile(path.resolve('.bench', `correlate-${o.reuse ? 'reuse' : o.size}.json`), JSON.stringify(result, null, 2) + '\n');
} finally {
  if (!o.keep && !o.reuse) removeDir(root);
  else process.stderr.write(`kept ${root}\n`);
}
