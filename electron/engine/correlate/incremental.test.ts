// Incremental chains against a full rebuild: a generated tree imported as two bundles. The second bundle's chain
// update touches only chains its records name, leaves every other chain row as it was, reassembles the chains that
// span both bundles exactly (truth.json), and gives the same tables as rebuilding from scratch (verify's check).
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from '../ingest/importer';
import { generateTree } from '../../testkit/synth/generate';
import { readTruth, type Truth } from '../../testkit/synth/truth';
import { removeDir, tempDir } from '../../testkit/tmp';
import { lastBuildTimings } from './chains';
import { afterBatchImported, afterImportFinished } from './ingestHooks';
import { traceKey } from './query';
import { verifyDerived } from './verifyDerived';

const root = tempDir('casefile-incremental-');
afterAll(() => removeDir(root));

const hooks = { afterBatch: afterBatchImported, afterImport: afterImportFinished };
const rel = (f: string) => f.replace(/^enrich\//, '');
const at = (file: string, line: number) => `${file}:${line}`;

/** Copies the tree's files into two bundles (each an `enrich/` folder) as `second` decides. */
function split(outDir: string, truth: Truth, name: string, second: (file: string, i: number) => boolean): [string, string] {
  const dirs = [path.join(root, name, 'b1', 'enrich'), path.join(root, name, 'b2', 'enrich')] as const;
  truth.files.map((f) => f.file).sort().forEach((file, i) => {
    const to = path.join(dirs[second(file, i) ? 1 : 0], rel(file));
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(path.join(outDir, file), to);
  });
  return [dirs[0], dirs[1]];
}

async function rows(h: CaseHandle): Promise<Map<string, string>> {
  const all = await h.db.read<Record<string, unknown>>(`SELECT * FROM chains`);
  return new Map(all.map((r) => [String(r.key), JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))]));
}

describe('a second bundle updates the chains it touches', () => {
  it('by source: dashboard logs arrive after the workers\' (chains span both bundles)', async () => {
    const g = await generateTree(path.join(root, 'tree1'), { targetBytes: 1_200_000, seed: 21, faults: false });
    const truth = readTruth(g.truthPath);
    const [b1, b2] = split(g.outDir, truth, 'by-source', (f) => /logs\/(app|gunicorn)\//.test(f));
    const dir = path.join(root, 'by-source', 'case');
    const h = await CaseHandle.create(dir, { name: 'incremental', timezone: truth.siteTz });
    try {
      await importPaths(h, [b1], { hooks });
      const before = await rows(h);
      await importPaths(h, [b2], { hooks });
      expect(lastBuildTimings.members, 'the second import took the update path').toBeDefined();
      const after = await rows(h);

      // Every chain whose row changed (or vanished) is named by a record of bundle 2; the others are identical.
      const named = new Set((await h.db.read<{ v: string }>(`SELECT DISTINCT i.value AS v FROM identifiers i JOIN event_store s ON s.id = i.event_id
        JOIN files f USING (file_id) WHERE f.path LIKE 'logs/app/%' OR f.path LIKE 'logs/gunicorn/%'`)).map((r) => r.v));
      let same = 0;
      for (const [key, row] of before) {
        if (after.get(key) === row) same++;
        else expect(named.has(key), `chain ${key} changed without bundle 2 naming it`).toBe(true);
      }
      expect(same).toBeGreaterThan(before.size / 4);
      expect(same).toBeLessThan(before.size);

      // Chains spanning both bundles are exact: TaskBlade requests started on the dashboard, tasks it polled.
      for (const r of truth.taskblade) {
        const t = await traceKey(h.db, r.request_id);
        expect(t.events.map((e) => at(e.file, e.line)).sort(), r.request_id).toEqual(r.events.map((e) => at(rel(e.file), e.line)).sort());
        // Its start is the dashboard's submit, a mention that arrived with bundle 2.
        expect(Date.parse(t.chain!.first!), r.request_id).toBe(Date.parse(r.startUtc));
        expect(t.chain!.status).toBe(r.status);
      }
      for (const c of truth.celery) {
        const t = await traceKey(h.db, c.id);
        expect(t.events.map((e) => at(e.file, e.line)).sort(), c.id).toEqual(c.events.map((e) => at(rel(e.file), e.line)).sort());
        expect(t.chain!.status, c.id).toBe(c.status);
      }
    } finally {
      await h.close();
    }
    // The update equals a full rebuild, table for table (verify recomputes every derived table from the events).
    expect(await verifyDerived(path.join(dir, 'case.duckdb'))).toEqual([]);
  }, 300_000);

  it('by alternate files: the same tables as a full rebuild', async () => {
    const g = await generateTree(path.join(root, 'tree2'), { targetBytes: 800_000, seed: 22, faults: true });
    const truth = readTruth(g.truthPath);
    const [b1, b2] = split(g.outDir, truth, 'alternate', (_f, i) => i % 2 === 1);
    const dir = path.join(root, 'alternate', 'case');
    const h = await CaseHandle.create(dir, { name: 'incremental', timezone: truth.siteTz });
    try {
      await importPaths(h, [b1], { hooks });
      await importPaths(h, [b2], { hooks });
      expect(lastBuildTimings.members).toBeDefined();
    } finally {
      await h.close();
    }
    expect(await verifyDerived(path.join(dir, 'case.duckdb'))).toEqual([]);
  }, 300_000);
});
