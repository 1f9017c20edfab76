import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CaseDb } from './db';
import { isOutOfMemory, RETRY_MEMORY, withMemoryRetry } from './memoryRetry';
import { takeStageTimes } from '../util/stageTimes';

// A list aggregate of a few million values is a working set DuckDB cannot spill: at a few MB it runs out of memory.
const BIG = `SELECT len(list(i))::INTEGER AS n FROM range(4000000) t(i)`;
const limit = async (db: CaseDb) => (await db.one<{ m: string }>(`SELECT current_setting('memory_limit') AS m`))!.m;

describe('withMemoryRetry (real DuckDB file)', () => {
  let dir = '';
  afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('runs a step that ran out of memory once more with more, and puts the writer\'s limit back', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'casefile-memretry-'));
    const db = await CaseDb.open(path.join(dir, 'case.duckdb'));
    try {
      await db.run(`SET memory_limit = '8MB'`);
      const small = await limit(db);
      // Without the retry the step fails: the test's premise.
      const bare = await db.one(BIG).then(() => null, (e: unknown) => e);
      expect(isOutOfMemory(bare)).toBe(true);
      let tries = 0;
      let retried = 0;
      takeStageTimes();
      const out = await withMemoryRetry(db, async () => { tries++; return (await db.one<{ n: number }>(BIG))!.n; }, () => retried++);
      expect(out).toBe(4_000_000);
      expect([tries, retried]).toEqual([2, 1]);
      // The run's stage times say a retry happened (an import's CASEFILE_IMPORT_TIMINGS line shows it).
      expect(Object.keys(takeStageTimes())).toContain(`memory retry at ${RETRY_MEMORY}`);
      // Back to the small limit (DuckDB prints it rounded: 7.6 MiB may read back as 7.5 MiB), not the retry's 1 GB.
      expect(small).toMatch(/MiB$/);
      expect(await limit(db)).toMatch(/^7\.\d MiB$/);
    } finally {
      await db.close();
    }
  });

  it('does not retry other errors', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'casefile-memretry-'));
    const db = await CaseDb.open(path.join(dir, 'case.duckdb'));
    try {
      let tries = 0;
      takeStageTimes();
      await expect(withMemoryRetry(db, async () => { tries++; await db.run('SELECT * FROM no_such_table'); })).rejects.toThrow(/no_such_table/);
      expect(tries).toBe(1);
      expect(Object.keys(takeStageTimes())).not.toContain(`memory retry at ${RETRY_MEMORY}`);
    } finally {
      await db.close();
    }
  });
});
