// Replaces what the detectors found: secrets by `<secret:RULE>` (a type marker, no length, no token), removed
// types by `<removed:TYPE>`, personal data and ids by `<type:TOKEN>`. Replacements contain no quote, backslash or
// separator, so the syntax around them survives (JSON stays valid: a bare JSON number is replaced by a string).
import type { Replacement } from '../../../shared/redaction';
import type { Detectors, Span } from './detect';
import { TextMemo } from './memo';
import type { MapEntry, Pseudonymizer } from './pseudonym';

export interface RedactResult {
  text: string;
  replacements: Replacement[];
}

/** For a JSON record: which offsets are inside a string literal (1). Null when the text is not JSON. */
export function jsonStringMask(raw: string): Uint8Array | null {
  const first = raw.trimStart()[0];
  const last = raw.trimEnd().slice(-1);
  if (!((first === '{' && last === '}') || (first === '[' && last === ']'))) return null;
  try {
    JSON.parse(raw);
  } catch {
    return null;
  }
  const mask = new Uint8Array(raw.length);
  let inside = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (inside) {
      mask[i] = 1;
      if (c === 92) { mask[i + 1] = 1; i++; } else if (c === 34) { inside = false; mask[i] = 0; }
    } else if (c === 34) inside = true;
  }
  return mask;
}

/**
 * A span found in a decoded view can straddle the raw record's string quotes (`"\\",` decodes to `\",`). In a JSON
 * record it is cut into its pieces inside one string, or bare literals outside strings; quotes, separators and
 * brackets stay, so the record stays valid JSON and every content character is still replaced.
 */
function splitAtStrings(s: Span, raw: string, inString: Uint8Array): Span[] {
  const out: Span[] = [];
  let i = s.start;
  while (i < s.end) {
    const inside = inString[i] === 1;
    let j = i;
    while (j < s.end && (inString[j] === 1) === inside) j++;
    if (inside || /[A-Za-z0-9]/.test(raw.slice(i, j))) {
      let a = i;
      let b = j;
      if (!inside) { while (a < b && !/[\w.+-]/.test(raw[a]!)) a++; while (b > a && !/[\w.+-]/.test(raw[b - 1]!)) b--; }
      if (b > a) out.push({ ...s, start: a, end: b });
    }
    i = j;
  }
  return out;
}

export class Redactor {
  /** Every replaced original (decoded value and raw form) with its kind: what the fail-closed re-scan searches for. */
  readonly originals = new Map<string, 'secret' | 'pii'>();
  readonly counts = { byType: new Map<string, number>(), byRule: new Map<string, number>() };
  /**
   * A text's redaction depends on the text alone (detectors and key are fixed for this object, a value's token is
   * stable), so a repeated text — `fields` equal to `raw` in JSON records, a recurring message, logger or file name —
   * reuses its result; only the counts are added again. Its originals and map entries were recorded when it was first
   * redacted by this object (take() hands them over once).
   */
  private readonly memo = new TextMemo<RedactResult>();

  constructor(readonly detectors: Detectors, readonly pseudonyms: Pseudonymizer) {}

  replacementFor(span: Span, eventId: string | null): string {
    if (span.kind === 'secret') return `<secret:${span.rule}>`;
    if (this.detectors.client.removed.has(span.type)) return `<removed:${span.type}>`;
    return this.pseudonyms.token(span.type, span.value, eventId);
  }

  redact(raw: string, eventId: string | null = null): RedactResult {
    const known = this.memo.get(raw);
    if (known) {
      for (const r of known.replacements) this.count(r.type, r.rule);
      return known;
    }
    const result = this.redactNew(raw, eventId);
    this.memo.set(raw, result);
    return result;
  }

  /**
   * What was counted and replaced since the last take(), then forgotten here: counts, originals (with their kind) and
   * the map entries made. A redactor kept across batches reports each batch's share; a text first redacted in an
   * earlier batch adds only its counts (its originals and tokens went out with that batch).
   */
  take(): { byType: [string, number][]; byRule: [string, number][]; originals: [string, 'secret' | 'pii'][]; map: MapEntry[] } {
    const out = { byType: [...this.counts.byType], byRule: [...this.counts.byRule], originals: [...this.originals], map: this.pseudonyms.takeAdded() };
    this.counts.byType.clear();
    this.counts.byRule.clear();
    this.originals.clear();
    return out;
  }

  private count(type: string, rule: string): void {
    this.counts.byType.set(type, (this.counts.byType.get(type) ?? 0) + 1);
    this.counts.byRule.set(rule, (this.counts.byRule.get(rule) ?? 0) + 1);
  }

  private redactNew(raw: string, eventId: string | null): RedactResult {
    let spans = this.detectors.find(raw);
    if (spans.length === 0) return { text: raw, replacements: [] };
    let text = '';
    let at = 0;
    const replacements: Replacement[] = [];
    const inString = jsonStringMask(raw);
    // what the re-scan looks for: each finding's decoded value and its raw form (before any split at quotes)
    for (const s of spans) {
      this.remember(s.value, s.kind);
      this.remember(raw.slice(s.start, s.end), s.kind);
    }
    if (inString) spans = spans.flatMap((s) => splitAtStrings(s, raw, inString));
    for (const s of spans) {
      let token = this.replacementFor(s, eventId);
      // a JSON number or literal replaced by a token becomes a string, so the record stays valid JSON
      if (inString && !inString[s.start]) token = `"${token}"`;
      text += raw.slice(at, s.start) + token;
      at = s.end;
      replacements.push({ start: s.start, end: s.end, kind: s.kind, type: s.type, rule: s.rule, token });
      this.count(s.type, s.rule);
    }
    return { text: text + raw.slice(at), replacements };
  }

  private remember(value: string, kind: 'secret' | 'pii'): void {
    const v = value.trim();
    if (v.length === 0) return;
    if (this.originals.get(v) !== 'secret') this.originals.set(v, kind);
  }
}
