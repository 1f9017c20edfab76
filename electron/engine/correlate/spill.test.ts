// The chain build under a small DuckDB memory limit (issue 13's RSS target): every step is one statement of hash
// joins, sorts and fixed-size aggregates that DuckDB can spill to the case's temp directory, so a build at a limit
// far below what the old single-statement build needed gives the same rows as one with memory to spare.
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from '../ingest/importer';
import { CaseDb } from '../store/db';
import { generateTree } from '../../testkit/synth/generate';
import { compareCases, IMPORT_TABLES } from '../../testkit/compareCases';
import { removeDir, tempDir } from '../../testkit/tmp';
import { buildChains, CHAIN_TABLES } from './chains';
import { afterBatchImported, afterImportFinished } from './ingestHooks';

const root = tempDir('casefile-spill-');
afterAll(() => removeDir(root));

/** Far below what the build's working set needs on this tree, so its operators must spill to get through. */
const TINY = '40MB';

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
      // Spills go beside the case database (DuckDB's default for a file), never into the working directory.
      const tmp = await db.one<{ d: string }>(`SELECT current_setting('temp_directory') AS d`);
      expect(path.resolve(tmp!.d)).toBe(path.join(tight, 'case.duckdb.tmp'));
      await db.run('DROP TABLE chains');
      await db.run('DROP TABLE chain_events');
      await db.run('DROP TABLE chain_links');
      await db.tx(() => buildChains(db));
    } finally {
      db.close();
    }
    const tables = Object.fromEntries(CHAIN_TABLES.map((t) => [t, IMPORT_TABLES[t]!]));
    const diff = await compareCases(roomy, tight, tables);
    for (const t of CHAIN_TABLES) {
      expect(diff[t]!.rows, `${t} has rows`).toBeGreaterThan(t === 'chain_links' ? 10 : 1000);
      expect(diff[t], t).toMatchObject({ onlyA: 0, onlyB: 0 });
    }
  }, 180_000);
});
