// The operator's SQL door. Its safety comes from DuckDB, not from keyword lists:
// - it runs only on the read-only instance, whose external access is off and configuration locked (db.ts), so no
//   statement can read or write a file outside the case database, reach the network, or load an extension;
// - while an import holds the case for writing it answers `busy` instead of running beside the writer;
// - DuckDB's own parser must find exactly one SELECT-class statement (DESCRIBE, SHOW, SUMMARIZE, VALUES and FROM
//   parse as SELECT), or EXPLAIN [ANALYZE] of one;
// - rows are streamed and the limit is pushed into the query, results are capped in bytes, and a query running
//   past its time is interrupted, so one query cannot exhaust the process.
import { StatementType, type DuckDBConnection } from '@duckdb/node-api';
import { EngineError } from '../util/errors';
import { cancellable } from '../util/cancel';
import type { ReadPath } from './readPath';

export interface SqlLimits {
  /** A query still running after this is interrupted. */
  timeoutMs: number;
  /** Result rows stop once their JSON reaches this size (then `truncatedBy: 'bytes'`). */
  maxBytes: number;
}

const envNumber = (name: string, fallback: number) => {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};

export const defaultSqlLimits = (): SqlLimits => ({
  timeoutMs: envNumber('CASEFILE_SQL_TIMEOUT_MS', 30_000),
  maxBytes: envNumber('CASEFILE_SQL_MAX_BYTES', 32 * 1024 * 1024),
});

export interface SqlResult {
  columns: string[];
  rows: Record<string, unknown>[];
  truncated: boolean;
  truncatedBy?: 'rows' | 'bytes';
  queryMs: number;
}

const ONLY_READS = 'Only one read-only statement is allowed: SELECT (also WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE) or EXPLAIN [ANALYZE] of one.';

/** Leading comments and whitespace, then EXPLAIN [ANALYZE]: what remains must itself be one SELECT. */
const EXPLAIN_PREFIX = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*explain\s+(analyze\s+)?/i;

async function statementTypes(conn: DuckDBConnection, sql: string): Promise<StatementType[]> {
  const extracted = await conn.extractStatements(sql);
  const types: StatementType[] = [];
  // Preparing binds a statement without running it; it is how DuckDB tells its type.
  for (let i = 0; i < extracted.count; i++) types.push((await extracted.prepare(i)).statementType);
  return types;
}

const isOneSelect = (types: StatementType[]) => types.length === 1 && types[0] === StatementType.SELECT;

const PIVOT_NEEDS_VALUES = 'A PIVOT here must list its values, as in PIVOT events ON level IN (\'ERROR\', \'WARNING\') USING count(*): without IN, DuckDB first creates a type from the data, a write this read-only door refuses.';

const serializeError = async (conn: DuckDBConnection, sql: string) => String((await conn.runAndReadAll(
  `SELECT json_extract_string(json_serialize_sql($1::VARCHAR), '$.error_message') AS e`, [sql])).getRowObjectsJson()[0]?.e ?? '');
const ONLY_SELECTS = /^Only SELECT statements/;

/**
 * What DuckDB's parser reads the text (after any EXPLAIN [ANALYZE]) as, asked only of a statement that failed to
 * bind: its json_serialize_sql serializes SELECTs only. So "DELETE FROM events" (a view) is refused as a write rather
 * than with DuckDB's "Can only delete from base table", and "INSERT INTO bundles VALUES (1)" not with a column count
 * to fix; a query with a mistake keeps DuckDB's words. A PIVOT without IN is a query DuckDB turns into two statements
 * (CREATE TYPE, then the SELECT), so it is not serializable even as a subquery, where a write is a syntax error.
 */
async function parsedKind(conn: DuckDBConnection, sql: string): Promise<'write' | 'pivotWithoutValues' | 'query'> {
  const m = EXPLAIN_PREFIX.exec(sql);
  const inner = (m ? sql.slice(m[0].length) : sql).replace(/;\s*$/, '');
  if (!ONLY_SELECTS.test(await serializeError(conn, inner))) return 'query';
  return ONLY_SELECTS.test(await serializeError(conn, `SELECT * FROM (\n${inner}\n)`)) ? 'pivotWithoutValues' : 'write';
}

/** The statement types, or the refusal of a write DuckDB could not bind (above); any other failure as DuckDB says it. */
async function checkedTypes(conn: DuckDBConnection, sql: string): Promise<StatementType[]> {
  try {
    return await statementTypes(conn, sql);
  } catch (e) {
    const kind = await parsedKind(conn, sql).catch(() => 'query' as const);
    if (kind === 'write') throw new EngineError('invalid_input', ONLY_READS);
    if (kind === 'pivotWithoutValues') throw new EngineError('invalid_input', PIVOT_NEEDS_VALUES);
    throw e;
  }
}

/** The statement to run: the operator's SELECT with the limit pushed in, or a checked EXPLAIN. */
async function checkedStatement(conn: DuckDBConnection, sql: string, limit: number): Promise<string> {
  const types = await checkedTypes(conn, sql);
  if (types.length === 1 && types[0] === StatementType.EXPLAIN) {
    const m = EXPLAIN_PREFIX.exec(sql);
    const inner = m ? sql.slice(m[0].length) : '';
    if (!inner.trim() || !isOneSelect(await statementTypes(conn, inner).catch(() => []))) {
      throw new EngineError('invalid_input', `${ONLY_READS} EXPLAIN is allowed only of a SELECT.`);
    }
    return `EXPLAIN ${m?.[1] ? 'ANALYZE ' : ''}${inner}`;
  }
  if (!isOneSelect(types)) throw new EngineError('invalid_input', ONLY_READS);
  // Push the limit into the plan so DuckDB stops producing rows early. Newlines keep a trailing line comment
  // from swallowing the closing parenthesis; the wrapped text is checked again as what will run.
  const wrappedSql = `SELECT * FROM (\n${sql}\n) AS casefile_query LIMIT ${limit + 1}`;
  const ok = isOneSelect(await statementTypes(conn, wrappedSql).catch(() => []));
  // Some valid statements cannot be a subquery (a trailing semicolon); streaming still bounds them.
  return ok ? wrappedSql : sql;
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

export async function runReadOnlySql(reads: ReadPath, sql: string, limit: number, limits: SqlLimits = defaultSqlLimits()): Promise<SqlResult> {
  if (!sql.trim()) throw new EngineError('invalid_input', ONLY_READS);
  // A caller that went away (util/cancel.ts) interrupts its query, as the time limit does.
  return reads.withConnection(async (conn, path) => cancellable(() => conn.interrupt(), async () => {
    if (!path.sqlDoor) throw new EngineError('busy', 'An import is writing to this case; SQL queries run again when it has finished.');
    const started = performance.now();
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; conn.interrupt(); }, limits.timeoutMs);
    try {
      const result = await conn.stream(await checkedStatement(conn, sql, limit));
      const columns = result.columnNames();
      const rows: Record<string, unknown>[] = [];
      let bytes = 0;
      let truncatedBy: SqlResult['truncatedBy'];
      read: for await (const chunk of result.yieldRowObjectJson()) {
        for (const row of chunk) {
          if (rows.length === limit) { truncatedBy = 'rows'; break read; }
          bytes += JSON.stringify(row).length;
          if (bytes > limits.maxBytes) { truncatedBy = 'bytes'; break read; }
          rows.push(row);
        }
      }
      return { columns, rows, truncated: !!truncatedBy, ...(truncatedBy ? { truncatedBy } : {}), queryMs: performance.now() - started };
    } catch (e) {
      if (e instanceof EngineError) throw e;
      if (timedOut) throw new EngineError('timeout', `The query ran longer than ${limits.timeoutMs / 1000} s and was stopped.`);
      throw new EngineError('invalid_input', `SQL error: ${firstLine(e)}`);
    } finally {
      clearTimeout(timer);
    }
  }));
}
