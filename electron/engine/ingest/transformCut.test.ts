// A batch's transform runs as several statements over ranges of staged rowids (transformCuts), so one statement's
// working set stays bounded however large a batch or a file is. Cut or not, every table must come out the same.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CaseHandle } from '../case/caseStore';
import { CaseDb } from '../store/db';
import { afterBatchImported, afterImportFinished } from '../correlate/ingestHooks';
import { generateTree } from '../../testkit/synth/generate';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';
import { compareCases } from '../../testkit/compareCases';
import { importPaths } from './importer';
import { runCorrelationStage } from './correlationStage';
import { transformCuts } from './transform';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

describe('transformCuts', () => {
  it('covers every rowid once, in order, in about bytes / cut ranges', () => {
    for (const [end, bytes, cut] of [[0, 0, 10], [1, 5, 10], [10, 100, 10], [7, 1000, 10], [1000, 999, 100], [1_000_003, 1e9, 64e6]] as const) {
      const cuts = transformCuts(end, bytes, cut);
      expect(cuts[0]!.from).toBe(0);
      expect(cuts.at(-1)!.to).toBe(end);
      cuts.slice(1).forEach((c, i) => expect(c.from).toBe(cuts[i]!.to));
      cuts.forEach((c) => expect(c.to).toBeGreaterThan(end ? c.from : -1));
      expect(cuts.length).toBe(Math.max(1, Math.min(end, Math.ceil(bytes / cut))));
    }
  });
});

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = path.join(dir, e);
    return statSync(p).isDirectory() ? walk(p, base) : [path.relative(base, p)];
  });
}

async function importCase(dir: string, inputs: string[]): Promise<void> {
  const h = await CaseHandle.create(dir, { name: 'cut', timezone: 'Asia/Kolkata' });
  try {
    await importPaths(h, inputs);
    await h.withWriter((db) => runCorrelationStage(db, { extract: (d, ids) => afterBatchImported(d, ids), build: (d) => afterImportFinished(d) }));
  } finally {
    await h.close();
  }
}

describe('a transform cut into many statements', () => {
  it('gives every table exactly as one statement does, with faults, multi-line records and interleaved streams', async () => {
    const root = tempDir();
    dirs.push(root);
    const gen = await generateTree(path.join(root, 'gen'), { targetBytes: 600_000, seed: 5, faults: 'all' });
    // A compose file of two services: one transform per stream, each cut by rowid too.
    const files = walk(gen.root).filter((f) => !f.endsWith('.gz')).sort();
    const lines = (f: string) => readFileSync(path.join(gen.root, f), 'utf8').replace(/\n$/, '').split('\n');
    const a = lines(files.find((f) => f.includes('logs/celery/'))!);
    const b = lines(files.find((f) => f.includes('logs/doodle/'))!);
    const out: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i < a.length) out.push(`worker-1  | ${a[i]}`);
      if (i < b.length) out.push(`doodle-1  | ${b[i]}`);
    }
    const extra = path.join(root, 'extra');
    writeAt(extra, 'compose/docker-compose.log', `${out.join('\n')}\n`);

    await importCase(path.join(root, 'whole'), [gen.root, extra]);
    // Every statement goes through changes() (run() too).
    const run = vi.spyOn(CaseDb.prototype, 'changes');
    const calls: string[] = [];
    const saved = process.env.CASEFILE_TRANSFORM_CUT_BYTES;
    process.env.CASEFILE_TRANSFORM_CUT_BYTES = '4096';
    try {
      await importCase(path.join(root, 'cut'), [gen.root, extra]);
    } finally {
      if (saved === undefined) delete process.env.CASEFILE_TRANSFORM_CUT_BYTES; else process.env.CASEFILE_TRANSFORM_CUT_BYTES = saved;
      calls.push(...run.mock.calls.map(([sql]) => sql));
      run.mockRestore();
    }
    const statements = calls.filter((sql) => sql.startsWith('INSERT INTO event_store'));
    const cut = statements.filter((sql) => sql.includes('s.rowid >='));
    expect(cut.length).toBeGreaterThan(50);
    expect(cut.some((sql) => /s\.rowid >= \d+ AND s\.rowid < \d+ AND e\.stream = /.test(sql))).toBe(true);

    const tables = await compareCases(path.join(root, 'whole'), path.join(root, 'cut'));
    for (const [t, r] of Object.entries(tables)) expect({ t, onlyWhole: r.onlyA, onlyCut: r.onlyB }).toEqual({ t, onlyWhole: 0, onlyCut: 0 });
    expect(tables.event_store!.rows).toBeGreaterThan(2000);
    expect(tables.chains!.rows).toBeGreaterThan(5);
  }, 240_000);
});
