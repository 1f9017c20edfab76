// Which finding names a span when two match the same text at equal length: the operator's client rule, written for this
// client on purpose, over the case's idPatterns (defaults), the PII detectors and the harvest. A longer match still wins.
import { describe, expect, it } from 'vitest';
import { Detectors } from './detect';
import { Pseudonymizer } from './pseudonym';
import { Redactor } from './redactor';

const idPatterns = [{ kind: 'client_id', regex: '[A-Z]{4,6}[0-9]{3,}' }];
const customer = { patterns: [{ type: 'customer', regex: 'OMEGA\\d{4}', action: 'pseudonymise' as const }] };
const redactor = (opts: ConstructorParameters<typeof Detectors>[0]) => new Redactor(new Detectors(opts), new Pseudonymizer(Buffer.alloc(32, 3)));

describe('precedence on an equal-length match', () => {
  it('the client rule names the type, not the case\'s id kind, in the text and in the counts', () => {
    const r = redactor({ idPatterns, rules: customer });
    const { text, replacements } = r.redact('kyc check for OMEGA3231 failed');
    expect(text).toMatch(/^kyc check for <customer:[A-Z2-7]{10}> failed$/);
    expect(replacements.map((x) => [x.type, x.rule])).toEqual([['customer', 'client-pattern-1']]);
    expect(Object.fromEntries(r.counts.byType)).toEqual({ customer: 1 });
  });

  it('over the harvest of identifiers of that kind: the value has one token, under its field and in free text', () => {
    const r = redactor({ idPatterns, rules: customer, harvest: [{ type: 'client_id', value: 'OMEGA3231' }] });
    const a = r.redact(JSON.stringify({ client_id: 'OMEGA3231' })).text;
    const b = r.redact('search Search-OMEGA3231_OMEGA7380 by anil').text;
    const token = /<customer:[A-Z2-7]{10}>/.exec(a)?.[0];
    expect(token).toBeDefined();
    expect(b).toContain(`Search-${token}_<customer:`);
    expect(b).not.toContain('client_id');
  });

  it('over a word list too, and the first of two client rules keeps it', () => {
    const r = redactor({ idPatterns, rules: { ...customer, words: [{ type: 'project', words: ['OMEGA3231'], action: 'remove' }] } });
    expect(r.redact('id OMEGA3231').text).toMatch(/^id <customer:/);
  });

  it('a longer match still wins whatever found it', () => {
    const r = redactor({ idPatterns, rules: { patterns: [{ type: 'customer', regex: 'OMEGA\\d{2}', action: 'pseudonymise' }] } });
    // the client rule finds OMEGA32 only inside a longer word: the id pattern's whole OMEGA3231 names it
    expect(r.redact('id OMEGA3231').text).toMatch(/^id <client_id:/);
    const longer = redactor({ idPatterns, rules: { patterns: [{ type: 'customer', regex: 'OMEGA', action: 'pseudonymise' }] } });
    expect(longer.redact('id OMEGA-OMEGA3231').text).toMatch(/^id <customer:[A-Z2-7]{10}>-<client_id:/);
  });
});
