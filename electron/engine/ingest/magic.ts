// What a file in a bundle is by its first bytes (its magic number), for the evidence that is not text: an image, a
// database, an executable, a compressed file Casefile does not read, an archive. Such a file is kept byte-for-byte
// as evidence but not read as lines (its "lines" would be binary garbage in the timeline). A name alone decides
// nothing: the content must confirm it, and content with no known magic is read as lines as before (a log with NUL
// runs from a crash is still a log).
import { gunzipStart, readStart } from './records';

/** What a file's first bytes say it is. `unread`: compressed in a form Casefile does not decompress. */
export interface Magic { what: string; archive?: 'tar' | 'zip'; unread?: true }

/** Bytes a sniff needs: tar's "ustar" sits at byte 257. */
export const MAGIC_BYTES = 512;

const GZIP = [0x1f, 0x8b];
const ZIP = [[0x50, 0x4b, 0x03, 0x04], [0x50, 0x4b, 0x05, 0x06], [0x50, 0x4b, 0x07, 0x08]];
const BZIP2_BLOCK = [[0x31, 0x41, 0x59, 0x26, 0x53, 0x59], [0x17, 0x72, 0x45, 0x38, 0x50, 0x90]];

const SIGNATURES: { bytes: number[] | string; at?: number; magic: Magic }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], magic: { what: 'PNG image' } },
  { bytes: [0xff, 0xd8, 0xff], magic: { what: 'JPEG image' } },
  { bytes: 'GIF87a', magic: { what: 'GIF image' } },
  { bytes: 'GIF89a', magic: { what: 'GIF image' } },
  { bytes: '%PDF-', magic: { what: 'PDF document' } },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], magic: { what: 'ELF executable or library' } },
  { bytes: 'SQLite format 3\0', magic: { what: 'SQLite database' } },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], magic: { what: 'xz-compressed file', unread: true } },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], magic: { what: 'zstd-compressed file', unread: true } },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], magic: { what: '7z archive', unread: true } },
  { bytes: 'ustar', at: 257, magic: { what: 'tar archive', archive: 'tar' } },
];

function startsWith(buf: Buffer, sig: number[] | string, at = 0): boolean {
  const bytes = typeof sig === 'string' ? Buffer.from(sig, 'latin1') : sig;
  if (buf.length < at + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[at + i] !== bytes[i]) return false;
  return true;
}

const isZip = (head: Buffer) => ZIP.some((z) => startsWith(head, z));
export const isGzip = (head: Buffer) => startsWith(head, GZIP);

/**
 * What `head` (a file's first bytes; a .gz file's decompressed) is, or null for content with no known magic.
 * `rel` names a zip-based file (.xlsx, .jar) in what it says; `gzipped`: the bytes came out of a .gz file.
 */
export function sniffMagic(head: Buffer, rel: string, gzipped = false): Magic | null {
  const m = sniff(head, rel);
  return m && gzipped ? { ...m, what: `${m.what} (gzip-compressed)` } : m;
}

function sniff(head: Buffer, rel: string): Magic | null {
  for (const s of SIGNATURES) if (startsWith(head, s.bytes, s.at)) return s.magic;
  if (isZip(head)) {
    const ext = /\.([A-Za-z0-9]{1,8})$/.exec(rel)?.[1]?.toLowerCase();
    return ext === 'zip' ? { what: 'zip archive', archive: 'zip' } : { what: `zip-based file${ext ? ` (.${ext})` : ''}` };
  }
  // "BZh" and a block size could open a line of text: the block's own magic must follow.
  if (startsWith(head, 'BZh') && head[3]! >= 0x31 && head[3]! <= 0x39 && BZIP2_BLOCK.some((b) => startsWith(head, b, 4))) {
    return { what: 'bzip2-compressed file', unread: true };
  }
  // A gzip stream whose name does not end in .gz (a .gz file's head is its decompressed text).
  if (isGzip(head) && head[2] === 0x08) return { what: 'gzip-compressed file not named .gz', unread: true };
  return null;
}

/** The note of a file kept as evidence and not read as lines. */
export function keptNote(m: Magic): string {
  return m.unread
    ? `${m.what}: kept as evidence, not read as log lines (compressed in a form Casefile does not read: decompress it and import the result to read it)`
    : `${m.what}: kept as evidence, not read as log lines`;
}

/** An archive's name: the names intake takes as archives (bundle.ts), whose content must still confirm it. */
export const ARCHIVE_NAME = /\.(tar\.gz|tgz|tar|zip)$/i;

/**
 * Whether a file named as an archive is one by its content: the ustar magic at byte 257 of its (decompressed)
 * content, or a zip's header magic. Reads at most a few KB of it.
 */
export async function archiveByContent(file: string, rel: string): Promise<{ type: 'tar' | 'zip'; what: string } | null> {
  const m = ARCHIVE_NAME.exec(rel);
  if (!m) return null;
  const head = readStart(file, MAGIC_BYTES);
  if (/^zip$/i.test(m[1]!)) return isZip(head) ? { type: 'zip', what: 'zip archive' } : null;
  const gz = isGzip(head);
  const tarHead = gz ? (await gunzipStart(file, MAGIC_BYTES)).raw : head;
  return startsWith(tarHead, 'ustar', 257) ? { type: 'tar', what: gz ? 'tar archive (gzip-compressed)' : 'tar archive' } : null;
}
