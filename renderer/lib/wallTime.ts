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

/** `day` (YYYY-MM-DD) is the date a time typed alone falls on: the day the view starts on, in the same zone. */
export function wallTimeRange(text: string, zone: string, day: string): { from: string; to: string } | null {
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
  return { from: toIso(wallToUtc(wall, zone)), to: toIso(wallToUtc(wall + unit - 1, zone)) };
}
