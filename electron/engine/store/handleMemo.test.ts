import { describe, expect, it } from 'vitest';
import type { SqlRead } from './db';
import { HandleMemo, sharedPromise, whileRunning } from './handleMemo';

// The memo only looks at a handle's readOnly flag and identity.
const handle = (readOnly: boolean) => ({ readOnly }) as unknown as SqlRead;

describe('HandleMemo', () => {
  it('keeps answers on read-only handles only, each handle apart', () => {
    const m = new HandleMemo<number>();
    const ro = handle(true), ro2 = handle(true), rw = handle(false);
    expect(m.set(rw, 'a', 1)).toBe(1);
    expect(m.get(rw, 'a')).toBeUndefined();
    m.set(ro, 'a', 2);
    expect(m.get(ro, 'a')).toBe(2);
    expect(m.has(ro2, 'a')).toBe(false);
    m.forget(ro);
    expect(m.get(ro, 'a')).toBeUndefined();
  });

  it('drops the oldest past its limit, and a replaced key does not evict another', () => {
    const m = new HandleMemo<number>(2);
    const db = handle(true);
    m.set(db, 'a', 1); m.set(db, 'b', 2); m.set(db, 'b', 3);
    expect([m.get(db, 'a'), m.get(db, 'b')]).toEqual([1, 3]);
    m.set(db, 'c', 4);
    expect([m.get(db, 'a'), m.get(db, 'b'), m.get(db, 'c')]).toEqual([undefined, 3, 4]);
  });

  it('deletes with `only` only while the entry still holds that value', () => {
    const m = new HandleMemo<number>();
    const db = handle(true);
    m.set(db, 'a', 1);
    m.set(db, 'a', 2);
    m.delete(db, 'a', 1);
    expect(m.get(db, 'a')).toBe(2);
    m.delete(db, 'a', 2);
    expect(m.has(db, 'a')).toBe(false);
  });

  it('sharedPromise: one run for concurrent callers, asked again after a failure', async () => {
    const m = new HandleMemo<Promise<number>>();
    const db = handle(true);
    let runs = 0;
    const fail = () => { runs++; return Promise.reject(new Error('no')); };
    await expect(Promise.all([sharedPromise(m, db, 'k', fail), sharedPromise(m, db, 'k', fail)])).rejects.toThrow('no');
    expect(runs).toBe(1);
    const ok = () => { runs++; return Promise.resolve(7); };
    expect(await sharedPromise(m, db, 'k', ok)).toBe(7);
    expect(await sharedPromise(m, db, 'k', ok)).toBe(7);
    expect(runs).toBe(2);
  });

  it('whileRunning: visible while it runs, gone once it settles either way', async () => {
    const m = new HandleMemo<Promise<number>>();
    const db = handle(true);
    let end!: (n: number) => void;
    const p = whileRunning(m, db, 'k', new Promise<number>((r) => { end = r; }));
    expect(m.get(db, 'k')).toBe(p);
    end(1);
    await p;
    await Promise.resolve();
    expect(m.has(db, 'k')).toBe(false);
    const q = whileRunning(m, db, 'k', Promise.reject(new Error('x')));
    await expect(q).rejects.toThrow('x');
    await Promise.resolve();
    expect(m.has(db, 'k')).toBe(false);
  });
});
