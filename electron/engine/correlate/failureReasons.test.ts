// Failure reasons read at extraction (event_reasons) against reading them from the records (a case extracted before
// that table): the same reason for every failed chain, and the table holds exactly the records that can give one.
import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from '../ingest/importer';
import { generateTree } from '../../testkit/synth/generate';
import { removeDir, tempDir } from '../../testkit/tmp';
import { buildChains } from './chains';
import { hasReasons, keepsReasons, reasonOf } from './failureReasons';
import { CaseDb } from '../store/db';
import { afterBatchImported, afterImportFinished } from './ingestHooks';

const root = tempDir('casefile-reasons-');
afterAll(() => removeDir(root));

describe('failure reasons', () => {
  it('come from event_reasons when the case keeps it, and equal those read from the records', async () => {
    const g = await generateTree(path.join(root, 'tree'), { targetBytes: 1_500_000, seed: 5, faults: false });
    const h = await CaseHandle.create(path.join(root, 'case'), { name: 'reasons' });
    await importPaths(h, [g.root], { hooks: { afterBatch: afterBatchImported, afterImport: afterImportFinished } });
    const reasons = async () => h.db.read<{ key: string; failure_reason: string | null }>(
      `SELECT key, failure_reason FROM chains WHERE status = 'failure' ORDER BY key`);
    const kept = await reasons();
    expect(kept.length).toBeGreaterThan(5);
    expect(kept.filter((c) => c.failure_reason).length).toBeGreaterThan(5);
    await h.withWriter(async (db) => {
      expect(await hasReasons(db)).toBe(true);
      // Exactly the records that are ERROR/CRITICAL, hold a traceback, or carry failure evidence.
      const w = `SELECT s.id FROM event_store s WHERE s.level IN ('ERROR', 'CRITICAL') OR contains(s.raw, 'Traceback (most recent call last)')
        OR s.id IN (SELECT event_id FROM event_status WHERE status = 'failure')`;
      const [d] = await db.all<{ extra: number; lost: number }>(`SELECT
        (SELECT count(*) FROM (SELECT event_id FROM event_reasons EXCEPT ALL ${w}))::INTEGER AS extra,
        (SELECT count(*) FROM (${w} EXCEPT ALL SELECT event_id FROM event_reasons))::INTEGER AS lost`);
      expect(d).toEqual({ extra: 0, lost: 0 });
      // An older case: no table, reasons read from the records.
      await db.tx(async () => {
        await db.run('DROP TABLE event_reasons');
        await buildChains(db);
      });
      expect(await hasReasons(db)).toBe(false);
      // Nor does a later batch give it a partial one: records were extracted before it.
      await db.tx(async () => expect(await keepsReasons(db, [1_000_000])).toBe(false));
      expect(await hasReasons(db)).toBe(false);
    });
    expect(await reasons()).toEqual(kept);
    await h.close();
  });

  it("take a traceback's exception line, also from a one-line record whose traceback is an escaped bytes repr", async () => {
    const db = await CaseDb.open(':memory:');
    const reason = async (message: string) => (await db.all<{ r: string }>(
      `SELECT ${reasonOf('s')} AS r FROM (SELECT NULL::VARCHAR AS fields, $m AS raw, $m AS message) s`, { m: message }))[0]!.r;
    // Prefect's run logger writes a failed task's stderr as Python bytes: one line, newlines escaped.
    expect(await reason(String.raw`Error: b'Traceback (most recent call last):\n  File "/app/run_pipeline.py", line 88, in <module>\n    run(spec)\nKeyError: customer_id\n'`))
      .toBe('KeyError: customer_id');
    // A real multi-line traceback is split on its newlines only: an escaped \n inside its last line stays.
    expect(await reason('Task failed\nTraceback (most recent call last):\n  File "x.py", line 2\nValueError: bad value \'a\\nb\'\n'))
      .toBe("ValueError: bad value 'a\\nb'");
    expect(await reason('connection refused')).toBe('connection refused');
    await db.close();
  });
});
