// Copies one revealed value to the system clipboard for the operator and clears it after a timeout — only if the
// clipboard still holds that value (the operator may have copied something else meanwhile). Main keeps no copy of
// the value while it waits: only a salted hash to recognise it.
import { createHash, randomBytes } from 'node:crypto';

/** The parts of Electron's `clipboard` used here. */
export interface ClipboardLike {
  readText(): string | Promise<string>;
  writeText(text: string): void;
  clear(): void;
}

export const DEFAULT_CLEAR_MS = 30_000;

export class ClipboardGuard {
  private pending: { timer: NodeJS.Timeout; salt: Buffer; digest: string } | null = null;

  constructor(private readonly clipboard: ClipboardLike, private readonly timers: { set: typeof setTimeout; clear: typeof clearTimeout } = { set: setTimeout, clear: clearTimeout }) {}

  /** Puts `value` on the clipboard; clears it after `clearAfterMs` if it is still there. */
  copy(value: string, clearAfterMs = DEFAULT_CLEAR_MS): void {
    this.cancel();
    this.clipboard.writeText(value);
    const salt = randomBytes(16);
    const digest = hash(salt, value);
    const timer = this.timers.set(() => { void this.clearIfOurs(); }, Math.max(1000, Math.min(clearAfterMs, 10 * 60_000)));
    timer.unref?.();
    this.pending = { timer, salt, digest };
  }

  /** On quit or lock: clear now if the clipboard still holds what we put there. */
  async clearIfOurs(): Promise<boolean> {
    const p = this.pending;
    if (!p) return false;
    this.cancel();
    if (hash(p.salt, await this.clipboard.readText()) !== p.digest) return false;
    this.clipboard.clear();
    return true;
  }

  private cancel(): void {
    if (this.pending) this.timers.clear(this.pending.timer);
    this.pending = null;
  }
}

function hash(salt: Buffer, text: string): string {
  return createHash('sha256').update(salt).update(text, 'utf8').digest('hex');
}
