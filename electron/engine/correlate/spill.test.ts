// The chain build under a small DuckDB memory limit (issue 13's RSS target): every step is one statement of hash
// joins, sorts and fixed-size aggregates that DuckDB can spill to the case's temp directory, so a build at a limit
// below what the old single-statement build needed gives the same rows as one with memory to spare.
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from '../ingest/importer';
import { CaseDb } from '../store/db';
import { generateTree } from '../../testkit/synth/generate';
import { expectSameChainTables } from '../../testkit/chainTables';
import { removeDir, tempDir } from '../../testkit/tmp';
import { buildChains, CHAIN_TABLES } from './chains';
import { afterBatchImported, afterImportFinished } from './ingestHooks';

const root = tempDir('casefile-spill-');
afterAll(() => removeDir(root));

/**
 * Below what the single-statement build needed on this tree (it ran out of memory at 48 MB and got through at 56 MB),
 * above where the stepped one stops (~36 MB): on a small tree DuckDB's fixed needs are most of it; on a 1 GB case the
 * same change took the build from failing at 640 MB to getting through. DuckDB keeps buffers per thread, and how much
 * it holds at once with several varies from run to run, so the build runs on one thread, as these limits were found.
 */
const TINY = '48MB';

describe('chain build under a tiny memory limit', () => {
  it('spills instead of failing and gives the same chains, members and links', async () => {
    const g = await generateTree(path.join(root, 'tree'), { targetBytes: 6_000_000, seed: 5, faults: false });
    const roomy = path.join(root, 'roomy');
    const h = await CaseHandle.create(roomy, { name: 'roomy' });
    try {
      await importPaths(h, [g.root], { hooks: { afterBatch: afterBatchImported, afterImport: afterImportFinished } });
    } finally {
      await h.close();
    }
    const tight = path.join(root, 'tight');
    mkdirSync(tight);
    copyFileSync(path.join(roomy, 'case.duckdb'), path.join(tight, 'case.duckdb'));
    const db = await CaseDb.open(path.join(tight, 'case.duckdb'));
    try {
      await db.run(`SET memory_limit = '${TINY}'`);
      await db.run('SET threads = 1');
      // Spills go beside the case database (DuckDB's default for a file), never into the working directory.
      const tmp = await db.one<{ d: string }>(`SELECT current_setting('temp_directory') AS d`);
      expect(path.resolve(tmp!.d)).toBe(path.join(tight, 'case.duckdb.tmp'));
      for (const t of CHAIN_TABLES) await db.run(`DROP TABLE ${t}`);
      await db.tx(() => buildChains(db));
    } finally {
      db.close();
    }
    await expectSameChainTables(roomy, tight, { links: 10, rows: 1000 });
  }, 180_000);

  it('an in-memory database (verify\'s scratch copy, the locked stand-in) spills under the system temp, not the working directory', async () => {
    for (const lockdown of [false, true]) {
      const db = await CaseDb.open(':memory:', { lockdown });
      const dir = (await db.one<{ d: string }>(`SELECT current_setting('temp_directory') AS d`))!.d;
      expect(path.dirname(dir)).toBe(os.tmpdir());
      if (!lockdown) {
        // ~200 MB of rows under a 100 MB limit.
        await db.run(`SET memory_limit = '100MB'`);
        await db.run(`CREATE TABLE t AS SELECT i, md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS s FROM range(3000000) r(i)`);
        expect((await db.one<{ n: number }>(`SELECT count(DISTINCT s)::INTEGER AS n FROM t`))!.n).toBe(3000000);
        expect(readdirSync(dir).length, 'spilled into its own directory').toBeGreaterThan(0);
      }
      db.close();
      expect(existsSync(dir), 'removed when the database closes').toBe(false);
    }
  });
});
