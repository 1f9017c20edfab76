// The redact area: client rules and the rule tester (see docs/REDACTION.md). Wired into shared/contract.ts.
import { z } from 'zod';
import { RedactionRules, Replacement, RULES_SENSITIVE, rulesCounts } from '../redaction';
import { CaseRef } from './common';
import { ProfileName } from './export';
import { defineArea, defineCall } from './define';

/** What one redact.test takes: lines, and characters a line (the tester cuts a pasted sample to these and says so). */
export const TESTER_MAX_LINES = 200;
export const TESTER_MAX_CHARS = 100_000;
/** Characters of one sample in all: with the rules, the call stays under every door's input cap (MAX_CALL_INPUT_BYTES). */
export const TESTER_MAX_TOTAL_CHARS = 400_000;

export interface TesterSample {
  /** Non-blank lines, in order, within the bounds above. */
  lines: string[];
  /** Line numbers in the given text (from 1, blank lines counted) of the lines tested only in part. */
  cut: number[];
  /** Non-blank lines past the bounds, not tested. */
  dropped: number;
}

/**
 * A sample's lines within what one redact.test takes (the rules editor's tester and `casefile redact-test`): a longer
 * sample is cut and the caller says where, instead of the engine refusing the whole test with a schema path.
 */
export function testerSample(text: string): TesterSample {
  const lines: string[] = [];
  const cut: number[] = [];
  let dropped = 0;
  let total = 0;
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const room = Math.min(TESTER_MAX_CHARS, TESTER_MAX_TOTAL_CHARS - total);
    if (lines.length >= TESTER_MAX_LINES || room <= 0) { dropped++; return; }
    if (line.length > room) cut.push(i + 1);
    lines.push(line.slice(0, room));
    total += Math.min(line.length, room);
  });
  return { lines, cut, dropped };
}

/** Sample lines as one test takes them (testerSample). */
const TesterLines = z.array(z.string().max(TESTER_MAX_CHARS)).max(TESTER_MAX_LINES)
  .refine((ls) => ls.reduce((n, l) => n + l.length, 0) <= TESTER_MAX_TOTAL_CHARS, `at most ${TESTER_MAX_TOTAL_CHARS} characters in all`);

export const redactArea = defineArea({
  calls: {
    /** What the rules would change in sample lines (the operator's own text; nothing is stored). */
    'redact.test': defineCall({
      input: CaseRef.partial().extend({
        rules: RedactionRules.partial().optional(), lines: TesterLines.min(1),
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
    /** What the engine would say of rules being edited, before they are saved or tested: patterns RE2 refuses or that can
     * match empty text (refused on save, test and export) and harvested kinds nothing has (warned about by the tester
     * and the export); with the tester's sample lines, a pattern that matches empty text in one (refused) or takes one
     * whole (warned). Nothing is stored. */
    'redact.rules.check': defineCall({
      input: CaseRef.partial().extend({ rules: RedactionRules, sample: TesterLines.optional() }),
      output: z.object({
        /** Each refusal naming its row ("pattern 2 regex: …", "Rule \"customer\" (pattern 2): …"). */
        errors: z.array(z.string()),
        warnings: z.array(z.string()),
        /** Those of `errors` and `warnings` that belong to one pattern row (from 1): the editor shows them beside it. */
        patterns: z.array(z.object({ pattern: z.number().int().min(1), level: z.enum(['error', 'warning']), message: z.string() })),
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
