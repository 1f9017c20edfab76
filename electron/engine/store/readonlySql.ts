// Operator SQL over a case, strictly read-only: one statement, reads only, on a connection that cannot touch
// files outside the database (no COPY TO, no read_csv of arbitrary paths), so a query never alters evidence.
import { EngineError } from '../api';
import type { CaseHandle } from '../case/caseStore';

const READ_STATEMENT = /^\s*(\(|select\b|with\b|from\b|describe\b|show\b|summarize\b|explain\b|values\b|table\b)/i;

export async function runReadOnlySql(h: CaseHandle, sql: string, limit: number) {
  const body = sql.trim().replace(/;\s*$/, '');
  if (!READ_STATEMENT.test(body) || body.includes(';')) {
    throw new EngineError('invalid_input', 'Only one read-only statement (SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN) is allowed.');
  }
  const started = performance.now();
  const conn = await h.db.instance.connect();
  try {
    await conn.run(`SET TimeZone = 'UTC'`);
    const reader = await conn.runAndReadAll(body);
    const columns = reader.columnNames();
    const all = reader.getRowObjectsJson() as Record<string, unknown>[];
    return { columns, rows: all.slice(0, limit), truncated: all.length > limit, queryMs: performance.now() - started };
  } catch (e) {
    throw new EngineError('invalid_input', `SQL error: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    conn.closeSync();
  }
}
