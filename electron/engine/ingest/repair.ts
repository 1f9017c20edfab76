// A plain file whose only fault is a few lines of bytes that are not UTF-8 (a log that caught binary garbage) is read
// by DuckDB from a copy whose bad lines are decoded as the JavaScript reader decodes them (U+FFFD for each bad
// sequence, records.ts), so the whole file need not take the slower reader for a line or two. The copy lives in
// the case folder only while its batch is staged; the evidence file in the bundle is never touched.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isUtf8 } from 'node:buffer';
import { FileScanner, type FileScan } from './scan';

/** Beside the case's database; removed after each batch and at the start of the next import (a crash leaves it). */
export const REPAIR_DIR = '.repair';

/** More bad lines than this: the JavaScript reader takes the file (the copy would cost more than it saves). */
export const MAX_REPAIRED_LINES = 1000;

const REPLACEMENT = Buffer.from([0xef, 0xbf, 0xbd]);

export interface Repaired {
  /** The copy DuckDB reads, and its scan. */
  abs: string;
  scan: FileScan;
  /** Lines holding U+FFFD once decoded: what the JavaScript reader counts as lines with bytes that are not UTF-8. */
  badLines: number;
}

/**
 * Writes `dst`: `src` with every line that is not UTF-8 decoded and written back as UTF-8. Undefined (and no copy)
 * past MAX_REPAIRED_LINES. Lines are cut at LF only, as records.ts cuts them, so a CR stays with its line.
 */
export async function repairedCopy(src: string, dst: string): Promise<Repaired | undefined> {
  await fs.mkdir(path.dirname(dst), { recursive: true, mode: 0o700 });
  const scan = new FileScanner({ replacementOk: true });
  const inp = await fs.open(src, 'r');
  const out = await fs.open(dst, 'w', 0o600);
  let bad = 0;
  let ok = false;
  const buf = Buffer.allocUnsafe(1 << 20);
  let carry: Buffer = Buffer.alloc(0);
  const emit = async (b: Buffer) => {
    if (!b.length) return;
    scan.update(b);
    await out.write(b);
  };
  /** Lines (each with its LF, but the file's last may have none), decoded where they are not UTF-8. */
  const lines = (b: Buffer): Buffer => {
    if (isUtf8(b) && b.indexOf(REPLACEMENT) < 0) return b;
    const parts: Buffer[] = [];
    for (let start = 0; start < b.length;) {
      const nl = b.indexOf(10, start);
      const end = nl < 0 ? b.length : nl + 1;
      const line = b.subarray(start, end);
      if (!isUtf8(line)) { bad++; parts.push(Buffer.from(line.toString('utf8'), 'utf8')); } else {
        if (line.indexOf(REPLACEMENT) >= 0) bad++;
        parts.push(line);
      }
      start = end;
    }
    return Buffer.concat(parts);
  };
  try {
    for (let n = (await inp.read(buf, 0, buf.length, null)).bytesRead; n > 0; n = (await inp.read(buf, 0, buf.length, null)).bytesRead) {
      const chunk = buf.subarray(0, n);
      const last = chunk.lastIndexOf(10);
      if (last < 0) { carry = Buffer.concat([carry, chunk]); continue; }
      await emit(lines(carry.length ? Buffer.concat([carry, chunk.subarray(0, last + 1)]) : chunk.subarray(0, last + 1)));
      carry = Buffer.from(chunk.subarray(last + 1));
      if (bad > MAX_REPAIRED_LINES) return undefined;
    }
    await emit(lines(carry));
    ok = bad <= MAX_REPAIRED_LINES;
    return ok ? { abs: dst, scan: scan.result(), badLines: bad } : undefined;
  } finally {
    await inp.close();
    await out.close();
    if (!ok) await fs.rm(dst, { force: true });
  }
}
