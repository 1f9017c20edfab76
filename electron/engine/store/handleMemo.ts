// What a query learned about a case, kept per read handle. A read-only handle sees no writes (a write opens a new
// one), so an answer taken on it stays true for its life; a handle that can write keeps nothing. The handle is a
// WeakMap key: its memos go when it does. Counts, matched ids, index lookups and the summary's state all use this.
import type { SqlRead } from './db';

export class HandleMemo<V> {
  private readonly byHandle = new WeakMap<SqlRead, Map<string, V>>();

  /** `limit`: entries kept per handle, the oldest dropped first. */
  constructor(private readonly limit = Infinity) {}

  get(db: SqlRead, key: string): V | undefined {
    return db.readOnly ? this.byHandle.get(db)?.get(key) : undefined;
  }

  has(db: SqlRead, key: string): boolean {
    return db.readOnly && !!this.byHandle.get(db)?.has(key);
  }

  /** Keeps `value` (on a read-only handle) and returns it. */
  set(db: SqlRead, key: string, value: V): V {
    if (!db.readOnly) return value;
    let m = this.byHandle.get(db);
    if (!m) this.byHandle.set(db, (m = new Map()));
    if (!m.has(key) && m.size >= this.limit) m.delete(m.keys().next().value as string);
    m.set(key, value);
    return value;
  }

  /** Drops the entry, or with `only`, only while it still holds that value (a settled promise must not drop the
   * one that replaced it). */
  delete(db: SqlRead, key: string, only?: V): void {
    const m = this.byHandle.get(db);
    if (m && (only === undefined || m.get(key) === only)) m.delete(key);
  }

  /** Forgets everything kept for a handle (benchmarks measure the uncached cost). */
  forget(db: SqlRead): void {
    this.byHandle.delete(db);
  }
}

/**
 * The promise kept under `key`, or `make()`'s, kept until it fails (a failed or cancelled answer is asked again by
 * the next caller). `make` should be detached from the first caller's cancellation when others may wait for it.
 */
export function sharedPromise<T>(memo: HandleMemo<Promise<T>>, db: SqlRead, key: string, make: () => Promise<T>): Promise<T> {
  const known = memo.get(db, key);
  if (known) return known;
  const p = make();
  memo.set(db, key, p);
  p.catch(() => memo.delete(db, key, p));
  return p;
}

/** Keeps `pending` under `key` while it runs, so a second caller can wait for it; returns it. */
export function whileRunning<T>(memo: HandleMemo<Promise<T>>, db: SqlRead, key: string, pending: Promise<T>): Promise<T> {
  memo.set(db, key, pending);
  const done = () => memo.delete(db, key, pending);
  pending.then(done, done);
  return pending;
}
