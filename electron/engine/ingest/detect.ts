// Which format a file is in, and why: the operator overrides; otherwise each format is scored on the head (the first
// 64 KB) by the share of its lines it explains as records (a header and its continuation lines), so a file that opens
// with a shell command, a banner or the tail of a traceback, or is mostly one long traceback, is still recognised.
// Server path conventions weigh on top; ties go to the more specific format. An envelope (journald, docker, kubectl,
// CRI, a quoted ticket) is recognised the same way: it wins when it explains the lines better unwrapped.
import picomatch from 'picomatch';
import { counted } from '../../../shared/plural';
import { FORMATS, formatById } from '../formats/registry';
import { ENVELOPES } from '../formats/envelopes/registry';
import type { EnvelopeDefinition } from '../formats/envelopes/types';
import type { FormatDefinition } from '../formats/types';
import { envelopeShare, innerHeads } from './envelope';

/** One stream of an enveloped file (the whole file when the envelope has no streams: name ''). */
export interface StreamDetection { name: string; format: FormatDefinition; reason: string; head: string[] }
export interface Detection {
  format: FormatDefinition;
  reason: string;
  /** The file is wrapped: the envelope, and the format detected on each stream's inner text. */
  envelope?: { def: EnvelopeDefinition; streams: StreamDetection[] };
}
export interface FormatOverride { format: string; glob: string }

const matchers = new Map<string, (p: string) => boolean>();
function globMatch(glob: string, relPath: string): boolean {
  let m = matchers.get(glob);
  if (!m) {
    m = picomatch(glob, { dot: true, nocase: false });
    matchers.set(glob, m);
  }
  return m(relPath) || m(relPath.replace(/\.gz$/i, ''));
}

const compiled = new Map<string, RegExp>();
export function headerRegex(def: FormatDefinition): RegExp | null {
  if (!def.recordStart) return null;
  let r = compiled.get(def.id);
  if (!r) { r = new RegExp(def.recordStart); compiled.set(def.id, r); }
  return r;
}

/** How well a format explains a head: lines inside its records (from the first header on), and how many records. */
interface Explained { lines: number; of: number; records: number; skipped: number }

/** Formats below this priority are specific (a service's own log); the generic ones and raw sit above. */
const GENERIC_PRIORITY = 90;
const isSpecific = (def: FormatDefinition) => def.priority < GENERIC_PRIORITY;
/** Shares closer than this are a tie. */
const TIE = 0.02;

/** The head's lines parsed as JSON objects once, shared by every JSON format scored on it. */
const parsedHeads = new WeakMap<string[], (object | null)[]>();
function jsonObjects(nonEmpty: string[]): (object | null)[] {
  let out = parsedHeads.get(nonEmpty);
  if (!out) {
    out = nonEmpty.map((l) => {
      if (!l.trimStart().startsWith('{')) return null;
      try { const o: unknown = JSON.parse(l); return o && typeof o === 'object' && !Array.isArray(o) ? o : null; } catch { return null; }
    });
    parsedHeads.set(nonEmpty, out);
  }
  return out;
}

function jsonShare(nonEmpty: string[]): number {
  return nonEmpty.length ? jsonObjects(nonEmpty).filter(Boolean).length / nonEmpty.length : 0;
}

function explain(def: FormatDefinition, nonEmpty: string[]): Explained | null {
  const of = nonEmpty.length;
  if (of === 0) return null;
  if (def.kind === 'json' && def.recordStart) return explainJsonBlocks(def, nonEmpty);
  if (def.kind === 'json') {
    const keys = def.sniffKeys ?? [];
    const hit = jsonObjects(nonEmpty).filter((o) => o && keys.every((k) => k in o)).length;
    return hit ? { lines: hit, of, records: hit, skipped: 0 } : null;
  }
  if (def.kind === 'text') {
    const re = headerRegex(def);
    if (!re) return null;
    let first = -1;
    let records = 0;
    for (let i = 0; i < nonEmpty.length; i++) {
      if (re.test(nonEmpty[i]!)) { records++; if (first < 0) first = i; }
    }
    return records ? { lines: of - first, of, records, skipped: first } : null;
  }
  return null;
}

/** JSON objects that span lines (pretty-printed): the lines from one record start to the next are parsed as one. */
function explainJsonBlocks(def: FormatDefinition, nonEmpty: string[]): Explained | null {
  const re = headerRegex(def)!;
  const keys = def.sniffKeys ?? [];
  let first = -1;
  let records = 0;
  let lines = 0;
  for (let i = 0; i < nonEmpty.length;) {
    if (!re.test(nonEmpty[i]!)) { i++; continue; }
    let j = i + 1;
    while (j < nonEmpty.length && !re.test(nonEmpty[j]!)) j++;
    // The head may cut the last object: it counts when it parses (a cut one is left to the records it does explain).
    let o: unknown = null;
    // A one-line object is parsed once for every JSON format (jsonObjects); a block is joined and parsed here.
    if (j === i + 1) o = jsonObjects(nonEmpty)[i];
    else try { o = JSON.parse(nonEmpty.slice(i, j).join('\n')); } catch { /* not one object */ }
    if (o && typeof o === 'object' && !Array.isArray(o) && keys.every((k) => k in o)) {
      records++;
      lines += j - i;
      if (first < 0) first = i;
    }
    i = j;
  }
  return records ? { lines, of: nonEmpty.length, records, skipped: Math.max(first, 0) } : null;
}

function describe(def: FormatDefinition, e: Explained): string {
  const pct = Math.round((100 * e.lines) / e.of);
  const lead = e.skipped ? ` after ${counted(e.skipped, 'leading line')} that ${e.skipped === 1 ? 'starts' : 'start'} no record` : '';
  return `${e.lines} of ${e.of} non-empty lines (${pct}%) are in ${e.records} "${def.name}" ${e.records === 1 ? 'record' : 'records'}${lead}`;
}

interface Candidate { def: FormatDefinition; share: number; score: number; reason: string; explained: Explained | null }

/** Every format that matches by content or path, best first. */
function rankFormats(relPath: string, head: string[]): Candidate[] {
  const out: Candidate[] = [];
  const nonEmpty = head.filter((l) => l.trim() !== '');
  // JSON lines are JSON lines: no text format can explain more of them (this keeps detection cheap on them).
  const json = jsonShare(nonEmpty) >= 0.9;
  for (const def of FORMATS) {
    if (def.kind === 'raw' || (json && def.kind === 'text')) continue;
    const glob = def.paths.find((g) => globMatch(g, relPath));
    const e = explain(def, nonEmpty);
    if (!glob && !e) continue;
    const share = e ? e.lines / e.of : 0;
    // A path convention weighs more than content; content alone beats a path alone.
    const score = (e ? share : 0) + (glob ? (e ? 1 : 0.25) : 0);
    const reason = [glob ? `path matches ${glob}` : '', e ? `content: ${describe(def, e)}` : ''].filter(Boolean).join('; ');
    out.push({ def, share, score, reason, explained: e });
  }
  return out.sort((a, b) => (Math.abs(a.score - b.score) > TIE ? b.score - a.score : a.def.priority - b.def.priority));
}

function formatDetection(relPath: string, head: string[]): { det: Detection; share: number } {
  const ranked = rankFormats(relPath, head);
  const best = ranked[0];
  if (!best) {
    const empty = head.every((l) => l.trim() === '');
    return { det: { format: formatById('raw')!, reason: empty ? 'empty file' : 'no format recognised the content: kept as raw text, one event per line' }, share: 0 };
  }
  if (!best.explained) return { det: { format: best.def, reason: `${best.reason}; content did not confirm it (records will be flagged)` }, share: 0 };
  const rivals = ranked.slice(1).filter((c) => c.explained);
  const vs = rivals.length
    ? `; best-explained share of lines over ${rivals.slice(0, 2).map((c) => `${c.def.id} ${Math.round(100 * c.share)}%`).join(', ')}${Math.abs(rivals[0]!.score - best.score) <= TIE ? ' (a tie: the more specific format wins)' : ''}`
    : '';
  return { det: { format: best.def, reason: best.reason + vs }, share: best.share };
}

/** The best envelope reading of a head, with its score: the envelope's share times what its streams explain. */
function envelopeDetection(relPath: string, head: string[]): { det: Detection; score: number; specific: boolean; fields: boolean } | null {
  let best: { det: Detection; score: number; specific: boolean; fields: boolean } | null = null;
  // A regex envelope starts its lines with a stamp, a name or a mark, never with `{`: JSON lines skip them.
  const nonEmpty = head.filter((l) => l.trim() !== '');
  const json = nonEmpty.length > 0 && nonEmpty.every((l) => l.trimStart().startsWith('{'));
  for (const def of ENVELOPES) {
    if (json && def.kind !== 'json') continue;
    const { matched, of } = envelopeShare(def, head);
    if (of === 0 || matched < Math.min(2, of) || matched / of < 0.5) continue; // an empty head is no envelope
    const streams: StreamDetection[] = [];
    let explained = 0;
    let total = 0;
    let specific = true;
    // An envelope that carries fields (host, unit, service…) explains a line by itself; one with only a stamp
    // does not beat a format that reads the stamp and more.
    const carries = Object.keys(def.fields).length > 0 || Boolean(def.stream?.length);
    for (const [name, inner] of innerHeads(def, head)) {
      const { det, share } = formatDetection(relPath, inner);
      const n = inner.filter((l) => l.trim() !== '').length;
      total += n;
      explained += n * (det.format.kind === 'raw' ? (carries ? 1 : 0.9) : share);
      if (!isSpecific(det.format)) specific = false;
      streams.push({ name, format: det.format, reason: det.reason, head: inner });
    }
    if (!streams.length) continue;
    const score = (matched / of) * (total ? explained / total : 0);
    const what = streams.length > 1 ? `${streams.length} streams (${streams.map((s) => `${s.name}: ${s.format.id}`).join(', ')})` : `inner text: ${streams[0]!.format.id}`;
    const det: Detection = {
      format: streams[0]!.format,
      reason: `envelope ${def.id}: ${matched} of ${of} non-empty lines (${Math.round((100 * matched) / of)}%) are "${def.name}" lines; ${what}; ${streams.map((s) => s.reason).join(' | ')}`,
      envelope: { def, streams },
    };
    if (!best || score > best.score + TIE) best = { det, score, specific, fields: carries };
  }
  return best;
}

/** The operator's override for a file, if one names it: it wins over detection, and over magic bytes (magic.ts). */
export function overridden(relPath: string, overrides: FormatOverride[]): Detection | null {
  for (const o of overrides) {
    if (globMatch(o.glob, relPath)) {
      const f = formatById(o.format);
      if (f) return { format: f, reason: `operator override: ${o.format}=${o.glob}` };
    }
  }
  return null;
}

/**
 * The operator's override wins outright; otherwise the plain reading and the best envelope reading compete on the
 * share of lines they explain, then on being specific, then on the envelope carrying fields. The raw fallback
 * always matches, so no file is ever refused.
 */
export function detectFormat(relPath: string, head: string[], overrides: FormatOverride[] = []): Detection {
  const forced = overridden(relPath, overrides);
  if (forced) return forced;
  const plain = formatDetection(relPath, head);
  const env = envelopeDetection(relPath, head);
  if (!env) return plain.det;
  const plainRank = [plain.share, isSpecific(plain.det.format) ? 1 : 0, 0];
  const envRank = [env.score, env.specific ? 1 : 0, env.fields ? 1 : 0];
  for (let i = 0; i < 3; i++) {
    const d = envRank[i]! - plainRank[i]!;
    if (Math.abs(d) > (i === 0 ? TIE : 0)) return d > 0 ? env.det : plain.det;
  }
  return env.det;
}
