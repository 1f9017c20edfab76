// The engine reads zones with two clocks: Intl (which zones are accepted, zone inference, stamps placed in JS) and
// DuckDB's ICU (the import's and the re-time's SQL). Every zone Intl accepts must be one DuckDB applies, with the same
// offsets, or a re-time fails midway on DuckDB's words, or an import places stamps by two rules. The instants include
// a 2024 rule change (Kazakhstan to +05): a tzdata update on one side only shows here.
import { afterAll, beforeAll, expect, it } from 'vitest';
import path from 'node:path';
import { CaseDb } from '../store/db';
import { removeDir, tempDir } from '../../testkit/tmp';
import { canonicalZone, isValidZone, zoneOffset, zoneSql } from './timezone';

let root: string;
let db: CaseDb;
beforeAll(async () => { root = tempDir('casefile-zones-'); db = await CaseDb.open(path.join(root, 'z.duckdb')); });
afterAll(async () => { await db?.close(); removeDir(root); });

const INSTANTS = ['2019-03-01 00:00:00', '2024-06-15 12:00:00', '2025-01-15 12:00:00', '2026-07-01 12:00:00'];

it('every zone the engine accepts is one DuckDB applies, with the offsets Intl gives', async () => {
  const zones = [...Intl.supportedValuesOf('timeZone'), 'Asia/Calcutta', 'Europe/Kiev', 'US/Pacific', 'UTC', 'Etc/GMT+5', 'EST5EDT', 'asia/kolkata', '+05:30', '-0330', '+14:00'];
  const differ: string[] = [];
  for (const typed of zones) {
    expect(isValidZone(typed), typed).toBe(true);
    const z = canonicalZone(typed);
    const rows = await db.all<{ t: string; ms: bigint }>(INSTANTS.map((t) => `SELECT '${t}' AS t, epoch_ms(${zoneSql(z, `TIMESTAMP '${t}'`)}) AS ms`).join(' UNION ALL '));
    for (const r of rows) {
      const offset = (Date.parse(`${r.t.replace(' ', 'T')}Z`) - Number(r.ms)) / 60_000;
      if (offset !== zoneOffset(z, Number(r.ms))) differ.push(`${z} at ${r.t}: DuckDB ${offset}, Intl ${zoneOffset(z, Number(r.ms))}`);
    }
  }
  expect(differ).toEqual([]);
  expect(zones.length).toBeGreaterThan(400);
}, 120_000);
