// insertRows carries every value in one JSON parameter: hostile text, NULLs, large integers and cast columns must
// land exactly as given, and thousands of rows in one statement.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CaseDb } from './db';
import { insertRows } from './insert';

let db: CaseDb;
beforeAll(async () => { db = await CaseDb.open(':memory:'); });
afterAll(() => db.close());

const HOSTILE = ["it's", 'back\\slash', 'new\nline\ttab', '"; DROP TABLE files; --', '$1 $2 ?', 'é ✓ 🚀 \u0000 nul', '', ' '];

it('stores hostile text, NULLs, big integers and cast timestamps exactly', async () => {
  const rows = HOSTILE.map((p, i) => ({
    file_id: i + 1, bundle: 'b', path: p, sha256: null, size: 2 ** 53 - 1 - i, format: 'raw', reason: p, tz_zone: 'UTC', tz_rule: '',
    lines: i, records: 0, ok: 0, malformed: 0, unparsed: 0, untimed: 0, min_ts: i % 2 ? '2023-07-01 12:00:00.123456+00' : null, max_ts: null,
    first_id: 1, last_id: 1, rows_digest: 'sha256:empty', note: i % 3 ? p : null,
  }));
  await insertRows(db, 'files', rows, { min_ts: 'TIMESTAMPTZ', max_ts: 'TIMESTAMPTZ' }, { imported_at: 'now()', audited: 'false' });
  const back = await db.all<Record<string, unknown>>(`SELECT file_id, path, reason, note, size::VARCHAR AS size, sha256,
    strftime(min_ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS min_ts, audited, imported_at IS NOT NULL AS stamped FROM files ORDER BY file_id`);
  expect(back).toEqual(rows.map((r, i) => ({
    file_id: r.file_id, path: HOSTILE[i], reason: HOSTILE[i], note: r.note, size: String(r.size), sha256: null,
    min_ts: r.min_ts ? '2023-07-01T12:00:00.123456Z' : null, audited: false, stamped: true,
  })));
  expect((await db.all('SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = \'files\''))[0]).toEqual({ n: 1 });
});

it('inserts thousands of rows in one statement', async () => {
  const rows = Array.from({ length: 5000 }, (_, i) => ({ key: `k${i}`, value: `v${i}'` }));
  await insertRows(db, 'meta', rows);
  const n = await db.one<{ n: number; last: string }>(`SELECT count(*)::INTEGER AS n, max_by(value, key) AS last FROM meta WHERE key LIKE 'k%'`);
  expect(n).toEqual({ n: 5000, last: "v999'" });
});
