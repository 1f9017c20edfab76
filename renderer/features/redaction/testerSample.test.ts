import { describe, expect, it } from 'vitest';
import { calls } from '../../../shared/contract';
import { TESTER_MAX_CHARS, TESTER_MAX_LINES } from '../../../shared/contract/redact';
import { testerSample } from './testerSample';

describe('tester sample', () => {
  it('keeps non-blank lines, cuts an over-long one and names it by its line in the pasted text', () => {
    const s = testerSample(['a', '', '  ', 'b'.repeat(TESTER_MAX_CHARS + 5), 'c'].join('\n'));
    expect(s.lines).toEqual(['a', 'b'.repeat(TESTER_MAX_CHARS), 'c']);
    expect(s.cut).toEqual([4]);
    expect(s.dropped).toBe(0);
  });

  it('takes the first lines the engine takes and counts the rest; what it keeps passes the contract', () => {
    const s = testerSample(Array.from({ length: TESTER_MAX_LINES + 7 }, (_, i) => `line ${i} ${'x'.repeat(i === 3 ? TESTER_MAX_CHARS : 1)}`).join('\n'));
    expect(s.lines).toHaveLength(TESTER_MAX_LINES);
    expect(s.dropped).toBe(7);
    expect(s.cut).toEqual([4]);
    expect(calls['redact.test'].input.safeParse({ lines: s.lines }).success).toBe(true);
  });
});
