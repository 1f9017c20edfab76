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
});
