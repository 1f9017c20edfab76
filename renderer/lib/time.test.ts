import { describe, expect, it } from 'vitest';
import { boundRange, fmtCount, fmtTick, rangeIso } from './time';

describe('axis and zoom', () => {
  const t = Date.parse('2023-07-06T03:30:00Z');
  it('labels the first tick and each new day with the year', () => {
    expect(fmtTick(t, 3_600_000, null)).toBe('2023-07-06 03:30');
    expect(fmtTick(t + 600_000, 3_600_000, t)).toBe('03:40');
    expect(fmtTick(Date.parse('2023-07-07T00:00:00Z'), 3 * 86_400_000, t)).toBe('2023-07-07 00:00');
  });
  it('keeps zoom and pan inside the data; covering all of it is no zoom', () => {
    const data = { from: t, to: t + 1000 };
    expect(boundRange({ from: t - 10, to: t + 2000 }, data)).toBeNull();
    expect(boundRange({ from: t + 900, to: t + 1300 }, data)).toEqual({ from: t + 600, to: t + 1000 });
    expect(boundRange({ from: t - 300, to: t + 100 }, data)).toEqual({ from: t, to: t + 400 });
    expect(boundRange({ from: t + 100, to: t + 200 }, data)).toEqual({ from: t + 100, to: t + 200 });
  });
  it('a range drawn where a pixel spans a minute or more runs over whole minutes, to the last microsecond', () => {
    const a = Date.parse('2023-07-09T02:53:19.958Z'), b = Date.parse('2023-07-14T16:59:50.121Z');
    expect(rangeIso({ from: a, to: b }, 33 * 60_000)).toEqual({ from: '2023-07-09T02:53:00.000Z', to: '2023-07-14T16:59:59.999999Z' });
    expect(rangeIso({ from: a, to: b }, 60_000).from).toBe('2023-07-09T02:53:00.000Z');
    // A minute's own last microsecond and the next minute's start stay in their minutes.
    expect(rangeIso({ from: Date.parse('2023-07-09T02:54:00.000Z'), to: Date.parse('2023-07-09T03:00:00.000Z') }, 120_000))
      .toEqual({ from: '2023-07-09T02:54:00.000Z', to: '2023-07-09T03:00:59.999999Z' });
    // Finer pixels: the range as drawn, to the millisecond.
    expect(rangeIso({ from: a, to: b }, 59_999)).toEqual({ from: '2023-07-09T02:53:19.958Z', to: '2023-07-14T16:59:50.121Z' });
  });
  it('counts read with thousands separators', () => {
    expect(fmtCount(3290389)).toBe('3,290,389');
    expect(fmtCount(0)).toBe('0');
  });
});
