// The rows digest computed a window of ids at a time must be the digest as documented (docs/AUDIT.md): every row's
// sha256 in id order per chunk of 65,536 ids, chunk hashes in order, hashed again. Here it is checked against that
// definition written as one SQL statement, on files that span several chunks and several windows, for each version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseDb } from './db';
import { EVENT_ROW_CANON_V1, EVENT_ROW_CANON_V2, EVENT_ROW_CANON_V3, digestVersion, emptyDigest, fileRowsDigests, pieces, type DigestVersion } from './digest';
import { EVENT_COLUMNS } from './schema';

const VERSIONS: [DigestVersion, string, string][] = [[1, 'sha256:', EVENT_ROW_CANON_V1], [2, 'sha256v2:', EVENT_ROW_CANON_V2], [3, 'sha256v3:', EVENT_ROW_CANON_V3]];

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

async function definition(prefix: string, canon: string): Promise<Map<number, { records: number; digest: string }>> {
  const rows = await db.all<{ file_id: number; n: string; d: string }>(
    `SELECT file_id, sum(c)::VARCHAR AS n, '${prefix}' || sha256(string_agg(h, '' ORDER BY chunk)) AS d
     FROM (SELECT e.file_id, e.id // 65536 AS chunk, count(*) AS c, sha256(string_agg(sha256(${canon}), '' ORDER BY e.id)) AS h
           FROM event_store e GROUP BY ALL)
     GROUP BY file_id`);
  return new Map(rows.map((r) => [Number(r.file_id), { records: Number(r.n), digest: r.d }]));
}

it.each(VERSIONS)('v%s equals the documented digest, whatever the window, for all files or some', async (v, prefix, canon) => {
  const want = await definition(prefix, canon);
  expect([...want.keys()].sort()).toEqual([1, 2, 3]);
  expect([...want.values()].every((d) => digestVersion(d.digest) === v)).toBe(true);
  const q = <T>(sql: string) => db.all<T>(sql);
  for (const window of [65536, 2 * 65536, 16 * 65536]) {
    expect(await fileRowsDigests(q, undefined, v, { windowIds: window })).toEqual(want);
    expect(await fileRowsDigests(q, [2, 3], v, { windowIds: window })).toEqual(new Map([[2, want.get(2)], [3, want.get(3)]]));
  }
  expect(await fileRowsDigests(q, undefined, v)).toEqual(want);
  expect((await fileRowsDigests(q, [9], v)).size).toBe(0);
  // Every row "large" (its text past 10 bytes): windows are hashed in pieces cut by bytes and inside chunks.
  for (const largeBytesPerStatement of [1, 200_000]) {
    const pieced = { windowIds: 2 * 65536, largeRowBytes: 10, largeBytesPerStatement };
    if (largeBytesPerStatement === 1) expect(await fileRowsDigests(q, [3], v, pieced)).toEqual(new Map([[3, want.get(3)]]));
    else expect(await fileRowsDigests(q, undefined, v, pieced)).toEqual(want);
  }
});

it('names the version by its prefix; imports take v3', async () => {
  expect((await fileRowsDigests(<T>(sql: string) => db.all<T>(sql), [3])).get(3)!.digest).toMatch(/^sha256v3:[0-9a-f]{64}$/);
  expect([digestVersion('sha256:ab'), digestVersion('sha256v2:ab'), digestVersion('sha256v3:ab'), digestVersion(emptyDigest(1)), digestVersion(emptyDigest(2)),
    digestVersion(emptyDigest()), digestVersion('-123')]).toEqual([1, 2, 3, 1, 2, 3, null]);
});

it.each(VERSIONS)('v%s changes when a row changes or two rows swap', async (v) => {
  const q = <T>(sql: string) => db.all<T>(sql);
  const before = (await fileRowsDigests(q, [1], v, { windowIds: 65536 })).get(1)!.digest;
  await db.run(`UPDATE event_store SET raw = CASE id WHEN 70000 THEN 'raw line 70001' ELSE 'raw line 70000' END WHERE id IN (70000, 70001)`);
  const swapped = (await fileRowsDigests(q, [1], v, { windowIds: 65536 })).get(1)!.digest;
  expect(swapped).not.toBe(before);
  await db.run(`UPDATE event_store SET raw = 'raw line ' || id WHERE id IN (70000, 70001)`);
  expect((await fileRowsDigests(q, [1], v, { windowIds: 65536 })).get(1)!.digest).toBe(before);
});

describe.each([2, 3] as const)('v%s covers every stored column of event_store', (version) => {
  let m: CaseDb;
  beforeAll(async () => {
    m = await CaseDb.open(':memory:');
    // A text row (message and stamp where they are in raw, fields stored) and a JSON row with an escaped message.
    await m.run(`INSERT INTO event_store (${EVENT_COLUMNS.join(', ')}, msg_at, msg_len, ts_at, ts_len) VALUES
      (1, 1, 'celery', 1, 1, TIMESTAMPTZ '2023-07-06 12:07:01.774+00', NULL, 'naive', 'INFO', NULL, NULL, '{"level":"INFO"}', '[2023-07-06 12:07:01,774: INFO] Task é received', 'ok', 33, 15, 2, 23),
      (2, 1, 'system', 2, 1, TIMESTAMPTZ '2023-07-06 12:07:02+00', '2023-07-06 12:07:02', 'inline', 'WARN', 'app', 'a "b"', NULL, '{"message":"a \\"b\\""}', 'ok', NULL, NULL, NULL, NULL)`);
  });
  afterAll(() => m.close());
  const digest = async () => (await fileRowsDigests(<T>(sql: string) => m.all<T>(sql), [1, 2], version)).get(1)?.digest;

  /** Another value of the same type for `col` of row `id`: an edit no reader might see but verify must. */
  const edits = (col: string, type: string): string[] => {
    const other = /INT/.test(type) ? `coalesce(${col}, 0) + 1` : type.startsWith('TIMESTAMP') ? `coalesce(${col}, now()) + INTERVAL 1 MICROSECOND`
      : type === 'JSON' ? `coalesce(${col}::VARCHAR, '{}') || ' '` : `coalesce(${col}, '') || 'x'`;
    // Text edited in place, its length kept: v3 hashes the lengths of fields and raw apart from their text.
    const same = type === 'VARCHAR' ? [`SET ${col} = CASE WHEN left(${col}, 1) = '#' THEN '%' ELSE '#' END || ${col}[2:]`]
      : type === 'JSON' ? [`SET ${col} = replace(${col}::VARCHAR, 'INFO', 'INFX')::JSON`] : [];
    return [`SET ${col} = ${other}`, `SET ${col} = NULL`, ...same];
  };

  it('changes with any edit to any column, and to NULL or from it', async () => {
    const cols = await m.all<{ name: string; type: string }>(`SELECT column_name AS name, data_type AS type FROM duckdb_columns() WHERE table_name = 'event_store' ORDER BY column_index`);
    expect(cols.map((c) => c.name)).toEqual([...EVENT_COLUMNS, 'msg_at', 'msg_len', 'ts_at', 'ts_len']);
    const before = await digest();
    expect(before).toMatch(version === 2 ? /^sha256v2:/ : /^sha256v3:/);
    const unchanged: string[] = [];
    for (const { name, type } of cols) {
      for (const id of [1, 2]) {
        for (const set of edits(name, type)) {
          const [row] = await m.all<{ v: string | null }>(`SELECT ${name}::VARCHAR AS v FROM event_store WHERE id = ${id}`);
          if (row!.v === null && (set.endsWith('NULL') || !set.includes('coalesce'))) continue;
          await m.run('BEGIN');
          await m.run(`UPDATE event_store ${set} WHERE id = ${id}`);
          // file_id moves the row to another file: file 1's digest changes all the same.
          if ((await digest()) === before) unchanged.push(`${name} of row ${id}: ${set}`);
          await m.run('ROLLBACK');
        }
      }
    }
    expect(unchanged).toEqual([]);
    expect(await digest()).toBe(before);
  });
});

it('v3 keeps fields and raw apart by their lengths: bytes moved from one to the other, or NULL for empty, change the row\'s text', async () => {
  const m = await CaseDb.open(':memory:');
  try {
    await m.run(`INSERT INTO event_store (${EVENT_COLUMNS.join(', ')}, msg_at, msg_len, ts_at, ts_len) VALUES
      (1, 1, 'celery', 1, 1, NULL, NULL, 'none', NULL, NULL, NULL, '1', '2]"d', 'ok', NULL, NULL, NULL, NULL),
      (2, 1, 'celery', 1, 1, NULL, NULL, 'none', NULL, NULL, NULL, '12', ']"d', 'ok', NULL, NULL, NULL, NULL),
      (3, 1, 'celery', 1, 1, NULL, NULL, 'none', NULL, NULL, NULL, NULL, 'x', 'ok', NULL, NULL, NULL, NULL),
      (4, 1, 'celery', 1, 1, NULL, NULL, 'none', NULL, NULL, NULL, '""', 'x', 'ok', NULL, NULL, NULL, NULL),
      (5, 1, 'celery', 1, 1, NULL, NULL, 'none', NULL, NULL, NULL, NULL, '', 'ok', NULL, NULL, NULL, NULL),
      (6, 1, 'celery', 1, 1, NULL, NULL, 'none', NULL, NULL, NULL, NULL, NULL, 'ok', NULL, NULL, NULL, NULL)`);
    const rows = await m.all<{ c: string }>(`SELECT replace(${EVENT_ROW_CANON_V3}, '[' || e.id || ',', '[0,') AS c FROM event_store e ORDER BY id`);
    expect(new Set(rows.map((r) => r.c)).size).toBe(6);
    // The array, then fields and raw as stored (é is two bytes: lengths count bytes).
    const [r] = await m.all<{ c: string }>(`SELECT ${EVENT_ROW_CANON_V3} AS c FROM (SELECT 7 AS id, 1 AS file_id, 's' AS source, 1 AS line, 1 AS line_count,
      NULL::TIMESTAMPTZ AS ts, NULL AS ts_text, 'none' AS ts_flag, NULL AS level, NULL AS logger, NULL AS message, '{"k":"é"}'::JSON AS fields,
      'é "q"' AS raw, 'ok' AS parse_status, NULL AS msg_at, NULL AS msg_len, NULL AS ts_at, NULL AS ts_len) e`);
    expect(r!.c).toBe('[7,1,"s",1,1,null,null,"none",null,null,null,"ok",null,null,null,null,10,6]{"k":"é"}é "q"');
  } finally {
    m.close();
  }
});

it('v1 canonicalises message and ts_text as read: a row stored with its text and with where it is in raw digest alike', async () => {
  const m = await CaseDb.open(':memory:');
  try {
    await m.run(`INSERT INTO event_store (${EVENT_COLUMNS.join(', ')}, msg_at, msg_len, ts_at, ts_len) VALUES
      (1, 1, 'celery', 1, 1, NULL, '2023-07-06 12:07:01,774', 'naive', 'INFO', NULL, 'Task é received', NULL, '[2023-07-06 12:07:01,774: INFO] Task é received', 'ok', NULL, NULL, NULL, NULL),
      (2, 1, 'celery', 1, 1, NULL, NULL, 'naive', 'INFO', NULL, NULL, NULL, '[2023-07-06 12:07:01,774: INFO] Task é received', 'ok', 33, 15, 2, 23)`);
    const rows = await m.all<{ id: string; c: string }>(`SELECT id::VARCHAR AS id, ${EVENT_ROW_CANON_V1} AS c FROM event_store e ORDER BY id`);
    expect(rows[0]!.c.replace('[1,', '[2,')).toBe(rows[1]!.c);
    expect(JSON.parse(rows[1]!.c)).toContain('Task é received');
  } finally {
    m.close();
  }
});

it('pieces cover the window in order, never cross a chunk edge, and hold at most the budget of large rows unless one alone', () => {
  const large = [{ id: 10, bytes: 3 }, { id: 11, bytes: 3 }, { id: 12, bytes: 9 }, { id: 65540, bytes: 1 }];
  expect(pieces(0, 2 * 65536, large, 6)).toEqual([[0, 12], [12, 65536], [65536, 131072]]);
  expect(pieces(0, 2 * 65536, large, 5)).toEqual([[0, 11], [11, 12], [12, 65536], [65536, 131072]]);
  expect(pieces(65536, 3 * 65536, [], 5)).toEqual([[65536, 131072], [131072, 196608]]);
});
