// OpenPGP with OpenPGP.js, tuned for what GnuPG 2.2 and 2.4 write and read: armored or binary messages, public-key,
// password or both, signed-and-encrypted, OCB (AEAD) packets and v5 keys from 2.4, and session keys printed by
// `gpg --show-session-key` (smartcard users). Every failure becomes a CryptoError whose kind says what to do.
import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import { CryptoError, isUnsupportedMessage } from './errors';
import { MAX_BUNDLE_BYTES, TOO_LARGE } from './parse';

/** v5 keys (GnuPG 2.4 `--compliance=gnupg`) are only parsed when asked. */
export const PGP_CONFIG = { enableParsingV5Entities: true } as const;
/** Key and packet methods take a whole config (the top-level functions fill in defaults, methods do not). */
const METHOD_CONFIG = { ...openpgp.config, ...PGP_CONFIG };

/**
 * A compressed packet of a few hundred bytes can inflate to gigabytes (bzip2 of one repeated byte). OpenPGP.js stops
 * at this many decompressed bytes: a bundle's limit plus room for the literal packet's framing and a signature.
 */
const MAX_DECOMPRESSED_BYTES = MAX_BUNDLE_BYTES + (64 << 10);

const WILDCARD = '0000000000000000';
/** Ciphers OpenPGP.js implements (GnuPG can also write Camellia and IDEA, which it cannot read). */
const CIPHERS = new Set(['aes128', 'aes192', 'aes256', 'tripledes', 'cast5', 'blowfish', 'twofish']);

/** RFC 4880 ids OpenPGP.js has no name for. */
const UNKNOWN_CIPHERS: Record<number, string> = { 11: 'camellia128', 12: 'camellia192', 13: 'camellia256' };

function checkCipher(algo: number | string | null | undefined): void {
  if (algo === null || algo === undefined) return;
  let name: string;
  try { name = typeof algo === 'string' ? algo : readEnum(openpgp.enums.symmetric, algo); } catch { name = UNKNOWN_CIPHERS[algo as number] ?? `cipher #${algo}`; }
  if (!CIPHERS.has(name)) throw new CryptoError('unsupported', `This file is encrypted with ${name}, a cipher Casefile cannot decrypt; re-encrypt it with AES.`);
}

export type SignatureStatus = 'valid' | 'invalid' | 'unknown_key';
export interface SignatureReport {
  /** Signer's long key id (16 upper-case hex). */
  signer: string;
  /** The signer's primary user id when we hold their public key. */
  signerUserId: string | null;
  status: SignatureStatus;
}

export interface Opened {
  /** The plaintext. The caller owns it and should `fill(0)` it once parsed. */
  data: Uint8Array;
  signatures: SignatureReport[];
  /** Key ids the message is encrypted to. */
  recipients: string[];
  /** Whether the message can also be opened with a password. */
  password: boolean;
  /** What opened it (for the trail): a secret given along that was not needed is not named. */
  openedBy: OpenedBy;
}

/** 'key or password' when both were given and fit the file (OpenPGP.js does not say which one worked). */
export type OpenedBy = 'key' | 'password' | 'session key' | 'key or password';

/** How to open a message: with my unlocked keys, a password, or a session key (any that is given is tried). */
export interface OpenWith {
  keys?: openpgp.PrivateKey[];
  password?: string;
  sessionKey?: string;
}

/** `enums.read` is typed for a few enums only; it works for all (throws on an unknown value). */
const readEnum = (e: object, v: number) => (openpgp.enums as unknown as { read(e: object, v: number): string }).read(e, v);
const hex = (id: openpgp.KeyID) => id.toHex().toUpperCase();
const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);

function isArmored(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1').trimStart();
  return head.startsWith('-----BEGIN PGP');
}

/** Reads a message, armored or binary. */
export async function readSealed(bytes: Uint8Array): Promise<openpgp.Message<Uint8Array>> {
  try {
    if (isArmored(bytes)) {
      return (await openpgp.readMessage({ armoredMessage: Buffer.from(bytes).toString('utf8'), config: PGP_CONFIG })) as openpgp.Message<Uint8Array>;
    }
    return await openpgp.readMessage({ binaryMessage: bytes, config: PGP_CONFIG });
  } catch (e) {
    throw unreadable(e, 'This is not a readable OpenPGP message (damaged, truncated, or not encrypted)');
  }
}

/** Key ids the message is encrypted to, and whether it also takes a password. */
export function describeMessage(message: openpgp.Message<Uint8Array>): { recipients: string[]; password: boolean } {
  const recipients = message.getEncryptionKeyIDs().map(hex);
  const password = message.packets.filterByTag(openpgp.enums.packet.symEncryptedSessionKey).length > 0;
  return { recipients, password };
}

/** A secret key as exported by `gpg --export-secret-keys` (armored or binary). */
export async function readSecretKey(bytes: Uint8Array): Promise<openpgp.PrivateKey> {
  try {
    return isArmored(bytes)
      ? await openpgp.readPrivateKey({ armoredKey: Buffer.from(bytes).toString('utf8'), config: PGP_CONFIG })
      : await openpgp.readPrivateKey({ binaryKey: bytes, config: PGP_CONFIG });
  } catch (e) {
    if (/not of type private key|no secret key packet|not a private key/i.test(firstLine(e))) throw new CryptoError('bad_key', 'This is a public key, not a secret key: import it as a client key.');
    throw new CryptoError('bad_key', `Not a readable OpenPGP secret key: ${firstLine(e)}`);
  }
}

/** One or more public keys (armored or binary). */
export async function readPublicKeys(bytes: Uint8Array): Promise<openpgp.Key[]> {
  try {
    return isArmored(bytes)
      ? await openpgp.readKeys({ armoredKeys: Buffer.from(bytes).toString('utf8'), config: PGP_CONFIG })
      : await openpgp.readKeys({ binaryKeys: bytes, config: PGP_CONFIG });
  } catch (e) {
    throw new CryptoError('bad_key', `Not a readable OpenPGP public key: ${firstLine(e)}`);
  }
}

/** Every long key id of a key (primary and subkeys). */
export function keyIdsOf(key: openpgp.Key): string[] {
  return key.getKeyIDs().map(hex);
}

export async function primaryUserId(key: openpgp.Key): Promise<string | null> {
  try {
    return (await key.getPrimaryUser(undefined, undefined, METHOD_CONFIG)).user.userID?.userID ?? null;
  } catch {
    return key.getUserIDs()[0] ?? null;
  }
}

/** The key with its secret material decrypted (in memory). Wrong passphrase is a `wrong_passphrase` error. */
export async function unlockKey(key: openpgp.PrivateKey, passphrase: string): Promise<openpgp.PrivateKey> {
  try {
    return await openpgp.decryptKey({ privateKey: key, passphrase, config: PGP_CONFIG });
  } catch (e) {
    if (/incorrect key passphrase|passphrase/i.test(firstLine(e))) throw new CryptoError('wrong_passphrase', 'Wrong passphrase for this key.');
    if (isUnsupportedMessage(firstLine(e))) throw new CryptoError('unsupported', `This key uses something OpenPGP.js cannot read: ${firstLine(e)}`);
    throw new CryptoError('bad_key', `The key could not be unlocked: ${firstLine(e)}`);
  }
}

/** `9:HEX` (CFB) or `9.2:HEX` (OCB) as `gpg --show-session-key` prints it. */
export function parseSessionKey(text: string): openpgp.SessionKey {
  const m = /^\s*(\d{1,3})(?:\.(\d{1,3}))?:([0-9A-Fa-f]{32,128})\s*$/.exec(text);
  if (!m) throw new CryptoError('wrong_passphrase', 'Not a session key: expected "algo:hex" as gpg --show-session-key prints it.');
  let algorithm: string;
  let aeadAlgorithm: string | undefined;
  try {
    algorithm = readEnum(openpgp.enums.symmetric, Number(m[1]));
    aeadAlgorithm = m[2] === undefined ? undefined : readEnum(openpgp.enums.aead, Number(m[2]));
  } catch {
    throw new CryptoError('unsupported', `Unsupported session key algorithm ${m[1]}${m[2] ? `.${m[2]}` : ''}.`);
  }
  return { data: Uint8Array.from(Buffer.from(m[3]!, 'hex')), algorithm: algorithm as openpgp.enums.symmetricNames, aeadAlgorithm: aeadAlgorithm as openpgp.enums.aeadNames | undefined };
}

/**
 * Decrypts a sealed file. Signatures are checked against `verificationKeys`. Errors say which of wrong passphrase,
 * not for my keys (with the recipients), corrupt or unsupported it was; nothing of the plaintext is in them.
 */
export async function openSealed(bytes: Uint8Array, how: OpenWith, verificationKeys: openpgp.Key[] = []): Promise<Opened> {
  const message = await readSealed(bytes);
  const { recipients, password } = describeMessage(message);
  if (!message.packets.findPacket(openpgp.enums.packet.symEncryptedIntegrityProtectedData)
    && !message.packets.findPacket(openpgp.enums.packet.aeadEncryptedData)
    && !message.packets.findPacket(openpgp.enums.packet.symmetricallyEncryptedData)) {
    throw new CryptoError('corrupt', 'This OpenPGP message holds no encrypted data (not encrypted, or truncated).');
  }

  let sessionKey: openpgp.SessionKey;
  let viaPasswordOnly = false;
  let openedBy: OpenedBy = 'session key';
  if (how.sessionKey !== undefined) {
    sessionKey = parseSessionKey(how.sessionKey);
  } else {
    const mine = (how.keys ?? []).filter((k) => {
      const ids = keyIdsOf(k);
      return recipients.some((r) => r === WILDCARD || ids.includes(r));
    });
    const usePassword = how.password !== undefined && password;
    if (!mine.length && !usePassword) {
      // Neither a key nor a password packet: garbage that parsed as a data packet, or a file cut before its head (it
      // read as "password only", and the operator went looking for a password that does not exist).
      if (!recipients.length && !password) {
        throw new CryptoError('corrupt', 'This is not an OpenPGP message that can be opened: it names no key and no password to open it with (damaged, or not a sealed file).');
      }
      if (how.password !== undefined && !password) {
        throw new CryptoError('not_for_my_keys', `This file takes no password; it is encrypted to ${listIds(recipients)}.`, recipients);
      }
      if (!recipients.length) throw new CryptoError('not_for_my_keys', 'This file is sealed with a password only: give its password.');
      throw new CryptoError('not_for_my_keys', `This file is not encrypted to any of your keys; it is for ${listIds(recipients)}.`, recipients);
    }
    viaPasswordOnly = !mine.length;
    openedBy = viaPasswordOnly ? 'password' : usePassword ? 'key or password' : 'key';
    if (viaPasswordOnly) {
      for (const p of message.packets.filterByTag(openpgp.enums.packet.symEncryptedSessionKey) as unknown as openpgp.SymEncryptedSessionKeyPacket[]) {
        const skesk = p as unknown as { sessionKeyEncryptionAlgorithm: number | null; sessionKeyAlgorithm: number | null };
        checkCipher(skesk.sessionKeyEncryptionAlgorithm ?? skesk.sessionKeyAlgorithm);
      }
    }
    try {
      const [first] = await openpgp.decryptSessionKeys({
        message,
        ...(mine.length ? { decryptionKeys: mine } : {}),
        ...(usePassword ? { passwords: [how.password!] } : {}),
        config: PGP_CONFIG,
      });
      if (!first) throw new Error('no session key');
      // For GnuPG's OCB packets the cipher is named by the data packet, so `algorithm` is null here (and that is fine).
      sessionKey = first as openpgp.SessionKey;
    } catch (e) {
      if (e instanceof CryptoError) throw e;
      if (isUnsupportedMessage(firstLine(e))) throw new CryptoError('unsupported', `Casefile cannot decrypt this file: it uses an unsupported algorithm (${firstLine(e)}).`);
      if (viaPasswordOnly) throw new CryptoError('wrong_passphrase', 'Wrong password for this file.');
      await explainKeyFailure(await readSealed(bytes), mine); // a fresh copy: the failed attempt consumed its packets
      throw new CryptoError('corrupt', 'The file is damaged: its session key could not be decrypted with your key.');
    }
  }

  checkCipher(sessionKey.algorithm);
  try {
    const result = await openpgp.decrypt({ message, sessionKeys: sessionKey, verificationKeys, format: 'binary', config: { ...PGP_CONFIG, maxDecompressedMessageSize: MAX_DECOMPRESSED_BYTES } });
    sessionKey.data.fill(0);
    return { data: result.data, signatures: await reportSignatures(result.signatures, verificationKeys), recipients, password, openedBy };
  } catch (e) {
    sessionKey.data.fill(0);
    const msg = firstLine(e);
    if (/maximum decompressed (?:message )?size exceeded/i.test(msg)) throw new CryptoError('corrupt', TOO_LARGE);
    if (isUnsupportedMessage(msg)) throw new CryptoError('unsupported', `Casefile cannot decrypt this file: it uses an unsupported algorithm (${msg}).`);
    if (how.sessionKey !== undefined) throw new CryptoError('wrong_passphrase', 'This session key does not open this file (or the file is damaged).');
    // A password-encrypted session key carries no check of the password itself (`gpg -c`, alone or beside keys): a
    // wrong one can decrypt to a plausible session key, and then shows up only here.
    if (viaPasswordOnly) throw new CryptoError('wrong_passphrase', 'Wrong password for this file (or the file is damaged).');
    throw new CryptoError('corrupt', 'The file is damaged or truncated: its encrypted data does not check out.');
  }
}

/**
 * OpenPGP.js hides why a public-key session key failed (on purpose, against oracles). Once it has failed, ask each
 * of my packets directly so an unsupported cipher (Camellia, IDEA) is named rather than called damage.
 */
async function explainKeyFailure(message: openpgp.Message<Uint8Array>, keys: openpgp.PrivateKey[]): Promise<void> {
  for (const pkesk of message.packets.filterByTag(openpgp.enums.packet.publicKeyEncryptedSessionKey) as unknown as openpgp.PublicKeyEncryptedSessionKeyPacket[]) {
    for (const key of keys) {
      const keyId = (pkesk as unknown as { publicKeyID: openpgp.KeyID }).publicKeyID;
      for (const dk of await key.getDecryptionKeys(keyId, undefined, undefined, METHOD_CONFIG).catch(() => [])) {
        try {
          await (pkesk as unknown as { decrypt(k: unknown): Promise<void> }).decrypt(dk.keyPacket);
        } catch (e) {
          if (/unsupported cipher|invalid enum value/i.test(firstLine(e))) {
            checkCipher((pkesk as unknown as { sessionKeyAlgorithm: number | null }).sessionKeyAlgorithm);
            throw new CryptoError('unsupported', 'This file is encrypted with a cipher Casefile cannot decrypt (such as Camellia or IDEA); re-encrypt it with AES.');
          }
        }
      }
    }
  }
}

type VerificationResult = Awaited<ReturnType<typeof openpgp.decrypt>>['signatures'][number];

async function reportSignatures(sigs: VerificationResult[], keys: openpgp.Key[]): Promise<SignatureReport[]> {
  const out: SignatureReport[] = [];
  for (const s of sigs) {
    const signer = hex(s.keyID);
    const key = keys.find((k) => keyIdsOf(k).includes(signer));
    let status: SignatureStatus;
    try {
      await s.verified;
      status = 'valid';
    } catch (e) {
      status = !key || /could not find signing key/i.test(firstLine(e)) ? 'unknown_key' : 'invalid';
    }
    out.push({ signer, signerUserId: key ? await primaryUserId(key) : null, status });
  }
  return out;
}

/**
 * Encrypts to `recipients` (and signs with `signWith`) so GnuPG 2.2 and 2.4 can read it: classic SEIPD v1 with an
 * AES-256 session key of our own, never SEIPD v2/OCB (which OpenPGP.js would pick for keys advertising it).
 */
export async function seal(data: Uint8Array, recipients: openpgp.Key[], signWith?: openpgp.PrivateKey): Promise<string> {
  if (!recipients.length) throw new CryptoError('no_key', 'Seal to at least one key.');
  const v6 = recipients.find((k) => k.keyPacket.version === 6);
  if (v6) throw new CryptoError('unsupported', `Key ${hex(v6.getKeyID())} is a v6 key, which GnuPG cannot read; use a GnuPG-made key.`);
  const sessionKey = { data: randomBytes(32), algorithm: 'aes256' as const };
  try {
    return await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: data }),
      encryptionKeys: recipients,
      ...(signWith ? { signingKeys: signWith } : {}),
      sessionKey,
      format: 'armored',
      config: { ...PGP_CONFIG, aeadProtect: false },
    });
  } catch (e) {
    throw new CryptoError(isUnsupportedMessage(firstLine(e)) ? 'unsupported' : 'bad_key', `Could not seal: ${firstLine(e)}`);
  } finally {
    sessionKey.data.fill(0);
  }
}

/**
 * seal() over a stream: the armored message comes out as the input is read, so a file larger than memory is never
 * held whole (export deliverables). The session key stays with the stream until it ends.
 */
export async function sealStream(data: ReadableStream<Uint8Array>, recipients: openpgp.Key[]): Promise<ReadableStream<string>> {
  if (!recipients.length) throw new CryptoError('no_key', 'Seal to at least one key.');
  const v6 = recipients.find((k) => k.keyPacket.version === 6);
  if (v6) throw new CryptoError('unsupported', `Key ${hex(v6.getKeyID())} is a v6 key, which GnuPG cannot read; use a GnuPG-made key.`);
  try {
    return await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: data }),
      encryptionKeys: recipients,
      sessionKey: { data: randomBytes(32), algorithm: 'aes256' },
      format: 'armored',
      config: { ...PGP_CONFIG, aeadProtect: false },
    });
  } catch (e) {
    throw new CryptoError(isUnsupportedMessage(firstLine(e)) ? 'unsupported' : 'bad_key', `Could not seal: ${firstLine(e)}`);
  }
}

function listIds(ids: string[]): string {
  return ids.length ? ids.join(', ') : 'no listed key (hidden recipients)';
}

function unreadable(e: unknown, what: string): CryptoError {
  const msg = firstLine(e);
  return isUnsupportedMessage(msg) ? new CryptoError('unsupported', `Unsupported OpenPGP content: ${msg}`) : new CryptoError('corrupt', `${what}.`);
}
