// Multi-row INSERT by column name: one statement for many rows, with every value in one JSON parameter that DuckDB
// unpacks (binding one parameter per value costs about a millisecond a row at thousands of rows). Named columns, so
// adding a column to a table never shifts the others.
import type { DuckDBValue } from '@duckdb/node-api';
import { sqlString, type CaseDb } from './db';

/**
 * Inserts rows (all with the same keys) into table. `casts` gives a SQL type per column whose value is text to be
 * cast (e.g. a timestamp); `fixed` gives columns set by a SQL expression (e.g. `now()`), the same for every row.
 */
export async function insertRows(db: CaseDb, table: string, rows: Record<string, DuckDBValue>[],
  casts: Record<string, string> = {}, fixed: Record<string, string> = {}): Promise<void> {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]!);
  const types = new Map((await db.all<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = $1 AND schema_name = 'main' AND database_name = current_database()`,
    [table])).map((r) => [r.column_name, r.data_type]));
  // Text in the JSON for columns cast afterwards; the column's own type for the rest.
  const shape = JSON.stringify([Object.fromEntries(cols.map((c) => [c, casts[c] ? 'VARCHAR' : types.get(c) ?? 'VARCHAR']))]);
  const values = cols.map((c) => (casts[c] ? `r.${JSON.stringify(c)}::${casts[c]}` : `r.${JSON.stringify(c)}`));
  const names = [...cols, ...Object.keys(fixed)].map((c) => JSON.stringify(c)).join(', ');
  await db.run(`INSERT INTO ${table} (${names}) SELECT ${[...values, ...Object.values(fixed)].join(', ')}
    FROM (SELECT unnest(json_transform($1::JSON, ${sqlString(shape)})) AS r)`, [JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))]);
}
