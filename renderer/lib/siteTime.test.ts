import { describe, expect, it } from 'vitest';
import { fmtZoned, timeFormat, zoneOffsetMs } from './siteTime';

describe('site time', () => {
  const iso = '2023-07-06T05:20:00.123Z';
  it('shows the site wall clock for IANA zones and fixed offsets', () => {
    expect(fmtZoned(iso, 'Asia/Kolkata')).toBe('2023-07-06 10:50:00.123');
    expect(fmtZoned(iso, '+05:30')).toBe('2023-07-06 10:50:00.123');
    expect(fmtZoned(iso, '-03:00')).toBe('2023-07-06 02:20:00.123');
  });
  it('follows DST', () => {
    expect(zoneOffsetMs(Date.parse('2023-01-15T12:00:00Z'), 'Europe/London')).toBe(0);
    expect(zoneOffsetMs(Date.parse('2023-07-15T12:00:00Z'), 'Europe/London')).toBe(3_600_000);
  });
  it('labels every mode', () => {
    const at = Date.parse(iso);
    expect(timeFormat('utc', 'Asia/Kolkata', at)).toMatchObject({ label: 'UTC' });
    expect(timeFormat('site', 'Asia/Kolkata', at).label).toBe('site +05:30');
    const both = timeFormat('both', 'Asia/Kolkata', at);
    expect(both.label).toBe('site +05:30 · UTC');
    expect(both.fmt(iso)).toBe('2023-07-06 10:50:00.123 · 05:20:00.123 UTC');
  });
});
