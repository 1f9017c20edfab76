// What a detector reports: a span of the text it scanned, secret or personal, with the rule that found it.

export type FindingKind = 'secret' | 'pii';

export interface Finding {
  start: number;
  end: number;
  kind: FindingKind;
  /** Pseudonym type for PII (email, phone, user, …); 'secret' for secrets. */
  type: string;
  /** The rule that found it (gitleaks rule id, structural rule, PII detector, client rule). */
  rule: string;
}

/** Values that mean "nothing here" (or only a blanked replacement, U+2591): never worth a replacement. */
export const EMPTY_VALUE = /^(?:[\s,;:'"`{}[\]()\\\u2591]*|none|null|nil|undefined|true|false|\*+|x+|-|n\/a|<[a-z]+:[A-Za-z0-9_.:-]+>)$/i;

/** A replacement the redactor already wrote: `<type:TOKEN>` or `<secret:RULE>`. */
export const PLACEHOLDER = /<[a-z][a-z0-9_-]*:[A-Za-z0-9_.-]+>/g;
