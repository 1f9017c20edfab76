// Reads a file (gzip-aware, tolerant of truncation and bad bytes, UTF-8 or UTF-16 by BOM) and groups its lines into
// records. Every input line lands in exactly one record: that is the line-accounting rule the tests check.
// Memory is bounded whatever the input: a line longer than maxLineChars keeps its start and a note of its length and
// sha256; a record longer than maxRecordChars continues in the next record; decompression is metered (limits.ts).
import { createHash, type Hash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { DEFAULT_LIMITS, ExpansionMeter, type IntakeLimits } from './limits';
import { EnvelopeGrouper, type EnvelopeRecord, type Unwrap } from './envelope';

export interface RecordSink {
  /**
   * One record: 1-based first line, how many lines, the text (lines joined by \n, no trailing newline). In an
   * envelope the text is the inner text and `env` holds the original lines, the stream, the wrapper's fields and stamp.
   */
  (line: number, lineCount: number, text: string, env?: EnvelopeRecord): void;
}

export interface ReadStats {
  lines: number;
  bytesRead: number;
  /** Lines that held bytes that are not UTF-8 (shown as U+FFFD; the evidence file keeps the bytes). */
  badUtf8Lines: number;
  /** Lines with NUL bytes (shown as ␀). */
  nulLines: number;
  /** A .gz whose stream broke: cut short (truncated) or corrupt inside (damaged), in zlib's words; what decompressed
   * before is kept. */
  gzipBroken: { how: 'truncated' | 'damaged'; why: string } | null;
  lastLineTorn: boolean;
  /** Lines cut to maxLineChars (the event says how long the line was and its sha256). */
  longLines: number;
  /** Records split because they grew past maxRecordChars. */
  splitRecords: number;
  /** The text encoding, when a BOM said it was not UTF-8. */
  encoding?: 'utf-16le' | 'utf-16be';
}

export type StartsRecord = ((line: string) => boolean) | 'every-line';

export interface ReadOptions {
  onProgress?: (bytesRead: number) => void;
  limits?: IntakeLimits;
  /** Decompressed bytes of the whole bundle so far (shared by its files), for the per-bundle cap. */
  bundle?: { expanded: number };
  /** Name used in messages. */
  label?: string;
  /** Read a plain file from this byte (a line start): the bytes before it were imported from an earlier copy. */
  startByte?: number;
  /** The file is wrapped in an envelope: lines are unwrapped and grouped per stream (`startsRecord` is not used). */
  envelope?: { unwrap: Unwrap; startsRecord: (stream: string) => StartsRecord };
}

export function isGzipPath(file: string): boolean {
  return /\.gz$/i.test(file);
}

/** Decodes a byte stream as UTF-8, or UTF-16 when it starts with a UTF-16 BOM; the BOM itself is not text. */
class TextDecoderByBom {
  private decoder: StringDecoder | null = null;
  private swap = false;
  private odd: Buffer | null = null;
  private pending = Buffer.alloc(0);
  encoding: 'utf8' | 'utf-16le' | 'utf-16be' = 'utf8';

  write(buf: Buffer): string {
    if (!this.decoder) {
      this.pending = Buffer.concat([this.pending, buf]);
      if (this.pending.length < 3) return '';
      return this.start(this.pending);
    }
    return this.decode(buf);
  }

  end(): string {
    if (!this.decoder) return this.pending.length ? this.start(this.pending) + this.decoder!.end() : '';
    return this.decoder.end();
  }

  private start(buf: Buffer): string {
    let body = buf;
    if (buf[0] === 0xff && buf[1] === 0xfe) { this.encoding = 'utf-16le'; body = buf.subarray(2); } else if (buf[0] === 0xfe && buf[1] === 0xff) { this.encoding = 'utf-16be'; this.swap = true; body = buf.subarray(2); } else if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) body = buf.subarray(3);
    this.decoder = new StringDecoder(this.encoding === 'utf8' ? 'utf8' : 'utf16le');
    this.pending = Buffer.alloc(0);
    return this.decode(body);
  }

  private decode(buf: Buffer): string {
    if (!this.swap) return this.decoder!.write(buf);
    // UTF-16BE: swap each byte pair to little-endian, carrying an odd byte to the next chunk.
    const b = this.odd ? Buffer.concat([this.odd, buf]) : Buffer.from(buf);
    const even = b.length & ~1;
    this.odd = even < b.length ? b.subarray(even) : null;
    const body = b.subarray(0, even);
    body.swap16();
    return this.decoder!.write(body);
  }
}

/** The decompressed bytes of a file, metered against the caps. */
function openBytes(file: string, opts: ReadOptions, onCompressed: (n: number) => void): { input: Readable; meter: ExpansionMeter | null } {
  const fileStream = createReadStream(file, { highWaterMark: 1 << 20, ...(opts.startByte && !isGzipPath(file) ? { start: opts.startByte } : {}) });
  let compressed = 0;
  fileStream.on('data', (b) => { compressed += (b as Buffer).length; onCompressed(compressed); });
  if (!isGzipPath(file)) return { input: fileStream, meter: null };
  const gunzip = createGunzip({ chunkSize: 1 << 16 });
  fileStream.pipe(gunzip);
  fileStream.on('error', (e) => gunzip.destroy(e));
  const meter = new ExpansionMeter(opts.label ?? file, opts.limits ?? DEFAULT_LIMITS, opts.bundle);
  const metered = gunzip as Readable & { compressedRead?: () => number };
  metered.compressedRead = () => compressed;
  return { input: metered, meter };
}

export async function readRecords(file: string, startsRecord: StartsRecord, sink: RecordSink, opts: ReadOptions = {}): Promise<ReadStats> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const stats: ReadStats = { lines: 0, bytesRead: 0, badUtf8Lines: 0, nulLines: 0, gzipBroken: null, lastLineTorn: false, longLines: 0, splitRecords: 0 };
  const { input, meter } = openBytes(file, opts, (n) => { stats.bytesRead = n; });
  const grouper = opts.envelope ? new EnvelopeGrouper(opts.envelope.unwrap, opts.envelope.startsRecord, sink, limits.maxRecordChars) : null;

  // The hot loop: most records are one line, so a record is a string until a continuation line arrives.
  let recLine = 0;
  let recCount = 0;
  let recText = '';
  let recParts: string[] | null = null;
  let recChars = 0;
  let suspect = false; // the current chunk holds U+FFFD or NUL: check lines one by one
  const flush = () => {
    if (recCount > 0) sink(recLine, recCount, recParts ? recParts.join('\n') : recText);
    recParts = null;
    recCount = 0;
    recChars = 0;
  };
  const push = (rawLine: string) => {
    let line = rawLine.length > 0 && rawLine.charCodeAt(rawLine.length - 1) === 13 ? rawLine.slice(0, -1) : rawLine;
    stats.lines++;
    if (suspect) {
      if (line.includes('\uFFFD')) stats.badUtf8Lines++;
      if (line.includes('\0')) { stats.nulLines++; line = line.replaceAll('\0', '\u2400'); }
    }
    if (grouper) { grouper.add(line, stats.lines); return; }
    const tooBig = recCount > 0 && recChars + line.length > limits.maxRecordChars;
    if (tooBig) stats.splitRecords++;
    if (startsRecord === 'every-line' || recCount === 0 || tooBig || startsRecord(line)) {
      flush();
      recLine = stats.lines;
      recText = line;
    } else if (recParts) {
      recParts.push(line);
    } else {
      recParts = [recText, line];
    }
    recCount++;
    recChars += line.length + 1;
  };

  // A line past maxLineChars: its start is kept, the rest only counted and hashed (never held in memory).
  let long: { hash: Hash; chars: number } | null = null;
  const endLong = (kept: string): string => {
    const l = long!;
    long = null;
    stats.longLines++;
    return `${kept}… [line cut at ${limits.maxLineChars} of ${l.chars} characters; sha256 of the whole line's text ${l.hash.digest('hex')}; the evidence file holds every byte]`;
  };

  const decoder = new TextDecoderByBom();
  let carry = '';
  let carrySuspect = false; // the unfinished line holds U+FFFD or NUL (a flag: scanning a long carry per chunk is quadratic)
  const consume = (text: string) => {
    const textSuspect = text.includes('\uFFFD') || text.includes('\0');
    suspect = textSuspect || carrySuspect;
    carrySuspect = suspect;
    let start = 0;
    let nl = text.indexOf('\n', start);
    if (nl === -1) { grow(text); return; }
    grow(text.slice(0, nl));
    push(long ? endLong(carry) : carry);
    carry = '';
    start = nl + 1;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      if (nl - start > limits.maxLineChars) { grow(text.slice(start, nl)); push(endLong(carry)); carry = ''; } else push(text.slice(start, nl));
      start = nl + 1;
    }
    grow(text.slice(start));
    carrySuspect = textSuspect && carry.length > 0;
  };
  const grow = (piece: string) => {
    if (!long && carry.length + piece.length <= limits.maxLineChars) { carry += piece; return; }
    long ??= { hash: createHash('sha256').update(carry), chars: carry.length };
    long.hash.update(piece);
    long.chars += piece.length;
    if (carry.length < limits.maxLineChars) carry += piece.slice(0, limits.maxLineChars - carry.length);
  };

  try {
    for await (const chunk of input) {
      const b = chunk as Buffer;
      meter?.add(b.length, stats.bytesRead);
      consume(decoder.write(b));
      opts.onProgress?.(stats.bytesRead);
    }
  } catch (e) {
    // A truncated or damaged .gz still yields what was decompressed before the break: keep it and say which it was.
    const code = (e as NodeJS.ErrnoException).code;
    const why = (e as Error).message;
    if (isGzipPath(file) && (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || /unexpected end|incorrect header|invalid/i.test(why))) {
      stats.gzipBroken = { how: code === 'Z_BUF_ERROR' || /unexpected end/i.test(why) ? 'truncated' : 'damaged', why };
    } else {
      input.destroy();
      throw e;
    }
  }
  consume(decoder.end());
  if (decoder.encoding !== 'utf8') stats.encoding = decoder.encoding;
  if (carry.length > 0 || long) {
    stats.lastLineTorn = true;
    suspect = true;
    push(long ? endLong(carry) : carry);
  }
  flush();
  if (grouper) { grouper.end(); stats.splitRecords += grouper.splitRecords; }
  return stats;
}

/** How much of a file's start detection reads (its head). */
export const HEAD_BYTES = 64 * 1024;

/** The first lines of a file as text (decompressed, decoded as readRecords does), for detection and timezone evidence. */
export async function readHeadLines(file: string, maxBytes = HEAD_BYTES): Promise<string[]> {
  return (await readHead(file, maxBytes)).lines;
}

/**
 * A file's head: its first bytes (a .gz file's decompressed; for the magic numbers: ingest/magic.ts) and their lines.
 * `raw` may be a reused buffer's view: look at it, do not keep it.
 */
export async function readHead(file: string, maxBytes = HEAD_BYTES): Promise<{ lines: string[]; raw: Buffer }> {
  if (isGzipPath(file)) {
    const { raw, cut, whole } = await gunzipStart(file, maxBytes);
    const decoder = new TextDecoderByBom();
    // A stream that broke off is not flushed (its last partial character is not text), nor is a cut one.
    return { lines: splitHead(decoder.write(raw) + (whole ? decoder.end() : ''), cut), raw };
  }
  let raw: Buffer = Buffer.alloc(0);
  try { raw = readStart(file, maxBytes); } catch { /* unreadable: what we have is the head */ }
  return { lines: headLines(raw, raw.length >= maxBytes), raw };
}

/**
 * A file's first `n` bytes (fewer if it is shorter), in one synchronous read: a stream, or even a promise per call,
 * costs more than the read itself across thousands of small files (a head is a few page-cache pages).
 */
export function readStart(file: string, n: number): Buffer {
  const buf = Buffer.allocUnsafe(n);
  let got = 0;
  const fd = openSync(file, 'r');
  try {
    for (let r = -1; r !== 0 && got < n; got += r) r = readSync(fd, buf, got, n - got, got);
  } finally { closeSync(fd); }
  return buf.subarray(0, got);
}

/**
 * The first `n` decompressed bytes of a gzip file. `cut`: it holds more; `whole`: the stream ended cleanly before
 * them. A truncated or non-gzip stream is neither: what decompressed before it broke off is the start.
 */
export async function gunzipStart(file: string, n: number): Promise<{ raw: Buffer; cut: boolean; whole: boolean }> {
  const parts: Buffer[] = [];
  let got = 0;
  let cut = false;
  let whole = false;
  const src = createReadStream(file, { highWaterMark: 16 * 1024 });
  try {
    for await (const c of src.pipe(createGunzip())) {
      const b = c as Buffer;
      parts.push(b.subarray(0, Math.max(0, n - got)));
      got += b.length;
      if (got >= n) { cut = true; break; }
    }
    whole = !cut;
  } catch { /* truncated or not gzip */ } finally { src.destroy(); }
  return { raw: Buffer.concat(parts), cut, whole };
}

/**
 * The head's lines from a plain file's first bytes (`cut`: the file goes on past them), as readHeadLines gives them:
 * the evidence copy reads those bytes anyway (bundle.ts), so the head needs no read of its own.
 */
export function headLines(bytes: Buffer, cut: boolean): string[] {
  const decoder = new TextDecoderByBom();
  return splitHead(decoder.write(bytes) + (cut ? '' : decoder.end()), cut);
}

function splitHead(text: string, cut: boolean): string[] {
  const lines = text.split('\n');
  // The last line may be cut by the byte limit: drop it, unless it is the only one (a single huge line still has
  // a head to detect from, not "empty file").
  if (cut && lines.length > 1) lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}
