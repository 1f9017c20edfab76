import { describe, expect, it } from 'vitest';
import { laneBars, laneRects, STACK } from './laneBars';

/** The rectangles a path draws, read back from its `M x y h w v h h -w z` segments. */
const rectsOf = (d: string) => [...d.matchAll(/M(-?[\d.]+) (-?[\d.]+)h(-?[\d.]+)v(-?[\d.]+)h(-?[\d.]+)z/g)]
  .map((m) => ({ x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]), back: Number(m[5]) }));

describe('laneBars', () => {
  // 244 buckets with several levels each: the zoomed timeline of a busy lane.
  const counts = Array.from({ length: 244 }, (_, bi) => [bi % 3, 0, 50 + (bi % 17), bi % 5, 0, bi % 2, bi % 7]);

  it('draws a lane with one element per level, not one per bucket and level', () => {
    const paths = laneBars(counts, 5, 0, 34);
    const rects = laneRects(counts, 5, 0, 34);
    expect(rects.length).toBeGreaterThan(700);
    expect(paths.length).toBeLessThanOrEqual(STACK.length);
    expect(paths.map((p) => p.level)).toEqual(STACK.filter((l) => rects.some((b) => b.level === l)));
  });

  it('draws the same rectangles, in the same places and sizes, as one rect each did', () => {
    const top = 68;
    const rects = laneRects(counts, 4.7, top, 34);
    const drawn = laneBars(counts, 4.7, top, 34).flatMap((p) => rectsOf(p.d).map((b) => ({ ...b, level: p.level })));
    expect(drawn).toHaveLength(rects.length);
    for (const level of STACK) {
      const want = rects.filter((b) => b.level === level);
      const got = drawn.filter((b) => b.level === level);
      expect(got).toHaveLength(want.length);
      got.forEach((b, i) => {
        const w = want[i]!;
        expect(b.x).toBeCloseTo(w.x, 1); expect(b.y).toBeCloseTo(w.y, 1);
        expect(b.w).toBeCloseTo(w.w, 1); expect(b.h).toBeCloseTo(w.h, 1); expect(b.back).toBeCloseTo(-w.w, 1);
      });
    }
  });

  it('stacks severe levels on the baseline and scales to the tallest bucket', () => {
    const rects = laneRects([[0, 0, 10, 0, 0, 0, 0], [0, 0, 10, 0, 5, 5, 0]], 10, 0, 34);
    // Bucket 1 is the tallest (20): it fills the lane's 28 px; CRITICAL (slot 5) sits lowest, then ERROR, then INFO.
    const b1 = rects.filter((b) => b.x === 10.5);
    expect(b1.map((b) => b.level)).toEqual([5, 4, 2]);
    expect(b1[0]!.y + b1[0]!.h).toBeCloseTo(32);
    expect(b1.reduce((a, b) => a + b.h, 0)).toBeCloseTo(28);
    expect(rects.find((b) => b.x === 0.5)!.h).toBeCloseTo(14);
    expect(laneBars([], 10, 0, 34)).toEqual([]);
  });
});
