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

  it('gives back the pages the dead objects sat on, not only the objects (the heap shrinks to near what is live)', () => {
    settleHeap(true);
    // Many small objects, one in twenty kept: every page keeps a few live ones, so one collection frees the objects
    // but leaves the pages in the heap.
    const kept: object[] = [];
    const grow = () => {
      const junk = Array.from({ length: 1_500_000 }, (_, i) => ({ i, s: `file ${i}` }));
      for (let i = 0; i < junk.length; i += 20) kept.push(junk[i]!);
    };
    grow();
    const before = process.memoryUsage();
    expect(before.heapTotal - before.heapUsed).toBeLessThan(before.heapUsed);
    expect(settleHeap(true)).toBe(true);
    const after = process.memoryUsage();
    expect(kept.length).toBe(75_000);
    expect(after.heapTotal).toBeLessThan(before.heapTotal - 64 * 2 ** 20);
  });
});
