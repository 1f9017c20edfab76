// Go RE2 syntax → an equivalent V8 RegExp source, or a refusal. re2js runs gitleaks' rules at ~1 MB/s; V8's own
// engine is ~100× faster, but the two languages differ, so only constructs whose meaning is the same are translated
// and everything else is refused (the rule stays in re2js):
// - case folding is spelled out for ASCII letters (`(?i)k` → `[kK]`, classes gain the other case) and no V8 flag is
//   used, so `(?i:…)` and `(?-i:…)` anywhere translate; RE2 also folds ſ (U+017F) and K (U+212A) into s and k, which
//   `ineligible()` routes to re2js, as it does any text with surrogates (RE2 counts code points, V8 code units);
// - `.` is `[^\n]` (V8's also stops at \r, U+2028, U+2029), `(?s:.)` any character; `\s` is RE2's [\t\n\f\r ];
//   `\A` and `\z` are `^` and `$` (no multi-line mode: `(?m)` and `(?U)` are refused);
// - a capturing group under a repetition is refused: V8 clears it on every iteration, RE2 keeps the last value set;
// - a group or class holding a repetition that is itself repeated without bound is refused: that is where V8's
//   backtracking turns exponential; what remains is at worst polynomial, and texts over MAX_V8_TEXT go to re2js.
// Each translated gitleaks rule is proven equal to re2js by a differential test (translate.test.ts).

export type Translation = { ok: true; source: string; groups: number } | { ok: false; reason: string };

/** Longer texts run in re2js: a polynomial backtracking worst case stays bounded. */
export const MAX_V8_TEXT = 8192;
/** The most ways an operator pattern's bounded repetitions may split a text between them, multiplied (strict). */
const MAX_CHOICES = 256;

/** Texts where V8 and RE2 can disagree on a translated pattern: RE2's extra case folds and code points beyond the BMP. */
const INELIGIBLE = /[\u017f\u212a\ud800-\udfff]/;
export const ineligible = (text: string): boolean => text.length > MAX_V8_TEXT || INELIGIBLE.test(text);

type Range = [number, number];

class Refused extends Error {}

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** Letters and digits as themselves (readable, same meaning), everything else as a \\u escape (never special). */
const hex4 = (c: number) => (/[A-Za-z0-9]/.test(String.fromCharCode(c)) ? String.fromCharCode(c) : `\\u${c.toString(16).padStart(4, '0')}`);

const DIGIT: Range[] = [[48, 57]];
const WORD: Range[] = [[48, 57], [65, 90], [95, 95], [97, 122]];
const SPACE: Range[] = [[9, 10], [12, 13], [32, 32]];
const BMP_MAX = 0xffff;

function normalise(rs: Range[]): Range[] {
  const s = [...rs].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const r of s) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

function complement(rs: Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [a, b] of normalise(rs)) {
    if (a > next) out.push([next, a - 1]);
    next = b + 1;
  }
  if (next <= BMP_MAX) out.push([next, BMP_MAX]);
  return out;
}

/** Adds the other case of every ASCII letter in the set. */
function fold(rs: Range[]): Range[] {
  const out = [...rs];
  for (const [a, b] of rs) {
    for (const [lo, hi, d] of [[65, 90, 32], [97, 122, -32]] as const) {
      const x = Math.max(a, lo);
      const y = Math.min(b, hi);
      if (x <= y) out.push([x + d, y + d]);
    }
  }
  return normalise(out);
}

function classSource(rs: Range[]): string {
  const n = normalise(rs);
  if (n.length === 0) return '[^\\s\\S]';
  return `[${n.map(([a, b]) => (a === b ? hex4(a) : `${hex4(a)}-${hex4(b)}`)).join('')}]`;
}

interface Flags { i: boolean; s: boolean }
interface Node { src: string; captures: boolean; repeats: boolean; unbounded: boolean; alternates: boolean }

class Translator {
  private i = 0;
  groups = 0;
  private unboundedCount = 0;
  private choices = 1;
  constructor(private readonly p: string, private readonly strict: boolean) {}

  run(): string {
    const n = this.alternation({ i: false, s: false });
    if (this.i < this.p.length) throw new Refused(`unexpected ")" at ${this.i}`);
    return n.src;
  }

  private peek(k = 0): string | undefined {
    return this.p[this.i + k];
  }

  private alternation(flags: Flags): Node {
    const branches: Node[] = [this.concat(flags)];
    while (this.peek() === '|') {
      this.i++;
      branches.push(this.concat(flags));
    }
    return {
      src: branches.map((b) => b.src).join('|'),
      captures: branches.some((b) => b.captures),
      repeats: branches.some((b) => b.repeats),
      unbounded: branches.some((b) => b.unbounded),
      alternates: branches.length > 1 || branches.some((b) => b.alternates),
    };
  }

  private concat(outer: Flags): Node {
    const flags = { ...outer }; // `(?i)` mid-group changes flags up to the group's end
    let src = '';
    let captures = false;
    let repeats = false;
    let unbounded = false;
    let alternates = false;
    while (this.i < this.p.length && this.peek() !== '|' && this.peek() !== ')') {
      if (this.p.startsWith('(?', this.i) && /^\(\?[a-zA-Z-]+\)/.test(this.p.slice(this.i))) {
        const m = /^\(\?([a-zA-Z-]+)\)/.exec(this.p.slice(this.i))!;
        this.setFlags(flags, m[1]!);
        this.i += m[0].length;
        continue;
      }
      const atom = this.atom(flags);
      const q = this.quantifier();
      if (q) {
        if (q.max !== 1 && atom.captures) throw new Refused('a capturing group under a repetition');
        if ((q.max === Infinity && atom.repeats) || (q.max > 1 && atom.unbounded)) throw new Refused('a repetition of a repetition (backtracking blow-up)');
        if (this.strict && q.max > 1 && atom.repeats) throw new Refused('a repetition of a repetition (operator pattern)');
        if (this.strict && q.max > 1 && atom.alternates) throw new Refused('a repetition of an alternation (operator pattern)');
        if (q.max === Infinity && ++this.unboundedCount > 1 && this.strict) throw new Refused('more than one unbounded repetition (operator pattern)');
        // Backtracking tries every split between repetitions in a row (\w{0,30}\w{0,30}\w{0,30}: 31³ per position):
        // the product of their choices is bounded, the pattern's one unbounded run aside.
        if (this.strict && q.max !== Infinity && (this.choices *= q.max - q.min + 1) > MAX_CHOICES) throw new Refused(`repetitions whose choices multiply past ${MAX_CHOICES} (operator pattern)`);
        src += (atom.single ? atom.src : `(?:${atom.src})`) + q.src;
        repeats = true;
        if (q.max === Infinity) unbounded = true;
      } else {
        src += atom.src;
        if (atom.repeats) repeats = true;
      }
      if (atom.captures) captures = true;
      if (atom.unbounded) unbounded = true;
      if (atom.alternates) alternates = true;
    }
    return { src, captures, repeats, unbounded, alternates };
  }

  private setFlags(flags: Flags, spec: string): void {
    let on = true;
    for (const c of spec) {
      if (c === '-') { on = false; continue; }
      if (c === 'i') flags.i = on;
      else if (c === 's') flags.s = on;
      else throw new Refused(`flag ${c}`);
    }
  }

  private quantifier(): { src: string; min: number; max: number } | null {
    const c = this.peek();
    let src: string;
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      src = c;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Infinity;
      this.i++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.i));
      if (!m) return null; // a literal brace (handled by atom on the next round)
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (min > 1000 || (max !== Infinity && (max > 1000 || max < min))) throw new Refused('repetition count');
      src = m[0];
      this.i += m[0].length;
    } else {
      return null;
    }
    if (this.peek() === '?') { src += '?'; this.i++; }
    if (this.peek() === '*' || this.peek() === '+' || this.peek() === '?' || this.peek() === '{') {
      if (this.peek() !== '{' || /^\{\d+(,\d*)?\}/.test(this.p.slice(this.i))) throw new Refused('nested repetition operator');
    }
    return { src, min, max };
  }

  private atom(flags: Flags): Node & { single: boolean } {
    const c = this.p[this.i]!;
    const leaf = (src: string) => ({ src, captures: false, repeats: false, unbounded: false, alternates: false, single: true });
    switch (c) {
      case '(': {
        this.i++;
        let capture = true;
        const inner = { ...flags };
        if (this.peek() === '?') {
          const rest = this.p.slice(this.i);
          const named = /^\?P?<[A-Za-z_][A-Za-z0-9_]*>/.exec(rest);
          const scoped = /^\?([a-zA-Z-]*):/.exec(rest);
          if (named) this.i += named[0].length;
          else if (scoped) { this.setFlags(inner, scoped[1]!); capture = false; this.i += scoped[0].length; }
          else throw new Refused('group syntax');
        }
        if (capture) this.groups++;
        const body = this.alternation(inner);
        if (this.peek() !== ')') throw new Refused('missing )');
        this.i++;
        return { src: capture ? `(${body.src})` : `(?:${body.src})`, captures: capture || body.captures, repeats: body.repeats, unbounded: body.unbounded, alternates: body.alternates, single: true };
      }
      case '[':
        return leaf(classSource(this.bracket(flags)));
      case '.':
        this.i++;
        return leaf(flags.s ? '[\\s\\S]' : '[^\\n]');
      case '^':
        this.i++;
        return leaf('^');
      case '$':
        this.i++;
        return leaf('$');
      case '\\':
        return leaf(this.escape(flags));
      case '*': case '+': case '?':
        throw new Refused('missing argument to repetition operator');
      default: {
        this.i++;
        const code = c.charCodeAt(0);
        if (c === '{') return leaf('\\{');
        return leaf(this.literal(code, flags));
      }
    }
  }

  private literal(code: number, flags: Flags): string {
    if (code > 0x7f) {
      if (flags.i || code > BMP_MAX || (code >= 0xd800 && code <= 0xdfff)) throw new Refused('non-ASCII literal');
      return hex4(code);
    }
    if (flags.i && isLetter(code)) return classSource(fold([[code, code]]));
    return hex4(code);
  }

  /** Outside a class: Perl classes, assertions, character escapes. */
  private escape(flags: Flags): string {
    const e = this.p[this.i + 1];
    if (e === undefined) throw new Refused('trailing backslash');
    this.i += 2;
    switch (e) {
      case 'd': return classSource(DIGIT);
      case 'D': return classSource(complement(DIGIT));
      case 'w': return classSource(WORD);
      case 'W': return classSource(complement(WORD));
      case 's': return classSource(SPACE);
      case 'S': return classSource(complement(SPACE));
      case 'b': return '\\b';
      case 'B': return '\\B';
      case 'A': return '^';
      case 'z': return '$';
      default: {
        this.i -= 2;
        const code = this.charEscape();
        return this.literal(code, flags);
      }
    }
  }

  /** A single-character escape at this.i (`\n`, `\x41`, `\x{263a}`, `\.`): its code point. */
  private charEscape(): number {
    const e = this.p[this.i + 1]!;
    const simple: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
    if (e in simple) { this.i += 2; return simple[e]!; }
    if (e === 'x') {
      const m = /^\\x(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{2}))/.exec(this.p.slice(this.i));
      if (!m) throw new Refused('\\x escape');
      this.i += m[0].length;
      return parseInt(m[1] ?? m[2]!, 16);
    }
    if (/[!-/:-@[-`{-~]/.test(e)) { this.i += 2; return e.charCodeAt(0); }
    throw new Refused(`escape \\${e}`);
  }

  /** `[...]`: the set of code units it matches (folded, negation applied). */
  private bracket(flags: Flags): Range[] {
    this.i++;
    let negated = false;
    if (this.peek() === '^') { negated = true; this.i++; }
    const set: Range[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new Refused('missing ]');
      if (c === ']' && !first) { this.i++; break; }
      first = false;
      if (c === '[' && this.peek(1) === ':') throw new Refused('POSIX class');
      if (c === '\\') {
        const e = this.peek(1);
        const perl: Record<string, Range[]> = { d: DIGIT, D: complement(DIGIT), w: WORD, W: complement(WORD), s: SPACE, S: complement(SPACE) };
        if (e !== undefined && e in perl) { set.push(...perl[e]!); this.i += 2; continue; }
      }
      const lo = this.classChar();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.i++;
        const hi = this.classChar();
        if (hi < lo) throw new Refused('bad class range');
        set.push([lo, hi]);
      } else {
        set.push([lo, lo]);
      }
    }
    if (set.some(([, b]) => b > BMP_MAX)) throw new Refused('class beyond the BMP');
    if (flags.i && set.some(([, b]) => b > 0x7f)) throw new Refused('non-ASCII class under case folding');
    const folded = flags.i ? fold(set) : normalise(set);
    return negated ? complement(folded) : folded;
  }

  private classChar(): number {
    const c = this.p[this.i]!;
    if (c === '\\') return this.charEscape();
    const code = this.p.codePointAt(this.i)!;
    this.i += code > BMP_MAX ? 2 : 1;
    return code;
  }
}

/**
 * gitleaks' semi-generic template opens with `[\w.-]{0,50}?(?i:[\w.-]{0,50}?KEYWORD…`: two lazy runs of one class
 * (folding adds nothing to it) with nothing captured, so the match only depends on their total length, which the
 * pair tries in increasing order of first success exactly as `{0,100}?` does. Backtracking V8 pays 50 × 50 per start
 * position for the pair (over a second on a crafted 8 KiB line) and 100 for the merged run.
 */
const TEMPLATE_LEAD = /^\[\\w\.-\]\{0,(\d+)\}\?\(\?i:\[\\w\.-\]\{0,(\d+)\}\?/;
const mergeTemplateLead = (p: string) => p.replace(TEMPLATE_LEAD, (_, a: string, b: string) => `(?i:[\\w.-]{0,${Number(a) + Number(b)}}?`);

/**
 * The V8 source equivalent to a Go RE2 pattern, or why there is none. `strict` is for operator patterns, which no
 * differential test has seen: no repetition of a repetition or of an alternation (`(a|aa)*` is exponential) and at
 * most one unbounded repetition, so the worst case is quadratic in the text (which MAX_V8_TEXT bounds).
 */
export function translateGoRegex(pattern: string, { strict = false }: { strict?: boolean } = {}): Translation {
  try {
    const t = new Translator(mergeTemplateLead(pattern), strict);
    const source = t.run();
    new RegExp(source); // must compile
    return { ok: true, source, groups: t.groups };
  } catch (e) {
    if (e instanceof Refused) return { ok: false, reason: e.message };
    return { ok: false, reason: `does not compile in V8: ${(e as Error).message}` };
  }
}
