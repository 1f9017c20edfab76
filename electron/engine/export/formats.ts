// Writing redacted rows as JSONL, CSV or Parquet, and reading them back for the fail-closed re-scan.
import fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { COLUMNS, type EventRowOut } from './select';

export type ExportFormat = 'jsonl' | 'csv' | 'parquet';

const csvCell = (v: string | number | null) => {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export const jsonlLine = (r: EventRowOut) => JSON.stringify(r) + '\n';
export const csvHeader = () => COLUMNS.join(',') + '\r\n';
export const csvLine = (r: EventRowOut) => COLUMNS.map((c) => csvCell(r[c])).join(',') + '\r\n';

/** RFC 4180 records of a CSV text (quoted cells may span lines). */
export function* parseCsv(text: string): Generator<string[]> {
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"') { if (text[i + 1] === '"') { cell += '"'; i++; } else q = false; } else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n') { row.push(cell.replace(/\r$/, '')); yield row; row = []; cell = ''; }
    else cell += c;
  }
  if (cell || row.length) { row.push(cell); yield row; }
}

/** Parquet from the redacted JSONL, through an in-memory DuckDB (every column typed as the events view's). */
export async function jsonlToParquet(jsonl: string, parquet: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const cols = `{id: 'BIGINT', ts: 'VARCHAR', ts_text: 'VARCHAR', source: 'VARCHAR', file: 'VARCHAR', line: 'BIGINT', line_count: 'INTEGER',
      level: 'VARCHAR', logger: 'VARCHAR', message: 'VARCHAR', fields: 'VARCHAR', raw: 'VARCHAR', parse_status: 'VARCHAR', bundle: 'VARCHAR'}`;
    await conn.run(`COPY (SELECT * FROM read_json($1, format = 'newline_delimited', columns = ${cols})) TO '${parquet.replace(/'/g, "''")}' (FORMAT PARQUET)`, [jsonl]);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Every row of a written file, decoded (JSONL parsed, CSV parsed, Parquet read back), as column → text. */
export async function* readBack(file: string, format: ExportFormat): AsyncGenerator<Record<string, string | null>> {
  if (format === 'jsonl') {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      const o = JSON.parse(line) as Record<string, unknown>;
      yield Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v === null ? null : String(v)]));
    }
    return;
  }
  if (format === 'csv') {
    let header: string[] | null = null;
    for (const row of parseCsv(fs.readFileSync(file, 'utf8'))) {
      if (!header) { header = row; continue; }
      yield Object.fromEntries(header.map((h, i) => [h, row[i] ?? null]));
    }
    return;
  }
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll(`SELECT * FROM read_parquet($1)`, [file]);
    for (const r of reader.getRowObjectsJson()) yield Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : String(v)]));
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
