// Fail-closed re-scan: the written output, decoded again, must show no secret to any detector and contain none of
// the replaced originals in any variant (exact, case-folded, URL-encoded, JSON-escaped, base64 standard and
// URL-safe in all three alignments). Hits carry where and which check, never the value.
import { Automaton, type AutomatonData } from './automaton';
import type { Detectors } from './detect';
import { type Harvest, isNameBoundary } from './harvest';
import { TextMemo } from './memo';

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

/**
 * Values too short or too common to search without flooding: under 4 characters only on token boundaries. So is
 * personal data in plain, URL or JSON form: it is replaced on token boundaries (`anil` in `vanilla` is not the user),
 * so that is where a survivor would be; secrets and every base64 form are searched as substrings.
 */
const SHORT = 4;

const VARIANTS = ['exact', 'url-encoded', 'json-escaped', 'base64'];

/**
 * The originals search, built: one automaton over every variant of every replaced original, and per pattern its
 * variant, whether it only counts on token boundaries (bit 4) and whether a letter↔digit change bounds it too (bit 8:
 * a harvested name the harvest replaces so, harvest.ts isNameBoundary). Built once on the thread that collected the
 * originals and shared with the re-scan's workers (a big export replaces 100,000 values: hundreds of MB of table).
 */
export interface RescanTables { automaton: AutomatonData | null; meta: Uint8Array }

export class Rescanner {
  private readonly automaton: Automaton | null;
  private readonly meta: Uint8Array;

  /** `originals`: replaced values, each a secret unless its kind says 'pii'; or their tables (tables()). */
  constructor(private readonly detectors: Detectors, originals: Iterable<string> | ReadonlyMap<string, 'secret' | 'pii'> | RescanTables) {
    const t = isTables(originals) ? originals : Rescanner.tables(originals);
    this.automaton = t.automaton ? new Automaton(t.automaton) : null;
    this.meta = t.meta;
  }

  /** `harvest`: the export's harvest, whose names are searched on the boundaries it replaces them on. */
  static tables(originals: Iterable<string> | ReadonlyMap<string, 'secret' | 'pii'>, harvest?: Harvest): RescanTables {
    const patterns: string[] = [];
    const meta: number[] = [];
    const seen = new Map<string, number>();
    const entries: [string, 'secret' | 'pii'][] = originals instanceof Map
      ? [...(originals as ReadonlyMap<string, 'secret' | 'pii'>)]
      : [...(originals as Iterable<string>)].map((o) => [o, 'secret']);
    for (const [o, kind] of entries) {
      const name = kind === 'pii' && !!harvest?.digitBounded(o);
      for (const { text, variant } of variantsOf(o)) {
        const boundary = text.length < SHORT || (kind === 'pii' && variant !== 'base64');
        const key = text.toLowerCase();
        const at = seen.get(key);
        if (at !== undefined) {
          if (!boundary) meta[at] = meta[at]! & 3; // a secret with the same text: substring search wins
          else if (name && meta[at]! & 4) meta[at] = meta[at]! | 8;
          continue;
        }
        seen.set(key, patterns.length);
        patterns.push(text);
        meta.push(VARIANTS.indexOf(variant) | (boundary ? 4 : 0) | (boundary && name ? 8 : 0));
      }
    }
    const shared = new Uint8Array(new SharedArrayBuffer(Math.max(1, meta.length)));
    shared.set(meta);
    return { automaton: patterns.length ? new Automaton(patterns).data() : null, meta: shared };
  }

  /** A repeated text (a recurring message, a path) has the same hits: looked up, not re-scanned. */
  private readonly memo = { detector: new TextMemo<Omit<RescanHit, 'where'>[]>(), original: new TextMemo<Omit<RescanHit, 'where'>[]>() };

  /**
   * Hits in `text`: every replaced original in every variant, and (unless `detectors` is false: a cell the
   * redaction pass proved clean with these same detectors, cleanCells.ts) every detector's secret findings.
   */
  scan(text: string, where: string, hits: RescanHit[], detectors = true): void {
    if (detectors) for (const f of this.memoised('detector', text)) hits.push({ where, ...f });
    for (const f of this.memoised('original', text)) hits.push({ where, ...f });
  }

  private memoised(check: 'detector' | 'original', text: string): Omit<RescanHit, 'where'>[] {
    const memo = this.memo[check];
    let found = memo.get(text);
    if (!found) {
      found = check === 'detector' ? this.detectorHits(text) : this.originalHits(text);
      memo.set(text, found);
    }
    return found;
  }

  private detectorHits(text: string): Omit<RescanHit, 'where'>[] {
    return this.detectors.findAll(text, true).map((s) => ({ check: 'detector', detail: s.rule }));
  }

  private originalHits(text: string): Omit<RescanHit, 'where'>[] {
    const out: Omit<RescanHit, 'where'>[] = [];
    if (!this.automaton) return out;
    for (const h of this.automaton.search(text)) {
      const m = this.meta[h.pattern]!;
      if ((m & 4) && !isNameBoundary(text, h.start, h.end, (m & 8) !== 0)) continue;
      out.push({ check: 'original', detail: VARIANTS[m & 3]! });
    }
    return out;
  }
}

function isTables(o: unknown): o is RescanTables {
  return typeof o === 'object' && o !== null && 'meta' in o && (o as RescanTables).meta instanceof Uint8Array;
}
