// The client's own rules: RE2 patterns as whole words, domains and hosts, word lists; and the case's `idPatterns`
// (pseudonymised by default under their kind). Patterns are operator input: they run in re2js (linear time) unless
// the strict translation accepts them for V8 (no nested repetition, at most one unbounded: quadratic at worst on
// texts up to 8 KiB; a catastrophic pattern such as `(a+)+b` is refused and stays in re2js).
import type { IdPattern } from '../../../shared/correlation';
import type { RedactAction, RedactionRules } from '../../../shared/redaction';
import { EngineError } from '../util/errors';
import { Automaton } from './automaton';
import { GoRegex } from './regex';
import type { Finding } from './types';

interface PatternRule { type: string; action: RedactAction; re: GoRegex; rule: string }
interface WordRule { type: string; action: RedactAction; rule: string }

// `_` separates: ids and names are joined into snake-case names (`Search-OMEGA3231_OMEGA7380`, `anil_report`)
const WORD = /[A-Za-z0-9]/;
/** Token boundary on both sides; a start right after `%` is inside a URL escape (`%20name`), not a boundary. */
export const isBoundary = (text: string, start: number, end: number) =>
  !(start > 0 && (WORD.test(text[start - 1]!) || text[start - 1] === '%')) && !(end < text.length && WORD.test(text[end]!));

/**
 * A client pattern as the detector runs it; throws RE2's reason for one it refuses (the rules check says it early).
 * The pattern is parsed alone first: inside the group alone RE2's message quoted a `)` the operator never wrote
 * (`([a-z` read "missing closing ]: `[a-z)`"), and `a)|(b` passed as `(?:a)|(b)`.
 */
export const compilePattern = (regex: string) => {
  new GoRegex(regex, { v8: 'strict' });
  return new GoRegex(`(?:${regex})`, { v8: 'strict' });
};

/**
 * Texts on which a pattern that can match empty text shows it. An empty match is made of RE2's zero-width assertions
 * alone (`^ $ \A \z \b \B`, multi-line or not), which look only at the characters on either side: every pair of
 * neighbours from none, word characters, other characters and a newline is here. A pattern that at such a place
 * prefers to take the character (`^\b(?:[aZ0_]|)` before `a`) can still match empty before another one: the rules
 * editor also looks at its sample lines (rulesCheck.ts).
 */
const NEIGHBOURS = ['', 'a', 'Z', '0', '_', ' ', '-', '\n'];
const EMPTY_PROBES = [...new Set(NEIGHBOURS.flatMap((a) => NEIGHBOURS.map((b) => a + b)))];

/** Where the pattern matches empty text in `text` (the first such offset), or -1; run by the engine the rule runs in. */
function emptyMatchAt(re: GoRegex, text: string): number {
  return re.matches(text).find((m) => m.end === m.start)?.start ?? -1;
}

/** Whether a compiled client pattern can match empty text (a `.*`, `\d*`, `(a|)`, `\b`, `^`). */
export const canMatchEmpty = (re: GoRegex) => EMPTY_PROBES.some((t) => emptyMatchAt(re, t) >= 0);

const FIX = 'so it can match anywhere and replace whole lines. Make it require at least one character (for example \\d+ instead of \\d*).';
/** A client pattern's name in what the operator is told: its type and its row in the rule set (from 1). */
export const ruleName = (type: string, n: number) => `Rule "${type}" (pattern ${n})`;
/** Why such a pattern is refused (the rules check, the tester, `redact-test`, an export). */
export const emptyMatchRefusal = (type: string, n: number, where = '') =>
  `${ruleName(type, n)}: its pattern ${where ? `matches empty text ${where}` : 'can match empty text'}, ${FIX}`;

export class ClientDetector {
  private readonly patterns: PatternRule[] = [];
  private readonly words: Automaton | null;
  private readonly wordRules: WordRule[] = [];
  private readonly domains: Automaton | null;
  /** Types whose replacement is a plain removal marker. */
  readonly removed = new Set<string>();

  constructor(rules: RedactionRules, idPatterns: readonly IdPattern[] = []) {
    for (const p of idPatterns) this.addPattern(p.kind, p.regex, 'pseudonymise', `id-${p.kind}`);
    rules.patterns.forEach((p, i) => {
      const re = this.addPattern(p.type, p.regex, p.action, `client-pattern-${i + 1}`);
      // the authority: an empty match would be dropped, but `.*` takes the whole line as one value
      if (canMatchEmpty(re)) throw new EngineError('invalid_input', emptyMatchRefusal(p.type, i + 1));
    });
    // domains: found with an automaton, then widened left over the host name's labels (cheaper than a regex)
    this.domains = rules.domains.length ? new Automaton(rules.domains.map((d) => d.toLowerCase().replace(/^\.+/, ''))) : null;
    const entries: string[] = [];
    for (const h of rules.hosts) { entries.push(h); this.wordRules.push({ type: 'host', action: 'pseudonymise', rule: 'client-host' }); }
    rules.words.forEach((w, i) => {
      for (const word of w.words) { entries.push(word); this.wordRules.push({ type: w.type, action: w.action, rule: `client-words-${i + 1}` }); }
      if (w.action === 'remove') this.removed.add(w.type);
    });
    for (const p of rules.patterns) if (p.action === 'remove') this.removed.add(p.type);
    this.words = entries.length ? new Automaton(entries) : null;
  }

  private addPattern(type: string, regex: string, action: RedactAction, rule: string): GoRegex {
    let re: GoRegex;
    try {
      re = compilePattern(regex);
    } catch (e) {
      throw new Error(`redaction pattern ${rule} (${type}) is not a valid RE2 expression: ${(e as Error).message}`, { cause: e });
    }
    this.patterns.push({ type, action, re, rule });
    return re;
  }

  findings(text: string): Finding[] {
    const out: Finding[] = [];
    for (const p of this.patterns) {
      if (!p.re.test(text)) continue; // test first: the matcher only where there is a match
      for (const { start: s, end: e } of p.re.matches(text)) {
        if (e > s && isBoundary(text, s, e)) out.push({ start: s, end: e, kind: 'pii', type: p.type, rule: p.rule });
      }
    }
    if (this.domains) {
      for (const h of this.domains.search(text)) {
        if (h.end < text.length && /[A-Za-z0-9-]/.test(text[h.end]!)) continue;
        let s = h.start;
        if (s > 0 && !/[.]/.test(text[s - 1]!) && /[A-Za-z0-9-]/.test(text[s - 1]!)) continue; // "xacmeinc.com"
        // widen over labels, stopping at a URL escape (`%20worker0.…`: the 0 belongs to %20)
        while (s > 0 && /[A-Za-z0-9.-]/.test(text[s - 1]!) && !(s >= 3 && text[s - 3] === '%')) s--;
        while (s < h.start && /[.-]/.test(text[s]!)) s++;
        out.push({ start: s, end: h.end, kind: 'pii', type: 'host', rule: 'client-domain' });
      }
    }
    if (this.words) {
      for (const h of this.words.search(text)) {
        if (isBoundary(text, h.start, h.end)) {
          const r = this.wordRules[h.pattern]!;
          out.push({ start: h.start, end: h.end, kind: 'pii', type: r.type, rule: r.rule });
        }
      }
    }
    return out;
  }
}
