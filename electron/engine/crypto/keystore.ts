// The operator's secret keys and the clients' public keys, in the data home. A secret key is stored exactly as GnuPG
// exported it (still passphrase-protected), owner-only and written atomically; when the desktop shell offers
// Electron safeStorage (a `Wrapper`), the stored copy is wrapped too, and only the desktop app can open it.
import { constants, promises as fs } from 'node:fs';
import { z } from 'zod';
import { SecretKeyInfo } from '../../../shared/contract/keys';
import type * as openpgp from 'openpgp';
import { writeFileAtomic, mkdirPrivate } from '../util/atomic';
import { withFileLock } from '../util/fileLock';
import { readSmallFile } from '../util/smallFile';
import { CryptoError } from './errors';
import { cryptoFiles } from './paths';
import { keyIdsOf, primaryUserId, readPublicKeys, readSecretKey } from './pgp';

/** Wraps stored key files with an OS keychain (Electron safeStorage, offered by the desktop shell). */
export interface Wrapper {
  readonly name: 'safeStorage';
  wrap(data: Uint8Array): Promise<Uint8Array>;
  unwrap(data: Uint8Array): Promise<Uint8Array>;
}

/** Where the engine runs: the desktop app (may have safeStorage), the CLI, or browser mode (neither). */
export type Door = 'desktop' | 'cli' | 'browser';
export type Protection = 'passphrase' | 'passphrase+safeStorage';

/** One stored key as the index records it: the contract's key info without the live parts (doors, time left). */
const StoredKey = SecretKeyInfo.omit({ doors: true, secondsLeft: true });
export type StoredKey = z.infer<typeof StoredKey>;
const ClientKey = StoredKey.omit({ protection: true });
export type ClientKey = z.infer<typeof ClientKey>;
const Index = z.object({ version: z.literal(1), secret: z.array(StoredKey), clients: z.array(ClientKey) });
type Index = z.infer<typeof Index>;
/** The index as the file holds it: fields a newer Casefile added, on the index or on a key, are unknown here but kept
 *  when this one rewrites it (adding or removing a key), or that version's data would be lost silently. They never
 *  leave this module: readers get `Index` (zod strips them), so they reach neither the renderer nor the trail. */
const IndexFile = z.looseObject({ version: z.literal(1), secret: z.array(StoredKey.loose()), clients: z.array(ClientKey.loose()) });
type IndexFile = z.infer<typeof IndexFile>;

export interface StoredSecretKey extends StoredKey {
  /** Which doors can open it: a safeStorage-wrapped key only in the desktop app. */
  doors: Door[];
}

const MAX_KEY_BYTES = 1 << 20;
/** An index entry is about 500 bytes: 8 MB holds some 16,000 keys. */
const MAX_INDEX_BYTES = 8 << 20;
/** The index is 4 levels deep; a kept unknown field far deeper than any Casefile writes could not be written back
 *  (JSON.stringify recurses: some 5,000 levels overflow the stack), so it is refused when read. */
const MAX_INDEX_DEPTH = 64;

export class Keystore {
  constructor(private readonly wrapper: Wrapper | null = null) {}

  get wrapperName(): string | null { return this.wrapper?.name ?? null; }

  async listSecret(): Promise<StoredSecretKey[]> {
    return (await this.readIndex()).secret.map(withDoors);
  }

  async listClients(): Promise<ClientKey[]> {
    return (await this.readIndex()).clients;
  }

  /** Imports a secret key exported by `gpg --export-secret-keys [--armor]`; it must be passphrase-protected. */
  async importSecret(bytes: Uint8Array): Promise<StoredSecretKey> {
    if (bytes.byteLength > MAX_KEY_BYTES) throw new CryptoError('bad_key', 'That file is too big to be a key.');
    const key = await readSecretKey(bytes);
    if (!key.isPrivate()) throw new CryptoError('bad_key', 'This is a public key: import it as a client key.');
    const packets = [key.keyPacket, ...key.subkeys.map((s) => s.keyPacket)] as openpgp.SecretKeyPacket[];
    const real = packets.filter((p) => !p.isDummy());
    if (!real.length) throw new CryptoError('bad_key', 'This key\'s secret parts live on a smartcard: open files with a session key from `gpg --show-session-key` instead.');
    if (real.some((p) => p.isDecrypted())) {
      throw new CryptoError('bad_key', 'This secret key has no passphrase. Protect it in GnuPG first (`gpg --passwd`), then export it again.');
    }
    const meta = await describe(key);
    const stored: StoredKey = { ...meta, importedAt: new Date().toISOString(), protection: this.wrapper ? 'passphrase+safeStorage' : 'passphrase' };
    const content = this.wrapper ? await this.wrapper.wrap(bytes) : bytes;
    await this.update((index) => {
      index.secret = [...index.secret.filter((k) => k.fingerprint !== stored.fingerprint), { ...was(index.secret, stored.fingerprint), ...stored }];
    }, { before: () => writeFileAtomic(cryptoFiles().secret(stored.fingerprint), content) });
    return withDoors(stored);
  }

  /** Adds clients' public keys (one file may hold several). Secret keys are refused here. */
  async importClients(bytes: Uint8Array): Promise<ClientKey[]> {
    if (bytes.byteLength > MAX_KEY_BYTES) throw new CryptoError('bad_key', 'That file is too big to be a key.');
    const keys = await readPublicKeys(bytes);
    if (keys.some((k) => k.isPrivate())) throw new CryptoError('bad_key', 'This holds a secret key: client keys are public keys (`gpg --export --armor`).');
    const added: ClientKey[] = [];
    for (const k of keys) added.push({ ...(await describe(k)), importedAt: new Date().toISOString() });
    await this.update((index) => {
      const fprs = new Set(added.map((a) => a.fingerprint));
      index.clients = [...index.clients.filter((c) => !fprs.has(c.fingerprint)), ...added.map((a) => ({ ...was(index.clients, a.fingerprint), ...a }))];
    }, {
      before: async () => {
        await mkdirPrivate(cryptoFiles().clients);
        for (const [i, k] of keys.entries()) await writeFileAtomic(cryptoFiles().client(added[i]!.fingerprint), k.write());
      },
    });
    return added;
  }

  /** Removes an operator key or a client key by fingerprint, key id or a unique part of its user id. */
  async remove(ref: string): Promise<{ kind: 'secret' | 'client'; key: StoredKey | ClientKey }> {
    let removed: { kind: 'secret' | 'client'; key: StoredKey | ClientKey } | undefined;
    await this.update((index) => {
      const found = pick([...index.secret.map((k) => ({ kind: 'secret' as const, key: k })), ...index.clients.map((k) => ({ kind: 'client' as const, key: k }))], ref, (x) => x.key);
      // Index first: a crash between the two leaves an orphan file, never an entry without its key.
      if (found.kind === 'secret') index.secret = index.secret.filter((k) => k.fingerprint !== found.key.fingerprint);
      else index.clients = index.clients.filter((k) => k.fingerprint !== found.key.fingerprint);
      removed = { kind: found.kind, key: found.kind === 'secret' ? StoredKey.parse(found.key) : ClientKey.parse(found.key) };
    }, {
      after: async () => {
        if (!removed) return;
        const f = removed.kind === 'secret' ? cryptoFiles().secret(removed.key.fingerprint) : cryptoFiles().client(removed.key.fingerprint);
        await fs.rm(f, { force: true });
      },
    });
    return removed!;
  }

  async findSecret(ref: string): Promise<StoredKey> {
    return pick((await this.readIndex()).secret, ref, (k) => k);
  }

  /** The stored secret key (still passphrase-protected), unwrapped from safeStorage when needed. */
  async loadSecret(fingerprint: string): Promise<openpgp.PrivateKey> {
    const meta = await this.findSecret(fingerprint);
    let bytes: Uint8Array = await readKeyFile(cryptoFiles().secret(meta.fingerprint));
    if (meta.protection === 'passphrase+safeStorage') {
      if (!this.wrapper) throw new CryptoError('unavailable', `Key ${meta.keyIds[0]} is also protected by the desktop app's safeStorage: open it in the desktop app.`);
      bytes = await this.wrapper.unwrap(bytes);
    }
    return readSecretKey(bytes);
  }

  /** Public halves of the operator's keys. */
  async operatorPublicKeys(): Promise<openpgp.Key[]> {
    const out: openpgp.Key[] = [];
    for (const k of await this.listSecret()) {
      if (k.protection === 'passphrase+safeStorage' && !this.wrapper) continue;
      out.push((await this.loadSecret(k.fingerprint)).toPublic());
    }
    return out;
  }

  async clientKey(ref: string): Promise<openpgp.Key> {
    const meta = pick((await this.readIndex()).clients, ref, (k) => k);
    const [key] = await readPublicKeys(await readKeyFile(cryptoFiles().client(meta.fingerprint)));
    return key!;
  }

  async clientKeys(): Promise<openpgp.Key[]> {
    const out: openpgp.Key[] = [];
    for (const c of await this.listClients()) out.push(...(await readPublicKeys(await readKeyFile(cryptoFiles().client(c.fingerprint)))));
    return out;
  }

  /** A recipient by reference: an operator key (its public half) or a client key. */
  async recipient(ref: string): Promise<openpgp.Key> {
    const index = await this.readIndex();
    const found = pick([...index.secret.map((k) => ({ kind: 'secret', k })), ...index.clients.map((k) => ({ kind: 'client', k }))], ref, (x) => x.k);
    return found.kind === 'secret' ? (await this.loadSecret(found.k.fingerprint)).toPublic() : this.clientKey(found.k.fingerprint);
  }

  /** The index's known fields (see IndexFile). */
  private async readIndex(): Promise<Index> {
    const { version, secret, clients } = Index.parse(await this.readIndexFile());
    return { version, secret: lastOfEach(secret, (k) => k), clients: lastOfEach(clients, (k) => k) };
  }

  /** The one place the index file is read and parsed: whole, with every field it holds. */
  private async readIndexFile(): Promise<IndexFile> {
    // Non-blocking, so an index that is a pipe does not hang the open; it is then refused as not a regular file.
    const fh = await fs.open(cryptoFiles().index, constants.O_RDONLY | constants.O_NONBLOCK).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    if (fh === null) return { version: 1, secret: [], clients: [] };
    let text: string;
    try {
      // Read whole at every key call, and written back by the next change: one this large is not one this app wrote.
      // A device (a link to /dev/zero) says size 0 and never ends: only a regular file is read.
      const st = await fh.stat();
      if (!st.isFile()) throw damagedIndex(st.isDirectory() ? 'a folder, not a file' : 'not a regular file: a device, pipe or socket');
      if (st.size > MAX_INDEX_BYTES) throw damagedIndex(`${st.size.toLocaleString('en-US')} bytes: far larger than a key index`);
      text = await fh.readFile('utf8');
    } finally { await fh.close(); }
    // Only a missing index is an empty keystore: one cut short or garbled is said, never read as "no keys" (an
    // export would then drop its re-identification map, and the next import would write an index without the rest).
    let json: unknown;
    try { json = JSON.parse(text); } catch { throw damagedIndex(text.trim() ? 'not JSON: cut short or garbled' : 'empty'); }
    if (deeperThan(json, MAX_INDEX_DEPTH)) throw damagedIndex(`nested more than ${MAX_INDEX_DEPTH} levels deep`);
    const parsed = IndexFile.safeParse(json);
    if (!parsed.success) throw damagedIndex('not a key index');
    return parsed.data;
  }

  /**
   * Changes the index under a lock shared by every process (the app and the CLI may both write it). `before` writes
   * the key files the new entries name (a crash after it leaves an orphan file, never an entry without its key), once
   * the new index is known to be one the next read accepts; `after` removes the files of the entries taken out.
   */
  private async update(change: (index: IndexFile) => void, files: { before?: () => Promise<void>; after?: () => Promise<void> } = {}): Promise<void> {
    await mkdirPrivate(cryptoFiles().dir);
    await withFileLock(cryptoFiles().lock, async () => {
      const index = await this.readIndexFile();
      change(index);
      // Indented for a reader, unless that grows it past the bound (an index written compact, near it): the next read
      // would refuse it. A removal never grows the index; an import that would is refused.
      let text = `${JSON.stringify(index, null, 2)}\n`;
      if (Buffer.byteLength(text) > MAX_INDEX_BYTES) text = `${JSON.stringify(index)}\n`;
      const size = Buffer.byteLength(text);
      if (size > MAX_INDEX_BYTES) {
        throw new CryptoError('bad_key', `The key index ${cryptoFiles().index} would grow to ${size.toLocaleString('en-US')} bytes, past the `
          + `${MAX_INDEX_BYTES.toLocaleString('en-US')} a key index may hold: nothing was changed. Remove keys you no longer use first.`);
      }
      await files.before?.();
      await writeFileAtomic(cryptoFiles().index, text);
      await files.after?.();
    });
  }
}

/** A stored key file, checked first: one replaced by a link to /dev/zero never ends, a pipe never answers. A key is
 *  at most MAX_KEY_BYTES; its safeStorage-wrapped copy a little more. */
async function readKeyFile(file: string): Promise<Buffer> {
  try {
    return await readSmallFile(file, 2 * MAX_KEY_BYTES, 'a stored key');
  } catch (e) {
    throw new CryptoError('bad_key', `A stored key cannot be read: ${(e as Error).message.replace(/\.$/, '')}. Remove it and import it again `
      + '(casefile key remove / import, or Keys in the app).');
  }
}

function damagedIndex(why: string): CryptoError {
  return new CryptoError('bad_key', `The key index ${cryptoFiles().index} is damaged (${why}): move it aside and import your keys again `
    + '(casefile key import <file>, or Keys in the app); nothing was changed.');
}

/** The index's record of a key imported again, whose fields a newer Casefile added stay on it (ours are replaced). */
function was<T extends { fingerprint: string }>(records: T[], fingerprint: string): T | undefined {
  return records.find((r) => r.fingerprint === fingerprint);
}

/** Whether a parsed JSON value nests deeper than `max` (walked without recursion: the value may be very deep). */
function deeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

function withDoors(k: StoredKey): StoredSecretKey {
  return { ...k, doors: k.protection === 'passphrase' ? ['desktop', 'cli', 'browser'] : ['desktop'] };
}

async function describe(key: openpgp.Key): Promise<Omit<StoredKey, 'importedAt' | 'protection'>> {
  const uid = await primaryUserId(key);
  const info = key.getAlgorithmInfo() as { algorithm: string; curve?: string; bits?: number };
  return {
    fingerprint: key.getFingerprint().toUpperCase(),
    keyIds: keyIdsOf(key),
    userIds: [...new Set([...(uid ? [uid] : []), ...key.getUserIDs()])],
    version: key.keyPacket.version,
    algorithm: info.curve ? `${info.algorithm}/${info.curve}` : `${info.algorithm}${info.bits ? `/${info.bits}` : ''}`,
    created: key.getCreationTime().toISOString(),
  };
}

/** One entry of each fingerprint, the last (as an import keeps it): an index this app wrote has no two, but one written
 *  by hand or another tool may, and a key named by its fingerprint is then still one key (removed whole: every entry). */
function lastOfEach<T>(items: T[], meta: (t: T) => { fingerprint: string }): T[] {
  return [...new Map(items.map((t) => [meta(t).fingerprint, t])).values()];
}

/** One entry by fingerprint, long key id (any subkey), or a part of a user id that names exactly one key. */
function pick<T>(items: T[], ref: string, meta: (t: T) => { fingerprint: string; keyIds: string[]; userIds: string[] }): T {
  const r = ref.trim().replace(/^0x/i, '').replace(/\s+/g, '');
  const up = r.toUpperCase();
  const exact = lastOfEach(items, meta).filter((t) => meta(t).fingerprint === up || meta(t).keyIds.includes(up) || (up.length >= 8 && /^[0-9A-F]+$/.test(up) && meta(t).fingerprint.endsWith(up)));
  if (exact.length === 1) return exact[0]!;
  const byUid = lastOfEach(items, meta).filter((t) => meta(t).userIds.some((u) => u.toLowerCase().includes(ref.trim().toLowerCase())));
  if (exact.length === 0 && byUid.length === 1) return byUid[0]!;
  if (exact.length > 1 || byUid.length > 1) throw new CryptoError('no_key', `"${ref.slice(0, 100)}" names more than one key; use its fingerprint.`);
  throw new CryptoError('no_key', `No key "${ref.slice(0, 100)}" in the keystore.`);
}
