// The per-install audit secret: 32 random bytes in the data home (outside every case), owner-only, created on first
// use like a trail salt (salt.ts). Entries carry an HMAC-SHA-256 of their hash under it, so someone who can edit a
// case's files but not this install's data home cannot forge entries that verify here. docs/AUDIT.md: threat model.
import { createHash, timingSafeEqual } from 'node:crypto';
import { appFiles } from '../case/paths';
import { auditSalt, existingSalt, hmacHex } from './salt';

export interface MacKey { id: string; key: Buffer }

const keyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 16);

/** This install's key; created when `create` and missing (never overwritten). Verify never creates it. */
export async function auditMacKey(create: boolean): Promise<MacKey | null> {
  const file = appFiles().auditKey;
  const key = create ? await auditSalt(file) : await existingSalt(file);
  return key ? { id: keyId(key), key } : null;
}

export const macOf = (k: MacKey, hash: string) => hmacHex(k.key, hash);

export function macMatches(k: MacKey, hash: string, mac: string): boolean {
  const want = Buffer.from(macOf(k, hash), 'hex');
  const got = Buffer.from(/^[0-9a-f]{64}$/.test(mac) ? mac : '', 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}
