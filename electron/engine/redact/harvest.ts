// Harvest: values from trusted structured fields (the case's `identifiers` table: users, client ids, hosts; known
// keys) replaced wherever they appear, found with one automaton on token boundaries. Pass 1 (collect) ends before
// any output is written, so the first record already knows every value.
import { Automaton } from './automaton';
import { isBoundary } from './client';
import type { Finding } from './types';

export interface HarvestValue { type: string; value: string }

/** Too common to replace everywhere unless a client rule names them. */
const COMMON = new Set(['admin', 'root', 'user', 'test', 'none', 'null', 'true', 'false', 'default', 'system', 'app', 'api', 'service', 'main', 'info', 'debug', 'error', 'local', 'localhost']);

export class Harvest {
  private readonly automaton: Automaton | null;
  private readonly types: string[] = [];
  readonly size: number;

  constructor(values: readonly HarvestValue[]) {
    const seen = new Map<string, string>();
    for (const v of values) {
      const value = v.value.trim();
      // ASCII only (the automaton's alphabet); ≥ 3 characters; not a common word
      if (value.length < 3 || value.length > 200 || !/^[\x20-\x7e]+$/.test(value) || COMMON.has(value.toLowerCase())) continue;
      if (!seen.has(value.toLowerCase())) seen.set(value.toLowerCase(), v.type);
    }
    this.types = [...seen.values()];
    this.automaton = seen.size ? new Automaton([...seen.keys()]) : null;
    this.size = seen.size;
  }

  findings(text: string): Finding[] {
    if (!this.automaton) return [];
    const out: Finding[] = [];
    for (const h of this.automaton.search(text)) {
      if (isBoundary(text, h.start, h.end)) out.push({ start: h.start, end: h.end, kind: 'pii', type: this.types[h.pattern]!, rule: 'harvest' });
    }
    return out;
  }
}
