// Harvest: values from trusted structured fields (the case's `identifiers` table: users, client ids, hosts; known
// keys) replaced wherever they appear, found with one automaton on token boundaries. Pass 1 (collect) ends before
// any output is written, so the first record already knows every value.
import { Automaton, type AutomatonData } from './automaton';
import { isBoundary } from './client';
import { structuralFindings } from './structural';
import { viewsOf } from './views';
import type { Finding } from './types';

export interface HarvestValue { type: string; value: string }

/**
 * A harvested name that a change between a letter and a digit bounds too (`.virtualenvs/scribble3.8/`, `anil2`: the
 * name went out whole when only a token boundary counted): at least 4 characters with a letter outside a–f, so a short
 * or hex-like name (`cafe`, `faced1`) is never found inside a hash, a UUID or a git SHA.
 */
export const digitBounded = (name: string) => name.length >= 4 && /\p{L}/u.test(name.replace(/[a-f]/gi, ''));

const DIGIT = /[0-9]/;
const LETTER = /\p{L}/u;

/**
 * Whether text[start, end) stands as a harvested name: on token boundaries (isBoundary), or, for a digitBounded name,
 * where a letter of the name meets a digit (`scribble|3.8`, `2|anil`). The harvest and the fail-closed re-scan's
 * originals search both ask this, so the check looks exactly where the replacement did.
 */
export function isNameBoundary(text: string, start: number, end: number, relaxed: boolean): boolean {
  if (isBoundary(text, start, end)) return true;
  if (!relaxed) return false;
  // each side alone: isBoundary with the other side at the text's edge
  const left = isBoundary(text, start, text.length) || (DIGIT.test(text[start - 1]!) && LETTER.test(text[start]!));
  const right = isBoundary(text, 0, end) || (DIGIT.test(text[end]!) && LETTER.test(text[end - 1]!));
  return left && right;
}
/** A built harvest matcher, as data a pool's workers share (automaton.ts). */
export interface HarvestMatcher { automaton: AutomatonData; types: string[] }

/** Too common to replace everywhere unless a client rule names them. */
const COMMON = new Set(['admin', 'root', 'user', 'test', 'none', 'null', 'true', 'false', 'default', 'system', 'app', 'api', 'service', 'main', 'info', 'debug', 'error', 'local', 'localhost']);

export class Harvest {
  private built: { automaton: Automaton; types: string[]; relaxed: Uint8Array } | null = null;
  private readonly entries = new Map<string, string>();
  readonly size: number;

  /** `prebuilt`: the matcher another thread built from these same values (matcherData()), used as is. */
  constructor(values: readonly HarvestValue[], prebuilt?: HarvestMatcher) {
    if (prebuilt) this.built = { automaton: new Automaton(prebuilt.automaton), types: prebuilt.types, relaxed: relaxedOf(prebuilt.automaton.patterns) };
    for (const v of values) {
      const value = v.value.trim();
      // ≥ 3 characters, no control characters, not a common word (non-ASCII letters are verified by the automaton)
      if (value.length < 3 || value.length > 200 || /[\p{Cc}]/u.test(value) || COMMON.has(value.toLowerCase())) continue;
      if (!this.entries.has(value.toLowerCase())) this.entries.set(value.toLowerCase(), v.type);
    }
    this.size = this.entries.size;
  }

  /**
   * Built on first use: a case's harvest can hold 100,000 ids (tens of MB of table per worker), and the re-scan's
   * workers only ever ask for secrets, so they never build it.
   */
  private matcher(): { automaton: Automaton; types: string[]; relaxed: Uint8Array } {
    return (this.built ??= { automaton: new Automaton([...this.entries.keys()]), types: [...this.entries.values()], relaxed: relaxedOf([...this.entries.keys()]) });
  }

  /** Whether `value` is a harvested name that a letter↔digit change bounds (the re-scan searches it so). */
  digitBounded(value: string): boolean {
    return this.entries.has(value.trim().toLowerCase()) && digitBounded(value.trim());
  }

  /** The matcher, built once here, for workers to share instead of each building its own copy. */
  matcherData(): HarvestMatcher {
    const m = this.matcher();
    return { automaton: m.automaton.data(), types: m.types };
  }

  findings(text: string): Finding[] {
    if (this.size === 0) return [];
    const { automaton, types, relaxed } = this.matcher();
    const out: Finding[] = [];
    for (const h of automaton.search(text)) {
      if (isNameBoundary(text, h.start, h.end, relaxed[h.pattern] === 1)) out.push({ start: h.start, end: h.end, kind: 'pii', type: types[h.pattern]!, rule: 'harvest' });
    }
    return out;
  }
}

const relaxedOf = (names: readonly string[]) => Uint8Array.from(names, (n) => (digitBounded(n) ? 1 : 0));

/** Kinds of field value that name a person: harvested from their fields and then replaced anywhere. */
const PERSON_TYPES = new Set(['name', 'user']);

/**
 * Pass 1 from the records themselves: the values under fields that name a person (`sender_name`, `user`,
 * `created_by`… in JSON, reprs, key=value, on every decoded view), so the same name in free text elsewhere (a
 * Celery `argsrepr`, a message) is replaced too, not only under its field. Bounded to `limit` distinct values.
 */
export class FieldHarvest {
  private readonly found = new Map<string, string>();
  constructor(private readonly limit = 100_000) {}

  add(text: string): void {
    if (this.found.size >= this.limit) return;
    for (const v of viewsOf(text)) {
      for (const f of structuralFindings(v.text)) {
        if (!PERSON_TYPES.has(f.type)) continue;
        const value = v.text.slice(f.start, f.end).trim();
        if (!this.found.has(value)) this.found.set(value, f.type);
      }
    }
  }

  values(): HarvestValue[] {
    return [...this.found].map(([value, type]) => ({ type, value }));
  }
}
