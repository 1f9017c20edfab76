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

/** Row r's record: `texts` (redacted text columns, in order) merged with `rest` (the others), as one written line. */
function lineOf(layout: LineLayout, texts: readonly (string | null)[], rest: readonly RowValue[]): string {
  const row: Record<string, RowValue> = {};
  let t = 0;
  let o = 0;
  layout.columns.forEach((c, i) => { row[c] = layout.text[i] ? texts[t++] ?? null : rest[o++] ?? null; });
  return layout.format === 'csv' ? csvLine(row, layout.columns) : jsonlLine(row);
}

/**
 * A batch's records as UTF-8, each line encoded into one buffer kept across batches (a worker's), the result copied
 * out at its size. Before, the lines were joined into one batch-long string, flattened and encoded by TextEncoder:
 * two large allocations a batch on fresh pages, the string besides (2026-11-30 ex24 in docs/REDACTION.md). The bytes
 * are the same: each line is a whole string, so no surrogate pair is split, and Buffer.write encodes a lone surrogate
 * as U+FFFD as TextEncoder does (lines.test.ts).
 */
export class LineRenderer {
  private buf = Buffer.allocUnsafe(1 << 20);

  render(layout: LineLayout, cells: readonly (readonly (string | null)[])[], others: readonly (readonly RowValue[])[]): Uint8Array {
    let at = 0;
    cells.forEach((texts, r) => {
      const line = lineOf(layout, texts, others[r] ?? []);
      // a UTF-16 code unit is at most 3 bytes of UTF-8 (a pair of them 4)
      if (at + 3 * line.length > this.buf.length) {
        const grown = Buffer.allocUnsafe(Math.max(2 * this.buf.length, at + 3 * line.length));
        this.buf.copy(grown, 0, 0, at);
        this.buf = grown;
      }
      at += this.buf.write(line, at, 'utf8');
    });
    return new Uint8Array(this.buf.buffer.slice(this.buf.byteOffset, this.buf.byteOffset + at));
  }
}

/**
 * The JSONL lines of bytes [start, end) of a written file, read where they are parsed (a re-scan worker). The range
 * must hold whole lines: it starts the file or follows a newline, and ends with one; anything else throws, so a
 * range that does not line up with the file is never scanned as if it did.
 */
export function readLines(file: string, start: number, end: number): string[] {
  const from = start > 0 ? start - 1 : 0; // the byte before the range, to check that it is a line's end
  const size = end - from;
  // one buffer for every range this thread reads (a re-scan worker reads a batch's range at a time), not a fresh one
  if (readBuffer.length < size) readBuffer = Buffer.allocUnsafe(Math.max(size, 2 * readBuffer.length));
  const buf = readBuffer.subarray(0, size);
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
  // each line decoded on its own: no range-long string (the same text: a newline is never part of a UTF-8 sequence)
  const lines: string[] = [];
  for (let i = start - from; i < buf.length;) {
    const nl = buf.indexOf(0x0a, i);
    if (nl < 0) break; // not reached: the range ends with a newline (checked above)
    if (nl > i) lines.push(buf.toString('utf8', i, nl));
    i = nl + 1;
  }
  return lines;
}

let readBuffer = Buffer.alloc(0);
