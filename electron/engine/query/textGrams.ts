// The text index's unit: trigrams of a record's text after a case fold exactly as wide as RE2's `(?i)` on ASCII
// letters (A–Z onto a–z, and the two non-ASCII letters RE2 folds onto ASCII ones: U+212A KELVIN SIGN onto k, U+017F
// LONG S onto s), and 4-grams beside them (hashed: a word of common trigrams, such as "alpha1234", is often rare in
// 4-grams: 41 % of the 1 GB bench case's blocks hold its trigrams, 7 % its 4-grams), and 5-grams hashed into a smaller
// space (an id that shares its 4-grams with its neighbours, "alpha1234" beside "alpha1230"…"alpha1239" and "1234"
// elsewhere, is in 144 of the 1,973 blocks by exact 4-grams and in 7 by exact 5-grams). Only grams of ASCII characters
// (after the fold) are indexed and asked for: how RE2 and JavaScript fold other letters may differ, and a gram the
// index cannot vouch for must never rule a record out. A hash collision only keeps a block, never drops one.

/** Bumped whenever the fold, the gram code or the block layout changes: an index of another version is rebuilt. */
export const TEXT_INDEX_VERSION = 3;
/** Event ids per block: the unit the index keeps or rules out (ids follow file order; a block is a few vectors). */
export const BLOCK_IDS = 2048;
/** Blocks per group: one row of the index holds one gram's bitmap over one group's blocks. */
export const GROUP_BLOCKS = 1024;
export const GROUP_IDS = BLOCK_IDS * GROUP_BLOCKS;
/** Trigram codes: three 7-bit characters (0 … 2^21 - 1). */
const TRI_SPACE = 1 << 21;
/** 4-gram codes: TRI_SPACE + a 20-bit hash of four 7-bit characters. */
const QUAD_BITS = 20;
/** 5-gram codes: after the 4-grams, an 18-bit hash of five characters (a smaller space: there are many more distinct
 * 5-grams, and each block's bitmap row costs the same whatever the gram; a shared bucket only keeps more blocks). */
const PENT_BASE = TRI_SPACE + (1 << QUAD_BITS);
const PENT_BITS = 18;
/** Every gram code is below this. */
export const GRAM_SPACE = PENT_BASE + (1 << PENT_BITS);
/** Gram codes `gramsInto` writes at most per UTF-16 unit of text. */
export const GRAMS_PER_UNIT = 3;

/** One UTF-16 code unit after the fold (anything but the folded letters stays as it is). */
export function foldUnit(c: number): number {
  if (c >= 65 && c <= 90) return c + 32;
  if (c === 0x212a) return 107; // KELVIN SIGN → k
  if (c === 0x17f) return 115; // LONG S → s
  return c;
}

/**
 * Writes the code of every all-ASCII trigram, 4-gram and 5-gram of `text` after the fold (repeats included) into
 * `out` from index 0 and returns how many; `out` must have room for `GRAMS_PER_UNIT * text.length` codes. (An array,
 * not a callback: the build runs this on every character of the case.)
 */
export function gramsInto(text: string, out: Int32Array): number {
  // `run` counts the ASCII units just seen (capped at 5); `g` holds the last four as 7-bit fields, `p` the four
  // before the current one (with the current unit they name the 5-gram).
  let g = 0;
  let run = 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = foldUnit(text.charCodeAt(i));
    if (c >= 128) { run = 0; continue; }
    const p = g;
    g = ((g << 7) | c) & 0xfffffff;
    if (run < 5) run++;
    if (run >= 3) out[n++] = g & (TRI_SPACE - 1);
    if (run >= 4) out[n++] = TRI_SPACE + (Math.imul(g, 0x9e3779b1) >>> (32 - QUAD_BITS));
    if (run === 5) {
      const h = Math.imul(Math.imul(p, 0x85ebca6b) ^ (c * 0x01000193), 0x9e3779b1);
      out[n++] = PENT_BASE + (Math.imul(h ^ (h >>> 15), 0xc2b2ae35) >>> (32 - PENT_BITS));
    }
  }
  return n;
}

/** The distinct grams a substring search for `text` needs every match to hold (empty: the index cannot help). */
export function queryGrams(text: string): number[] {
  const out = new Int32Array(GRAMS_PER_UNIT * text.length);
  return [...new Set(out.subarray(0, gramsInto(text, out)))].sort((a, b) => a - b);
}
