// The rows digest computed a window of ids at a time must be the digest as documented (docs/AUDIT.md): every row's
// sha256 in id order per chunk of 65,536 ids, chunk hashes in order, hashed again. Here it is checked against that
// definition written as one SQL statement, on files that span several chunks and several windows.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CaseDb } from './db';
import { EVENT_ROW_CANON, fileRowsDigests } from './digest';
import { EVENT_COLUMNS } from './schema';

let db: CaseDb;
beforeAll(async () => {
  db = await CaseDb.open(':memory:');
  // File 1: ids 1..200,000 (four chunks); file 2: a few rows inside file 1's last chunk's range of ids and beyond;
  // file 3: one row far away. Rows are inserted out of id order: the digest's order is the ids', not storage's.
  await db.run(`INSERT INTO event_store (${EVENT_COLUMNS.join(', ')}) SELECT id, file_id, 'system', id::INTEGER, 1, TIMESTAMPTZ '2023-07-30 00:00:00+00' + to_microseconds(id * 1000),
      'ts ' || id, 'naive', 'INFO', 'app', 'message ' || id, NULL, 'raw line ' || id, 'ok'
    FROM (SELECT i AS id, CASE WHEN i <= 200000 THEN 1 WHEN i <= 262150 THEN 2 ELSE 3 END AS file_id
          FROM (SELECT unnest(range(1, 262150)) AS i UNION ALL SELECT 5000000) ORDER BY hash(i))`);
});
afterAll(() => db.close());

async function definition(): Promise<Map<number, { records: number; digest: string }>> {
  const rows = await db.all<{ file_id: number; n: string; d: string }>(
    `SELECT file_id, sum(c)::VARCHAR AS n, 'sha256:' || sha256(string_agg(h, '' ORDER BY chunk)) AS d
     FROM (SELECT e.file_id, e.id // 65536 AS chunk, count(*) AS c, sha256(string_agg(sha256(${EVENT_ROW_CANON}), '' ORDER BY e.id)) AS h
           FROM event_store e GROUP BY ALL)
     GROUP BY file_id`);
  return new Map(rows.map((r) => [Number(r.file_id), { records: Number(r.n), digest: r.d }]));
}

it('equals the documented digest, whatever the window, for all files or some', async () => {
  const want = await definition();
  expect([...want.keys()].sort()).toEqual([1, 2, 3]);
  const q = <T>(sql: string) => db.all<T>(sql);
  for (const window of [65536, 2 * 65536, 16 * 65536]) {
    expect(await fileRowsDigests(q, undefined, window)).toEqual(want);
    expect(await fileRowsDigests(q, [2, 3], window)).toEqual(new Map([[2, want.get(2)], [3, want.get(3)]]));
  }
  expect(await fileRowsDigests(q)).toEqual(want);
  expect((await fileRowsDigests(q, [9])).size).toBe(0);
});

it('changes when a row changes or two rows swap', async () => {
  const q = <T>(sql: string) => db.all<T>(sql);
  const before = (await fileRowsDigests(q, [1], 65536)).get(1)!.digest;
  await db.run(`UPDATE event_store SET raw = CASE id WHEN 70000 THEN 'raw line 70001' ELSE 'raw line 70000' END WHERE id IN (70000, 70001)`);
  const swapped = (await fileRowsDigests(q, [1], 65536)).get(1)!.digest;
  expect(swapped).not.toBe(before);
  await db.run(`UPDATE event_store SET raw = 'raw line ' || id WHERE id IN (70000, 70001)`);
  expect((await fileRowsDigests(q, [1], 65536)).get(1)!.digest).toBe(before);
});

it('canonicalises message and ts_text as read: a row stored with its text and with where it is in raw digest alike', async () => {
  const m = await CaseDb.open(':memory:');
  try {
    await m.run(`INSERT INTO event_store (${EVENT_COLUMNS.join(', ')}, msg_at, msg_len, ts_at, ts_len) VALUES
      (1, 1, 'celery', 1, 1, NULL, '2023-07-06 12:07:01,774', 'naive', 'INFO', NULL, 'Task é received', NULL, '[2023-07-06 12:07:01,774: INFO] Task é received', 'ok', NULL, NULL, NULL, NULL),
      (2, 1, 'celery', 1, 1, NULL, NULL, 'naive', 'INFO', NULL, NULL, NULL, '[2023-07-06 12:07:01,774: INFO] Task é received', 'ok', 33, 15, 2, 23)`);
    const rows = await m.all<{ id: string; c: string }>(`SELECT id::VARCHAR AS id, ${EVENT_ROW_CANON} AS c FROM event_store e ORDER BY id`);
    expect(rows[0]!.c.replace('[1,', '[2,')).toBe(rows[1]!.c);
    expect(JSON.parse(rows[1]!.c)).toContain('Task é received');
  } finally {
    m.close();
  }
});
