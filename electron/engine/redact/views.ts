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

type Decoder = { name: string; applies: (s: string) => boolean; decode: (s: string) => [string, number[], number[]] | null };

const BACKSLASH: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '/': '/', '\\': '\\', '"': '"', "'": "'" };

/** JSON and Python escapes: \" \' \\ \/ \n \t \r \b \f \uXXXX \xXX. */
function unescapeBackslash(s: string): [string, number[], number[]] | null {
  let out = '';
  const from: number[] = [];
  const to: number[] = [];
  let changed = false;
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      const n = s[i + 1]!;
      const simple = BACKSLASH[n];
      if (simple !== undefined) {
        out += simple; from.push(i); to.push(i + 2); i += 2; changed = true; continue;
      }
      const hex = n === 'u' ? 4 : n === 'x' ? 2 : 0;
      if (hex && /^[0-9a-fA-F]+$/.test(s.slice(i + 2, i + 2 + hex)) && i + 2 + hex <= s.length) {
        out += String.fromCharCode(parseInt(s.slice(i + 2, i + 2 + hex), 16));
        from.push(i); to.push(i + 2 + hex); i += 2 + hex; changed = true; continue;
      }
    }
    out += c; from.push(i); to.push(i + 1); i++;
  }
  return changed ? [out, from, to] : null;
}

/** %XX (runs of bytes decoded as UTF-8) and '+' as space. */
function urlDecode(s: string): [string, number[], number[]] | null {
  let out = '';
  const from: number[] = [];
  const to: number[] = [];
  let changed = false;
  for (let i = 0; i < s.length; ) {
    if (s[i] === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      const start = i;
      const bytes: number[] = [];
      while (s[i] === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) { bytes.push(parseInt(s.slice(i + 1, i + 3), 16)); i += 3; }
      const text = Buffer.from(bytes).toString('utf8');
      for (const ch of text) { out += ch; for (let k = 0; k < ch.length; k++) { from.push(start); to.push(i); } }
      changed = true;
      continue;
    }
    if (s[i] === '+') { out += ' '; from.push(i); to.push(i + 1); i++; changed = true; continue; }
    out += s[i]; from.push(i); to.push(i + 1); i++;
  }
  return changed ? [out, from, to] : null;
}

/** SQL string literals double their quotes. */
function sqlQuotes(s: string): [string, number[], number[]] | null {
  let out = '';
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < s.length; ) {
    if (s[i] === "'" && s[i + 1] === "'") { out += "'"; from.push(i); to.push(i + 2); i += 2; continue; }
    out += s[i]; from.push(i); to.push(i + 1); i++;
  }
  return out.length !== s.length ? [out, from, to] : null;
}

/** Query strings: `?` and `&` become line ends, so a value ends where a scanner expects a secret to end. */
function querySplit(s: string): [string, number[], number[]] | null {
  const out = s.replace(/[?&](?=[\w.%-]{1,64}=)/g, '\n');
  if (out === s) return null;
  const idx = Array.from({ length: s.length }, (_, i) => i);
  return [out, idx, idx.map((i) => i + 1)];
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
      const from = new Int32Array(text.length);
      const to = new Int32Array(text.length);
      for (let i = 0; i < text.length; i++) {
        from[i] = v.from ? v.from[f[i]!]! : f[i]!;
        to[i] = v.to ? v.to[t[i]! - 1]! : t[i]!;
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
