import { describe, expect, it } from 'vitest';
import { settleHeap } from './heap';

describe('settleHeap', () => {
  it('collects dead objects once the heap has grown by a step, and not again before it grows', () => {
    settleHeap(true);
    let junk: { i: number; s: string }[] | null = Array.from({ length: 1_500_000 }, (_, i) => ({ i, s: `file ${i}` }));
    expect(junk.length).toBe(1_500_000);
    junk = null;
    const before = process.memoryUsage().heapUsed;
    expect(settleHeap()).toBe(true);
    expect(process.memoryUsage().heapUsed).toBeLessThan(before - 64 * 2 ** 20);
    expect(settleHeap()).toBe(false);
    expect(settleHeap(true)).toBe(true);
  });
});
