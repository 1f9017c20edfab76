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
  it('names the zone and both offsets when the case\'s range crosses a DST change, not the first offset alone', () => {
    // Logs from March into April in London: rows before the 26th are +00:00, after it +01:00.
    const from = Date.parse('2023-03-20T08:00:00Z');
    const to = Date.parse('2023-04-02T08:00:00Z');
    expect(timeFormat('site', 'Europe/London', from, to).label).toBe('site Europe/London +00:00/+01:00');
    expect(timeFormat('both', 'Europe/London', from, to).label).toBe('site Europe/London +00:00/+01:00 · UTC');
    // Across two changes (March to November) the range starts and ends on the same offset.
    expect(timeFormat('site', 'Europe/London', Date.parse('2023-03-01T00:00:00Z'), Date.parse('2023-11-30T00:00:00Z')).label)
      .toBe('site Europe/London +00:00/+01:00');
    expect(timeFormat('site', 'Europe/London', Date.parse('2023-07-01T00:00:00Z'), Date.parse('2023-07-30T00:00:00Z')).label).toBe('site +01:00');
    expect(timeFormat('site', 'Asia/Kolkata', from, to).label).toBe('site +05:30');
  });
});
