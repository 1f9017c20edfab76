// Port of gitleaks' detection semantics (detect/detect.go, v8.27) over the vendored default rules:
// keyword pre-filter (one automaton over all keywords), every rule's regex in V8 where translate.ts proves an
// equivalent and in re2js otherwise (Go RE2 syntax, linear time),
// the secret is `secretGroup` else the first non-empty group else the match, Shannon-entropy gate (skip when
// entropy <= rule.entropy), then global and rule allowlists (regexes on secret/match/line, stopwords in the secret).
// Path/commit allowlists and path-only rules do not apply to log events; a rule that also names a path runs anyway
// (recall first).
import { RE2JS } from 're2js';
import { Automaton } from './automaton';
import { GoRegex } from './regex';
import { GITLEAKS } from './rules/gitleaks.generated';
import type { GitleaksAllowlist, GitleaksConfig } from './rules/parse';
import type { Finding } from './types';

interface CompiledAllowlist {
  and: boolean;
  target: 'secret' | 'match' | 'line';
  regexes: RE2JS[];
  stopwords: string[];
  needsPathOrCommit: boolean;
}

interface CompiledRule {
  /** Position in config order. */
  index: number;
  id: string;
  re: GoRegex;
  secretGroup: number;
  entropy: number;
  keywords: number[];
  allowlists: CompiledAllowlist[];
}

const compileAllowlist = (a: GitleaksAllowlist): CompiledAllowlist => ({
  and: a.condition === 'AND',
  target: a.regexTarget ?? 'secret',
  regexes: a.regexes.map((r) => RE2JS.compile(r)),
  stopwords: a.stopwords,
  needsPathOrCommit: a.needsPathOrCommit,
});

export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const n = [...s].length;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

function allowed(lists: CompiledAllowlist[], secret: string, match: string, line: string): boolean {
  for (const a of lists) {
    const target = a.target === 'match' ? match : a.target === 'line' ? line : secret;
    const regexOk = target !== '' && a.regexes.some((r) => r.test(target));
    const lower = secret.toLowerCase();
    const stopOk = secret !== '' && a.stopwords.some((w) => lower.includes(w));
    if (a.and) {
      if (a.needsPathOrCommit) continue;
      const checks: boolean[] = [];
      if (a.regexes.length) checks.push(regexOk);
      if (a.stopwords.length) checks.push(stopOk);
      if (checks.length && checks.every(Boolean)) return true;
    } else if (regexOk || stopOk) {
      return true;
    }
  }
  return false;
}

function lineAround(text: string, start: number, end: number): string {
  const a = text.lastIndexOf('\n', start - 1) + 1;
  const b = text.indexOf('\n', end);
  return text.slice(a, b < 0 ? text.length : b);
}

export class GitleaksDetector {
  readonly rules: CompiledRule[];
  readonly keywords: Automaton;
  private readonly global: CompiledAllowlist[];
  private readonly always: CompiledRule[];
  private readonly byKeyword: CompiledRule[][];
  /** Per rule: the number of the last candidates() call that took it (a mark array not allocated per call). */
  private readonly taken: Int32Array;
  /** Per keyword: the number of the last candidates() call that met it. */
  private readonly seen: Int32Array;
  private calls = 0;

  /** `v8: false` keeps every rule in re2js (the reference the differential test compares against). */
  constructor(config: GitleaksConfig = GITLEAKS, { v8 = true }: { v8?: boolean } = {}) {
    const kwIndex = new Map<string, number>();
    for (const r of config.rules) for (const k of r.keywords) if (!kwIndex.has(k)) kwIndex.set(k, kwIndex.size);
    this.keywords = new Automaton([...kwIndex.keys()]);
    this.global = config.allowlists.map(compileAllowlist);
    this.rules = config.rules
      .filter((r) => r.regex !== undefined)
      .map((r, index) => ({
        index,
        id: r.id,
        re: new GoRegex(r.regex!, { v8 }),
        secretGroup: r.secretGroup ?? 0,
        entropy: r.entropy ?? 0,
        keywords: r.keywords.map((k) => kwIndex.get(k)!),
        allowlists: r.allowlists.map(compileAllowlist),
      }));
    this.always = this.rules.filter((r) => r.keywords.length === 0);
    this.taken = new Int32Array(this.rules.length);
    this.seen = new Int32Array(kwIndex.size);
    this.byKeyword = [...kwIndex.keys()].map(() => []);
    for (const r of this.rules) for (const k of r.keywords) this.byKeyword[k]!.push(r);
  }

  /** Rules whose keywords occur in `text` (plus rules without keywords), once each, in config order. */
  candidates(text: string): CompiledRule[] {
    // a keyword and a rule are taken once (marked with this call's number), then the few taken are put in config order
    const call = ++this.calls;
    const out: CompiledRule[] = [];
    for (const r of this.always) { this.taken[r.index] = call; out.push(r); }
    this.keywords.visit(text, (k) => {
      if (this.seen[k] === call) return;
      this.seen[k] = call;
      for (const r of this.byKeyword[k]!) {
        if (this.taken[r.index] !== call) { this.taken[r.index] = call; out.push(r); }
      }
    });
    return out.length > 1 ? out.sort((a, b) => a.index - b.index) : out;
  }

  detect(text: string): Finding[] {
    const out: Finding[] = [];
    for (const rule of this.candidates(text)) this.runRule(rule, text, out);
    return out;
  }

  runRule(rule: CompiledRule, text: string, out: Finding[]): void {
    // test() first (re2js: its DFA without captures; V8: no indices), several times faster than matching
    if (!rule.re.test(text)) return;
    const groups = rule.re.groups;
    for (const m of rule.re.matches(text)) {
      let ms = m.start;
      let me = m.end;
      // gitleaks trims newlines off the match
      while (ms < me && text.charCodeAt(ms) === 10) ms++;
      while (me > ms && text.charCodeAt(me - 1) === 10) me--;
      let s = ms;
      let e = me;
      if (groups >= 1) {
        const pick = (g: number) => {
          const gs = m.spans[2 * g]!;
          const ge = m.spans[2 * g + 1]!;
          if (gs >= 0 && ge > gs) { s = gs; e = ge; return true; }
          return false;
        };
        if (rule.secretGroup > 0) {
          if (rule.secretGroup > groups || !pick(rule.secretGroup)) continue;
        } else {
          // gitleaks takes the first non-empty group; when later groups matched too (`sonar_(login|token)…(secret)`
          // without secretGroup) that group is a key word, so the span runs on to the end of the last one.
          let first = 0;
          for (let g = 1; g <= groups; g++) if (pick(g)) { first = g; break; }
          for (let g = groups; g > first && first > 0; g--) {
            if (m.spans[2 * g + 1]! > e && m.spans[2 * g]! >= 0) { e = m.spans[2 * g + 1]!; break; }
          }
        }
      }
      const secret = text.slice(s, e);
      if (rule.entropy > 0 && shannonEntropy(secret) <= rule.entropy) continue;
      const match = text.slice(ms, me);
      const line = this.global.some((a) => a.target === 'line') || rule.allowlists.some((a) => a.target === 'line')
        ? lineAround(text, ms, me) : '';
      if (allowed(this.global, secret, match, line) || allowed(rule.allowlists, secret, match, line)) continue;
      out.push({ start: s, end: e, kind: 'secret', type: 'secret', rule: rule.id });
    }
  }
}
