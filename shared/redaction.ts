// Client redaction rules (case.json `redaction`, a site profile's `redaction`, or a rules file) and what a
// redaction reports. Pure TypeScript.
import { z } from 'zod';

// Messages in the operator's words: the rules editor shows them beside the row and field they name.
const TypeName = z.string().min(1, { message: 'empty: name the type (e.g. kyc), or remove the row', abort: true })
  .regex(/^[a-z][a-z0-9_]{0,31}$/, 'a type is lower-case letters, digits and _');
export const RedactAction = z.enum(['pseudonymise', 'remove']);
export type RedactAction = z.infer<typeof RedactAction>;

export const RedactionRules = z.object({
  /** RE2 patterns matched as whole words (customer/KYC ids, transaction ids…). */
  patterns: z.array(z.object({ type: TypeName, regex: z.string().min(1, 'empty: write an RE2 pattern, or remove the row').max(500, 'longer than 500 characters'), action: RedactAction.default('pseudonymise') })).max(100).default([]),
  /** Client domains: every host name under them becomes `<host:…>`. */
  domains: z.array(z.string().min(3, 'a domain has at least 3 characters (e.g. acme.com)').max(253, 'longer than a host name can be (253)')).max(100).default([]),
  /** Exact host names. */
  hosts: z.array(z.string().min(1).max(253)).max(1000).default([]),
  /** Word lists (names, project code names…), case-insensitive, whole words. */
  words: z.array(z.object({ type: TypeName, words: z.array(z.string().min(1).max(200)).max(10_000), action: RedactAction.default('pseudonymise') })).max(50).default([]),
  /** Extra field names whose values are secrets (any case, `_`/`-`/camelCase variants). */
  secretKeys: z.array(z.string().min(1).max(64)).max(200).default([]),
  /** Identifier kinds (the case's `identifiers` table) whose values are harvested and replaced everywhere. */
  // A malformed kind is refused; a well-formed one the case and formats lack is warned about (harvestKinds.ts).
  harvestKinds: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'an identifier kind is a lower-case word (user, host, client_id…)')).max(50).default(['user', 'host', 'client_id']),
});
export type RedactionRules = z.infer<typeof RedactionRules>;

/** What the audit trail keeps of client rules given to a call: their contents (word lists of people's and customers'
 * names, patterns, the client's domains and hosts) are typed text, so HMACs under the case's salt (as a search is);
 * rule types, actions, secret field names and harvested kinds stay plain, with the counts below. */
export const RULES_SENSITIVE = ['rules.patterns.regex', 'rules.words.words', 'rules.domains', 'rules.hosts'] as const;
export function rulesCounts(r: Partial<RedactionRules> | undefined): Record<string, number> {
  if (!r) return {};
  const counts: Record<string, number> = {};
  const add = (k: string, n: number | undefined) => { if (n !== undefined) counts[k] = n; };
  add('patterns', r.patterns?.length);
  add('wordLists', r.words?.length);
  add('words', r.words?.reduce((n, w) => n + w.words.length, 0));
  add('domains', r.domains?.length);
  add('hosts', r.hosts?.length);
  add('secretKeys', r.secretKeys?.length);
  add('harvestKinds', r.harvestKinds?.length);
  return counts;
}
export type RedactionRulesInput = z.input<typeof RedactionRules>;

/** One replacement in a record: where (raw offsets), what kind, which rule; never the value. */
export const Replacement = z.object({
  start: z.number(),
  end: z.number(),
  kind: z.enum(['secret', 'pii']),
  type: z.string(),
  rule: z.string(),
  token: z.string(),
});
export type Replacement = z.infer<typeof Replacement>;
