// Compares the tables of two case databases as multisets (DuckDB EXCEPT ALL both ways), for differential tests.
import path from 'node:path';
import { CaseDb, sqlString } from '../engine/store/db';

/** Every table an import writes, with the columns that are bookkeeping of the moment (clock, audit flag) left out. */
export const IMPORT_TABLES: Record<string, string> = {
  bundles: 'SELECT * EXCLUDE (imported_at) FROM {db}.bundles',
  files: 'SELECT * EXCLUDE (imported_at, audited) FROM {db}.files',
  event_store: 'SELECT * FROM {db}.event_store',
  identifiers: 'SELECT * FROM {db}.identifiers',
  event_status: 'SELECT * FROM {db}.event_status',
  chains: 'SELECT * FROM {db}.chains',
  chain_events: 'SELECT * FROM {db}.chain_events',
  chain_links: 'SELECT * FROM {db}.chain_links',
};

export interface TableDiff { rows: number; onlyA: number; onlyB: number }

/** Per table: rows in case a, and rows only in a / only in b. */
export async function compareCases(a: string, b: string, tables = IMPORT_TABLES): Promise<Record<string, TableDiff>> {
  const db = await CaseDb.open(':memory:');
  try {
    await db.run(`ATTACH ${sqlString(path.join(a, 'case.duckdb'))} AS a (READ_ONLY)`);
    await db.run(`ATTACH ${sqlString(path.join(b, 'case.duckdb'))} AS b (READ_ONLY)`);
    const out: Record<string, TableDiff> = {};
    for (const [t, sel] of Object.entries(tables)) {
      const qa = sel.replace('{db}', 'a');
      const qb = sel.replace('{db}', 'b');
      out[t] = (await db.one<TableDiff>(`SELECT (SELECT count(*) FROM (${qa}))::INTEGER AS rows,
        (SELECT count(*) FROM (${qa} EXCEPT ALL ${qb}))::INTEGER AS "onlyA", (SELECT count(*) FROM (${qb} EXCEPT ALL ${qa}))::INTEGER AS "onlyB"`))!;
    }
    return out;
  } finally {
    db.close();
  }
}

/**
 * Every table of case b (its audit head mirror aside: a trail that gained an entry moves it) against case a, as
 * multisets: a case left as it was, checked against a copy of its folder taken before.
 */
export async function compareAllTables(a: string, b: string): Promise<Record<string, TableDiff>> {
  const db = await CaseDb.open(':memory:');
  let names: string[];
  try {
    await db.run(`ATTACH ${sqlString(path.join(b, 'case.duckdb'))} AS b (READ_ONLY)`);
    names = (await db.all<{ t: string }>(`SELECT table_name AS t FROM duckdb_tables() WHERE database_name = 'b' AND table_name <> 'audit_head' ORDER BY 1`)).map((r) => r.t);
  } finally {
    db.close();
  }
  return compareCases(a, b, Object.fromEntries(names.map((t) => [t, `SELECT * FROM {db}.${t}`])));
}
