// hasTables answers for the case's own schema only (a temp table of the same name does not count), for every name
// asked, and on the connection the caller reads with: inside an open transaction the writer sees its new table,
// `committed` (what `db.read` sees) does not until the commit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CaseDb, hasTable, hasTables } from './db';

let dir: string;
let db: CaseDb;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casefile-hastables-'));
  db = await CaseDb.open(path.join(dir, 'case.duckdb'));
});
afterAll(() => { db.close(); fs.rmSync(dir, { recursive: true, force: true }); });

it('counts only main tables of the case, and needs every name', async () => {
  await db.run('CREATE TEMP TABLE only_temp (x INTEGER)');
  expect(await hasTable(db, 'only_temp')).toBe(false);
  await db.run('CREATE TABLE t_one (x INTEGER)');
  expect(await hasTables(db, ['t_one'])).toBe(true);
  expect(await hasTables(db, ['t_one', 'only_temp'])).toBe(false);
  expect(await hasTables(db, ['t_one', "t'; DROP TABLE t_one; --"])).toBe(false);
  expect(await hasTables(db, ['t_one'], true)).toBe(true);
});

it('sees an uncommitted table on the writer only', async () => {
  await db.tx(async () => {
    await db.run('CREATE TABLE t_new (x INTEGER)');
    expect(await hasTable(db, 't_new')).toBe(true);
    expect(await hasTables(db, ['t_new'], true)).toBe(false);
  });
  expect(await hasTables(db, ['t_new'], true)).toBe(true);
});
