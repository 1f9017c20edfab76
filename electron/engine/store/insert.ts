// Multi-row INSERT by column name: one statement for many rows (a statement per row costs more than the rows),
// with every value a parameter. Named columns, so adding a column to a table never shifts the others.
import type { DuckDBValue } from '@duckdb/node-api';
import type { CaseDb } from './db';

/**
 * Inserts rows (all with the same keys) into table. `casts` gives a SQL type per column whose parameter needs one;
 * `fixed` gives columns set by a SQL expression (e.g. `now()`), the same for every row.
 */
export async function insertRows(db: CaseDb, table: string, rows: Record<string, DuckDBValue>[],
  casts: Record<string, string> = {}, fixed: Record<string, string> = {}): Promise<void> {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]!);
  const params: DuckDBValue[] = [];
  const tuples = rows.map((r) => {
    const parts = cols.map((c) => {
      params.push(r[c] ?? null);
      return casts[c] ? `$${params.length}::${casts[c]}` : `$${params.length}`;
    });
    return `(${[...parts, ...Object.values(fixed)].join(', ')})`;
  });
  const names = [...cols, ...Object.keys(fixed)].map((c) => `"${c}"`).join(', ');
  await db.run(`INSERT INTO ${table} (${names}) VALUES ${tuples.join(', ')}`, params);
}
