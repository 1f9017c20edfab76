// Writing redacted rows as JSONL, CSV or Parquet, and reading them back for the fail-closed re-scan.
import fs from 'node:fs';
import readline from 'node:readline';
import { DuckDBInstance } from '@duckdb/node-api';
import { csvFormulaRestore } from '../../../shared/csvFormula';
import { csvLine as csvLineOf, type LineLayout } from '../redact/lines';
import { COLUMNS, type EventRowOut, TEXT_COLUMNS } from './select';

export type ExportFormat = 'jsonl' | 'csv' | 'parquet';

// rows are written by the redaction's workers (redact/lines.ts), Parquet through a JSONL file
export { jsonlLine } from '../redact/lines';
export const csvHeader = () => COLUMNS.join(',') + '\r\n';
export const csvLine = (r: EventRowOut) => csvLineOf(r, COLUMNS);
export const lineLayout = (format: ExportFormat): LineLayout => ({
  format: format === 'csv' ? 'csv' : 'jsonl', columns: COLUMNS, text: COLUMNS.map((c) => TEXT_COLUMNS.has(c)),
});

/** RFC 4180 records fed in chunks (quoted cells may span lines and chunks): a streaming reader keeps one record. */
export class CsvParser {
  private row: string[] = [];
  private cell = '';
  private q = false;
  /** A quote seen inside a quoted cell at the end of a chunk: either `""` or the cell's end, known with the next char. */
  private pendingQuote = false;

  *push(text: string): Generator<string[]> {
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (this.pendingQuote) {
        this.pendingQuote = false;
        if (c === '"') { this.cell += '"'; continue; }
        this.q = false;
      }
      if (this.q) {
        if (c === '"') {
          if (i + 1 === text.length) { this.pendingQuote = true; continue; }
          if (text[i + 1] === '"') { this.cell += '"'; i++; } else this.q = false;
        } else this.cell += c;
      } else if (c === '"') this.q = true;
      else if (c === ',') { this.row.push(this.cell); this.cell = ''; }
      else if (c === '\n') { this.row.push(this.cell.replace(/\r$/, '')); yield this.row; this.row = []; this.cell = ''; }
      else this.cell += c;
    }
  }

  *end(): Generator<string[]> {
    if (this.cell || this.row.length) { this.row.push(this.cell); yield this.row; }
    this.row = [];
    this.cell = '';
  }
}

/** RFC 4180 records of a CSV text. */
export function* parseCsv(text: string): Generator<string[]> {
  const p = new CsvParser();
  yield* p.push(text);
  yield* p.end();
}

/** Rows per Parquet row group: a reader decodes a whole group at once, so small groups keep the read-back small. */
export const PARQUET_ROW_GROUP = 8192;

/** Parquet from the redacted JSONL, through an in-memory DuckDB (every column typed as the events view's). */
export async function jsonlToParquet(jsonl: string, parquet: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const cols = `{id: 'BIGINT', ts: 'VARCHAR', ts_text: 'VARCHAR', source: 'VARCHAR', file: 'VARCHAR', line: 'BIGINT', line_count: 'INTEGER',
      level: 'VARCHAR', logger: 'VARCHAR', message: 'VARCHAR', fields: 'VARCHAR', raw: 'VARCHAR', parse_status: 'VARCHAR', bundle: 'VARCHAR'}`;
    await conn.run(`COPY (SELECT * FROM read_json($1, format = 'newline_delimited', columns = ${cols})) TO '${parquet.replace(/'/g, "''")}' (FORMAT PARQUET, ROW_GROUP_SIZE ${PARQUET_ROW_GROUP})`, [jsonl]);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** The non-empty lines of a JSONL file, streamed (the re-scan's workers parse them). */
export async function* jsonlLines(file: string): AsyncGenerator<string> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line) yield line;
}

/**
 * Every row of a written file, decoded (JSONL parsed, CSV parsed, Parquet read back through DuckDB), as column →
 * text. Streamed: a line, a CSV record or one DuckDB chunk (2,048 rows) at a time, never the whole file.
 */
export async function* readBack(file: string, format: ExportFormat): AsyncGenerator<Record<string, string | null>> {
  const text = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v === null ? null : String(v)]));
  if (format === 'jsonl') {
    for await (const line of jsonlLines(file)) yield text(JSON.parse(line) as Record<string, unknown>);
    return;
  }
  if (format === 'csv') {
    const parser = new CsvParser();
    let header: string[] | null = null;
    const rows = function* (records: Iterable<string[]>) {
      for (const row of records) {
        if (!header) { header = row; continue; }
        const h = header;
        // the ' that csvLine put before a formula's first character is taken off: the cells the redaction wrote
        yield Object.fromEntries(h.map((name, i) => [name, row[i] === undefined ? null : csvFormulaRestore(row[i])]));
      }
    };
    for await (const chunk of fs.createReadStream(file, 'utf8')) yield* rows(parser.push(chunk as string));
    yield* rows(parser.end());
    return;
  }
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const result = await conn.stream(`SELECT * FROM read_parquet($1)`, [file]);
    for await (const chunk of result.yieldRowObjectJson()) for (const r of chunk) yield text(r);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
