// The chain build cut into key ranges (issue 13: a 10 GB case's build ran out of memory at the writer's 320 MB in one
// statement per step). On real DuckDB files: a build in parts at a tiny limit gives the same tables as one in one
// statement, chain_events stays in key order, every key falls in exactly one part, and an update in parts equals a
// full rebuild.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from '../ingest/importer';
import { CaseDb } from '../store/db';
import { generateTree } from '../../testkit/synth/generate';
import { expectSameChainTables } from '../../testkit/chainTables';
import { removeDir, tempDir } from '../../testkit/tmp';
import { buildChains, CHAIN_TABLES, keyParts, lastBuildTimings } from './chains';
import { afterBatchImported, afterImportFinished } from './ingestHooks';
import { inPart } from './members';
import { verifyDerived } from './verifyDerived';

const root = tempDir('casefile-parts-');
afterAll(() => removeDir(root));
afterEach(() => { delete process.env.CASEFILE_CORRELATE_PART_ROWS; });

const hooks = { afterBatch: afterBatchImported, afterImport: afterImportFinished };

describe('the chain build in key ranges', () => {
  it('gives the same chains, members and links as one statement per step, at a tiny memory limit', async () => {
    const g = await generateTree(path.join(root, 'tree'), { targetBytes: 3_000_000, seed: 7, faults: true });
    const whole = path.join(root, 'whole');
    const h = await CaseHandle.create(whole, { name: 'whole' });
    try {
      await importPaths(h, [g.root], { hooks });
    } finally {
      await h.close();
    }
    const cut = path.join(root, 'cut');
    mkdirSync(cut);
    copyFileSync(path.join(whole, 'case.duckdb'), path.join(cut, 'case.duckdb'));
    const db = await CaseDb.open(path.join(cut, 'case.duckdb'));
    try {
      await db.run(`SET memory_limit = '48MB'`);
      await db.run('SET threads = 1');
      const ids = Number((await db.one<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM identifiers`))!.n);
      process.env.CASEFILE_CORRELATE_PART_ROWS = String(Math.ceil(ids / 4));
      const parts = await keyParts(db);
      expect(parts.length).toBeGreaterThanOrEqual(3);
      // Every key in exactly one part: ranges in order, unbounded at both ends.
      expect(parts[0]!.lo).toBeNull();
      expect(parts.at(-1)!.hi).toBeNull();
      const inOne = parts.map((p) => `(${inPart('value', p)})::INTEGER`).join(' + ');
      const wrong = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM identifiers WHERE value IS NOT NULL AND ${inOne} <> 1`);
      expect(wrong!.n).toBe(0);
      for (const t of CHAIN_TABLES) await db.run(`DROP TABLE ${t}`);
      await db.tx(() => buildChains(db));
      // Parts are written in key order, so the table stays sorted by key (traces read it by zone maps).
      const unsorted = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM (
        SELECT key, lag(key) OVER (ORDER BY rowid) AS prev FROM chain_events) WHERE prev > key`);
      expect(unsorted!.n).toBe(0);
    } finally {
      db.close();
    }
    await expectSameChainTables(whole, cut, { links: 5, rows: 500 });
  }, 300_000);

  it('an update after a second import, in parts, equals a full rebuild', async () => {
    const g = await generateTree(path.join(root, 'tree2'), { targetBytes: 800_000, seed: 22, faults: true });
    const dir = path.join(root, 'update');
    const h = await CaseHandle.create(dir, { name: 'update' });
    try {
      process.env.CASEFILE_CORRELATE_PART_ROWS = '500';
      await importPaths(h, [path.join(g.root, 'logs')], { hooks });
      await importPaths(h, [path.join(g.root, 'data')], { hooks });
      expect(lastBuildTimings.members, 'the second import took the update path').toBeDefined();
    } finally {
      await h.close();
    }
    delete process.env.CASEFILE_CORRELATE_PART_ROWS;
    expect(await verifyDerived(path.join(dir, 'case.duckdb'))).toEqual([]);
  }, 300_000);
});
