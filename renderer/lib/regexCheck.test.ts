import { describe, expect, it } from 'vitest';
import { regexProblem } from './regexCheck';

describe('regexProblem (RE2, as the query engine)', () => {
  it('accepts what RE2 runs', () => {
    for (const p of ['Trace(back)? \\(most', '(?-i)ABC', '^\\d{4}-\\d\\d', '(?P<name>x)|y']) expect(regexProblem(p)).toBeNull();
  });
  it('refuses what V8 accepts but RE2 does not, naming the pattern as typed', () => {
    expect(new RegExp('(?=x)foo')).toBeTruthy();
    expect(regexProblem('(?=x)foo')).toMatch(/unsupported Perl syntax: `\(\?=`/);
    expect(regexProblem('(a)\\1')).toMatch(/invalid escape/);
    expect(regexProblem('a(b')).toMatch(/missing closing \): `a\(b`/);
  });
});
