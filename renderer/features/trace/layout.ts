// Waterfall geometry for one trace: a lane per source, a span from its first to its last event, and the gap
// from the previous lane's end to this lane's start (negative when they overlap).
import type { EventRow } from '../../../shared/domain';
import { toMs } from '../../lib/time';

export interface TraceLane {
  source: string;
  first: number;
  last: number;
  events: { id: number; t: number; level: string | null }[];
  gapMs: number | null;
}

export interface TraceLayout { t0: number; t1: number; lanes: TraceLane[]; untimed: number }

export function traceLayout(events: EventRow[]): TraceLayout {
  const by = new Map<string, TraceLane>();
  let untimed = 0;
  for (const e of events) {
    const t = toMs(e.ts);
    if (t == null) { untimed++; continue; }
    let lane = by.get(e.source);
    if (!lane) { lane = { source: e.source, first: t, last: t, events: [], gapMs: null }; by.set(e.source, lane); }
    lane.first = Math.min(lane.first, t);
    lane.last = Math.max(lane.last, t);
    lane.events.push({ id: e.id, t, level: e.level });
  }
  const lanes = [...by.values()].sort((a, b) => a.first - b.first || a.source.localeCompare(b.source));
  lanes.forEach((l, i) => { const prev = lanes[i - 1]; l.gapMs = prev ? l.first - prev.last : null; });
  const t0 = lanes.length ? Math.min(...lanes.map((l) => l.first)) : 0;
  const t1 = lanes.length ? Math.max(...lanes.map((l) => l.last)) : 0;
  return { t0, t1, lanes, untimed };
}

/** Time between each event and the one before it, in time order (null for the first and untimed ones). */
export function stepGaps(events: EventRow[]): (number | null)[] {
  let prev: number | null = null;
  return events.map((e) => {
    const t = toMs(e.ts);
    const gap: number | null = t != null && prev != null ? t - prev : null;
    if (t != null) prev = t;
    return gap;
  });
}
