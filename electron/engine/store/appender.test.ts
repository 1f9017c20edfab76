// The appender rule (appender.ts) against a real DuckDB file: a failed fill leaves nothing to be flushed later into a
// table made anew under the same name, whenever the collector runs.
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../../testkit/tmp';
import { CaseDb } from './db';
import { withAppender } from './appender';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
/** Collects until unreachable appenders have been finalised (their C++ side runs on a later tick). */
async function collect(): Promise<void> {
  for (let i = 0; i < 5; i++) { gc(); await new Promise((r) => setTimeout(r, 20)); }
}
const rows = async (db: CaseDb) => (await db.one<{ n: number }>('SELECT count(*)::INTEGER AS n FROM stage'))!.n;

describe('appenders into staging tables (real DuckDB file)', () => {
  let dir = '';
  afterEach(() => { if (dir) removeDir(dir); });

  it('DuckDB flushes an appender let go without closing into the table that has its name then (the premise)', async () => {
    dir = tempDir('casefile-appender-');
    const db = await CaseDb.open(path.join(dir, 'case.duckdb'));
    try {
      await db.freshTemp('stage', 'x INTEGER');
      await (async () => {
        const app = await db.conn.createAppender('stage', 'main', 'temp');
        for (let i = 0; i < 1000; i++) { app.appendInteger(i); app.endRow(); }
      })(); // as a try that failed before its close did
      await db.freshTemp('stage', 'x INTEGER'); // the retry's table
      await collect();
      expect(await rows(db)).toBe(1000);
    } finally { db.close(); }
  });

  it('a fill that fails leaves nothing behind: the retry\'s table holds only the retry\'s rows', async () => {
    dir = tempDir('casefile-appender-');
    const db = await CaseDb.open(path.join(dir, 'case.duckdb'));
    try {
      await db.freshTemp('stage', 'x INTEGER');
      await expect(withAppender(db, 'stage', (app) => {
        for (let i = 0; i < 1000; i++) { app.appendInteger(i); app.endRow(); }
        throw new Error('out of memory, say');
      })).rejects.toThrow('out of memory, say');
      await db.freshTemp('stage', 'x INTEGER');
      await withAppender(db, 'stage', (app) => { for (let i = 0; i < 7; i++) { app.appendInteger(i); app.endRow(); } });
      await collect();
      expect(await rows(db)).toBe(7);
    } finally { db.close(); }
  });
});
