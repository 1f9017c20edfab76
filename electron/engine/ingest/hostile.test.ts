// Hostile input at the import door (issue 8): values that do not convert, odd files, odd archives.
// Every test imports through the real importer into a real DuckDB case.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from './importer';
import { tempDir, removeDir } from '../test/tmp';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

function newRoot(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

function write(root: string, rel: string, data: string | Buffer): string {
  const p = path.join(root, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, data);
  return p;
}

async function withCase<T>(root: string, fn: (h: CaseHandle) => Promise<T>): Promise<T> {
  const h = await CaseHandle.create(path.join(root, 'case'), { name: 'hostile' });
  try { return await fn(h); } finally { await h.close(); }
}

describe('values that do not convert', () => {
  it('keeps a record whose epoch is out of range or NaN, flags it, and imports the rest', async () => {
    const root = newRoot();
    const b = path.join(root, 'bundle');
    const good = (i: number) => JSON.stringify({ message: `m${i}`, levelname: 'INFO', name: 'app', asctime: '2023-07-30 00:13:45,400', created: 1690656225.4 + i });
    write(b, 'enrich/logs/app/app.json.log', [good(1), JSON.stringify({ message: 'nan', levelname: 'INFO', name: 'app', asctime: '2023-07-30 00:13:46,000', created: 'NaN' }), good(2)].join('\n') + '\n');
    write(b, 'misc/events.jsonl', [JSON.stringify({ epoch: 1e13, msg: 'far future' }), JSON.stringify({ epoch: 1690656225, msg: 'fine' })].join('\n') + '\n');
    await withCase(root, async (h) => {
      const res = await importPaths(h, [b]);
      const sys = res.files.find((f) => f.file === 'enrich/logs/app/app.json.log')!;
      expect(sys).toMatchObject({ records: 3, ok: 2, malformed: 1 });
      expect(sys.note).toMatch(/1 record\(s\) with a value that could not be converted/);
      const gen = res.files.find((f) => f.file === 'misc/events.jsonl')!;
      expect(gen).toMatchObject({ records: 2, ok: 1, malformed: 1 });
      const rows = await h.db.read<{ raw: string; parse_status: string; ts: string | null }>(
        `SELECT raw, parse_status, strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts FROM events ORDER BY id`);
      const nan = rows.find((r) => r.raw.includes('"NaN"'))!;
      expect(nan.parse_status).toBe('malformed');
      expect(nan.ts).not.toBeNull(); // the naive asctime still places it
      const far = rows.find((r) => r.raw.includes('far future'))!;
      expect(far.parse_status).toBe('malformed');
      expect(far.raw).toBe(JSON.stringify({ epoch: 1e13, msg: 'far future' }));
    });
  });
});
