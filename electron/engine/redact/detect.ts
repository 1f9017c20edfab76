// The detector stack over one record: every view (raw and decoded), every detector, spans mapped back to the raw
// text, overlaps resolved. Overlapping spans merge into one (so nothing of either survives): a secret anywhere in
// the group makes it a secret, else the longest finding names the type, and on a tie the operator's client rule.
import crypto from 'node:crypto';
import type { IdPattern } from '../../../shared/correlation';
import { RedactionRules, type RedactionRulesInput } from '../../../shared/redaction';
import { ClientDetector } from './client';
import { GitleaksDetector } from './gitleaks';
import { Harvest, type HarvestMatcher, type HarvestValue } from './harvest';
import { normaliseKey } from './keys';
import { piiFindings } from './pii';
import { ALL_BITS, GITLEAKS_BIT, PII_BIT, Prefilter, SECRET_BITS, STRUCTURAL_BIT } from './prefilter';
import { GITLEAKS_SHA256 } from './rules/gitleaks.generated';
import { structuralFindings } from './structural';
import { EMPTY_VALUE, type Finding, PLACEHOLDER } from './types';
import { toRaw, type View, viewsOf } from './views';

export interface Span extends Finding {
  /** The decoded value (what a pseudonym is computed from and what the re-scan looks for). */
  value: string;
}

export interface DetectorOptions {
  rules?: RedactionRulesInput;
  idPatterns?: readonly IdPattern[];
  harvest?: readonly HarvestValue[];
  /** The matcher built from `harvest` on another thread (Harvest.matcherData()): shared, not built again. */
  harvestMatcher?: HarvestMatcher;
}

let sharedGitleaks: GitleaksDetector | null = null;
/** Compiling 212 rules takes a second or two: once per process (or worker). */
export function gitleaksDetector(): GitleaksDetector {
  return (sharedGitleaks ??= new GitleaksDetector());
}

export class Detectors {
  readonly rules: RedactionRules;
  readonly client: ClientDetector;
  readonly harvest: Harvest;
  private readonly secretKeys: Set<string>;
  private readonly gitleaks = gitleaksDetector();
  private readonly prefilter: Prefilter;
  /** Names this exact detector set (rules as data and every option): two equal fingerprints find the same spans. */
  readonly fingerprint: string;

  constructor(opts: DetectorOptions = {}) {
    this.rules = RedactionRules.parse(opts.rules ?? {});
    this.client = new ClientDetector(this.rules, opts.idPatterns ?? []);
    this.harvest = new Harvest(opts.harvest ?? [], opts.harvestMatcher);
    this.secretKeys = new Set(this.rules.secretKeys.map(normaliseKey));
    this.prefilter = new Prefilter(this.gitleaks.keywords.patterns, this.secretKeys);
    this.fingerprint = crypto.createHash('sha256')
      .update(JSON.stringify([GITLEAKS_SHA256, this.rules, opts.idPatterns ?? [], opts.harvest ?? []])).digest('hex');
  }

  /**
   * Every finding on every view, mapped to raw offsets, before overlap resolution. `secretsOnly` skips the detectors
   * that only ever report personal data (PII shapes, client rules, harvest): the re-scan's question is "any secret?",
   * and a personal-data span never turns a merged group into a secret.
   *
   * Each view is screened first (prefilter.ts): a detector runs on a view only where its condition holds there, and
   * a text no detector can find anything in costs the decoding and one automaton pass per view. `screen: false`
   * runs every detector on every view (the reference the pre-filter's tests compare against).
   */
  findAll(raw: string, secretsOnly = false, { screen = true }: { screen?: boolean } = {}): Span[] {
    const views = viewsOf(maskPlaceholders(raw));
    const { bits, exact, any } = this.screen(views, secretsOnly, screen);
    if (!any) return [];
    const spans: Span[] = [];
    for (let i = 0; i < views.length; i++) {
      const v = views[i]!;
      const b = bits[i]!;
      if (b & GITLEAKS_BIT) addSpans(spans, v, this.gitleaks.detect(v.text), secretsOnly);
      if (b & STRUCTURAL_BIT) addSpans(spans, v, structuralFindings(v.text, { secretKeys: this.secretKeys, keysFirst: screen, hints: screen, secretsOnly }), secretsOnly);
      if (b & PII_BIT) addSpans(spans, v, piiFindings(v.text), secretsOnly);
      addSpans(spans, v, exact[i]!, secretsOnly);
    }
    return spans;
  }

  /** Whether any detector may find something in `raw` (false: findAll() finds nothing, with no detector run). */
  mayFind(raw: string, secretsOnly = false): boolean {
    return this.screen(viewsOf(maskPlaceholders(raw)), secretsOnly, true).any;
  }

  /** Per view: the detectors that may find something there (bits), and what the client rules and harvest found. */
  private screen(views: readonly View[], secretsOnly: boolean, screen: boolean): { bits: number[]; exact: Finding[][]; any: boolean } {
    const wanted = secretsOnly ? SECRET_BITS : ALL_BITS;
    const bits: number[] = [];
    const exact: Finding[][] = [];
    let any = false;
    for (const { text } of views) {
      const b = screen ? this.prefilter.bits(text, wanted) : wanted;
      // client rules and the harvest are one automaton or pattern test each: run exactly, no screen
      const found = secretsOnly ? [] : [...this.client.findings(text), ...this.harvest.findings(text)];
      bits.push(b);
      exact.push(found);
      if (b !== 0 || found.length > 0) any = true;
    }
    return { bits, exact, any };
  }

  /** Resolved, non-overlapping spans in order. */
  find(raw: string): Span[] {
    return resolve(raw, this.findAll(raw));
  }
}

/** A view's findings as spans of the raw text (secrets only when asked). */
function addSpans(spans: Span[], v: View, found: readonly Finding[], secretsOnly: boolean): void {
  for (const f of found) {
    if (f.end <= f.start || (secretsOnly && f.kind !== 'secret')) continue;
    const value = v.text.slice(f.start, f.end);
    // nothing but blanked replacements (and punctuation): already redacted
    if (EMPTY_VALUE.test(value)) continue;
    const [start, end] = toRaw(v, f.start, f.end);
    spans.push({ start, end, kind: f.kind, type: f.type, rule: f.rule, value });
  }
}

/**
 * Replacements already in the text (`<secret:key-value>`, `<user:…>`) are blanked with a filler that no detector
 * matches, same length so offsets hold: a token's letters never read as a key name or a value again.
 */
function maskPlaceholders(raw: string): string {
  if (!raw.includes('<')) return raw;
  return raw.replace(PLACEHOLDER, (m) => '\u2591'.repeat(m.length));
}

/** Client rules' names (client.ts): `client-pattern-N`, `client-words-N`, `client-host`, `client-domain`. */
const isClientRule = (s: Span) => s.rule.startsWith('client-');

/**
 * Whether `b` names a merged group rather than `a`: the longer finding; on equal length the operator's client rule,
 * written for this client on purpose, over the case's idPatterns (defaults), the PII detectors and the harvest; else
 * the first found (the first of two client rules in the rule set).
 */
function outranks(b: Span, a: Span): boolean {
  const la = a.end - a.start;
  const lb = b.end - b.start;
  return lb > la || (lb === la && isClientRule(b) && !isClientRule(a));
}

export function resolve(raw: string, spans: Span[]): Span[] {
  if (spans.length <= 1) return spans;
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  let group: Span[] = [sorted[0]!];
  let end = sorted[0]!.end;
  const flush = () => {
    const start = group[0]!.start;
    const secrets = group.filter((s) => s.kind === 'secret');
    const pool = secrets.length ? secrets : group;
    const lead = pool.reduce((a, b) => (outranks(b, a) ? b : a));
    // the pseudonym comes from the lead's decoded value, so an entity keeps its token whatever overlapped it
    out.push({
      ...lead,
      start,
      end,
    });
  };
  for (const s of sorted.slice(1)) {
    if (s.start < end) {
      group.push(s);
      if (s.end > end) end = s.end;
    } else {
      flush();
      group = [s];
      end = s.end;
    }
  }
  flush();
  return out;
}
