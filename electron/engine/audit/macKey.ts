// The per-install audit secret: 32 random bytes in the data home (outside every case), owner-only, created on first
// use. Entries carry an HMAC-SHA-256 of their hash under it, so someone who can edit a case's files but not this
// install's data home cannot forge entries that verify here. docs/AUDIT.md has the threat model.
import { createHmac, randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { appFiles } from '../case/paths';
import { mkdirPrivate } from '../util/atomic';

export interface MacKey { id: string; key: Buffer }

const keyFile = () => path.join(appFiles().home, 'audit.key');
const keyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 16);

/** This install's key; created when `create` and missing (never overwritten: O_EXCL). */
export async function auditMacKey(create: boolean): Promise<MacKey | null> {
  const file = keyFile();
  const read = async () => {
    const hex = (await fs.readFile(file, 'utf8').catch(() => '')).trim();
    return /^[0-9a-f]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : null;
  };
  let key = await read();
  if (!key && create) {
    await mkdirPrivate(path.dirname(file));
    await fs.writeFile(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e; // another process created it first: use theirs
    });
    key = await read();
  }
  return key ? { id: keyId(key), key } : null;
}

export const macOf = (k: MacKey, hash: string) => createHmac('sha256', k.key).update(hash).digest('hex');

export function macMatches(k: MacKey, hash: string, mac: string): boolean {
  const want = Buffer.from(macOf(k, hash), 'hex');
  const got = Buffer.from(/^[0-9a-f]{64}$/.test(mac) ? mac : '', 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}
