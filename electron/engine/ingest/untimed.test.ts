// A batch whose records are not all timed by its transform (one inherited time, one year-completed stamp) commits
// without rewriting the batch into the WAL (untimed.ts): a real import into a real DuckDB case, its WAL measured right
// after the batch's COMMIT (the import raises DuckDB's checkpoint threshold, so the WAL holds what the COMMIT wrote).
import { afterAll, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import path from 'node:path';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from './importer';
import { tempDir, removeDir, writeAt } from '../../testkit/tmp';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

/** More records than two DuckDB row groups (122,880 rows each): a large INSERT's rows go to the file as it runs. */
const N = 250_000;
const iso = (i: number) => new Date(Date.UTC(2024, 0, 15, 10) + i * 1000).toISOString();

/** Imports one file; the WAL's size after its batch committed, and the odd record's row. */
async function importOne(rel: string, text: string, odd: number): Promise<{ wal: number; size: number; row: Record<string, string> }> {
  const root = tempDir();
  dirs.push(root);
  writeAt(path.join(root, 'b'), rel, text);
  const h = await CaseHandle.create(path.join(root, 'case'), { name: 'wal' });
  try {
    let wal = -1;
    await importPaths(h, [path.join(root, 'b')], {
      onProgress: (p) => {
        if (p.phase === 'parse' && p.filesDone === 1 && wal < 0) wal = statSync(path.join(h.dir, 'case.duckdb.wal'), { throwIfNoEntry: false })?.size ?? 0;
      },
    });
    const [row] = await h.db.read<Record<string, string>>(`SELECT strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts, ts_flag,
      (SELECT count(*) FROM events)::VARCHAR AS n FROM events WHERE line = ${odd + 1}`);
    return { wal, size: Buffer.byteLength(text), row: row! };
  } finally {
    await h.close();
  }
}

describe('records the transform cannot time', () => {
  it('one inherited time: the right time, and the batch is not rewritten into the WAL', async () => {
    const odd = 200_000;
    const lines = Array.from({ length: N }, (_, i) => (i === odd
      ? JSON.stringify({ message: `m${i} without a time`, levelname: 'INFO', name: 'app', logid: String(i) })
      : JSON.stringify({ message: `m${i}`, levelname: 'INFO', name: 'app', asctime: iso(i).replace('T', ' ').replace('Z', ''), created: Date.parse(iso(i)) / 1000, logid: String(i) })));
    const r = await importOne('enrich/logs/app/app.json.log', lines.join('\n') + '\n', odd);
    expect(r.row).toEqual({ ts: iso(odd - 1), ts_flag: 'inherited', n: String(N) });
    expect(r.wal).toBeGreaterThanOrEqual(0);
    expect(r.wal, `WAL after COMMIT, of ${r.size} bytes imported`).toBeLessThan(r.size / 10);
  }, 120_000);

  it('one year-completed stamp: the right time, and the batch is not rewritten into the WAL', async () => {
    const odd = 200_000;
    const lines = Array.from({ length: N }, (_, i) => (i === odd ? `Jan 15 20:00:00 INFO m${i} a syslog stamp` : `${iso(i)} INFO m${i} an ISO stamp`));
    const r = await importOne('var/log/other.log', lines.join('\n') + '\n', odd);
    expect(r.row.ts_flag).toBe('year-inferred');
    expect(r.row.ts).toMatch(/^\d{4}-01-15T20:00:00\.000Z$/);
    expect(r.row.n).toBe(String(N));
    expect(r.wal, `WAL after COMMIT, of ${r.size} bytes imported`).toBeLessThan(r.size / 10);
  }, 120_000);

  it('a time-of-day log (every stamp completed): the right times, and the batch is not rewritten into the WAL', async () => {
    const odd = 200_000;
    const tod = (i: number) => new Date(Date.UTC(2024, 0, 15) + i * 100).toISOString().slice(11, 23);
    const lines = Array.from({ length: N }, (_, i) => `${tod(i)} INFO m${i} a time of day`);
    const r = await importOne('var/log/other.log', lines.join('\n') + '\n', odd);
    expect(r.row.ts_flag).toBe('date-inferred');
    expect(r.row.ts?.slice(11)).toBe(`${tod(odd)}Z`);
    expect(r.row.n).toBe(String(N));
    expect(r.wal, `WAL after COMMIT, of ${r.size} bytes imported`).toBeLessThan(r.size / 10);
  }, 120_000);
});
