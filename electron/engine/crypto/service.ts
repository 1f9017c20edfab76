// The engine's one door to keys and sealed files: the keystore, the unlock timer and the open bundles together.
// Other modules (exports, profiles) encrypt and decrypt through here: `encryptTo`, `operatorKeys`, `clientKeys`,
// `decrypt`. Passphrases and session keys pass through as arguments and are never stored or logged.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type * as openpgp from 'openpgp';
import { CryptoError } from './errors';
import { Keystore, type Door, type Wrapper } from './keystore';
import { describeMessage, keyIdsOf, openSealed, readSealed, seal, unlockKey, type Opened, type OpenWith } from './pgp';
import { MAX_BUNDLE_BYTES, MAX_BUNDLE_MIB } from './parse';
import { readSmallFile } from '../util/smallFile';
import { SealedSessions, type OpenedBundle } from './sealedSession';
import type { Segment } from '../../../shared/fieldPath';
import { readUnlockSettings, Unlocker, type KeysState } from './unlock';

/** A sealed file to open: a path on the engine's machine, or its bytes (an upload in browser mode). */
export type SealedSource = { file: string } | { bytes: Uint8Array; name: string };

/** A secret for one open, given by the operator for this call only. */
export interface OpenSecrets { password?: string; sessionKey?: string }

const MAX_SEALED_BYTES = MAX_BUNDLE_BYTES * 2;
/** A sealed file over MAX_SEALED_BYTES, said the same for a file (named) and for bytes handed in. */
const sealedTooLarge = (name?: string) => `${name ? `${name} is over` : 'Over'} ${2 * MAX_BUNDLE_MIB} MiB: too large to be a sealed profile or credential bundle. Check that this is the file you meant.`;

export class CryptoService {
  readonly keystore: Keystore;
  readonly unlocker = new Unlocker();
  readonly sessions = new SealedSessions(() => this.unlocker.limits());

  constructor(readonly door: Door, wrapper: Wrapper | null = null) {
    this.keystore = new Keystore(wrapper);
    // Any lock (by hand, expiry, idle) closes every open bundle: nothing decrypted outlives an unlocked key.
    this.unlocker.onLock(() => this.sessions.closeAll());
  }

  /** Picks up `settings.json` (unlock period, idle timeout). */
  async loadSettings(): Promise<void> {
    this.unlocker.setSettings(await readUnlockSettings());
  }

  async unlock(ref: string, passphrase: string, seconds?: number): Promise<KeysState> {
    const meta = await this.keystore.findSecret(ref);
    const key = await unlockKey(await this.keystore.loadSecret(meta.fingerprint), passphrase);
    return this.unlocker.unlock(meta.fingerprint, key, seconds);
  }

  lock(ref?: string): KeysState {
    const state = this.unlocker.lock(ref);
    if (!ref) this.sessions.closeAll(); // "lock" with no key also drops bundles opened by password or session key
    return state;
  }

  state(): KeysState { return this.unlocker.state(); }

  /** Reads a sealed file: its bytes and sha256 (what the audit trail names). */
  async read(src: SealedSource): Promise<{ bytes: Uint8Array; name: string; sha256: string }> {
    let bytes: Uint8Array;
    let name: string;
    if ('file' in src) {
      name = path.basename(src.file);
      bytes = await readSmallFile(src.file, MAX_SEALED_BYTES, '', sealedTooLarge(name))
        .catch((e: Error) => { throw new CryptoError('corrupt', e.message); });
    } else {
      if (src.bytes.byteLength > MAX_SEALED_BYTES) throw new CryptoError('corrupt', sealedTooLarge());
      bytes = src.bytes;
      name = path.basename(src.name);
    }
    return { bytes, name, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  /**
   * Decrypts with the unlocked keys, or the password / session key given. A file for a key of mine that is locked
   * says so (unlock it), rather than "not for my keys".
   */
  async decrypt(bytes: Uint8Array, secrets: OpenSecrets = {}): Promise<Opened> {
    const how: OpenWith = { keys: this.unlocker.use(), ...secrets };
    if (secrets.password === undefined && secrets.sessionKey === undefined) {
      const { recipients } = describeMessage(await readSealed(bytes));
      const unlockedIds = new Set(how.keys!.flatMap(keyIdsOf));
      if (!recipients.some((r) => unlockedIds.has(r))) {
        const locked = (await this.keystore.listSecret()).find((k) => k.keyIds.some((id) => recipients.includes(id)));
        if (locked) throw new CryptoError('locked', `This file is for your key ${locked.keyIds[0]} (${locked.userIds[0] ?? 'no user id'}), which is locked: unlock it first.`, recipients);
      }
    }
    return openSealed(bytes, how, await this.verificationKeys()).catch(async (e: unknown) => {
      throw await this.withNextStep(e);
    });
  }

  /** "Not for my keys" says what to do: import my key when Casefile has none, else have the file sealed to mine. */
  private async withNextStep(e: unknown): Promise<unknown> {
    if (!(e instanceof CryptoError) || e.kind !== 'not_for_my_keys' || !e.message.startsWith('This file is not encrypted to any of your keys')) return e;
    const mine = await this.keystore.listSecret();
    const next = mine.length
      ? `Ask its sender to seal it to your key (${mine.map((k) => k.keyIds[0]).join(', ')}), or import the secret key it is for.`
      : 'You have no secret key in Casefile yet: import yours (Keys, or casefile key import <file>), then open the file again.';
    return new CryptoError(e.kind, `${e.message} ${next}`, e.recipients);
  }

  /** Opens a credential bundle into a masked session. */
  async open(src: SealedSource, secrets: OpenSecrets = {}): Promise<OpenedBundle> {
    const { bytes, name, sha256 } = await this.read(src);
    const opened = await this.decrypt(bytes, secrets);
    return this.sessions.add({ name, sha256, recipients: opened.recipients, signatures: opened.signatures }, opened.data);
  }

  reveal(sessionId: string, fieldPath: Segment[]): { value: string; kind: string } {
    const r = this.sessions.reveal(sessionId, fieldPath);
    this.unlocker.touch();
    return r;
  }

  /** Encrypts to operator or client keys (by fingerprint, key id or user id), readable by GnuPG 2.2 and 2.4. */
  async encryptTo(recipients: (string | openpgp.Key)[], data: Uint8Array, signWith?: string): Promise<string> {
    const keys: openpgp.Key[] = [];
    for (const r of recipients) keys.push(typeof r === 'string' ? await this.keystore.recipient(r) : r);
    let signer: openpgp.PrivateKey | undefined;
    if (signWith) {
      const meta = await this.keystore.findSecret(signWith);
      if (!this.unlocker.isUnlocked(meta.fingerprint)) throw new CryptoError('locked', `Unlock key ${meta.keyIds[0]} to sign with it.`);
      signer = this.unlocker.use().find((k) => k.getFingerprint().toUpperCase() === meta.fingerprint);
    }
    return seal(data, keys, signer);
  }

  /** Public halves of the operator's own keys (to encrypt something only the operator can read back). */
  operatorKeys(): Promise<openpgp.Key[]> { return this.keystore.operatorPublicKeys(); }

  clientKeys(): Promise<openpgp.Key[]> { return this.keystore.clientKeys(); }

  private async verificationKeys(): Promise<openpgp.Key[]> {
    return [...(await this.keystore.operatorPublicKeys()), ...(await this.keystore.clientKeys())];
  }

  dispose(): void {
    this.sessions.closeAll();
    this.unlocker.dispose();
  }
}
