import { describe, expect, it } from 'vitest';
import { capBytesOf } from './pullJob';

describe('the pull form\'s cap', () => {
  it('reads a plain number as MB and a size as the CLI does; empty is the profile\'s', () => {
    expect(capBytesOf('')).toBeUndefined();
    expect(capBytesOf(' 500 ')).toBe(500_000_000);
    expect(capBytesOf('0.5')).toBe(500_000);
    expect(capBytesOf('2GB')).toBe(2_000_000_000);
    expect(capBytesOf('750 MB')).toBe(750_000_000);
  });
  it('refuses what it cannot read, instead of pulling under the profile\'s cap', () => {
    for (const bad of ['2 gigs', '0', '-5', 'lots']) expect(() => capBytesOf(bad)).toThrow(`The cap “${bad}” is not a size`);
  });
});
