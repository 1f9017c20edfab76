// The engine's requests to the shell (safeStorage, clipboard) round-trip over a message channel like the relay's.
import { expect, it } from 'vitest';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ClipboardGuard } from './clipboardGuard';
import { answerHostRequest, hostClient, isHostRequest, type HostRequest } from './hostServices';
import { safeStorageWrapper, type SafeStorageLike } from './safeStorageWrapper';

function keychain(): SafeStorageLike {
  const k = randomBytes(32);
  return {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptString: (s) => { const iv = randomBytes(12); const c = createCipheriv('aes-256-gcm', k, iv); const b = Buffer.concat([c.update(s, 'utf8'), c.final()]); return Buffer.concat([iv, c.getAuthTag(), b]); },
    decryptString: (b) => { const d = createDecipheriv('aes-256-gcm', k, b.subarray(0, 12)); d.setAuthTag(b.subarray(12, 28)); return Buffer.concat([d.update(b.subarray(28)), d.final()]).toString('utf8'); },
  };
}

function wire(wrapperAvailable: boolean) {
  const clip = { text: '', readText: () => clip.text, writeText: (t: string) => { clip.text = t; }, clear: () => { clip.text = ''; } };
  const services = { wrapper: wrapperAvailable ? safeStorageWrapper(keychain(), 'linux') : null, clipboard: new ClipboardGuard(clip) };
  const client = hostClient((req: HostRequest) => {
    // Structured-clone-like hop, then main answers asynchronously.
    const msg: unknown = JSON.parse(JSON.stringify(req));
    if (!isHostRequest(msg)) throw new Error('not a host request');
    void answerHostRequest(msg, services).then((reply) => client.handleReply(JSON.parse(JSON.stringify(reply))));
  }, wrapperAvailable);
  return { client, clip };
}

it('wraps and unwraps key bytes through main, and copies to the clipboard', async () => {
  const { client, clip } = wire(true);
  const key = randomBytes(500);
  const wrapped = await client.host.wrapper!.wrap(key);
  expect(Buffer.from(wrapped).equals(key)).toBe(false);
  expect(Buffer.from(await client.host.wrapper!.unwrap(wrapped)).equals(key)).toBe(true);
  await client.host.copy!('the value', 30_000);
  expect(clip.text).toBe('the value');
});

it('offers no wrapper without safeStorage, and a refused unwrap is an error', async () => {
  const { client } = wire(false);
  expect(client.host.wrapper).toBeNull();
  const forced = hostClient((req) => { void answerHostRequest(req, { wrapper: null, clipboard: new ClipboardGuard({ readText: () => '', writeText: () => undefined, clear: () => undefined }) }).then((r) => forced.handleReply(r)); }, true);
  await expect(forced.host.wrapper!.unwrap(Buffer.from('x'))).rejects.toThrow(/safeStorage is not available/);
});
