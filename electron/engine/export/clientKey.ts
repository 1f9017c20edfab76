// The per-client pseudonym key: with scope 'per-client', every export to one client uses the same K, so a user or
// id gets the same token in each extract that client receives (and another client's tokens differ). K is kept in
// the case like the re-identification map: encrypted to the operator's own key, in redaction/clients/, outside
// exports/; the file is named by a hash of the client's name, never the name itself.
import crypto from 'node:crypto';
import path from 'node:path';
import { mkdirPrivate, writeFileAtomic } from '../util/atomic';
import { EngineError } from '../util/errors';
import { readOwnFile } from '../util/smallFile';
import { caseFiles } from '../case/paths';
import type { Recipient } from './run';

export type PseudonymScope = 'per-export' | 'per-client';

export interface KeyVault {
  /** Encrypts to the operator's own key. */
  operator: Recipient | null;
  /** Decrypts a file encrypted to the operator's key (the key must be unlocked). */
  decrypt(armored: string): Promise<Uint8Array>;
}

const KEY_BYTES = 32;

export const clientKeyFile = (caseDir: string, client: string) =>
  path.join(caseFiles(caseDir).redaction, 'clients', `${crypto.createHash('sha256').update(`casefile-client\u0000${client}`).digest('hex').slice(0, 32)}.key.pgp`);

/** The client's K, created (and stored encrypted to the operator) on first use. */
export async function clientPseudonymKey(caseDir: string, client: string, vault: KeyVault): Promise<Buffer> {
  if (!client.trim()) throw new EngineError('invalid_input', 'A per-client pseudonym key needs the client: give a profile, a client key (to) or a client name.');
  const file = clientKeyFile(caseDir, client);
  // The case's own file: never through a link, never waited on as a pipe (a sync read of one stopped the engine).
  const stored = await readOwnFile(file, 1 << 20, 'a stored pseudonym key');
  if (!('bytes' in stored) && !stored.missing) {
    throw new EngineError('conflict', `The stored pseudonym key for this client (${path.basename(file)}) cannot be read (${stored.why}); move it away to start a new one.`);
  }
  if ('bytes' in stored) {
    const bytes = await vault.decrypt(stored.bytes.toString('utf8'));
    const body = JSON.parse(Buffer.from(bytes).toString('utf8')) as { format?: string; client?: string; key?: string };
    const key = Buffer.from(body.key ?? '', 'base64');
    if (body.format !== 'casefile/client-key@1' || body.client !== client || key.length !== KEY_BYTES) {
      throw new EngineError('conflict', `The stored pseudonym key for this client (${path.basename(file)}) is not valid; move it away to start a new one.`);
    }
    return key;
  }
  if (!vault.operator) {
    throw new EngineError('invalid_input', 'A per-client pseudonym key must be kept encrypted to your own key, and the keystore has none: create or import your key first, or use the per-export scope.');
  }
  const key = crypto.randomBytes(KEY_BYTES);
  const body = Buffer.from(JSON.stringify({ format: 'casefile/client-key@1', client, created: new Date().toISOString(), key: key.toString('base64') }));
  await mkdirPrivate(caseFiles(caseDir).redaction);
  await mkdirPrivate(path.dirname(file));
  await writeFileAtomic(file, await vault.operator.encrypt(body));
  body.fill(0);
  return key;
}
