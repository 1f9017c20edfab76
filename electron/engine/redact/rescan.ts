// Fail-closed re-scan: the written output, decoded again, must show no secret to any detector and contain none of
// the replaced originals in any variant (exact, case-folded, URL-encoded, JSON-escaped, base64 standard and
// URL-safe in all three alignments). Hits carry where and which check, never the value.
import { Automaton } from './automaton';
import { isBoundary } from './client';
import type { Detectors } from './detect';

export interface RescanHit {
  /** Where the hit is (event id and column, or a file name). */
  where: string;
  check: 'detector' | 'original';
  /** Detector rule, or the variant of an original that was found. */
  detail: string;
}

/** Base64 of `value` as it appears inside a longer blob at each of the three byte alignments (stable middle part). */
export function base64Variants(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [];
  for (let pad = 0; pad < 3; pad++) {
    const enc = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    const skip = pad === 0 ? 0 : pad === 1 ? 2 : 3;
    const stable = Math.floor((pad + bytes.length) / 3) * 4;
    const core = enc.slice(skip, stable);
    if (core.length >= 8) {
      out.push(core);
      out.push(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return out;
}

export function variantsOf(value: string): { text: string; variant: string }[] {
  const v: { text: string; variant: string }[] = [{ text: value, variant: 'exact' }];
  const url = encodeURIComponent(value);
  if (url !== value) v.push({ text: url, variant: 'url-encoded' }, { text: url.replace(/%20/g, '+'), variant: 'url-encoded' });
  const json = JSON.stringify(value).slice(1, -1);
  if (json !== value) v.push({ text: json, variant: 'json-escaped' });
  if (value.length >= 6) for (const b of base64Variants(value)) v.push({ text: b, variant: 'base64' });
  return v;
}

/** Values too short or too common to search without flooding: under 4 characters only on token boundaries. */
const SHORT = 4;

export class Rescanner {
  private readonly automaton: Automaton | null;
  private readonly meta: { variant: string; short: boolean }[] = [];

  constructor(private readonly detectors: Detectors, originals: Iterable<string>) {
    const patterns: string[] = [];
    const seen = new Set<string>();
    for (const o of originals) {
      for (const { text, variant } of variantsOf(o)) {
        const key = text.toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        patterns.push(text);
        this.meta.push({ variant, short: text.length < SHORT });
      }
    }
    this.automaton = patterns.length ? new Automaton(patterns) : null;
  }

  scan(text: string, where: string, hits: RescanHit[]): void {
    for (const s of this.detectors.find(text)) {
      if (s.kind === 'secret') hits.push({ where, check: 'detector', detail: s.rule });
    }
    if (!this.automaton) return;
    for (const h of this.automaton.search(text)) {
      const m = this.meta[h.pattern]!;
      if (m.short && !isBoundary(text, h.start, h.end)) continue;
      hits.push({ where, check: 'original', detail: m.variant });
    }
  }
}
