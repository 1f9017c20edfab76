// The text index's unit: trigrams of a record's text after a case fold exactly as wide as RE2's `(?i)` on ASCII
// letters (A–Z onto a–z, and the two non-ASCII letters RE2 folds onto ASCII ones: U+212A KELVIN SIGN onto k, U+017F
// LONG S onto s). Only trigrams of three ASCII characters (after the fold) are indexed and asked for: how RE2 and
// JavaScript fold other letters may differ, and a gram the index cannot vouch for must never rule a record out.

/** Bumped whenever the fold, the gram code or the block layout changes: an index of another version is rebuilt. */
export const TEXT_INDEX_VERSION = 1;
/** Event ids per block: the unit the index keeps or rules out (ids follow file order; a block is a few vectors). */
export const BLOCK_IDS = 2048;
/** Blocks per group: one row of the index holds one gram's bitmap over one group's blocks. */
export const GROUP_BLOCKS = 1024;
export const GROUP_IDS = BLOCK_IDS * GROUP_BLOCKS;
/** Gram codes: three 7-bit characters. */
export const GRAM_SPACE = 1 << 21;

/** One UTF-16 code unit after the fold (anything but the folded letters stays as it is). */
export function foldUnit(c: number): number {
  if (c >= 65 && c <= 90) return c + 32;
  if (c === 0x212a) return 107; // KELVIN SIGN → k
  if (c === 0x17f) return 115; // LONG S → s
  return c;
}

/**
 * Writes the code of every all-ASCII trigram of `text` after the fold (repeats included) into `out` from index 0 and
 * returns how many; `out` must have room for `text.length` codes. (An array, not a callback: the build runs this on
 * every character of the case.)
 */
export function gramsInto(text: string, out: Int32Array): number {
  // `run` counts the ASCII units just seen (capped at 3); `g` holds the last three as 7-bit fields.
  let g = 0;
  let run = 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = foldUnit(text.charCodeAt(i));
    if (c >= 128) { run = 0; continue; }
    g = ((g << 7) | c) & (GRAM_SPACE - 1);
    if (run < 3) run++;
    if (run === 3) out[n++] = g;
  }
  return n;
}

/** The distinct grams a substring search for `text` needs every match to hold (empty: the index cannot help). */
export function queryGrams(text: string): number[] {
  const out = new Int32Array(text.length);
  return [...new Set(out.subarray(0, gramsInto(text, out)))].sort((a, b) => a - b);
}
