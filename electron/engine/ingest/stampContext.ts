// Where a stamp without a date (or year) takes it from, decided per file before the transform runs: the operator's
// date, else the dates of neighbouring files in the same bundle, else the file's modification time. The per-record
// envelope stamp, when there is one, beats all of these (stampSql.ts). The chosen rule is written into tz_rule.
import path from 'node:path';
import type { CaseDb } from '../store/db';
import { readStamp } from '../formats/stamps';
import type { FormatDefinition } from '../formats/types';
import { needsContext } from './stampSql';
import { zoneOffset } from './timezone';

/** anchor first: `date` is the date of the file's first stamped record; last: the last record was written by `mtime`. */
export interface StampContext { anchor: 'first' | 'last'; date?: string; mtime?: string; rule: string }

export interface ContextFile {
  rel: string; bundleId: string; format: FormatDefinition; mtime?: string;
  /** The file's first complete stamp (headFirstStamp), kept instead of its head. */
  first: FirstStamp | null;
  /** The file needs a context even if its format does not (an envelope stamp without a year). */
  needs?: boolean;
}

export function fileNeedsContext(def: FormatDefinition): boolean {
  return needsContext(def.time.shapes);
}

/** The first stamp text of a head, per the format's time fields (JSON keys or pattern groups). */
export function headStamp(line: string, def: FormatDefinition): string | null {
  if (def.kind === 'json') return jsonStamp(line, def.time.fields);
  if (def.kind === 'text') return textStamp(line, def);
  return null;
}

export function jsonStamp(line: string, fields: string[]): string | null {
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    for (const k of fields) if (typeof o[k] === 'string' && o[k]) return o[k] as string;
  } catch { /* not JSON */ }
  return null;
}

const patterns = new Map<string, RegExp>();
export function textStamp(line: string, def: FormatDefinition): string | null {
  if (!def.pattern) return null;
  let re = patterns.get(def.id);
  if (!re) { re = new RegExp(def.pattern.regex, 's'); patterns.set(def.id, re); }
  const m = re.exec(line);
  const i = def.pattern.groups.indexOf(def.time.fields[0] ?? '');
  return m && i >= 0 ? (m[i + 1] ?? null) : null;
}

/** A complete stamp: an instant (`utcMs`), or a naive local time (`localMs`, read as if UTC) placed in the site zone. */
export interface FirstStamp { utcMs?: number; localMs?: number }

/** The first complete stamp (with a date and year) among a head's first 200 lines, or null. */
export function headFirstStamp(head: string[], def: FormatDefinition): FirstStamp | null {
  for (const line of head.slice(0, 200)) {
    const text = headStamp(line, def);
    const s = text ? readStamp(text) : null;
    if (!s || s.needs) continue;
    return s.utcMs !== undefined ? { utcMs: s.utcMs } : { localMs: s.localMs! };
  }
  return null;
}

/** The local date (YYYY-MM-DD in `zone`) of a file's first complete stamp, or null. */
function firstDate(f: ContextFile, zone: string): string | null {
  const s = f.first;
  if (!s) return null;
  const local = s.utcMs !== undefined ? s.utcMs + zoneOffset(zone, s.utcMs) * 60000 : s.localMs!;
  return new Date(local).toISOString().slice(0, 10);
}

/** Shared leading folders of two bundle-relative paths: the nearer the folder, the better the neighbour. */
function closeness(a: string, b: string): number {
  const x = path.posix.dirname(a).split('/');
  const y = path.posix.dirname(b).split('/');
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  return n;
}

/** Decides the context of every file that needs one; files that do not are left out of the map. */
export function stampContexts<T extends ContextFile>(files: T[], zone: string, operatorDate?: string): Map<T, StampContext> {
  const out = new Map<T, StampContext>();
  const dated = new Map<ContextFile, string>();
  for (const f of files) {
    if (!fileNeedsContext(f.format) && !f.needs) continue;
    if (operatorDate) { out.set(f, { anchor: 'first', date: operatorDate, rule: `the operator's date ${operatorDate} (--date) for the first record` }); continue; }
    let best: { f: T; date: string; score: number } | null = null;
    for (const g of files) {
      if (g === f || g.bundleId !== f.bundleId) continue;
      if (!dated.has(g)) dated.set(g, firstDate(g, zone) ?? '');
      const date = dated.get(g)!;
      const score = closeness(f.rel, g.rel);
      if (date && (!best || score > best.score)) best = { f: g, date, score };
    }
    if (best) { out.set(f, { anchor: 'first', date: best.date, rule: `the date ${best.date} of the neighbouring file ${best.f.rel} for the first record` }); continue; }
    if (f.mtime) { out.set(f, { anchor: 'last', mtime: f.mtime, rule: `the file's modification time ${f.mtime} for the last record` }); continue; }
    out.set(f, { anchor: 'first', rule: 'no date anywhere: these records keep no time' });
  }
  return out;
}

/** The sentence tz_rule gets for a file whose stamps lack a date or year. */
export function describeContext(c: StampContext): string {
  return `stamps without a date or year take it from the envelope on the same line, else ${c.rule}, rolling over at midnight (flagged date-inferred / year-inferred)`;
}

/** Writes the temp table stage_ctx the transform joins (file_id, ctx_anchor, ctx_date, ctx_mtime). */
export async function stageContexts(db: CaseDb, rows: { fileId: number; context: StampContext }[]): Promise<void> {
  await db.freshTemp('stage_ctx', 'file_id INTEGER, ctx_anchor VARCHAR, ctx_date DATE, ctx_mtime TIMESTAMPTZ');
  for (const r of rows) {
    await db.run('INSERT INTO stage_ctx VALUES ($1, $2, $3::DATE, $4::TIMESTAMPTZ)', [r.fileId, r.context.anchor, r.context.date ?? null, r.context.mtime ?? null]);
  }
}
