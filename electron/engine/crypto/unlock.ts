// Unlocked keys live in this process's memory only, for the unlock period set in settings.json (and no longer than
// the idle timeout without use). Lock, expiry and idle timeout drop them and tell listeners (open sealed files are
// closed on any lock). Timers are unref'd: an unlocked key never keeps the process alive.
import { z } from 'zod';
import type * as openpgp from 'openpgp';
import { readSmallFile } from '../util/smallFile';
import { cryptoFiles } from './paths';

export const UnlockSettings = z.object({
  /** How long an unlocked key stays unlocked. */
  unlockSeconds: z.number().int().min(10).max(24 * 3600).default(600),
  /** Locks earlier when unused this long. */
  idleSeconds: z.number().int().min(10).max(24 * 3600).default(300),
});
export type UnlockSettings = z.infer<typeof UnlockSettings>;
export const DEFAULT_UNLOCK: UnlockSettings = UnlockSettings.parse({});

/** A settings file is a few lines; one far larger is not one. */
const SETTINGS_MAX_BYTES = 1 << 20;

/** `settings.json` in the data home: `{ "keys": { "unlockSeconds": 600, "idleSeconds": 300 } }`. A damaged file means defaults. */
export async function readUnlockSettings(): Promise<UnlockSettings> {
  try {
    // Checked first: a settings.json that is a pipe would hang the unlock, a link to /dev/zero read without end.
    const raw = JSON.parse((await readSmallFile(cryptoFiles().settings, SETTINGS_MAX_BYTES, 'a settings file')).toString('utf8')) as { keys?: unknown };
    const parsed = UnlockSettings.safeParse(raw.keys ?? {});
    return parsed.success ? parsed.data : DEFAULT_UNLOCK;
  } catch {
    return DEFAULT_UNLOCK;
  }
}

export interface KeysState {
  locked: boolean;
  keys: { fingerprint: string; secondsLeft: number }[];
}

interface Held { key: openpgp.PrivateKey; until: number; idleUntil: number; timer: NodeJS.Timeout }

export class Unlocker {
  private readonly held = new Map<string, Held>();
  private readonly stateListeners = new Set<(s: KeysState) => void>();
  private readonly lockListeners = new Set<(fingerprint: string) => void>();

  constructor(private settings: UnlockSettings = DEFAULT_UNLOCK, private readonly now: () => number = Date.now) {}

  setSettings(s: UnlockSettings): void { this.settings = s; }

  /** The unlock period and idle timeout in force (open sealed bundles keep to them too). */
  limits(): UnlockSettings { return this.settings; }

  /** Keeps a decrypted key for `seconds` (at most the configured unlock period). */
  unlock(fingerprint: string, key: openpgp.PrivateKey, seconds?: number): KeysState {
    this.drop(fingerprint, false);
    const t = this.now();
    const period = Math.min(seconds ?? this.settings.unlockSeconds, this.settings.unlockSeconds);
    const held: Held = { key, until: t + period * 1000, idleUntil: t + this.settings.idleSeconds * 1000, timer: undefined as unknown as NodeJS.Timeout };
    this.held.set(fingerprint, held);
    this.arm(fingerprint, held);
    return this.emit();
  }

  /** The unlocked keys (counts as use: pushes the idle timeout back). */
  use(): openpgp.PrivateKey[] {
    const t = this.now();
    for (const [fpr, h] of this.held) {
      h.idleUntil = t + this.settings.idleSeconds * 1000;
      this.arm(fpr, h);
    }
    return [...this.held.values()].map((h) => h.key);
  }

  /** Any use of the unlocked material (a reveal) pushes the idle timeout back without handing keys out. */
  touch(): void { this.use(); }

  isUnlocked(fingerprint: string): boolean { return this.held.has(fingerprint); }

  /** Locks one key, or all of them. */
  lock(fingerprint?: string): KeysState {
    if (fingerprint) this.drop(fingerprint, true);
    else for (const f of [...this.held.keys()]) this.drop(f, true);
    return this.emit();
  }

  state(): KeysState {
    const t = this.now();
    const keys = [...this.held.entries()].map(([fingerprint, h]) => ({ fingerprint, secondsLeft: Math.max(0, Math.ceil((Math.min(h.until, h.idleUntil) - t) / 1000)) }));
    return { locked: keys.length === 0, keys };
  }

  onState(cb: (s: KeysState) => void): () => void {
    this.stateListeners.add(cb);
    return () => this.stateListeners.delete(cb);
  }

  /** Called for every key that gets locked (by hand, expiry or idle timeout). */
  onLock(cb: (fingerprint: string) => void): () => void {
    this.lockListeners.add(cb);
    return () => this.lockListeners.delete(cb);
  }

  dispose(): void {
    this.lock();
    this.stateListeners.clear();
    this.lockListeners.clear();
  }

  private arm(fingerprint: string, h: Held): void {
    clearTimeout(h.timer);
    const ms = Math.max(0, Math.min(h.until, h.idleUntil) - this.now());
    h.timer = setTimeout(() => { this.drop(fingerprint, true); this.emit(); }, ms);
    h.timer.unref();
  }

  private drop(fingerprint: string, notify: boolean): void {
    const h = this.held.get(fingerprint);
    if (!h) return;
    clearTimeout(h.timer);
    this.held.delete(fingerprint);
    // OpenPGP.js has no way to wipe a decrypted key; clearPrivateParams drops its references to the secret numbers.
    try { (h.key as unknown as { clearPrivateParams(): void }).clearPrivateParams(); } catch { /* already cleared */ }
    if (notify) for (const cb of this.lockListeners) cb(fingerprint);
  }

  private emit(): KeysState {
    const s = this.state();
    for (const cb of this.stateListeners) cb(s);
    return s;
  }
}
