// safeStorage wraps keys only where it protects them: never with Linux's basic_text backend or without a keychain.
import { expect, it } from 'vitest';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { safeStorageRefusal, safeStorageWrapper, type SafeStorageLike } from './safeStorageWrapper';

/** A keychain stand-in with real encryption (the Electron binary is not available to unit tests). */
function keychain(backend: string, available = true): SafeStorageLike {
  const k = randomBytes(32);
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (s) => { const iv = randomBytes(12); const c = createCipheriv('aes-256-gcm', k, iv); const b = Buffer.concat([c.update(s, 'utf8'), c.final()]); return Buffer.concat([iv, c.getAuthTag(), b]); },
    decryptString: (b) => { const d = createDecipheriv('aes-256-gcm', k, b.subarray(0, 12)); d.setAuthTag(b.subarray(12, 28)); return Buffer.concat([d.update(b.subarray(28)), d.final()]).toString('utf8'); },
  };
}

it('refuses basic_text and missing keychains, accepts real backends', () => {
  expect(safeStorageRefusal(keychain('basic_text'), 'linux')).toMatch(/basic_text/);
  expect(safeStorageWrapper(keychain('basic_text'), 'linux')).toBeNull();
  expect(safeStorageWrapper(keychain('gnome_libsecret', false), 'linux')).toBeNull();
  expect(safeStorageWrapper(keychain('gnome_libsecret'), 'linux')).not.toBeNull();
  expect(safeStorageWrapper(keychain('unknown'), 'darwin')).not.toBeNull();
});

it('round-trips binary key bytes and the wrapped copy does not contain them', async () => {
  const w = safeStorageWrapper(keychain('kwallet5'), 'linux')!;
  const key = randomBytes(600);
  const wrapped = await w.wrap(key);
  expect(Buffer.from(wrapped).includes(key.subarray(0, 32))).toBe(false);
  expect(Buffer.from(await w.unwrap(wrapped)).equals(key)).toBe(true);
});
