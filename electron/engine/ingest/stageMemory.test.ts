// A large import runs as many batches on one connection: what a batch staged must be gone before the next, or the
// writer's memory grows with the whole import (a 10 GB tree ran out of memory this way).
import { afterAll, expect, it } from 'vitest';
import path from 'node:path';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from './importer';
import { tempDir, removeDir, writeAt } from '../../testkit/tmp';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

const FILES = 16;
const LINES = 6000;

it('staging memory stays that of one batch however many batches an import runs', async () => {
  const root = tempDir();
  dirs.push(root);
  const b = path.join(root, 'bundle');
  let fileBytes = 0;
  for (let f = 0; f < FILES; f++) {
    const lines = Array.from({ length: LINES }, (_, i) => JSON.stringify({ message: `request ${f}-${i} done in ${i % 97} ms`, levelname: 'INFO',
      name: 'app', asctime: '2023-07-30 00:13:45,400', created: 1690656225.4 + i, logid: `${f}-${i}` }));
    const text = `${lines.join('\n')}\n`;
    fileBytes = text.length;
    writeAt(b, `enrich/logs/app/app${f}.json.log`, text);
  }
  const h = await CaseHandle.create(path.join(root, 'case'), { name: 'batches' });
  const before = process.env.CASEFILE_IMPORT_BATCH_BYTES;
  process.env.CASEFILE_IMPORT_BATCH_BYTES = String(64 * 1024); // every file a batch of its own
  const staged: number[] = [];
  try {
    const res = await importPaths(h, [b], { hooks: { afterBatch: async (db) => {
      const [m] = await db.all<{ n: string }>(`SELECT sum(memory_usage_bytes + temporary_storage_bytes)::VARCHAR AS n
        FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'`);
      staged.push(Number(m?.n ?? 0));
    } } });
    expect(res.files.filter((f) => !f.skipped)).toHaveLength(FILES);
    const [n] = await h.db.read<{ n: number }>('SELECT count(*)::INTEGER AS n FROM events');
    expect(n!.n).toBe(FILES * LINES);
    await h.withWriter(async (db) => {
      // And nothing staged outlives the import.
      const [t] = await db.all<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE temporary AND table_name LIKE '%stage%'`);
      expect(t!.n).toBe(0);
    });
  } finally {
    if (before === undefined) delete process.env.CASEFILE_IMPORT_BATCH_BYTES; else process.env.CASEFILE_IMPORT_BATCH_BYTES = before;
    h.close();
  }
  expect(staged).toHaveLength(FILES);
  expect(staged[0]).toBeGreaterThan(0);
  // Each batch stages one file: memory may not grow by more than two files' worth over the whole import (it grew
  // by a file's worth per batch when the staging tables were emptied with DELETE).
  expect(Math.max(...staged) - staged[0]!).toBeLessThan(2 * fileBytes);
}, 120_000);
