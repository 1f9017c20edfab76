// The client's own rules: RE2 patterns as whole words, domains and hosts, word lists; and the case's `idPatterns`
// (pseudonymised by default under their kind). Patterns are operator input, so they run in re2js: linear time.
import { RE2JS } from 're2js';
import type { IdPattern } from '../../../shared/correlation';
import type { RedactAction, RedactionRules } from '../../../shared/redaction';
import { Automaton } from './automaton';
import type { Finding } from './types';

interface PatternRule { type: string; action: RedactAction; re: RE2JS; rule: string }
interface WordRule { type: string; action: RedactAction; rule: string }

const WORD = /[A-Za-z0-9_]/;
/** Token boundary on both sides; a start right after `%` is inside a URL escape (`%20name`), not a boundary. */
export const isBoundary = (text: string, start: number, end: number) =>
  !(start > 0 && (WORD.test(text[start - 1]!) || text[start - 1] === '%')) && !(end < text.length && WORD.test(text[end]!));

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class ClientDetector {
  private readonly patterns: PatternRule[] = [];
  private readonly words: Automaton | null;
  private readonly wordRules: WordRule[] = [];
  /** Types whose replacement is a plain removal marker. */
  readonly removed = new Set<string>();

  constructor(rules: RedactionRules, idPatterns: readonly IdPattern[] = []) {
    for (const p of idPatterns) this.addPattern(p.kind, p.regex, 'pseudonymise', `id-${p.kind}`);
    rules.patterns.forEach((p, i) => this.addPattern(p.type, p.regex, p.action, `client-pattern-${i + 1}`));
    if (rules.domains.length) {
      const alt = rules.domains.map((d) => escapeRe(d.toLowerCase().replace(/^\.+/, ''))).join('|');
      this.addPattern('host', `(?i)(?:[a-z0-9](?:[a-z0-9-]{0,62})\\.){0,8}(?:${alt})`, 'pseudonymise', 'client-domain');
    }
    const entries: string[] = [];
    for (const h of rules.hosts) { entries.push(h); this.wordRules.push({ type: 'host', action: 'pseudonymise', rule: 'client-host' }); }
    rules.words.forEach((w, i) => {
      for (const word of w.words) { entries.push(word); this.wordRules.push({ type: w.type, action: w.action, rule: `client-words-${i + 1}` }); }
      if (w.action === 'remove') this.removed.add(w.type);
    });
    for (const p of rules.patterns) if (p.action === 'remove') this.removed.add(p.type);
    this.words = entries.length ? new Automaton(entries) : null;
  }

  private addPattern(type: string, regex: string, action: RedactAction, rule: string): void {
    let re: RE2JS;
    try {
      re = RE2JS.compile(`(?:${regex})`);
    } catch (e) {
      throw new Error(`redaction pattern ${rule} (${type}) is not a valid RE2 expression: ${(e as Error).message}`);
    }
    this.patterns.push({ type, action, re, rule });
  }

  findings(text: string): Finding[] {
    const out: Finding[] = [];
    for (const p of this.patterns) {
      const m = p.re.matcher(text);
      let from = 0;
      while (from <= text.length && m.find(from)) {
        const s = m.start();
        const e = m.end();
        from = e > s ? e : e + 1;
        if (e > s && isBoundary(text, s, e)) out.push({ start: s, end: e, kind: 'pii', type: p.type, rule: p.rule });
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
