// A random string matching a Go/RE2 regex (the subset gitleaks rules use): literals, escapes, classes, groups,
// alternation, quantifiers, inline flags. Anchors and \b emit nothing; callers check the sample really matches.
import type { Rng } from '../synth/prng';

type Node =
  | { t: 'lit'; c: string }
  | { t: 'set'; chars: string }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number }
  | { t: 'empty' };

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
const DIGIT = '0123456789';
const WORD = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_';
const SPACE = ' ';
/** Unbounded repeats are capped here: samples stay short. */
const OPEN_MAX = 6;

class Parser {
  i = 0;
  constructor(private readonly s: string) {}

  parse(): Node {
    const n = this.alt();
    if (this.i < this.s.length) throw new Error(`unexpected ${this.s[this.i]} at ${this.i}`);
    return n;
  }

  private alt(): Node {
    const options = [this.seq()];
    while (this.s[this.i] === '|') {
      this.i++;
      options.push(this.seq());
    }
    return options.length === 1 ? options[0]! : { t: 'alt', options };
  }

  private seq(): Node {
    const items: Node[] = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      let atom = this.atom();
      atom = this.quant(atom);
      items.push(atom);
    }
    return { t: 'seq', items };
  }

  private quant(atom: Node): Node {
    const c = this.s[this.i];
    let min: number;
    let max: number;
    if (c === '*') { min = 0; max = OPEN_MAX; this.i++; }
    else if (c === '+') { min = 1; max = OPEN_MAX; this.i++; }
    else if (c === '?') { min = 0; max = 1; this.i++; }
    else if (c === '{' && /^\{\d*(,\d*)?\}/.test(this.s.slice(this.i))) {
      const m = /^\{(\d*)(?:(,)(\d*))?\}/.exec(this.s.slice(this.i))!;
      this.i += m[0].length;
      min = Number(m[1] || 0);
      max = m[2] ? (m[3] ? Number(m[3]) : min + OPEN_MAX) : min;
    } else return atom;
    if (this.s[this.i] === '?') this.i++; // lazy: same language
    return { t: 'rep', node: atom, min, max };
  }

  private atom(): Node {
    const c = this.s[this.i]!;
    if (c === '(') return this.group();
    if (c === '[') return this.cls();
    if (c === '.') { this.i++; return { t: 'set', chars: PRINTABLE }; }
    if (c === '^' || c === '$') { this.i++; return { t: 'empty' }; }
    if (c === '\\') return this.escape(false) as Node;
    this.i++;
    return { t: 'lit', c };
  }

  private group(): Node {
    this.i++; // (
    if (this.s[this.i] === '?') {
      this.i++;
      if (this.s[this.i] === 'P' && this.s[this.i + 1] === '<') {
        this.i = this.s.indexOf('>', this.i) + 1;
      } else {
        // flags: (?i) (?-i:...) (?s:...) (?:...)
        const m = /^[imsU-]*/.exec(this.s.slice(this.i))!;
        this.i += m[0].length;
        if (this.s[this.i] === ')') { this.i++; return { t: 'empty' }; }
        if (this.s[this.i] === ':') this.i++;
      }
    }
    const inner = this.alt();
    if (this.s[this.i] !== ')') throw new Error('unclosed group');
    this.i++;
    return inner;
  }

  private escape(inClass: boolean): Node | string {
    this.i++; // backslash
    const c = this.s[this.i++]!;
    switch (c) {
      case 'd': return { t: 'set', chars: DIGIT };
      case 'w': return { t: 'set', chars: WORD };
      case 's': return { t: 'set', chars: SPACE };
      case 'D': return { t: 'set', chars: PRINTABLE.replace(/\d/g, '') };
      case 'W': return { t: 'set', chars: ' -./:;' };
      case 'S': return { t: 'set', chars: WORD };
      case 'b': case 'B': case 'A': case 'z': return inClass ? '' : { t: 'empty' };
      case 'n': return inClass ? '\n' : { t: 'lit', c: '\n' };
      case 'r': return inClass ? '\r' : { t: 'lit', c: '\r' };
      case 't': return inClass ? '\t' : { t: 'lit', c: '\t' };
      case 'x': {
        let hex: string;
        if (this.s[this.i] === '{') { const e = this.s.indexOf('}', this.i); hex = this.s.slice(this.i + 1, e); this.i = e + 1; }
        else { hex = this.s.slice(this.i, this.i + 2); this.i += 2; }
        const ch = String.fromCharCode(parseInt(hex, 16));
        return inClass ? ch : { t: 'lit', c: ch };
      }
      case 'p': case 'P': {
        if (this.s[this.i] === '{') this.i = this.s.indexOf('}', this.i) + 1; else this.i++;
        return { t: 'set', chars: 'abcXYZ' };
      }
      default: return inClass ? c : { t: 'lit', c };
    }
  }

  private cls(): Node {
    this.i++; // [
    let negate = false;
    if (this.s[this.i] === '^') { negate = true; this.i++; }
    let chars = '';
    let first = true;
    while (this.i < this.s.length && (this.s[this.i] !== ']' || first)) {
      first = false;
      let lo: string;
      if (this.s.startsWith('[:', this.i)) {
        const e = this.s.indexOf(':]', this.i);
        const name = this.s.slice(this.i + 2, e);
        this.i = e + 2;
        chars += name === 'alnum' ? WORD.replace('_', '') : name === 'digit' ? DIGIT : name === 'alpha' ? WORD.slice(0, 52) : name === 'xdigit' ? '0123456789abcdef' : 'a';
        continue;
      }
      if (this.s[this.i] === '\\') {
        const e = this.escape(true);
        if (typeof e !== 'string') { if (e.t === 'set') chars += e.chars; continue; }
        lo = e;
      } else lo = this.s[this.i++]!;
      if (this.s[this.i] === '-' && this.s[this.i + 1] !== ']' && this.i + 1 < this.s.length) {
        this.i++;
        let hi: string;
        if (this.s[this.i] === '\\') { const e = this.escape(true); hi = typeof e === 'string' ? e : lo; }
        else hi = this.s[this.i++]!;
        for (let k = lo.charCodeAt(0); k <= hi.charCodeAt(0); k++) chars += String.fromCharCode(k);
      } else chars += lo;
    }
    this.i++; // ]
    if (negate) chars = PRINTABLE.split('').filter((c) => !chars.includes(c) && c !== ' ').join('') || 'a';
    return { t: 'set', chars: [...new Set(chars)].join('') };
  }
}

function gen(n: Node, rng: Rng): string {
  switch (n.t) {
    case 'lit': return n.c;
    case 'set': return n.chars.length ? rng.pick([...n.chars]) : '';
    case 'seq': return n.items.map((x) => gen(x, rng)).join('');
    case 'alt': return gen(rng.pick(n.options), rng);
    case 'rep': {
      const count = rng.int(n.min, Math.min(n.max, n.min + 24));
      let out = '';
      for (let k = 0; k < count; k++) out += gen(n.node, rng);
      return out;
    }
    case 'empty': return '';
  }
}

export function sampleFor(regex: string, rng: Rng): string {
  return gen(new Parser(regex).parse(), rng);
}
