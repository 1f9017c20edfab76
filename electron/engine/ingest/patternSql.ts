// A text format's pattern applied in SQL. Most patterns end in `(.*)`, the rest of the record; with that group RE2
// runs its slow capturing engine over every byte of the record (multi-line SQL, tracebacks). Matching only the head
// and taking the rest as the text after it gives the same groups at a fraction of the cost.
import { sqlString } from '../store/db';
import type { TextPattern } from '../formats/types';

const REST = '(.*)';

interface Scan {
  /** Capturing groups opened before each index (an array one longer than the regex). */
  capturesBefore: number[];
  /** Depth of parentheses at each index (before the character there). */
  depth: number[];
  /** Indexes of `|` outside classes and escapes. */
  bars: number[];
  /** Indexes where a token starts (not inside an escape or a class). */
  tokens: Set<number>;
}

/** Walks a regex outside escapes and character classes (RE2 syntax; no named groups, no lookaround). */
function scan(re: string): Scan | null {
  const capturesBefore: number[] = [];
  const depth: number[] = [];
  const bars: number[] = [];
  const tokens = new Set<number>();
  let d = 0;
  let caps = 0;
  const mark = (i: number) => { capturesBefore[i] = caps; depth[i] = d; };
  for (let i = 0; i < re.length;) {
    tokens.add(i);
    mark(i);
    const c = re[i]!;
    if (c === '\\') { mark(i + 1); i += 2; continue; }
    if (c === '[') {
      // A class: `]` first (after an optional `^`) is a literal; escapes inside are skipped.
      let j = i + 1;
      if (re[j] === '^') j++;
      if (re[j] === ']') j++;
      while (j < re.length && re[j] !== ']') j += re[j] === '\\' ? 2 : 1;
      if (j >= re.length) return null;
      for (let k = i + 1; k <= j; k++) mark(k);
      i = j + 1;
      continue;
    }
    if (c === '(') { if (re[i + 1] !== '?') caps++; d++; } else if (c === ')') { d--; if (d < 0) return null; } else if (c === '|') bars.push(i);
    i++;
  }
  if (d !== 0) return null;
  mark(re.length);
  return { capturesBefore, depth, bars, tokens };
}

/**
 * The head of a pattern whose first (or only) layout ends in `(.*)` at its own top level and starts at `^`: the
 * regex of that layout without `(.*)`, and how many groups come before the rest group. Null for any other shape.
 * Leftmost-first matching (RE2's, DuckDB's) makes the head's groups those of the whole: `.*` with `s` matches any rest.
 */
export function restSplit(p: TextPattern): { head: string; before: number } | null {
  const re = p.regex;
  const s = scan(re);
  if (!s || s.capturesBefore[re.length] !== p.groups.length) return null;
  // `^(?:X(.*)|…)`: a choice of layouts wrapping the whole regex (its parenthesis closes at the end only), the first X(.*).
  const wrapped = re.startsWith('^(?:') && re.endsWith(')') && ![...s.tokens].some((i) => i >= 4 && i < re.length - 1 && s.depth[i + 1] === 0);
  if (wrapped) {
    const bar = s.bars.find((b) => s.depth[b] === 1) ?? re.length - 1;
    const at = bar - REST.length;
    if (re.slice(at, bar) !== REST || !s.tokens.has(at) || s.depth[at] !== 1) return null;
    return { head: `^(${re.slice(4, at)})`, before: s.capturesBefore[at]! };
  }
  // `^X(.*)`, no top-level choice.
  const at = re.length - REST.length;
  if (!re.startsWith('^') || s.bars.some((b) => s.depth[b] === 0) || !re.endsWith(REST) || !s.tokens.has(at) || s.depth[at] !== 0) return null;
  return { head: `^(${re.slice(1, at)})`, before: s.capturesBefore[at]! };
}

/** A struct literal of the pattern's groups (DuckDB field names quoted). */
const struct = (groups: string[], value: (name: string, i: number) => string) =>
  `{${groups.map((n, i) => `${sqlString(n)}: ${value(n, i)}`).join(', ')}}`;

/**
 * `relation` with a column g: the pattern's groups over `on`, as regexp_extract(on, regex, groups, 's') gives them.
 * Where the pattern splits (restSplit) and its head matched, the rest group is the text after the head and the
 * groups after it are empty (later layouts); anywhere else (no match, another layout) the whole pattern runs.
 */
export function patternRelation(p: TextPattern, on: string, relation: string): string {
  const full = `regexp_extract(${on}, ${sqlString(p.regex)}, [${p.groups.map(sqlString).join(', ')}], 's')`;
  const split = restSplit(p);
  if (!split) return `(SELECT *, ${full} AS g FROM ${relation} p0)`;
  const head = 'casefile_head';
  const names = [head, ...p.groups.slice(0, split.before)];
  const h = `regexp_extract(${on}, ${sqlString(split.head)}, [${names.map(sqlString).join(', ')}], 's')`;
  const fromHead = struct(p.groups, (n, i) => (i < split.before ? `h.${JSON.stringify(n)}`
    : i === split.before ? `substr(${on}, length(h.${head}) + 1)` : `''`));
  return `(SELECT *, CASE WHEN h.${head} <> '' THEN ${fromHead} ELSE ${full} END AS g FROM (SELECT *, ${h} AS h FROM ${relation} p0) p1)`;
}
