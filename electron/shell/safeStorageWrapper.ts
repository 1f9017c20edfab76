// Electron safeStorage as the engine's key Wrapper (main process only; the engine reaches it over the relay).
// Linux's `basic_text` backend encrypts with a hard-coded password, which protects nothing: refused, like no backend.
import type { Wrapper } from '../engine/crypto/keystore';

/** The parts of Electron's `safeStorage` used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?(): string;
}

/** Why safeStorage cannot protect keys here, or null when it can. */
export function safeStorageRefusal(ss: SafeStorageLike, platform: NodeJS.Platform = process.platform): string | null {
  if (!ss.isEncryptionAvailable()) return 'no OS keychain is available';
  if (platform === 'linux') {
    const backend = ss.getSelectedStorageBackend?.() ?? 'unknown';
    if (backend === 'basic_text' || backend === 'unknown') return `the Linux keychain backend is "${backend}", which does not protect data`;
  }
  return null;
}

/**
 * A Wrapper over safeStorage, or null when it would not protect anything. safeStorage takes strings, so the key
 * bytes travel as base64 (a GnuPG export is already passphrase-encrypted; this adds the OS keychain).
 */
export function safeStorageWrapper(ss: SafeStorageLike, platform: NodeJS.Platform = process.platform): Wrapper | null {
  if (safeStorageRefusal(ss, platform)) return null;
  return {
    name: 'safeStorage',
    wrap: async (data) => ss.encryptString(Buffer.from(data).toString('base64')),
    unwrap: async (data) => Buffer.from(ss.decryptString(Buffer.from(data)), 'base64'),
  };
}
