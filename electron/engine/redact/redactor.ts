// Replaces what the detectors found: secrets by `<secret:RULE>` (a type marker, no length, no token), removed
// types by `<removed:TYPE>`, personal data and ids by `<type:TOKEN>`. Replacements contain no quote, backslash or
// separator, so the syntax around them survives (JSON stays valid: a bare JSON number is replaced by a string).
import type { Replacement } from '../../../shared/redaction';
import type { Detectors, Span } from './detect';
import type { Pseudonymizer } from './pseudonym';

export interface RedactResult {
  text: string;
  replacements: Replacement[];
}

export class Redactor {
  /** Every replaced original (decoded value and raw form) with its kind: what the fail-closed re-scan searches for. */
  readonly originals = new Map<string, 'secret' | 'pii'>();
  readonly counts = { byType: new Map<string, number>(), byRule: new Map<string, number>() };

  constructor(readonly detectors: Detectors, readonly pseudonyms: Pseudonymizer) {}

  replacementFor(span: Span, eventId: string | null): string {
    if (span.kind === 'secret') return `<secret:${span.rule}>`;
    if (this.detectors.client.removed.has(span.type)) return `<removed:${span.type}>`;
    return this.pseudonyms.token(span.type, span.value, eventId);
  }

  redact(raw: string, eventId: string | null = null): RedactResult {
    const spans = this.detectors.find(raw);
    if (spans.length === 0) return { text: raw, replacements: [] };
    let text = '';
    let at = 0;
    const replacements: Replacement[] = [];
    for (const s of spans) {
      let token = this.replacementFor(s, eventId);
      if (s.bare) token = `"${token}"`;
      text += raw.slice(at, s.start) + token;
      at = s.end;
      replacements.push({ start: s.start, end: s.end, kind: s.kind, type: s.type, rule: s.rule, token });
      this.remember(s.value, s.kind);
      this.remember(raw.slice(s.start, s.end), s.kind);
      this.counts.byType.set(s.type, (this.counts.byType.get(s.type) ?? 0) + 1);
      this.counts.byRule.set(s.rule, (this.counts.byRule.get(s.rule) ?? 0) + 1);
    }
    return { text: text + raw.slice(at), replacements };
  }

  private remember(value: string, kind: 'secret' | 'pii'): void {
    const v = value.trim();
    if (v.length === 0) return;
    if (this.originals.get(v) !== 'secret') this.originals.set(v, kind);
  }
}
