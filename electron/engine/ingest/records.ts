// Reads a file (gzip-aware, tolerant of truncation and bad bytes) and groups its lines into records.
// Every input line lands in exactly one record: that is the line-accounting rule the tests check.
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

export interface RecordSink {
  /** One record: 1-based first line, how many lines, the text (lines joined by \n, no trailing newline). */
  (line: number, lineCount: number, text: string): void;
}

export interface ReadStats {
  lines: number;
  bytesRead: number;
  /** Lines that held bytes that are not UTF-8 (shown as U+FFFD; the evidence file keeps the bytes). */
  badUtf8Lines: number;
  /** Lines with NUL bytes (shown as ␀). */
  nulLines: number;
  truncatedGzip: boolean;
  lastLineTorn: boolean;
}

export type StartsRecord = ((line: string) => boolean) | 'every-line';

export function isGzipPath(file: string): boolean {
  return /\.gz$/i.test(file);
}

export async function readRecords(
  file: string,
  startsRecord: StartsRecord,
  sink: RecordSink,
  onProgress?: (bytesRead: number) => void,
): Promise<ReadStats> {
  const stats: ReadStats = { lines: 0, bytesRead: 0, badUtf8Lines: 0, nulLines: 0, truncatedGzip: false, lastLineTorn: false };
  const fileStream = createReadStream(file, { highWaterMark: 1 << 20 });
  fileStream.on('data', (b) => { stats.bytesRead += (b as Buffer).length; });
  let input: Readable = fileStream;
  if (isGzipPath(file)) {
    const gunzip = createGunzip();
    fileStream.pipe(gunzip);
    fileStream.on('error', (e) => gunzip.destroy(e));
    input = gunzip;
  }

  // The hot loop: most records are one line, so a record is a string until a continuation line arrives.
  let recLine = 0;
  let recCount = 0;
  let recText = '';
  let recParts: string[] | null = null;
  let suspect = false; // the current chunk holds U+FFFD or NUL: check lines one by one
  const flush = () => {
    if (recCount > 0) sink(recLine, recCount, recParts ? recParts.join('\n') : recText);
    recParts = null;
    recCount = 0;
  };
  const push = (rawLine: string) => {
    let line = rawLine.length > 0 && rawLine.charCodeAt(rawLine.length - 1) === 13 ? rawLine.slice(0, -1) : rawLine;
    stats.lines++;
    if (suspect) {
      if (line.includes('\uFFFD')) stats.badUtf8Lines++;
      if (line.includes('\0')) { stats.nulLines++; line = line.replaceAll('\0', '\u2400'); }
    }
    if (startsRecord === 'every-line' || recCount === 0 || startsRecord(line)) {
      flush();
      recLine = stats.lines;
      recText = line;
    } else if (recParts) {
      recParts.push(line);
    } else {
      recParts = [recText, line];
    }
    recCount++;
  };

  const decoder = new StringDecoder('utf8');
  let carry = '';
  const consume = (text: string) => {
    suspect = text.includes('\uFFFD') || text.includes('\0') || carry.includes('\uFFFD') || carry.includes('\0');
    let start = 0;
    let nl = text.indexOf('\n', start);
    if (nl === -1) { carry += text; return; }
    push(carry + text.slice(0, nl));
    carry = '';
    start = nl + 1;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      push(text.slice(start, nl));
      start = nl + 1;
    }
    carry = text.slice(start);
  };

  try {
    for await (const chunk of input) {
      consume(decoder.write(chunk as Buffer));
      onProgress?.(stats.bytesRead);
    }
  } catch (e) {
    // A truncated .gz still yields what was decompressed before the cut: keep it and say so.
    const code = (e as NodeJS.ErrnoException).code;
    if (isGzipPath(file) && (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || /unexpected end|incorrect header|invalid/i.test((e as Error).message))) {
      stats.truncatedGzip = true;
    } else {
      throw e;
    }
  }
  consume(decoder.end());
  if (carry.length > 0) {
    stats.lastLineTorn = true;
    suspect = true;
    push(carry);
  }
  flush();
  return stats;
}
