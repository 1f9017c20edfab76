// Decoded views of a record: secrets hide behind escaping (JSON inside a JSON string, Python reprs, URL-encoded
// parameters, SQL literals). Each view maps every one of its characters back to the raw span it came from, so a
// finding in a view becomes a span of the raw record.

export interface View {
  name: string;
  text: string;
  /** Raw start / end (exclusive) of each character of `text`; absent for the raw view itself. */
  from?: Int32Array;
  to?: Int32Array;
}

type Decoded = [string, Int32Array, Int32Array];
type Decoder = { name: string; applies: (s: string) => boolean; decode: (s: string) => Decoded | null };

const BACKSLASH: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '/': '/', '\\': '\\', '"': '"', "'": "'" };

/** Output text with, per output character, the raw span it came from; unchanged runs are copied as slices. */
class Builder {
  out = '';
  n = 0;
  readonly from: Int32Array;
  readonly to: Int32Array;
  constructor(private readonly s: string) {
    this.from = new Int32Array(s.length);
    this.to = new Int32Array(s.length);
  }

  copy(a: number, b: number): void {
    if (b <= a) return;
    this.out += this.s.slice(a, b);
    for (let k = a; k < b; k++) { this.from[this.n] = k; this.to[this.n] = k + 1; this.n++; }
  }

  emit(text: string, a: number, b: number): void {
    this.out += text;
    for (let k = 0; k < text.length; k++) { this.from[this.n] = a; this.to[this.n] = b; this.n++; }
  }

  done(): Decoded {
    return [this.out, this.from.subarray(0, this.n), this.to.subarray(0, this.n)];
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
  const from = new Int32Array(s.length);
  const to = new Int32Array(s.length);
  for (let i = 0; i < s.length; i++) { from[i] = i; to[i] = i + 1; }
  return [out, from, to];
}

const DECODERS: Decoder[] = [
  { name: 'json', applies: (s) => s.includes('\\'), decode: unescapeBackslash },
  { name: 'url', applies: (s) => /%[0-9a-fA-F]{2}/.test(s), decode: urlDecode },
  { name: 'sql', applies: (s) => s.includes("''") && /\b(?:select|insert|update|delete|where|values|set)\b/i.test(s), decode: sqlQuotes },
  { name: 'query', applies: (s) => /[?&][\w.%-]{1,64}=/.test(s), decode: querySplit },
];

const MAX_VIEWS = 8;

/** The raw view and every distinct decoded view up to three decodings deep (JSON in JSON in JSON, JSON then URL, …). */
export function viewsOf(raw: string): View[] {
  const views: View[] = [{ name: 'raw', text: raw }];
  const seen = new Set([raw]);
  for (let qi = 0; qi < views.length && views.length < MAX_VIEWS; qi++) {
    const v = views[qi]!;
    if (v.name !== 'raw' && v.name.split('+').length >= 3) continue;
    for (const d of DECODERS) {
      if (views.length >= MAX_VIEWS || !d.applies(v.text)) continue;
      const r = d.decode(v.text);
      if (!r || seen.has(r[0])) continue;
      seen.add(r[0]);
      const [text, f, t] = r;
      // a decoding of the raw text maps to it already; a decoding of a decoded view is mapped through that view's map
      let from = f;
      let to = t;
      if (v.from && v.to) {
        const vf = v.from;
        const vt = v.to;
        const ff = new Int32Array(text.length);
        const tt = new Int32Array(text.length);
        for (let i = 0; i < text.length; i++) {
          ff[i] = vf[f[i]!]!;
          tt[i] = vt[t[i]! - 1]!;
        }
        from = ff;
        to = tt;
      }
      views.push({ name: v.name === 'raw' ? d.name : `${v.name}+${d.name}`, text, from, to });
    }
  }
  return views;
}

/** Raw span of a view span [start, end). */
export function toRaw(v: View, start: number, end: number): [number, number] {
  if (!v.from || !v.to || end <= start) return [start, end];
  return [v.from[start]!, v.to[end - 1]!];
}
