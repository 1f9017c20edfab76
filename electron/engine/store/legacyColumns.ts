// A case made before a column was added (schema.ts ADDED_COLUMNS) is brought up to date by its writer's open. A
// read-only instance cannot alter it (another process holds the writer, the folder is read-only, or the case was
// opened read-only on request), and the engine's readers name the new columns (messageSql, tsTextSql, …). So each
// connection of such an instance sees those tables through a temp view (per connection, never written) that adds
// the missing columns as NULL: what the writer's ALTER would have given the rows already there.
import type { DuckDBConnection } from '@duckdb/node-api';
import { ADDED_COLUMNS } from './schema';

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The statements a connection of this database needs (none for an up-to-date case). */
export async function legacyColumnViews(conn: DuckDBConnection): Promise<string[]> {
  const rows = (await conn.runAndReadAll(
    `SELECT current_database() AS db, table_name AS t, column_name AS c FROM duckdb_columns()
     WHERE database_name = current_database() AND schema_name = 'main'`)).getRowObjectsJson() as { db: string; t: string; c: string }[];
  if (!rows.length) return [];
  const db = rows[0]!.db;
  const have = new Set(rows.map((r) => `${r.t}.${r.c}`));
  const tables = new Set(rows.map((r) => r.t));
  const missing = new Map<string, string[]>();
  for (const a of ADDED_COLUMNS) {
    if (!tables.has(a.table) || have.has(`${a.table}.${a.column}`)) continue;
    missing.set(a.table, [...(missing.get(a.table) ?? []), `NULL::${a.type} AS ${ident(a.column)}`]);
  }
  return [...missing].map(([table, cols]) =>
    `CREATE OR REPLACE TEMP VIEW ${ident(table)} AS SELECT *, ${cols.join(', ')} FROM ${ident(db)}.main.${ident(table)}`);
}
