import { describe, expect, it } from 'vitest';
import { boundRange, fmtTick } from './time';

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
});
