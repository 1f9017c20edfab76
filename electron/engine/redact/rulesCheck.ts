// What the engine says of client rules while they are edited, before a save refuses them or a test runs them: each
// pattern RE2 refuses, named by row and field as the editor names its own errors (renderer rulesDraft.ts).
import type { RedactionRules } from '../../../shared/redaction';
import { compilePattern } from './client';

export function patternErrors(rules: Pick<RedactionRules, 'patterns'>): string[] {
  return rules.patterns.flatMap((p, i) => {
    try {
      compilePattern(p.regex);
      return [];
    } catch (e) {
      return [`pattern ${i + 1} regex: not a valid RE2 expression: ${(e as Error).message}`];
    }
  });
}
