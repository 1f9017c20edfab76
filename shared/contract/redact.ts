// The redact area: client rules and the rule tester (see docs/REDACTION.md). Wired into shared/contract.ts.
import { z } from 'zod';
import { RedactionRules, Replacement, RULES_SENSITIVE, rulesCounts } from '../redaction';
import { CaseRef } from './common';
import { ProfileName } from './export';
import { defineArea, defineCall } from './define';

/** What one redact.test takes: lines, and characters a line (the tester cuts a pasted sample to these and says so). */
export const TESTER_MAX_LINES = 200;
export const TESTER_MAX_CHARS = 100_000;

export const redactArea = defineArea({
  calls: {
    /** What the rules would change in sample lines (the operator's own text; nothing is stored). */
    'redact.test': defineCall({
      input: CaseRef.partial().extend({
        rules: RedactionRules.partial().optional(), lines: z.array(z.string().max(TESTER_MAX_CHARS)).min(1).max(TESTER_MAX_LINES),
        /** Site profile whose rules are merged in (default, with a case: the profiles its evidence was pulled with). */
        profile: ProfileName.optional(),
      }),
      output: z.object({
        lines: z.array(z.object({ text: z.string(), replacements: z.array(Replacement) })),
        /** What the rules run but will not do as meant (export/rulesWarnings.ts): a domain or host that is no host name
         * (a glob, a URL), a harvested kind neither the case nor any format has (a typo harvests nothing). */
        warnings: z.array(z.string()),
      }),
      access: 'read', audit: 'never',
    }),
    /** What the engine would say of rules being edited, before they are saved or tested: patterns RE2 refuses (refused
     * on save) and harvested kinds nothing has (warned about by the tester and the export). Nothing is stored. */
    'redact.rules.check': defineCall({
      input: CaseRef.partial().extend({ rules: RedactionRules }),
      output: z.object({
        /** Each refusal naming its row and field as the editor does ("pattern 2 regex: …"). */
        errors: z.array(z.string()),
        warnings: z.array(z.string()),
      }),
      access: 'read', audit: 'never',
    }),
    /** The case's client rules (case.json `redaction`). */
    'redact.rules.get': defineCall({ input: CaseRef, output: RedactionRules, access: 'read', audit: 'never' }),
    'redact.rules.save': defineCall({
      input: CaseRef.extend({ rules: RedactionRules }), output: RedactionRules, access: 'write', audit: 'always',
      sensitive: RULES_SENSITIVE, auditCounts: (i) => rulesCounts(i.rules),
    }),
  },
});
