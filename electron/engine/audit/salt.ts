// The salt under which sensitive call fields are HMAC'd in an audit trail: one per case (kept in the case folder,
// beside its trail) and one for the app's own trail. Created on first use, owner-only, never rewritten: equal
// values keep matching across entries for the life of the trail, and nobody without the salt can test guesses.
// The per-install entry-MAC secret (macKey.ts) is the same kind of file, kept in the data home.
import { createHmac, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { mkdirPrivate } from '../util/atomic';
import { readOwnFile } from '../util/smallFile';

const SALT_BYTES = 32;
const cache = new Map<string, Promise<Buffer>>();

/** The salt stored at `file`, created (atomically: temp, fsync, link) when missing. */
export function auditSalt(file: string): Promise<Buffer> {
  const key = path.resolve(file);
  let p = cache.get(key);
  if (!p) {
    p = loadOrCreate(key);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

async function loadOrCreate(file: string): Promise<Buffer> {
  const existing = await read(file);
  if (existing) return existing;
  await mkdirPrivate(path.dirname(file));
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await fs.open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(randomBytes(SALT_BYTES).toString('hex') + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  // link() fails when another process created the salt first: then theirs is the salt.
  await fs.link(tmp, file).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'EEXIST') throw e; });
  await fs.unlink(tmp).catch(() => undefined);
  const made = await read(file);
  if (!made) throw new Error(`The audit salt ${file} is unreadable.`);
  return made;
}

/** The secret stored at `file`, or null when there is none (never creates it). */
export async function existingSalt(file: string): Promise<Buffer | null> {
  return read(file);
}

async function read(file: string): Promise<Buffer | null> {
  // Read at every audited call: never through a link, never waiting on a pipe, never more than a salt's size.
  const got = await readOwnFile(file, 4096, 'an audit salt');
  const damaged = (why: string) => new Error(`The audit salt ${file} is damaged (${why}): audit entries cannot be recorded or checked with it.`);
  if (!('bytes' in got)) {
    if (got.missing) return null;
    throw damaged(got.why);
  }
  const hex = got.bytes.toString('utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw damaged('not 64 hex digits');
  return Buffer.from(hex, 'hex');
}

export function hmacHex(salt: Buffer, text: string): string {
  return createHmac('sha256', salt).update(text, 'utf8').digest('hex');
}
