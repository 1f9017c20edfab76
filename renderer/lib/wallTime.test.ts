import { describe, expect, it } from 'vitest';
import { wallTimeRange } from './wallTime';

// The day the view starts on, as the operator reads it: "14:03" alone means 14:03 on that day.
const day = '2023-07-06';

describe('a typed wall-clock time as a range', () => {
  it('reads the time in the zone the screen shows: site time becomes the UTC instant it was there', () => {
    expect(wallTimeRange('2023-07-06 10:54', 'Asia/Kolkata', day)).toEqual({ from: '2023-07-06T05:24:00.000Z', to: '2023-07-06T05:24:59.999Z' });
    expect(wallTimeRange('2023-07-06 10:54', '', day)).toEqual({ from: '2023-07-06T10:54:00.000Z', to: '2023-07-06T10:54:59.999Z' });
    expect(wallTimeRange('2023-07-06 10:54', '-03:00', day)).toEqual({ from: '2023-07-06T13:54:00.000Z', to: '2023-07-06T13:54:59.999Z' });
  });
  it('covers as much as was typed: a day, an hour, a minute, a second', () => {
    expect(wallTimeRange('2023-07-06', '', day)).toEqual({ from: '2023-07-06T00:00:00.000Z', to: '2023-07-06T23:59:59.999Z' });
    expect(wallTimeRange('2023-07-06 14', '', day)).toEqual({ from: '2023-07-06T14:00:00.000Z', to: '2023-07-06T14:59:59.999Z' });
    expect(wallTimeRange('2023-07-06T14:03:07', '', day)).toEqual({ from: '2023-07-06T14:03:07.000Z', to: '2023-07-06T14:03:07.999Z' });
  });
  it('takes a time alone on the day the view starts', () => {
    expect(wallTimeRange('14:03', 'Asia/Kolkata', day)).toEqual({ from: '2023-07-06T08:33:00.000Z', to: '2023-07-06T08:33:59.999Z' });
    expect(wallTimeRange(' 9:05 ', '', day)).toEqual({ from: '2023-07-06T09:05:00.000Z', to: '2023-07-06T09:05:59.999Z' });
  });
  it('follows DST: the offset is the one in force at that wall time', () => {
    expect(wallTimeRange('2023-01-15 12:00', 'Europe/London', day)?.from).toBe('2023-01-15T12:00:00.000Z');
    expect(wallTimeRange('2023-07-15 12:00', 'Europe/London', day)?.from).toBe('2023-07-15T11:00:00.000Z');
  });
  it('reads two times as one range, the second on the first one\'s date', () => {
    // "What did the user do in the ten minutes before the 12:59 error", on the site clock.
    expect(wallTimeRange('2023-07-28 12:49 - 12:59', 'Asia/Kolkata', day)).toEqual({ from: '2023-07-28T07:19:00.000Z', to: '2023-07-28T07:29:59.999Z' });
    expect(wallTimeRange('12:49 to 12:59:30', '', day)).toEqual({ from: '2023-07-06T12:49:00.000Z', to: '2023-07-06T12:59:30.999Z' });
    expect(wallTimeRange('2023-07-06 → 2023-07-07 06', '', day)).toEqual({ from: '2023-07-06T00:00:00.000Z', to: '2023-07-07T06:59:59.999Z' });
    // An end before the start, or a third reading, is a typo.
    expect(wallTimeRange('12:59 - 12:49', '', day)).toBeNull();
    expect(wallTimeRange('10:00 - 11:00 - 12:00', '', day)).toBeNull();
  });
  it('refuses what is not a time, rather than guessing', () => {
    for (const bad of ['', 'soon', '25:00', '2023-13-01', '2023-02-30 10:00', '14:60', '2023-07-06 14:03:61', '2023-07-0614:03', '14:03 tomorrow']) {
      expect(wallTimeRange(bad, '', day)).toBeNull();
    }
  });
});
