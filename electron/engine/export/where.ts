// `--where`: one boolean expression over the `events` view, never spliced as a statement. DuckDB's own parser
// (json_serialize_sql, which parses without running) must see exactly `SELECT 1 FROM events WHERE (<expr>)`: one
// plain SELECT of the events view, no set operation, modifiers, CTE or subquery, no table or file functions.
import { EngineError } from '../util/errors';
import type { SqlRead } from '../store/db';

const FORBIDDEN_FUNCTIONS = /^(?:read_|glob$|query$|query_table$|sniff_|parquet_|iceberg_|delta_|getenv$|current_setting$|duckdb_|pragma_|sql_auto|json_execute|load|install)/i;

function walk(node: unknown, visit: (n: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) { for (const x of node) walk(x, visit); return; }
  if (node && typeof node === 'object') {
    visit(node as Record<string, unknown>);
    for (const v of Object.values(node)) walk(v, visit);
  }
}

/**
 * The expression with its quoted texts ('…' with '' inside, "…" with "" inside) taken out, so ";", "--" and "/*" are
 * looked for only where DuckDB reads them as SQL (`message LIKE '%--dry-run%'` is a filter, not a comment). Read as
 * DuckDB's lexer reads them up to the first comment, which is refused. Dollar quoting ($$…$$) and backslash escapes
 * (E'\'') lex otherwise: with a `$` or a `\` outside quotes, or an unclosed quote, the whole text is searched as before.
 */
function outsideQuotes(e: string): string {
  let out = '';
  for (let i = 0; i < e.length;) {
    const q = e[i]!;
    if (q !== "'" && q !== '"') { out += q; i++; continue; }
    let j = i + 1;
    for (;;) {
      if (j >= e.length) return e; // unclosed
      if (e[j] === q) { if (e[j + 1] === q) { j += 2; continue; } break; }
      if (e[j] === '\\') return e;
      j++;
    }
    out += ' ';
    i = j + 1;
  }
  return /[$\\]/.test(out) ? e : out;
}

export async function checkWhere(db: SqlRead, expr: string): Promise<string> {
  const e = expr.trim();
  if (!e) throw new EngineError('invalid_input', '--where is empty.');
  if (e.length > 4000) throw new EngineError('invalid_input', '--where is longer than 4,000 characters.');
  if (/;|--|\/\*/.test(outsideQuotes(e))) throw new EngineError('invalid_input', '--where is one expression: no ";" and no comments (inside quoted text they are fine).');
  const [row] = await db.read<{ j: string }>('SELECT json_serialize_sql($1::VARCHAR) AS j', [`SELECT 1 FROM events WHERE (${e})`]);
  const parsed = JSON.parse(row!.j) as { error: boolean; error_message?: string; statements?: { node: Record<string, unknown> }[] };
  if (parsed.error) throw new EngineError('invalid_input', `--where does not parse: ${parsed.error_message ?? 'syntax error'}.`);
  const node = parsed.statements?.length === 1 ? parsed.statements[0]!.node : null;
  const from = node?.from_table as { type?: string; table_name?: string; schema_name?: string } | undefined;
  const plain = node && node.type === 'SELECT_NODE' && (node.modifiers as unknown[]).length === 0
    && ((node.cte_map as { map: unknown[] }).map.length === 0) && from?.type === 'BASE_TABLE' && from.table_name === 'events'
    && !from.schema_name && (node.group_expressions as unknown[] | undefined ?? []).length === 0 && !node.having && !node.qualify && !node.sample;
  if (!plain || !node.where_clause) throw new EngineError('invalid_input', '--where must be one boolean expression over the events view.');
  walkChecked(node.where_clause);
  // bound, not run (LIMIT 0), once the shape is known safe: a column or function the view lacks is said with DuckDB's
  // hint, which the first line of its error (all a one-line error shows) leaves out
  await db.read(`SELECT 1 FROM events WHERE (${e}) LIMIT 0`).catch((err: unknown) => { throw bindError(err); });
  return e;
}

/** DuckDB's binder or catalog error as one sentence with its hint ("Candidate bindings", "Did you mean"). */
function bindError(err: unknown): unknown {
  const [first = '', hint = ''] = (err instanceof Error ? err.message : String(err)).split('\n');
  const m = /^(?:Binder|Catalog) Error: (.*)$/.exec(first);
  if (!m) return err;
  const column = /^Referenced column "(.*)" not found in FROM clause!$/.exec(m[1]!);
  const near = /^Candidate bindings: (".*?")/.exec(hint)?.[1];
  if (column) return new EngineError('invalid_input', `--where names a column the events view does not have: "${column[1]}"${near ? ` (did you mean ${near}?)` : ''}.`);
  return new EngineError('invalid_input', `--where: ${m[1]}${hint.trim() ? ` (${hint.trim()})` : ''}.`);
}

function walkChecked(where: unknown): void {
  walk(where, (n) => {
    if (n.class === 'SUBQUERY' || n.type === 'SUBQUERY' || n.type === 'TABLE_FUNCTION') {
      throw new EngineError('invalid_input', '--where may not contain a subquery: it filters the events view only.');
    }
    if (typeof n.function_name === 'string' && FORBIDDEN_FUNCTIONS.test(n.function_name)) {
      throw new EngineError('invalid_input', `--where may not call ${n.function_name}().`);
    }
  });
}
