import { describe, expect, it } from 'vitest';
import { settleHeap } from './heap';

describe('settleHeap', () => {
  it('collects dead objects once the heap has grown by a step, and not again before it grows', () => {
    settleHeap(true);
    // Made and dropped inside a function: dead once it returns.
    const grow = () => {
      const junk = Array.from({ length: 1_500_000 }, (_, i) => ({ i, s: `file ${i}` }));
      expect(junk.length).toBe(1_500_000);
    };
    grow();
    const before = process.memoryUsage().heapUsed;
    expect(settleHeap()).toBe(true);
    expect(process.memoryUsage().heapUsed).toBeLessThan(before - 64 * 2 ** 20);
    expect(settleHeap()).toBe(false);
    expect(settleHeap(true)).toBe(true);
  });
});
