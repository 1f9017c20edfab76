// Reading a file a caller names that must be small and plain (an ssh config, a known_hosts file, a key file, a sealed
// profile): a path given through a door or written in a profile may name a device (/dev/zero never ends), a pipe
// (never answers) or a huge file, so it is checked first.
import { constants, promises as fs } from 'node:fs';
import { EngineError } from './errors';

/** Why a path is not a plain file: missing, a folder, or a device or pipe. */
export function notAFile(file: string, st: { isDirectory(): boolean } | null): string {
  if (!st) return `No such file: ${file}`;
  return st.isDirectory() ? `${file} is a folder, not a file.` : `${file} is not a regular file (a device, pipe or socket).`;
}

/** The bytes of a regular file of at most `maxBytes`; otherwise an EngineError saying why not (`not_found` when it is
 *  missing; `what` names the file's role, or `tooLarge` is the whole sentence for a file over the bound). */
export async function readSmallFile(file: string, maxBytes: number, what: string, tooLarge?: string): Promise<Buffer> {
  const bytes = await readSmallFileIfAny(file, maxBytes, what, tooLarge);
  if (!bytes) throw new EngineError('not_found', notAFile(file, null));
  return bytes;
}

/** As readSmallFile, but null when there is no file there at all: for a caller to whom "none yet" is an answer (a
 *  profile not saved, no host key accepted yet), while a file there that cannot be read is still an error. */
export async function readSmallFileIfAny(file: string, maxBytes: number, what: string, tooLarge?: string): Promise<Buffer | null> {
  const st = await fs.stat(file).catch(() => null);
  if (!st) return null;
  if (!st.isFile()) throw new EngineError('invalid_input', notAFile(file, st));
  if (st.size > maxBytes) throw new EngineError('invalid_input', tooLarge ?? `${file} is too large to be ${what} (${st.size.toLocaleString('en-US')} bytes; at most ${maxBytes.toLocaleString('en-US')}).`);
  return fs.readFile(file).catch((e: NodeJS.ErrnoException) => { throw new EngineError('not_found', `Cannot read ${file}: ${e.code ?? e.message}.`); });
}

export async function readSmallText(file: string, maxBytes: number, what: string): Promise<string> {
  return (await readSmallFile(file, maxBytes, what)).toString('utf8');
}

/** What reading a file the engine wrote and reads back (a pull's state, a run mark) found: its bytes, or why not. */
export type OwnFileRead = { bytes: Buffer } | { missing: true; why: string } | { missing?: undefined; why: string };

/**
 * A file this app wrote into a case or its data home and reads back: never through a link (O_NOFOLLOW: a link there
 * was put by someone else, and may name /dev/zero or a file outside the case), never waiting on a pipe (O_NONBLOCK),
 * only a regular file, and never more than `maxBytes` read (checked on the open file, and again while reading: one
 * that grows is not read to its end). `what` names the file's kind ("a mark") in the reasons.
 */
export async function readOwnFile(file: string, maxBytes: number, what: string): Promise<OwnFileRead> {
  const fh = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((e: NodeJS.ErrnoException) => e);
  if (fh instanceof Error) {
    if (fh.code === 'ENOENT') return { missing: true, why: 'missing' };
    return { why: fh.code === 'ELOOP' ? 'a link: not followed' : `cannot be read (${fh.code ?? fh.message})` };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { why: st.isDirectory() ? `a folder, not ${what}` : 'not a regular file (a device, pipe or socket)' };
    const tooLarge = (n: number) => ({ why: `${n.toLocaleString('en-US')} bytes: far larger than ${what}, not read` });
    if (st.size > maxBytes) return tooLarge(st.size);
    const buf = Buffer.alloc(Math.min(maxBytes + 1, st.size + 64 * 1024));
    let got = 0;
    for (let n = -1; n !== 0 && got < buf.length;) got += n = (await fh.read(buf, got, buf.length - got, got)).bytesRead;
    if (got > maxBytes) return tooLarge(got);
    return { bytes: buf.subarray(0, got) };
  } finally { await fh.close(); }
}
