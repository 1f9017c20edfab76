// A sample's lines within what one redact.test takes: the rules editor's tester and `casefile redact-test` cut with it.
import { describe, expect, it } from 'vitest';
import { calls } from './contract';
import { TESTER_MAX_CHARS, TESTER_MAX_LINES, TESTER_MAX_TOTAL_CHARS, testerSample } from './contract/redact';

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

  it('keeps a whole sample within its budget of characters: the line that reaches it is cut, the rest are not tested', () => {
    const long = 'y'.repeat(TESTER_MAX_CHARS);
    const text = Array.from({ length: 6 }, () => long).join('\n');
    expect(calls['redact.test'].input.safeParse({ lines: text.split('\n') }).success).toBe(false);
    const s = testerSample(`short\n${text}`);
    expect(s.lines.reduce((n, l) => n + l.length, 0)).toBe(TESTER_MAX_TOTAL_CHARS);
    expect(s.lines.map((l) => l.length)).toEqual([5, TESTER_MAX_CHARS, TESTER_MAX_CHARS, TESTER_MAX_CHARS, TESTER_MAX_CHARS - 5]);
    expect(s.cut).toEqual([5]);
    expect(s.dropped).toBe(2);
    expect(calls['redact.test'].input.safeParse({ lines: s.lines }).success).toBe(true);
  });
});
