// The rules editor's live check of client patterns: RE2's reason, quoting what the operator wrote.
import { describe, expect, it } from 'vitest';
import { patternNotes } from './rulesCheck';
import { ClientDetector, compilePattern } from './client';

const rules = (...regex: string[]) => ({ patterns: regex.map((r) => ({ type: 'x', regex: r, action: 'pseudonymise' as const })) });
/** The refusals alone, as redact.rules.check lists them in `errors`. */
const patternErrors = (r: ReturnType<typeof rules>) => patternNotes(r).filter((n) => n.level === 'error').map((n) => n.message);

describe('patternNotes: RE2 refusals', () => {
  it('quotes the pattern as written, not with the group the detector wraps it in', () => {
    const [e] = patternErrors(rules('([a-z'));
    expect(e).toMatch(/^pattern 1 regex: not a valid RE2 expression: .*missing closing \]: `\[a-z`$/);
  });

  it('refuses a pattern that parses only inside the wrapper (it would close the group and open another)', () => {
    expect(patternErrors(rules('[A-Z]+\\d{4}', 'a)|(b'))).toEqual([expect.stringMatching(/^pattern 2 regex: not a valid RE2 expression: .*unexpected \)/)]);
    expect(() => new ClientDetector({ patterns: rules('a)|(b').patterns, domains: [], hosts: [], words: [], secretKeys: [], harvestKinds: [] })).toThrow(/client-pattern-1 \(x\) is not a valid RE2 expression/);
  });
});

const named = (type: string, regex: string) => ({ patterns: [{ type: 'kyc', regex: 'KYC\\d{6}', action: 'pseudonymise' as const }, { type, regex, action: 'pseudonymise' as const }] });
const emptySentence = (type: string) => `Rule "${type}" (pattern 2): its pattern can match empty text, so it can match anywhere and replace whole lines. Make it require at least one character (for example \\d+ instead of \\d*).`;
const detector = (r: ReturnType<typeof named>) => new ClientDetector({ ...r, domains: [], hosts: [], words: [], secretKeys: [], harvestKinds: [] });

describe('patterns that can match empty text', () => {
  // `\b`, `\B`, `^`, `$` match empty only beside some characters: the probes hold every pair of neighbours
  it.each(['.*', '\\d*', '(a|)', 'x?', '^', '$', '\\b', '\\B', '(?m)^', '(?m)$', '\\A', '\\z', '\\b\\d*\\b', '(?i)[a-z]{0,3}', '(?:OMEGA\\d+)?'])('refuses %s, naming the rule, in the check and in the engine', (regex) => {
    expect(patternNotes(named('customer', regex))).toEqual([{ pattern: 2, level: 'error', message: emptySentence('customer') }]);
    expect(() => detector(named('customer', regex))).toThrow(emptySentence('customer'));
  });

  it('in both regex engines: a pattern V8 runs and one only re2js runs', () => {
    // `(a+)+` is refused by the strict translation and stays in re2js
    for (const regex of ['[A-Z]*', '(?:(a+)+)?']) {
      expect(compilePattern(regex).v8, regex).toBe(regex === '[A-Z]*');
      expect(patternNotes(named('customer', regex)).map((n) => n.message)).toEqual([emptySentence('customer')]);
    }
  });

  it('accepts a pattern that needs a character, and reports nothing for it', () => {
    for (const regex of ['\\d+', 'OMEGA\\d*', '\\bKYC\\d{6}\\b', '[A-Z]{4,6}[0-9]{3,}', '(?i)acme-?\\d+']) {
      expect(patternNotes(named('customer', regex)), regex).toEqual([]);
      expect(() => detector(named('customer', regex))).not.toThrow();
    }
  });

  it('warns when a pattern matches a whole sample line of more than one word (likely too broad), not for a line that is one id', () => {
    const notes = patternNotes(named('customer', '[A-Za-z0-9 ]+'), ['kyc check for OMEGA3231 failed', 'OMEGA3231', 'a-b']);
    expect(notes).toEqual([{ pattern: 2, level: 'warning', message: 'Rule "customer" (pattern 2) matches the whole of sample line 1, so it would replace that line whole: it is likely too broad.' }]);
    expect(patternNotes(named('customer', 'OMEGA\\d+'), ['OMEGA3231', 'x OMEGA3231 y'])).toEqual([]);
  });

  it('reports an empty match found in a sample line that the probes did not show (one only before a character it does not take)', () => {
    // before a, Z, 0 or _ (the probes' word characters) it takes the character; before b it matches empty
    const regex = '^\\b(?:[aZ0_]|)';
    expect(patternNotes(named('customer', regex))).toEqual([]);
    expect(patternNotes(named('customer', regex), ['a c', 'b c'])).toEqual([{ pattern: 2, level: 'error',
      message: 'Rule "customer" (pattern 2): its pattern matches empty text in sample line 2 (at character 1), so it can match anywhere and replace whole lines. Make it require at least one character (for example \\d+ instead of \\d*).' }]);
  });

  it('says RE2\'s refusal as before, and checks nothing more in that pattern', () => {
    expect(patternNotes(named('customer', '(\\d*'))).toEqual([{ pattern: 2, level: 'error', message: expect.stringMatching(/^pattern 2 regex: not a valid RE2 expression: /) }]);
  });
});
