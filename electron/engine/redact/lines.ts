// The written form of redacted rows (JSONL or CSV records), built where the rows are redacted: a worker hands the
// export one UTF-8 chunk per batch (transferred, not copied) instead of every cell as its own string to be joined,
// stringified and encoded again on the export's thread. export/formats.ts writes single rows with the same functions.
import fs from 'node:fs';
import { csvFormulaSafe } from '../../../shared/csvFormula';

export type LineFormat = 'jsonl' | 'csv';
export type RowValue = string | number | null;

/** How a batch's rows are written: every column in order, and which of them are the redacted text cells. */
export interface LineLayout {
  format: LineFormat;
  columns: readonly string[];
  /** Per column: true when it is a text cell (taken from the redacted cells, in order), else from `others`. */
  text: readonly boolean[];
}

const csvCell = (v: RowValue) => {
  if (v === null) return '';
  // a text cell that a spreadsheet would run as a formula gets a leading ' (numbers are numbers, never formulas)
  const s = typeof v === 'string' ? csvFormulaSafe(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export const jsonlLine = (r: Readonly<Record<string, RowValue>>) => JSON.stringify(r) + '\n';
export const csvLine = (r: Readonly<Record<string, RowValue>>, columns: readonly string[]) => columns.map((c) => csvCell(r[c] ?? null)).join(',') + '\r\n';

/** One batch's records: row i is `cells[i]` (redacted text columns, in order) merged with `others[i]` (the rest). */
export function renderLines(layout: LineLayout, cells: readonly (readonly (string | null)[])[], others: readonly (readonly RowValue[])[]): string {
  let out = '';
  cells.forEach((texts, r) => {
    const rest = others[r] ?? [];
    const row: Record<string, RowValue> = {};
    let t = 0;
    let o = 0;
    layout.columns.forEach((c, i) => { row[c] = layout.text[i] ? texts[t++] ?? null : rest[o++] ?? null; });
    out += layout.format === 'csv' ? csvLine(row, layout.columns) : jsonlLine(row);
  });
  return out;
}

/**
 * The JSONL lines of bytes [start, end) of a written file, read where they are parsed (a re-scan worker). The range
 * must hold whole lines: it starts the file or follows a newline, and ends with one; anything else throws, so a
 * range that does not line up with the file is never scanned as if it did.
 */
export function readLines(file: string, start: number, end: number): string[] {
  const from = start > 0 ? start - 1 : 0; // the byte before the range, to check that it is a line's end
  const buf = Buffer.allocUnsafe(end - from);
  const fd = fs.openSync(file, 'r');
  try {
    let got = 0;
    while (got < buf.length) {
      const n = fs.readSync(fd, buf, got, buf.length - got, from + got);
      if (n === 0) break;
      got += n;
    }
    if (got !== buf.length) throw new Error(`the file ends before byte ${end}`);
  } finally {
    fs.closeSync(fd);
  }
  if (end > start && buf[buf.length - 1] !== 0x0a) throw new Error(`bytes ${start}-${end} do not end a line`);
  if (start > 0 && buf[0] !== 0x0a) throw new Error(`byte ${start} does not start a line`);
  const text = buf.toString('utf8', start - from);
  return text.split('\n').filter((l) => l.length > 0);
}
