// A time the operator types ("14:03", "2023-07-06 14:03", "2023-07-06") read on the clock the screen shows (the site's
// zone in site/both mode, else UTC), as the UTC range it covers: as long as the precision typed, so "14:03" is that
// minute and "2023-07-06" that day.
import { toIso } from './time';
import { zoneOffsetMs } from './siteTime';

const TYPED = /^(?:(\d{4})-(\d{2})-(\d{2}))?(?:(?:^|[ T])(\d{1,2})(?::(\d{2})(?::(\d{2}))?)?)?$/;

/** The UTC instant a wall-clock reading names in `zone` ('' = UTC): the zone's offset at that instant, found twice
 * because the offset is known per instant, not per wall time (they differ only near a DST change). */
function wallToUtc(wall: number, zone: string): number {
  if (!zone) return wall;
  const first = wall - zoneOffsetMs(wall, zone);
  return wall - zoneOffsetMs(first, zone);
}

/** Between two readings: "12:49 - 12:59", "12:49 to 12:59", "12:49 → 12:59" (a bare '-' is a date's). */
const BETWEEN = /\s+(?:-|–|→|to)\s+/;

/**
 * `day` (YYYY-MM-DD) is the date a time typed alone falls on: the day the view starts on, in the same zone. Two
 * readings make one range from the first's start to the second's end; a time alone after a date falls on that date.
 */
export function wallTimeRange(text: string, zone: string, day: string): { from: string; to: string } | null {
  const parts = text.trim().split(BETWEEN);
  if (parts.length > 2) return null;
  const first = oneReading(parts[0]!, zone, day);
  if (!first || parts.length === 1) return first?.range ?? null;
  const second = oneReading(parts[1]!, zone, first.day);
  if (!second || second.range.to < first.range.from) return null;
  return { from: first.range.from, to: second.range.to };
}

function oneReading(text: string, zone: string, day: string): { range: { from: string; to: string }; day: string } | null {
  const m = TYPED.exec(text.trim());
  if (!m || (!m[1] && !m[4])) return null;
  const [y, mo, d] = m[1] ? [m[1], m[2]!, m[3]!] : day.split('-');
  const parts = [Number(y), Number(mo), Number(d), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)] as const;
  const wall = Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5]);
  // Date.UTC rolls 14:60 into 15:00 and 30 February into March: only a reading that comes back unchanged is a time.
  const back = new Date(wall);
  const same = back.getUTCFullYear() === parts[0] && back.getUTCMonth() === parts[1] - 1 && back.getUTCDate() === parts[2]
    && back.getUTCHours() === parts[3] && back.getUTCMinutes() === parts[4] && back.getUTCSeconds() === parts[5];
  if (!same) return null;
  const unit = m[6] ? 1_000 : m[5] ? 60_000 : m[4] ? 3_600_000 : 86_400_000;
  return { range: { from: toIso(wallToUtc(wall, zone)), to: toIso(wallToUtc(wall + unit - 1, zone)) }, day: `${y}-${mo}-${d}` };
}
