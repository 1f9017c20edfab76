// Which format a file is in, and why: server path conventions weigh, content sniffing decides, the operator overrides.
import picomatch from 'picomatch';
import { FORMATS, formatById } from '../formats/registry';
import type { FormatDefinition } from '../formats/types';

export interface Detection { format: FormatDefinition; reason: string }
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

/** Does the content look like this format? Returns a short description of the evidence, or null. */
function sniff(def: FormatDefinition, lines: string[]): string | null {
  const nonEmpty = lines.filter((l) => l.trim() !== '');
  if (nonEmpty.length === 0) return null;
  if (def.kind === 'json') {
    for (const l of nonEmpty.slice(0, 5)) {
      let obj: unknown;
      try { obj = JSON.parse(l); } catch { continue; }
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return null;
      const keys = def.sniffKeys ?? [];
      if (keys.every((k) => k in (obj as object))) {
        return keys.length ? `a JSON object with ${keys.join(', ')}` : 'JSON objects, one per line';
      }
      return null;
    }
    return null;
  }
  if (def.kind === 'text') {
    const re = headerRegex(def);
    if (!re) return null;
    const sample = nonEmpty.slice(0, 20);
    const hits = sample.filter((l) => re.test(l)).length;
    // The first record must start on a header; continuation lines may outnumber headers (tracebacks, SQL).
    if (re.test(nonEmpty[0]!) && hits >= Math.min(2, sample.length)) return `${hits} of the first ${sample.length} lines start like "${def.name}" records`;
    if (re.test(nonEmpty[0]!) && sample.length === 1) return 'its first line starts like a record';
    return null;
  }
  return null;
}

/**
 * Scores: operator override wins outright; path match + content match beats content alone beats path alone.
 * The raw fallback always matches, so no file is ever refused.
 */
export function detectFormat(relPath: string, head: string[], overrides: FormatOverride[] = []): Detection {
  for (const o of overrides) {
    if (globMatch(o.glob, relPath)) {
      const f = formatById(o.format);
      if (f) return { format: f, reason: `operator override: ${o.format}=${o.glob}` };
    }
  }
  let best: { def: FormatDefinition; score: number; reason: string } | null = null;
  for (const def of FORMATS) {
    const glob = def.paths.find((g) => globMatch(g, relPath));
    const content = sniff(def, head);
    const score = (glob ? 2 : 0) + (content ? 3 : 0);
    if (score === 0) continue;
    const reason = [glob ? `path matches ${glob}` : '', content ? `content: ${content}` : ''].filter(Boolean).join('; ');
    if (!best || score > best.score) best = { def, score, reason };
  }
  if (best) {
    const onlyPath = best.score === 2;
    return { format: best.def, reason: onlyPath ? `${best.reason}; content did not confirm it (records will be flagged)` : best.reason };
  }
  const empty = head.every((l) => l.trim() === '');
  return { format: formatById('raw')!, reason: empty ? 'empty file' : 'no format recognised the content: kept as raw text, one event per line' };
}
