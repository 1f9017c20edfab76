// Site time: the wall clock of the case's site timezone (IANA "Asia/Kolkata" or a fixed "+05:30"), for operators whose
// run ids and client reports speak local time. The engine keeps UTC; this only changes what is shown, always labelled.
import { fmtTime, toIso } from './time';

export type TimeMode = 'utc' | 'site' | 'both';

const FIXED = /^([+-])(\d\d):?(\d\d)$/;
const formats = new Map<string, Intl.DateTimeFormat | null>();

function formatFor(zone: string): Intl.DateTimeFormat | null {
  if (!formats.has(zone)) {
    try {
      formats.set(zone, new Intl.DateTimeFormat('en-US', {
        timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
      }));
    } catch { formats.set(zone, null); }
  }
  return formats.get(zone) ?? null;
}

/** Site minus UTC at that instant, in ms (DST-aware for IANA zones); 0 for a zone this browser does not know. */
export function zoneOffsetMs(ms: number, zone: string): number {
  const fixed = FIXED.exec(zone);
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3])) * 60_000;
  const f = formatFor(zone);
  if (!f) return 0;
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - Math.floor(ms / 1000) * 1000;
}

/** "+05:30" for an offset in ms. */
export function fmtOffset(offsetMs: number): string {
  const m = Math.round(Math.abs(offsetMs) / 60_000);
  return `${offsetMs < 0 ? '-' : '+'}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** 2023-07-06 10:50:00.123 on the site's wall clock. */
export function fmtZoned(iso: string | null | undefined, zone: string): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return fmtTime(iso);
  return fmtTime(toIso(ms + zoneOffsetMs(ms, zone)));
}

export interface TimeFormat {
  mode: TimeMode;
  zone: string;
  /** What the times shown are, for headers: "UTC", "site +05:30", "site +05:30 · UTC". */
  label: string;
  /** One instant as the mode shows it. */
  fmt(iso: string | null | undefined): string;
  /** Site minus UTC for axis ticks (0 in UTC mode). */
  offset(ms: number): number;
}

/** Every offset the zone has between two instants (a DST change inside a case's range gives two), in time order. */
export function zoneOffsets(zone: string, from: number, to: number): number[] {
  const out: number[] = [];
  const add = (ms: number) => { const o = zoneOffsetMs(ms, zone); if (!out.includes(o)) out.push(o); };
  // Offsets change at most twice a year and stay for months: a look every week (at most 520) sees each one.
  const step = Math.max(7 * 86_400_000, (to - from) / 520);
  for (let t = from; t < to; t += step) add(t);
  add(to);
  return out;
}

/**
 * `at` (and `until`): the instants the label speaks for, the open case's range. Over a DST change one offset would
 * mislabel half the rows: the label then names the zone and its offsets ("site Europe/London +00:00/+01:00").
 */
export function timeFormat(mode: TimeMode, zone: string, at: number = Date.now(), until: number = at): TimeFormat {
  const offsets = zone ? zoneOffsets(zone, at, Math.max(at, until)) : [0];
  const site = offsets.length > 1 ? `site ${zone} ${offsets.map(fmtOffset).join('/')}` : `site ${fmtOffset(offsets[0]!)}`;
  if (mode === 'utc' || !zone) return { mode: 'utc', zone, label: 'UTC', fmt: fmtTime, offset: () => 0 };
  if (mode === 'site') return { mode, zone, label: site, fmt: (iso) => fmtZoned(iso, zone), offset: (ms) => zoneOffsetMs(ms, zone) };
  return {
    mode, zone, label: `${site} · UTC`,
    fmt: (iso) => (iso ? `${fmtZoned(iso, zone)} · ${fmtTime(iso).slice(11)} UTC` : '—'),
    offset: (ms) => zoneOffsetMs(ms, zone),
  };
}
