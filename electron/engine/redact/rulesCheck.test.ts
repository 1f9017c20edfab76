// The rules editor's live check of client patterns: RE2's reason, quoting what the operator wrote.
import { describe, expect, it } from 'vitest';
import { patternErrors } from './rulesCheck';
import { ClientDetector } from './client';

const rules = (...regex: string[]) => ({ patterns: regex.map((r) => ({ type: 'x', regex: r, action: 'pseudonymise' as const })) });

describe('patternErrors', () => {
  it('quotes the pattern as written, not with the group the detector wraps it in', () => {
    const [e] = patternErrors(rules('([a-z'));
    expect(e).toMatch(/^pattern 1 regex: not a valid RE2 expression: .*missing closing \]: `\[a-z`$/);
  });

  it('refuses a pattern that parses only inside the wrapper (it would close the group and open another)', () => {
    expect(patternErrors(rules('[A-Z]+\\d{4}', 'a)|(b'))).toEqual([expect.stringMatching(/^pattern 2 regex: not a valid RE2 expression: .*unexpected \)/)]);
    expect(() => new ClientDetector({ patterns: rules('a)|(b').patterns, domains: [], hosts: [], words: [], secretKeys: [], harvestKinds: [] })).toThrow(/client-pattern-1 \(x\) is not a valid RE2 expression/);
  });
});
