// Time helpers: the engine speaks ISO instants in UTC; the UI shows UTC too, so what the operator reads matches the logs' UTC view.
export function toMs(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

export function toIso(ms: number): string {
  return new Date(Math.round(ms)).toISOString();
}

/** 2023-07-30 00:13:45.400 (UTC). */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/Z$/, '');
}

// One formatter for every count on screen (toLocaleString builds a new one per call: thousands per re-draw).
const COUNT = new Intl.NumberFormat('en-US');
export function fmtCount(n: number): string {
  return COUNT.format(n);
}

/** Axis ticks at a "nice" step covering [from, to]. */
export function timeTicks(from: number, to: number, maxTicks: number): number[] {
  const span = Math.max(1, to - from);
  const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5,
    72e5, 108e5, 216e5, 432e5, 864e5, 1728e5, 6048e5, 2592e6];
  const step = steps.find((s) => span / s <= maxTicks) ?? span / maxTicks;
  const out: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) out.push(t);
  return out;
}

/** Axis label: the first tick, and any tick on a new day, carries the full date with its year; the others only the
 * time at the precision the span needs. */
export function fmtTick(ms: number, spanMs: number, prevMs: number | null): string {
  const iso = toIso(ms);
  const time = spanMs > 60_000 ? iso.slice(11, 16) : spanMs > 2_000 ? iso.slice(11, 19) : iso.slice(11, 23);
  const newDay = prevMs == null || toIso(prevMs).slice(0, 10) !== iso.slice(0, 10);
  if (newDay) return `${iso.slice(0, 10)} ${time}`;
  return spanMs > 2_000 ? time : iso.slice(17, 23);
}

const MINUTE_MS = 60_000;

/**
 * A range the operator drew on the timeline, as the filter's ISO ends. Where one pixel of the view it opens spans a
 * minute or more, it runs from the start of its first minute to the last microsecond of its last one (it moves by less
 * than a pixel): a range on whole minutes is counted from the per-minute summary alone, reading no events at its ends.
 */
export function rangeIso(range: { from: number; to: number }, msPerPx: number): { from: string; to: string } {
  if (!(msPerPx >= MINUTE_MS)) return { from: toIso(range.from), to: toIso(range.to) };
  const from = Math.floor(range.from / MINUTE_MS) * MINUTE_MS;
  const last = Math.floor(range.to / MINUTE_MS) * MINUTE_MS + MINUTE_MS - 1;
  return { from: toIso(from), to: toIso(last).replace(/Z$/, '999Z') };
}

/** A zoomed range kept inside the data: null when it covers all of it (that is no zoom at all), else shifted and cut
 * so it never shows time where the case has no events. */
export function boundRange(range: { from: number; to: number }, data: { from: number; to: number } | null): { from: number; to: number } | null {
  if (!data) return range;
  if (range.from <= data.from && range.to >= data.to) return null;
  const span = Math.min(range.to - range.from, data.to - data.from);
  const from = Math.min(Math.max(range.from, data.from), data.to - span);
  return { from, to: from + span };
}
