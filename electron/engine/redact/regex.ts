// A Go RE2 pattern run in V8 when translate.ts proves an equivalent (and the text is eligible), else in re2js
// (linear time, Go syntax). One iteration protocol for both: leftmost-first matches from left to right, an empty
// match advancing by one, with the span of every group (-1 when a group did not take part).
import { RE2JS } from 're2js';
import { ineligible, translateGoRegex } from './translate';

export interface GoMatch {
  start: number;
  end: number;
  /** [start, end] of group g at [2g], [2g+1]; group 0 is the match. -1 when the group is unset. */
  spans: number[];
}

/**
 * A leading class repeated from zero (`[\w.-]{0,50}?`, gitleaks' template lead, or `*`): whether a text holds a match
 * does not depend on it (a match after k lead characters is a match of the rest there, and the rest's match is one
 * with k = 0), and V8 tries it at every position of the text. The tester goes without it; the finder keeps it.
 */
const OPTIONAL_LEAD = /^(?:\[(?:[^\]\\]|\\.)*\]|\\[dDsSwW])(?:\{0,\d+\}|\*)\??/;

export class GoRegex {
  private compiled: RE2JS | null = null;
  readonly groups: number;
  /** V8 tester (no flags) and finder ('gd': group indices), when the pattern translates. */
  private readonly tester: RegExp | null = null;
  private readonly finder: RegExp | null = null;
  readonly refusal: string | null = null;

  /**
   * `v8: 'strict'` for operator patterns (see translateGoRegex); false keeps the pattern in re2js. `v8: true` (the
   * gitleaks rules, the default; checked against re2js rule by rule in translate.test.ts) compiles re2js only when a text
   * needs it: compiling every rule took two thirds of a redaction worker's start, which a small export paid in full.
   */
  constructor(readonly pattern: string, opts: { v8?: boolean | 'strict' } = {}) {
    if (opts.v8 === undefined || opts.v8 === true) {
      const t = translateGoRegex(pattern, { strict: false });
      if (t.ok) {
        this.groups = t.groups;
        this.tester = new RegExp(t.source.replace(OPTIONAL_LEAD, ''));
        this.finder = new RegExp(t.source, 'gd');
        return;
      }
    }
    this.compiled = RE2JS.compile(pattern);
    this.groups = this.compiled.groupCount();
    if (opts.v8 === false) return;
    const t = translateGoRegex(pattern, { strict: opts.v8 === 'strict' });
    if (t.ok && t.groups === this.groups) {
      this.tester = new RegExp(t.source.replace(OPTIONAL_LEAD, ''));
      this.finder = new RegExp(t.source, 'gd');
    } else {
      this.refusal = t.ok ? 'group count differs' : t.reason;
    }
  }

  /** re2js's compiled pattern (made on first use for a translated rule; its groups must be the translation's). */
  get re2(): RE2JS {
    if (this.compiled) return this.compiled;
    const re2 = RE2JS.compile(this.pattern);
    if (re2.groupCount() !== this.groups) throw new Error(`pattern ${this.pattern.slice(0, 80)}: the translation has ${this.groups} groups, re2js ${re2.groupCount()}`);
    return (this.compiled = re2);
  }

  get v8(): boolean {
    return this.tester !== null;
  }

  /** Whether this text runs in V8 (translated pattern, eligible text). */
  usesV8(text: string): boolean {
    return this.tester !== null && !ineligible(text);
  }

  test(text: string): boolean {
    return this.usesV8(text) ? this.tester!.test(text) : this.re2.test(text);
  }

  matches(text: string): GoMatch[] {
    return this.usesV8(text) ? this.v8Matches(text) : this.re2Matches(text);
  }

  /** test() through V8 regardless of eligibility (the differential test's side of the comparison). */
  v8Test(text: string): boolean {
    return this.tester!.test(text);
  }

  /** Through V8 regardless of eligibility: the differential test's side of the comparison. */
  v8Matches(text: string): GoMatch[] {
    const re = this.finder!;
    const out: GoMatch[] = [];
    let from = 0;
    while (from <= text.length) {
      re.lastIndex = from;
      const m = re.exec(text);
      if (!m) break;
      const s = m.index;
      const e = s + m[0].length;
      from = e > s ? e : e + 1;
      const spans = [s, e];
      for (let g = 1; g <= this.groups; g++) {
        const d = m.indices![g];
        spans.push(d ? d[0] : -1, d ? d[1] : -1);
      }
      out.push({ start: s, end: e, spans });
    }
    return out;
  }

  re2Matches(text: string): GoMatch[] {
    const m = this.re2.matcher(text);
    const out: GoMatch[] = [];
    let from = 0;
    while (from <= text.length && m.find(from)) {
      const s = m.start();
      const e = m.end();
      from = e > s ? e : e + 1;
      const spans = [s, e];
      for (let g = 1; g <= this.groups; g++) spans.push(m.start(g), m.end(g));
      out.push({ start: s, end: e, spans });
    }
    return out;
  }
}
