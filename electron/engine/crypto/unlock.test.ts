// Unlocked keys expire after the unlock period, lock earlier when idle, and tell listeners; settings come from
// settings.json with safe defaults.
import { afterEach, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { removeDir, tempDir } from '../../testkit/tmp';
import { DEFAULT_UNLOCK, readUnlockSettings, Unlocker, type KeysState } from './unlock';
import { CryptoService } from './service';

afterEach(() => { vi.useRealTimers(); });

async function key(): Promise<openpgp.PrivateKey> {
  return (await openpgp.generateKey({ userIDs: [{ email: 't@example.test' }], format: 'object' })).privateKey;
}

it('expires after the unlock period and locks early when idle; use pushes idle back', async () => {
  const k1 = await key();
  const k2 = await key();
  vi.useFakeTimers();
  const u = new Unlocker({ unlockSeconds: 100, idleSeconds: 30 });
  const states: KeysState[] = [];
  const locked: string[] = [];
  u.onState((s) => states.push(s));
  u.onLock((f) => locked.push(f));
  u.unlock('A', k1);
  expect(u.state()).toEqual({ locked: false, keys: [{ fingerprint: 'A', secondsLeft: 30 }] });
  vi.advanceTimersByTime(20_000);
  expect(u.use()).toEqual([k1]); // idle pushed back to t=50
  vi.advanceTimersByTime(20_000);
  expect(u.isUnlocked('A')).toBe(true);
  vi.advanceTimersByTime(11_000);
  expect(u.isUnlocked('A')).toBe(false);
  expect(locked).toEqual(['A']);
  expect(states.at(-1)).toEqual({ locked: true, keys: [] });
  expect(k1.isDecrypted()).toBe(false); // its secret numbers were dropped

  u.unlock('B', k2, 1000); // asking for longer than allowed gets the configured period
  for (let i = 0; i < 5; i++) { vi.advanceTimersByTime(25_000); u.touch(); }
  expect(u.isUnlocked('B')).toBe(false); // 100 s cap despite use
  expect(locked).toEqual(['A', 'B']);
  u.dispose();
});

it('lock() locks everything at once and notifies per key', async () => {
  const u = new Unlocker();
  const locked: string[] = [];
  u.onLock((f) => locked.push(f));
  u.unlock('A', await key());
  u.unlock('B', await key());
  expect(u.lock()).toEqual({ locked: true, keys: [] });
  expect(locked.sort()).toEqual(['A', 'B']);
});

it('reads settings.json, falling back to defaults for a missing, damaged, out-of-range file or one that is not a file (pipe, /dev/zero, folder)', async () => {
  const root = tempDir();
  try {
    process.env.CASEFILE_HOME = root;
    expect(await readUnlockSettings()).toEqual(DEFAULT_UNLOCK);
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, 'settings.json'), JSON.stringify({ keys: { unlockSeconds: 120, idleSeconds: 60 }, other: 1 }));
    expect(await readUnlockSettings()).toEqual({ unlockSeconds: 120, idleSeconds: 60 });
    writeFileSync(path.join(root, 'settings.json'), JSON.stringify({ keys: { unlockSeconds: 10 ** 9 } }));
    expect(await readUnlockSettings()).toEqual(DEFAULT_UNLOCK);
    writeFileSync(path.join(root, 'settings.json'), '{oops');
    expect(await readUnlockSettings()).toEqual(DEFAULT_UNLOCK);
    // Not a file: a pipe hung the unlock, a link to /dev/zero was read without end.
    for (const make of [(f: string) => execFileSync('mkfifo', [f]), (f: string) => symlinkSync('/dev/zero', f), (f: string) => mkdirSync(f)]) {
      rmSync(path.join(root, 'settings.json'), { recursive: true, force: true });
      make(path.join(root, 'settings.json'));
      expect(await readUnlockSettings()).toEqual(DEFAULT_UNLOCK);
    }
  } finally {
    removeDir(root);
  }
});

it('a bundle opened by password with no key unlocked still closes when idle (a reveal pushes it back) and at the unlock period', () => {
  vi.useFakeTimers();
  const crypto = new CryptoService('cli');
  crypto.unlocker.setSettings({ unlockSeconds: 100, idleSeconds: 30 });
  const meta = { name: 'creds.env.gpg', sha256: '0'.repeat(64), recipients: [], signatures: [] };
  const a = crypto.sessions.add(meta, Buffer.from('PASSWORD=s3cret\n'));
  expect(crypto.state().locked).toBe(true); // no key holds it open or could close it
  vi.advanceTimersByTime(20_000);
  expect(crypto.reveal(a.sessionId, ['PASSWORD']).value).toBe('s3cret'); // use: idle until t=50
  vi.advanceTimersByTime(29_000);
  expect(crypto.sessions.list().map((s) => s.sessionId)).toEqual([a.sessionId]);
  vi.advanceTimersByTime(2_000);
  expect(crypto.sessions.list()).toEqual([]);
  expect(() => crypto.reveal(a.sessionId, ['PASSWORD'])).toThrow(/no longer open/);

  const b = crypto.sessions.add(meta, Buffer.from('PASSWORD=s3cret\n'));
  for (let i = 0; i < 5; i++) { vi.advanceTimersByTime(25_000); if (crypto.sessions.list().length) crypto.reveal(b.sessionId, ['PASSWORD']); }
  expect(crypto.sessions.list()).toEqual([]); // 100 s at most, however often it is used
});

it('tells who listens when a bundle closes on its own, and why (idle or the unlock period); a close asked for is not told', () => {
  vi.useFakeTimers();
  const crypto = new CryptoService('cli');
  crypto.unlocker.setSettings({ unlockSeconds: 100, idleSeconds: 30 });
  const told: unknown[] = [];
  crypto.sessions.onExpire((e) => told.push(e));
  const meta = { name: 'creds.env.gpg', sha256: '0'.repeat(64), recipients: [], signatures: [] };
  const a = crypto.sessions.add(meta, Buffer.from('PASSWORD=s3cret\n'));
  vi.advanceTimersByTime(31_000);
  expect(told).toEqual([{ sessionId: a.sessionId, name: 'creds.env.gpg', reason: 'idle', seconds: 30 }]);
  const b = crypto.sessions.add(meta, Buffer.from('PASSWORD=s3cret\n'));
  for (let i = 0; i < 5; i++) { vi.advanceTimersByTime(25_000); if (crypto.sessions.list().length) crypto.reveal(b.sessionId, ['PASSWORD']); }
  expect(told.at(-1)).toEqual({ sessionId: b.sessionId, name: 'creds.env.gpg', reason: 'period', seconds: 100 });
  const c = crypto.sessions.add(meta, Buffer.from('PASSWORD=s3cret\n'));
  crypto.sessions.close(c.sessionId);
  vi.advanceTimersByTime(200_000);
  expect(told).toHaveLength(2);
});
