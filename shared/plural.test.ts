import { describe, expect, it } from 'vitest';
import { counted } from './plural';

describe('counted', () => {
  it('puts the noun in the number the count needs', () => {
    expect(counted(1, 'bundle')).toBe('1 bundle');
    expect(counted(0, 'bundle')).toBe('0 bundles');
    expect(counted(3, 'bundle')).toBe('3 bundles');
    expect(counted(2, 'entry', 'entries')).toBe('2 entries');
  });
});
