import { describe, expect, it } from 'vitest';
import { RedactionRules } from '../../../shared/redaction';
import { fromDraft, toDraft } from './rulesDraft';

describe('rules draft', () => {
  it('round-trips rules through the editable text', () => {
    const rules = RedactionRules.parse({
      patterns: [{ type: 'kyc', regex: '[A-Z]+\\d{4}' }], words: [{ type: 'project', words: ['Falcon', 'Osprey'], action: 'remove' }],
      domains: ['acme.example'], hosts: ['db7'], secretKeys: ['x_sig'], harvestKinds: ['user'],
    });
    expect(fromDraft(toDraft(rules))).toEqual({ rules, errors: [] });
  });

  it('drops blank lines and names the row and field of each error', () => {
    const d = toDraft(RedactionRules.parse({}));
    d.domains = 'acme.example\n\n  \nx';
    d.patterns.push({ type: 'Bad Type', regex: '', action: 'pseudonymise' });
    const r = fromDraft(d);
    expect(r.rules).toBeNull();
    expect(r.errors).toEqual(expect.arrayContaining([
      expect.stringMatching(/^pattern 1 type: a type is lower-case/),
      expect.stringMatching(/^pattern 1 regex: /),
      expect.stringMatching(/^domain 2: /),
    ]));
  });

  it('says in words what an empty row or a short domain lacks, one error per field', () => {
    const d = toDraft(RedactionRules.parse({}));
    d.patterns.push({ type: '', regex: '', action: 'pseudonymise' });
    d.domains = 'ab';
    expect(fromDraft(d).errors).toEqual([
      'pattern 1 type: empty: name the type (e.g. kyc), or remove the row',
      'pattern 1 regex: empty: write an RE2 pattern, or remove the row',
      'domain 1: a domain has at least 3 characters (e.g. acme.com)',
    ]);
  });
});
