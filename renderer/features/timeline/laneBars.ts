// A lane's stacked, level-coloured bars as one SVG path per level. One <rect> per bucket and level drew thousands of
// elements for a zoomed timeline (244 buckets × lanes × levels): React built and diffed each one and the browser laid
// each out, 60–150 ms between the histogram's answer and its drawing on a loaded machine. A path per level draws the
// same rectangles (same places, sizes and colours) as a few elements.

/** Stack order bottom-up: the severe levels sit on the baseline so they stay visible. */
export const STACK = [5, 4, 3, 2, 1, 0, 6];

/** The rectangles of one lane: bucket `bi`'s counts stacked from the baseline, scaled to the lane's tallest bucket. */
export interface Bar { level: number; x: number; y: number; w: number; h: number }

export function laneRects(counts: number[][], bw: number, top: number, laneH: number): Bar[] {
  const max = Math.max(1, ...counts.map((c) => c.reduce((a, b) => a + b, 0)));
  const out: Bar[] = [];
  counts.forEach((c, bi) => {
    let y = top + laneH - 2;
    for (const level of STACK) {
      const n = c[level] ?? 0;
      if (!n) continue;
      const h = Math.max(1, (n / max) * (laneH - 6));
      y -= h;
      out.push({ level, x: bi * bw + 0.5, y, w: Math.max(1, bw - 1), h });
    }
  });
  return out;
}

const r = (v: number) => Math.round(v * 100) / 100;

/** The lane's rectangles as one path `d` per level (levels without a bar are left out), in stack order. */
export function laneBars(counts: number[][], bw: number, top: number, laneH: number): { level: number; d: string }[] {
  const by = new Map<number, string[]>();
  for (const b of laneRects(counts, bw, top, laneH)) {
    let parts = by.get(b.level);
    if (!parts) by.set(b.level, (parts = []));
    parts.push(`M${r(b.x)} ${r(b.y)}h${r(b.w)}v${r(b.h)}h${r(-b.w)}z`);
  }
  return STACK.filter((l) => by.has(l)).map((level) => ({ level, d: by.get(level)!.join('') }));
}
