// Decoded views of a record: secrets hide behind escaping (JSON inside a JSON string, Python reprs, URL-encoded
// parameters, SQL literals). Each view maps every one of its characters back to the raw span it came from, so a
// finding in a view becomes a span of the raw record.

export interface View {
  name: string;
  text: string;
  /** Where each character of `text` came from in the raw text; absent for the raw view itself. */
  map?: Runs;
}

/**
 * A decoded view's offset map as runs, not one entry per character: run j covers view characters [at[j], at[j+1]).
 * A copied run (end[j] = -1) maps character k to k - at[j] + src[j] of the text it was decoded from, one character
 * each; an emitted run maps each of its characters to the whole escape [src[j], end[j]) it came from. A view decoded
 * from another decoded view maps through that view's runs (`parent`).
 */
export interface Runs {
  at: number[];
  src: number[];
  end: number[];
  parent?: Runs;
}

type Decoded = [string, Runs];
type Decoder = { name: string; applies: (s: string) => boolean; decode: (s: string) => Decoded | null };

const BACKSLASH: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '/': '/', '\\': '\\', '"': '"', "'": "'" };

/** Output text with the runs it came from; unchanged runs are copied as slices. */
class Builder {
  out = '';
  n = 0;
  private readonly runs: Runs = { at: [], src: [], end: [] };
  constructor(private readonly s: string) {}

  copy(a: number, b: number): void {
    if (b <= a) return;
    this.out += this.s.slice(a, b);
    const { at, src, end } = this.runs;
    const j = at.length - 1;
    // a copy that continues the previous copied run (a lone backslash kept) extends it
    if (!(j >= 0 && end[j] === -1 && src[j]! + (this.n - at[j]!) === a)) { at.push(this.n); src.push(a); end.push(-1); }
    this.n += b - a;
  }

  emit(text: string, a: number, b: number): void {
    if (!text) return;
    this.out += text;
    this.runs.at.push(this.n); this.runs.src.push(a); this.runs.end.push(b);
    this.n += text.length;
  }

  done(): Decoded {
    return [this.out, this.runs];
  }
}

const HEX = /^[0-9a-fA-F]+$/;

/** JSON and Python escapes: \" \' \\ \/ \n \t \r \b \f \uXXXX \xXX. */
function unescapeBackslash(s: string): Decoded | null {
  let i = s.indexOf('\\');
  if (i < 0) return null;
  const b = new Builder(s);
  let at = 0;
  let changed = false;
  while (i >= 0 && i + 1 < s.length) {
    const n = s[i + 1]!;
    const simple = BACKSLASH[n];
    const hex = n === 'u' ? 4 : n === 'x' ? 2 : 0;
    if (simple !== undefined) {
      b.copy(at, i); b.emit(simple, i, i + 2); at = i + 2; changed = true;
    } else if (hex && i + 2 + hex <= s.length && HEX.test(s.slice(i + 2, i + 2 + hex))) {
      b.copy(at, i); b.emit(String.fromCharCode(parseInt(s.slice(i + 2, i + 2 + hex), 16)), i, i + 2 + hex); at = i + 2 + hex; changed = true;
    } else {
      b.copy(at, i + 1); at = i + 1; // a lone backslash stays; the next character is looked at afresh
    }
    i = s.indexOf('\\', at);
  }
  b.copy(at, s.length);
  return changed ? b.done() : null;
}

const PCT = /^[0-9a-fA-F]{2}$/;

/** %XX (runs of bytes decoded as UTF-8) and '+' as space. */
function urlDecode(s: string): Decoded | null {
  const b = new Builder(s);
  let at = 0;
  let changed = false;
  for (let i = 0; i < s.length;) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */ && PCT.test(s.slice(i + 1, i + 3))) {
      b.copy(at, i);
      const start = i;
      const bytes: number[] = [];
      while (s[i] === '%' && PCT.test(s.slice(i + 1, i + 3))) { bytes.push(parseInt(s.slice(i + 1, i + 3), 16)); i += 3; }
      for (const ch of Buffer.from(bytes).toString('utf8')) b.emit(ch, start, i);
      at = i;
      changed = true;
    } else if (c === 43 /* + */) {
      b.copy(at, i); b.emit(' ', i, i + 1); at = ++i; changed = true;
    } else {
      i++;
    }
  }
  b.copy(at, s.length);
  return changed ? b.done() : null;
}

/** SQL string literals double their quotes. */
function sqlQuotes(s: string): Decoded | null {
  const b = new Builder(s);
  let at = 0;
  let i = s.indexOf("''");
  if (i < 0) return null;
  while (i >= 0) {
    b.copy(at, i); b.emit("'", i, i + 2); at = i + 2;
    i = s.indexOf("''", at);
  }
  b.copy(at, s.length);
  return b.done();
}

/** Query strings: `?` and `&` become line ends, so a value ends where a scanner expects a secret to end. */
function querySplit(s: string): Decoded | null {
  const out = s.replace(/[?&](?=[\w.%-]{1,64}=)/g, '\n');
  if (out === s) return null;
  return [out, { at: [0], src: [0], end: [-1] }]; // one character for one, in place
}

const isHexDigit = (c: number) => (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);
const isQueryKeyChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 37 || c === 45;

/** `/%[0-9a-fA-F]{2}/.test(s)`, from the `%`s. */
export function hasPercentEscape(s: string): boolean {
  for (let i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) {
    if (isHexDigit(s.charCodeAt(i + 1)) && isHexDigit(s.charCodeAt(i + 2))) return true;
  }
  return false;
}

/** `/[?&][\w.%-]{1,64}=/.test(s)`, from the `?`s and `&`s: a run of 1-64 key characters, then `=`. */
export function hasQueryParam(s: string): boolean {
  for (const sep of ['?', '&']) {
    for (let i = s.indexOf(sep); i >= 0; i = s.indexOf(sep, i + 1)) {
      // `=` is no key character, so only the run's end (within 64) can be followed by it
      let j = i + 1;
      while (j - i <= 64 && isQueryKeyChar(s.charCodeAt(j))) j++;
      if (j > i + 1 && s.charCodeAt(j) === 61) return true;
    }
  }
  return false;
}

const DECODERS: Decoder[] = [
  { name: 'json', applies: (s) => s.includes('\\'), decode: unescapeBackslash },
  { name: 'url', applies: hasPercentEscape, decode: urlDecode },
  { name: 'sql', applies: (s) => s.includes("''") && /\b(?:select|insert|update|delete|where|values|set)\b/i.test(s), decode: sqlQuotes },
  { name: 'query', applies: hasQueryParam, decode: querySplit },
];

const MAX_VIEWS = 8;

/** The raw view and every distinct decoded view up to three decodings deep (JSON in JSON in JSON, JSON then URL, …). */
export function viewsOf(raw: string): View[] {
  const views: View[] = [{ name: 'raw', text: raw }];
  for (let qi = 0; qi < views.length && views.length < MAX_VIEWS; qi++) {
    const v = views[qi]!;
    if (v.name !== 'raw' && v.name.split('+').length >= 3) continue;
    for (const d of DECODERS) {
      if (views.length >= MAX_VIEWS || !d.applies(v.text)) continue;
      const r = d.decode(v.text);
      // at most 8 views, most of other lengths: compared, not hashed into a set made for every cell
      if (!r || views.some((w) => w.text === r[0])) continue;
      const [text, runs] = r;
      // a decoding of the raw text maps to it already; a decoding of a decoded view maps through that view's runs
      if (v.map) runs.parent = v.map;
      views.push({ name: v.name === 'raw' ? d.name : `${v.name}+${d.name}`, text, map: runs });
    }
  }
  return views;
}

/** Raw span of a view span [start, end). */
export function toRaw(v: View, start: number, end: number): [number, number] {
  if (!v.map || end <= start) return [start, end];
  return [rawStart(v.map, start), rawEnd(v.map, end - 1)];
}

/** The run holding view character k: the last one starting at or before it. */
function runOf(m: Runs, k: number): number {
  let lo = 0;
  let hi = m.at.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (m.at[mid]! <= k) lo = mid; else hi = mid - 1;
  }
  return lo;
}

/** Raw start of view character k. */
function rawStart(m: Runs, k: number): number {
  const j = runOf(m, k);
  const from = m.end[j] === -1 ? m.src[j]! + (k - m.at[j]!) : m.src[j]!;
  return m.parent ? rawStart(m.parent, from) : from;
}

/** Raw end (exclusive) of view character k. */
function rawEnd(m: Runs, k: number): number {
  const j = runOf(m, k);
  const to = m.end[j] === -1 ? m.src[j]! + (k - m.at[j]!) + 1 : m.end[j]!;
  return m.parent ? rawEnd(m.parent, to - 1) : to;
}
