// Reading a file a caller names that must be small and plain (an ssh config, a known_hosts file, a key file, a sealed
// profile): a path given through a door or written in a profile may name a device (/dev/zero never ends), a pipe
// (never answers) or a huge file, so it is checked first.
import { promises as fs } from 'node:fs';
import { EngineError } from './errors';

/** Why a path is not a plain file: missing, a folder, or a device or pipe. */
export function notAFile(file: string, st: { isDirectory(): boolean } | null): string {
  if (!st) return `No such file: ${file}`;
  return st.isDirectory() ? `${file} is a folder, not a file.` : `${file} is not a regular file (a device, pipe or socket).`;
}

/** The bytes of a regular file of at most `maxBytes`; otherwise an EngineError saying why not (`not_found` when it is
 *  missing; `what` names the file's role, or `tooLarge` is the whole sentence for a file over the bound). */
export async function readSmallFile(file: string, maxBytes: number, what: string, tooLarge?: string): Promise<Buffer> {
  const st = await fs.stat(file).catch(() => null);
  if (!st?.isFile()) throw new EngineError(st ? 'invalid_input' : 'not_found', notAFile(file, st));
  if (st.size > maxBytes) throw new EngineError('invalid_input', tooLarge ?? `${file} is too large to be ${what} (${st.size.toLocaleString('en-US')} bytes; at most ${maxBytes.toLocaleString('en-US')}).`);
  return fs.readFile(file).catch((e: NodeJS.ErrnoException) => { throw new EngineError('not_found', `Cannot read ${file}: ${e.code ?? e.message}.`); });
}

export async function readSmallText(file: string, maxBytes: number, what: string): Promise<string> {
  return (await readSmallFile(file, maxBytes, what)).toString('utf8');
}
