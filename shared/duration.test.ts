import { describe, expect, it } from 'vitest';
import { fmtDuration } from './duration';

describe('fmtDuration (the app and the CLI)', () => {
  it('says a span in one format, unit after a space', () => {
    expect(fmtDuration(250)).toBe('250 ms');
    expect(fmtDuration(1130)).toBe('1.13 s');
    expect(fmtDuration(2500)).toBe('2.50 s');
    expect(fmtDuration(16_200)).toBe('16.2 s');
    expect(fmtDuration(185_000)).toBe('3 m 5 s');
    expect(fmtDuration(7_800_000)).toBe('2 h 10 m');
    expect(fmtDuration(273_600_000)).toBe('3 d 4 h');
    expect(fmtDuration(-1500)).toBe('-1.50 s');
  });
  it('says — for no span', () => {
    expect(fmtDuration(null)).toBe('—');
    expect(fmtDuration(undefined)).toBe('—');
    expect(fmtDuration(Number.NaN)).toBe('—');
  });
});
