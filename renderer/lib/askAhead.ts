// A request asked straight from a store change, before React re-draws the view for it (on a busy machine that drawing
// delayed requests by 50–300 ms). The effect that would have asked it finds it by key and takes it over instead of
// asking again. One slot per kind of request (the table's page, the timeline's histogram).

export interface Asked<T> { answer: Promise<T>; stop: AbortController }

export class AskAhead<T> {
  private waiting: ({ key: string } & Asked<T>) | null = null;
  private last = '';

  /** Asks for `key` now, unless it is the request last asked (ahead or by the effect); a different one still
   * waiting to be taken is aborted. True when it asked. */
  ask(key: string, run: (signal: AbortSignal) => Promise<T>): boolean {
    if (key === this.last) return false;
    this.waiting?.stop.abort();
    const stop = new AbortController();
    const answer = run(stop.signal);
    answer.catch(() => undefined); // its taker handles failures; an untaken one is dropped
    this.waiting = { key, answer, stop };
    this.last = key;
    return true;
  }

  /** The request asked ahead for `key`, handed over once (its taker now owns its abort); otherwise null, and
   * whatever was waiting is aborted. The caller that asks for itself says so with `asking`. */
  take(key: string): Asked<T> | null {
    const w = this.waiting;
    this.waiting = null;
    if (w && w.key === key && !w.stop.signal.aborted) return w;
    w?.stop.abort();
    return null;
  }

  /** The effect asks `key` itself: a later `ask` for the same key is not repeated. True when `key` was already the
   * last asked (the effect ran again for the same request). */
  asking(key: string): boolean {
    const again = key === this.last;
    this.last = key;
    return again;
  }
}
