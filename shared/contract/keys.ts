// The operator's keys (secret keys exported from GnuPG, still passphrase-protected) and the clients' public keys;
// unlocking keeps a decrypted key in the engine's memory for the unlock period. Passphrases are `secret`: dropped
// before the audit call, never hashed.
import { z } from 'zod';
import { defineArea, defineCall } from './define';

/** An armored key or keyring within one call's input (MAX_CALL_INPUT_BYTES), with room for escaped line ends. */
export const KEY_IMPORT_MAX_CHARS = 900_000;

const Fingerprint = z.string().regex(/^[0-9A-F]{40}$|^[0-9A-F]{64}$/);
/** A key by fingerprint, long key id, or a part of its user id naming one key. */
export const KeyRef = z.string().min(1).max(200);

export const KeyDoor = z.enum(['desktop', 'cli', 'browser']);
export const SecretKeyInfo = z.object({
  fingerprint: Fingerprint,
  keyIds: z.array(z.string()),
  userIds: z.array(z.string()),
  version: z.number(),
  algorithm: z.string(),
  created: z.string(),
  importedAt: z.string(),
  /** `passphrase`: the GnuPG export as-is; `passphrase+safeStorage`: also wrapped by the desktop app's OS keychain. */
  protection: z.enum(['passphrase', 'passphrase+safeStorage']),
  /** Where it can be unlocked: a safeStorage-wrapped key only in the desktop app. */
  doors: z.array(KeyDoor),
  secondsLeft: z.number().nullable(),
});
export type SecretKeyInfo = z.infer<typeof SecretKeyInfo>;
export const ClientKeyInfo = SecretKeyInfo.pick({ fingerprint: true, keyIds: true, userIds: true, version: true, algorithm: true, created: true, importedAt: true });
export type ClientKeyInfo = z.infer<typeof ClientKeyInfo>;

/** Locked, or which keys are unlocked and for how many more seconds. */
export const KeysState = z.object({
  locked: z.boolean(),
  keys: z.array(z.object({ fingerprint: z.string(), secondsLeft: z.number() })),
});
export type KeysState = z.infer<typeof KeysState>;

export const keysArea = defineArea({
  calls: {
    'keys.list': defineCall({
      input: z.object({}),
      output: z.object({
        secret: z.array(SecretKeyInfo),
        clients: z.array(ClientKeyInfo),
        /** This engine's door, and whether it can wrap keys with safeStorage (desktop app with an OS keychain). */
        door: KeyDoor,
        safeStorage: z.boolean(),
      }),
      access: 'read', audit: 'never',
    }),
    /** An armored or binary export (`gpg --export-secret-keys --armor`, or `gpg --export --armor` for a client). */
    'keys.import': defineCall({
      input: z.object({ kind: z.enum(['secret', 'client']), armored: z.string().min(1).max(KEY_IMPORT_MAX_CHARS, `too large: at most ${KEY_IMPORT_MAX_CHARS} characters (a key or a keyring of client keys is far smaller)`) }),
      output: z.object({ imported: z.array(z.object({ fingerprint: Fingerprint, userIds: z.array(z.string()), kind: z.enum(['secret', 'client']) })) }),
      // The key material itself never enters the trail; the handler records the fingerprints it imported.
      access: 'write', audit: 'handler', secret: ['armored'],
    }),
    'keys.remove': defineCall({
      input: z.object({ ref: KeyRef }),
      output: z.object({ fingerprint: Fingerprint, kind: z.enum(['secret', 'client']) }),
      access: 'write', audit: 'always',
    }),
    'keys.unlock': defineCall({
      input: z.object({ ref: KeyRef, passphrase: z.string().max(4096), seconds: z.number().int().min(10).max(86_400).optional() }),
      output: KeysState, access: 'write', audit: 'always', secret: ['passphrase'],
    }),
    /** One key, or all (which also closes every open sealed file). */
    'keys.lock': defineCall({ input: z.object({ ref: KeyRef.optional() }), output: KeysState, access: 'write', audit: 'always' }),
    'keys.state': defineCall({ input: z.object({}), output: KeysState, access: 'read', audit: 'never' }),
  },
  events: {
    /** On unlock, lock, expiry and idle timeout. */
    'keys.state': KeysState,
  },
});
