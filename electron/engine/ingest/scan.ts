// What one pass over a file's bytes tells the import before it parses anything: is the text plain enough for
// DuckDB's own line reader to give exactly the lines the JavaScript reader would (records.ts)? The scan runs beside
// the sha256 of the evidence copy (bundle.ts), so the bytes are read once for both.
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { createGunzip } from 'node:zlib';
import { ExpansionMeter, type IntakeLimits } from './limits';

export interface FileScan {
  bytes: number;
  /** Lines as records.ts counts them: newlines, plus a last line without one. */
  lines: number;
  /** Longest line in bytes (a CR before its LF included). */
  longestLine: number;
  /** Every byte sequence is UTF-8 and none is U+FFFD (which the JS reader counts as a bad byte). */
  utf8: boolean;
  nul: boolean;
  /** Holds the byte 0x1F (DuckDB's line reader uses it as its column delimiter). */
  unitSeparator: boolean;
  /** Line ends: only LF, only CRLF, or anything else (a lone CR, a mix). */
  newline: 'lf' | 'crlf' | 'mixed';
  /** Starts with a UTF-8 / UTF-16 byte order mark. */
  bom: 'utf8' | 'utf16' | null;
  /** Some line is empty or starts with a byte ≤ 0x20 (JSON records then take such lines as continuations). */
  blankOrIndented: boolean;
  /** The last line has no newline. */
  torn: boolean;
  /** A .gz file: what is above describes its decompressed text, and this is its size on disk. */
  compressedBytes?: number;
}

const REPLACEMENT = Buffer.from([0xef, 0xbf, 0xbd]);

/** Incremental scanner: feed chunks in order, then `result()`. */
export class FileScanner {
  private bytes = 0;
  private lines = 0;
  private lineLen = 0;
  private longest = 0;
  private utf8 = true;
  private nul = false;
  private us = false;
  private lf = 0;
  private crlf = 0;
  private loneCr = false;
  private prevCr = false;
  private atLineStart = true;
  private blank = false;
  private last = -1;
  private head: Buffer | null = Buffer.alloc(0);
  /** An incomplete UTF-8 sequence at the end of the previous chunk (or the tail kept to find U+FFFD across chunks). */
  private tail = Buffer.alloc(0);

  /** `replacementOk`: U+FFFD is text (a repaired copy, repair.ts, whose bad lines are counted there). */
  constructor(private readonly opts: { replacementOk?: boolean } = {}) {}

  update(chunk: Buffer): void {
    if (!chunk.length) return;
    if (this.head && this.head.length < 3) this.head = Buffer.concat([this.head, chunk.subarray(0, 3)]).subarray(0, 3);
    this.bytes += chunk.length;
    if (!this.nul && chunk.indexOf(0) >= 0) this.nul = true;
    if (!this.us && chunk.indexOf(0x1f) >= 0) this.us = true;
    if (this.utf8) this.checkUtf8(chunk);
    if (this.prevCr && chunk[0] !== 10) this.loneCr = true;
    // A CR must be the first half of a CRLF; one at the chunk's end is judged by the next chunk's first byte.
    for (let cr = this.loneCr ? -1 : chunk.indexOf(13); cr >= 0; cr = chunk.indexOf(13, cr + 1)) {
      if (cr + 1 < chunk.length && chunk[cr + 1] !== 10) { this.loneCr = true; break; }
    }
    let start = 0;
    for (;;) {
      if (this.atLineStart && start < chunk.length) {
        if (chunk[start]! <= 0x20) this.blank = true;
        this.atLineStart = false;
      }
      const nl = chunk.indexOf(10, start);
      const end = nl < 0 ? chunk.length : nl;
      this.lineLen += end - start;
      if (nl < 0) break;
      const crBefore = nl > 0 ? chunk[nl - 1] === 13 : this.prevCr;
      if (crBefore) this.crlf++; else this.lf++;
      if (this.lineLen > this.longest) this.longest = this.lineLen;
      this.lineLen = 0;
      this.lines++;
      this.atLineStart = true;
      start = nl + 1;
    }
    this.prevCr = chunk[chunk.length - 1] === 13;
    this.last = chunk[chunk.length - 1]!;
  }

  private checkUtf8(chunk: Buffer): void {
    const buf = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
    // Keep an incomplete sequence at the end for the next chunk (at most 3 bytes: a lead and its continuations).
    let cut = buf.length;
    for (let i = buf.length - 1; i >= Math.max(0, buf.length - 4); i--) {
      const b = buf[i]!;
      if ((b & 0xc0) === 0x80) continue;
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      if (i + need > buf.length) cut = i;
      break;
    }
    const whole = buf.subarray(0, cut);
    if (!isUtf8(whole) || (!this.opts.replacementOk && whole.indexOf(REPLACEMENT) >= 0)) this.utf8 = false;
    this.tail = Buffer.from(buf.subarray(cut));
  }

  /** Already holds what keeps a file from DuckDB's reader: a line past `lineBytes`, or bytes other than plain UTF-8. */
  disqualified(lineBytes: number): boolean {
    return this.longest > lineBytes || this.lineLen > lineBytes || !this.utf8 || this.nul || this.us;
  }

  result(): FileScan {
    const torn = this.bytes > 0 && this.last !== 10;
    if (torn && this.lineLen > this.longest) this.longest = this.lineLen;
    const h = this.head ?? Buffer.alloc(0);
    const bom = h[0] === 0xef && h[1] === 0xbb && h[2] === 0xbf ? 'utf8' : (h[0] === 0xff && h[1] === 0xfe) || (h[0] === 0xfe && h[1] === 0xff) ? 'utf16' : null;
    return {
      bytes: this.bytes, lines: this.lines + (torn ? 1 : 0), longestLine: this.longest,
      utf8: this.utf8 && this.tail.length === 0, nul: this.nul, unitSeparator: this.us,
      newline: this.loneCr || (this.prevCr && torn) || (this.lf && this.crlf) ? 'mixed' : this.crlf ? 'crlf' : 'lf',
      bom, blankOrIndented: this.blank, torn,
    };
  }
}

/** Scans a file on disk (a bundle that was staged before, or an archive's extracted member). */
export async function scanFile(file: string): Promise<FileScan> {
  const s = new FileScanner();
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) s.update(chunk as Buffer);
  return s.result();
}

/**
 * Scans a .gz file's decompressed text, decompressed as the JavaScript reader does (records.ts: the same streams and
 * the same meter). Undefined when the stream is damaged or passes a cap: the JavaScript reader then reads it and
 * keeps what decompressed with its note, or refuses it with the cap's message. So too, early, when the text already
 * has what keeps it from DuckDB's reader (`stopLineBytes`, bad bytes). The meter counts against a copy of
 * the bundle's total: the file's bytes join the bundle's only when DuckDB has read them (`expansion`).
 */
export async function scanGzip(file: string, limits: IntakeLimits, bundle: { expanded: number }, stopLineBytes: number): Promise<FileScan | undefined> {
  const s = new FileScanner();
  const meter = new ExpansionMeter(file, limits, { expanded: bundle.expanded });
  const src = createReadStream(file, { highWaterMark: 1 << 20 });
  let compressed = 0;
  src.on('data', (b) => { compressed += (b as Buffer).length; });
  const gunzip = createGunzip({ chunkSize: 1 << 16 });
  src.on('error', (e) => gunzip.destroy(e));
  try {
    for await (const chunk of src.pipe(gunzip)) {
      meter.add((chunk as Buffer).length, compressed);
      s.update(chunk as Buffer);
      // No need to decompress the rest (a 5 GiB line, say): the JavaScript reader will read the file anyway.
      if (s.disqualified(stopLineBytes)) throw new Error('not for the fast reader');
    }
  } catch {
    gunzip.destroy();
    src.destroy();
    return undefined;
  }
  return { ...s.result(), compressedBytes: compressed };
}
