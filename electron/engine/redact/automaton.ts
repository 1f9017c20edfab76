// ASCII case-insensitive Aho–Corasick over UTF-16 code units: one pass finds every occurrence of every keyword.
// Hand-written because the hot path runs over every exported byte: modern-ahocorasick 3.3 segments graphemes and
// measured 3–4 MB/s with gitleaks' 237 keywords, this dense table runs at well over 100 MB/s.
// Non-ASCII code units share one symbol; hits on keywords containing them are verified against the text.
// The table's columns are only the symbols the keywords use (plus one for every other character): a long harvest
// list (100,000 client ids: digits and folded letters) takes a third of the memory of a full ASCII table.

const ALPHA = 128;

export interface Hit {
  /** Index of the keyword in the list given to the constructor. */
  pattern: number;
  start: number;
  end: number;
}

/**
 * A built automaton as plain data: its tables live in SharedArrayBuffers, so a pool's workers read one copy (posted
 * to a worker, a view of a SharedArrayBuffer is shared, not copied). A harvest list or the re-scan's originals can
 * run to 100,000 values and hundreds of MB of table.
 */
export interface AutomatonData {
  patterns: readonly string[];
  /**
   * The transitions: state s (at offset s × width) on column c goes to `next[s × width + c]`, the next state's offset,
   * bitwise-negated when that state has keywords (so the scan looks up outputs only there, and multiplies nothing).
   */
  next: Int32Array;
  /** Code unit (ASCII; 127 for every other) → column, upper case folded to lower. */
  column: Uint8Array;
  width: number;
  /** Per state s: its keyword indexes (own and via suffix links) are outList[outStart[s] .. outStart[s + 1]). */
  outStart: Int32Array;
  outList: Int32Array;
}

const shared = <T extends Int32Array | Uint8Array>(make: (b: SharedArrayBuffer) => T, bytes: number): T => make(new SharedArrayBuffer(bytes));

export class Automaton {
  readonly patterns: readonly string[];
  private readonly next: Int32Array;
  /** Folded code unit → column of the table (0: a symbol no keyword uses). */
  private readonly column: Uint8Array;
  private readonly width: number;
  private readonly outStart: Int32Array;
  private readonly outList: Int32Array;
  readonly size: number;
  private readonly verify: (string | null)[];

  /** Built from keywords, or taken as built (data()) from another thread. */
  constructor(source: readonly string[] | AutomatonData) {
    const d = Array.isArray(source) ? build(source as readonly string[]) : (source as AutomatonData);
    this.patterns = d.patterns;
    this.next = d.next;
    this.column = d.column;
    this.width = d.width;
    this.outStart = d.outStart;
    this.outList = d.outList;
    this.size = d.outStart.length - 1;
    this.verify = d.patterns.map((p) => (/[^\p{ASCII}]/u.test(p) ? p.toLowerCase() : null));
  }

  /** The tables, to hand to workers (shared memory, not copied). */
  data(): AutomatonData {
    return { patterns: this.patterns, next: this.next, column: this.column, width: this.width, outStart: this.outStart, outList: this.outList };
  }

  /** Every occurrence (overlapping ones included), in order of their end. */
  search(text: string, from = 0, to = text.length): Hit[] {
    const hits: Hit[] = [];
    this.scan(text, from, to, (pattern, end) => {
      if (this.verified(text, pattern, end)) hits.push({ pattern, start: end - this.patterns[pattern]!.length, end });
    });
    return hits;
  }

  /** Calls `found` with every occurrence's keyword (verified), in order of their end: no hit list, no set. */
  visit(text: string, found: (pattern: number) => void): void {
    this.scan(text, 0, text.length, (p, end) => { if (this.verified(text, p, end)) found(p); });
  }

  /**
   * A keyword with non-ASCII letters, ending at `end`, is really there (the tables fold every non-ASCII unit alike).
   * The text compared is the match's own span (the keyword's length: its lower case may be longer, as for `İ`).
   */
  private verified(text: string, pattern: number, end: number): boolean {
    const v = this.verify[pattern];
    return v === null || v === undefined || text.slice(end - this.patterns[pattern]!.length, end).toLowerCase() === v;
  }

  /**
   * A scanner for the OR of `masks[k]` over the keywords k that occur in a text: one pass, no hit lists, stopping
   * once every bit of `all` is in. Keywords with non-ASCII letters are not verified (every non-ASCII code unit is
   * one symbol), so it answers for a superset of what search() finds.
   */
  masker(masks: readonly number[]): (text: string, all: number) => number {
    const state = new Int32Array(this.size);
    for (let s = 0; s < this.size; s++) for (let k = this.outStart[s]!; k < this.outStart[s + 1]!; k++) state[s] = state[s]! | masks[this.outList[k]!]!;
    const next = this.next;
    const column = this.column;
    const W = this.width;
    return (text, all) => {
      let s = 0;
      let m = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        s = next[s + column[c < ALPHA ? c : 127]!]!;
        if (s < 0) {
          s = ~s;
          m |= state[s / W]!;
          if ((m & all) === all) return m;
        }
      }
      return m;
    };
  }

  private scan(text: string, from: number, to: number, emit: (pattern: number, end: number) => void): void {
    const next = this.next;
    const outStart = this.outStart;
    const outList = this.outList;
    const column = this.column;
    const W = this.width;
    let s = 0;
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      s = next[s + column[c < ALPHA ? c : 127]!]!;
      if (s < 0) {
        s = ~s;
        const st = s / W;
        for (let k = outStart[st]!; k < outStart[st + 1]!; k++) emit(outList[k]!, i + 1);
      }
    }
  }
}

function build(patterns: readonly string[]): AutomatonData {
  const column = shared((b) => new Uint8Array(b), ALPHA);
  let width = 1;
  for (const p of patterns) for (let i = 0; i < p.length; i++) { const c = fold(p.charCodeAt(i)); if (!column[c]) column[c] = width++; }
  const W = width;
  const goto: number[][] = [[]];
  const out: (number[] | undefined)[] = [undefined];
  patterns.forEach((p, idx) => {
    if (p.length === 0) throw new Error('empty keyword');
    let s = 0;
    for (let i = 0; i < p.length; i++) {
      const c = column[fold(p.charCodeAt(i))]!;
      let t = goto[s]![c];
      if (t === undefined) {
        t = goto.length;
        goto.push([]);
        out.push(undefined);
        goto[s]![c] = t;
      }
      s = t;
    }
    (out[s] ??= []).push(idx);
  });
  const n = goto.length;
  const next = shared((b) => new Int32Array(b), n * W * 4);
  const fail = new Int32Array(n);
  const queue: number[] = [];
  for (let c = 0; c < W; c++) {
    const t = goto[0]![c];
    if (t !== undefined) { next[c] = t; queue.push(t); }
  }
  for (let qi = 0; qi < queue.length; qi++) {
    const s = queue[qi]!;
    const f = fail[s]!;
    const fo = out[f];
    if (fo) out[s] = [...(out[s] ?? []), ...fo];
    for (let c = 0; c < W; c++) {
      const t = goto[s]![c];
      if (t !== undefined) {
        fail[t] = next[f * W + c]!;
        next[s * W + c] = t;
        queue.push(t);
      } else {
        next[s * W + c] = next[f * W + c]!;
      }
    }
  }
  const outStart = shared((b) => new Int32Array(b), (n + 1) * 4);
  let total = 0;
  for (let s = 0; s < n; s++) { outStart[s] = total; total += out[s]?.length ?? 0; }
  outStart[n] = total;
  const outList = shared((b) => new Int32Array(b), Math.max(1, total) * 4);
  for (let s = 0; s < n; s++) out[s]?.forEach((p, k) => { outList[outStart[s]! + k] = p; });
  // states as offsets into the table, negated where keywords end; upper case read through the lower case columns
  for (let i = 0; i < next.length; i++) {
    const t = next[i]!;
    next[i] = outStart[t + 1]! > outStart[t]! ? ~(t * W) : t * W;
  }
  for (let c = 65; c <= 90; c++) column[c] = column[c | 0x20]!;
  return { patterns, next, column, width, outStart, outList };
}

/** ASCII lower case; every non-ASCII code unit is one symbol (127). */
function fold(c: number): number {
  return c >= 65 && c <= 90 ? c | 0x20 : c >= ALPHA ? 127 : c;
}
