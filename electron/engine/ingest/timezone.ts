// The site timezone: how naive stamps are placed on the UTC line, and how it is inferred from the logs themselves.
import type { TimeZoneRule } from '../../../shared/domain';
import { sqlString } from '../store/db';
import { EngineError } from '../util/errors';

const FIXED = /^([+-])(\d{2}):?(\d{2})$/;

/** SQL turning a naive TIMESTAMP expression into TIMESTAMPTZ under `zone` (IANA or fixed "+05:30"). */
export function zoneSql(zone: string, naive: string): string {
  const m = FIXED.exec(zone);
  if (!m) return `timezone(${sqlString(zone)}, ${naive})`;
  const minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  return `timezone('UTC', ${naive} - INTERVAL (${minutes}) MINUTE)`;
}

/** SQL reading a TIMESTAMPTZ expression as the naive wall-clock TIMESTAMP of `zone` (the inverse of zoneSql). */
export function localSql(zone: string, instant: string): string {
  const m = FIXED.exec(zone);
  if (!m) return `timezone(${sqlString(zone)}, ${instant})`;
  const minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  return `(timezone('UTC', ${instant}) + INTERVAL (${minutes}) MINUTE)`;
}

/** What a valid zone looks like, for every "Unknown timezone" message. */
export const ZONE_HINT = 'use an IANA name such as Asia/Kolkata or an offset such as +05:30.';

export function isValidZone(zone: string): boolean {
  // An offset no place has (+99:99, +05:60) is a typo: it would shift every naive stamp by days.
  const m = FIXED.exec(zone);
  if (m) return Number(m[2]) * 60 + Number(m[3]) <= 14 * 60 && Number(m[3]) < 60;
  try { new Intl.DateTimeFormat('en-US', { timeZone: zone }); return true; } catch { return false; }
}

/**
 * A valid zone as the case keeps it: an offset as ±HH:MM, a name in the letter case of the first of `known` (the
 * case's own zones), Intl's zones or Intl's name for it that differs only in case. Intl and DuckDB read 'asia/kolkata' as
 * Asia/Kolkata: a case must not count the two as different zones. Links (Asia/Calcutta) stay as typed.
 */
export function canonicalZone(zone: string, known: readonly string[] = []): string {
  assertZone(zone);
  const m = FIXED.exec(zone);
  if (m) return `${m[1]}${m[2]}:${m[3]}`;
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  const lower = zone.toLowerCase();
  return [...known, ...Intl.supportedValuesOf('timeZone'), resolved].find((z) => z.toLowerCase() === lower) ?? zone;
}

/** Refuses a zone the operator typed that is neither IANA nor a fixed offset, with the one message for it. */
export function assertZone(zone: string): void {
  // A pasted page is not echoed whole (no zone name is longer than ~32 characters).
  const shown = zone.length > 64 ? `${zone.slice(0, 64)}…` : zone;
  if (!isValidZone(zone)) throw new EngineError('invalid_input', `Unknown timezone "${shown}": ${ZONE_HINT}`);
}

export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
/** Offset of `zone` from UTC at `instantMs`, in minutes. */
export function zoneOffset(zone: string, instantMs: number): number {
  // A fixed offset is no zone Intl knows ("Invalid time zone specified: +05:30").
  const fixed = FIXED.exec(zone);
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
  let f = offsetFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    offsetFormatters.set(zone, f);
  }
  const name = f.formatToParts(instantMs).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** Zones a site is likely to be in, tried first so that +05:30 reads "Asia/Kolkata", not an obscure alias. */
const PREFERRED = [
  'UTC', 'Asia/Kolkata', 'Europe/London', 'Europe/Berlin', 'Europe/Paris', 'America/New_York', 'America/Chicago',
  'America/Denver', 'America/Los_Angeles', 'America/Sao_Paulo', 'Asia/Singapore', 'Asia/Dubai', 'Asia/Tokyo',
  'Asia/Shanghai', 'Asia/Jakarta', 'Asia/Kathmandu', 'Asia/Dhaka', 'Asia/Karachi', 'Africa/Johannesburg', 'Africa/Nairobi',
  'Australia/Sydney', 'Pacific/Auckland',
];

/** One observation: at UTC instant `at`, the site's clocks read `offset` minutes ahead of UTC. */
/** An observed offset at an instant; `n` records observed it (1 when absent: compactSamples merges). */
export interface OffsetSample { at: number; offset: number; file: string; n?: number }

/** Few distinct (month, offset) observations are enough: the key under which samples are merged. */
const observation = (s: OffsetSample) => `${Math.floor(s.at / 2.6e9)}:${s.offset}`;
const weight = (s: OffsetSample) => s.n ?? 1;

/**
 * One sample per distinct observation, weighted by how many it stands for: what an import keeps per file instead of
 * the file's head (a tree of 100,000 files would otherwise hold gigabytes of heads until its last file is in).
 */
export function compactSamples(samples: OffsetSample[]): OffsetSample[] {
  const out = new Map<string, OffsetSample>();
  for (const s of samples) {
    const k = observation(s);
    const o = out.get(k);
    if (o) o.n = weight(o) + weight(s); else out.set(k, { ...s, n: weight(s) });
  }
  return [...out.values()];
}

export interface Inference { rule: TimeZoneRule; samples: number }

/**
 * Picks the zone whose offsets match every observation (so DST sites get their DST zone), preferring familiar zones.
 * Falls back to the most common fixed offset when no zone fits all of them.
 */
export function inferZone(samples: OffsetSample[], kind: 'pair' | 'offset'): Inference | null {
  if (samples.length === 0) return null;
  const obs = compactSamples(samples);
  const total = samples.reduce((n, s) => n + weight(s), 0);
  const files = [...new Set(samples.map((s) => s.file))];
  const offsets = [...new Set(samples.map((s) => s.offset))].sort((a, b) => a - b).map(formatOffset);
  const what = kind === 'pair' ? 'naive local stamps next to epoch seconds' : 'offsets written in local stamps';
  const where = `${files.slice(0, 3).join(', ')}${files.length > 3 ? ` and ${files.length - 3} more` : ''}`;
  const all = [...PREFERRED, ...Intl.supportedValuesOf('timeZone').filter((z) => !PREFERRED.includes(z))];
  const zone = all.find((z) => obs.every((s) => zoneOffset(z, s.at) === s.offset));
  if (zone) {
    return {
      samples: total,
      rule: { zone, how: 'inferred', evidence: `${what} (${total} records in ${where}) show UTC${offsets.join(', UTC')}; ${zone} matches every one` },
    };
  }
  const counts = new Map<number, number>();
  for (const s of samples) counts.set(s.offset, (counts.get(s.offset) ?? 0) + weight(s));
  const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const fixed = formatOffset(best![0]);
  return {
    samples: total,
    rule: { zone: fixed, how: 'inferred', evidence: `${what} (${total} records in ${where}) disagree (UTC${offsets.join(', UTC')}); no zone fits all, using the most common offset ${fixed}` },
  };
}

/** Parses "2023-07-30 00:13:45,400" (or with T / dot) as if it were UTC, returning ms; null if not a stamp. */
export function naiveAsUtcMs(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,6}))?/.exec(text);
  if (!m) return null;
  const ms = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
}

/** Offset in minutes written in a stamp (`+0530`, `+05:30`, `Z`), or null. */
export function inlineOffset(text: string): number | null {
  const m = /([+-])(\d{2}):?(\d{2})\]?$|Z$/.exec(text.trim());
  if (!m) return null;
  if (!m[1]) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}
