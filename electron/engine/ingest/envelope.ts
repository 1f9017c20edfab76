// Envelopes at read time: each physical line is unwrapped (formats/envelopes/), its inner text grouped into records
// per stream by that stream's format, its wrapper fields and stamp kept with the record. Every physical line stays in
// exactly one record: lines the envelope does not match continue their stream, wrapper-only lines (code fences) and
// partial lines (CRI `P`) are counted in the record they belong to.
import type { EnvelopeDefinition } from '../formats/envelopes/types';
import { readStamp } from '../formats/stamps';
import type { StartsRecord } from './records';
import { zoneOffset } from './timezone';

/** One physical line unwrapped: inner text (null: a wrapper-only line), its stream, fields and stamp text. */
export interface Unwrapped { inner: string | null; stream: string; fields: Record<string, string>; tsText?: string; partial: boolean }

/** What the reader hands the stage for an enveloped record, beside its inner text. */
export interface EnvelopeRecord { orig: string; stream: string; fields: Record<string, string>; tsText?: string }

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
/** Values the envelope writes for "none" (RFC 5424's NIL). */
const isNil = (v: string | undefined) => v === undefined || v === '' || v === '-';

/** Streams kept apart in one file; more (a hostile or odd file naming a service per line) share one overflow stream. */
export const MAX_STREAMS = 256;
export const OVERFLOW_STREAM = '(more streams)';
/** Streams detected from a head; the rest are read as raw text. */
export const MAX_DETECTED_STREAMS = 32;

export function stripAnsi(line: string): string {
  return line.includes('\u001b') ? line.replace(ANSI, '') : line;
}

export type Unwrap = (line: string) => Unwrapped | null;

const compiled = new Map<string, Unwrap>();
/** The line reader of an envelope: null when the line is not in this envelope. */
export function unwrapper(def: EnvelopeDefinition): Unwrap {
  let u = compiled.get(def.id);
  if (!u) { u = compile(def); compiled.set(def.id, u); }
  return u;
}

function compile(def: EnvelopeDefinition): Unwrap {
  const wrapperOnly = def.wrapperOnly ? new RegExp(def.wrapperOnly) : null;
  const keep = Object.entries(def.fields);
  const streamOf = (get: (k: string) => string | undefined) => (def.stream ?? []).map((k) => get(k) ?? '').join('/');
  const done = (get: (k: string) => string | undefined, inner: string, partial: boolean): Unwrapped => {
    const fields: Record<string, string> = {};
    for (const [from, to] of keep) { const v = get(from); if (!isNil(v)) fields[to] = v!; }
    const ts = def.time ? get(def.time.field) : undefined;
    if (!isNil(ts)) fields.envelope_ts = ts!;
    return { inner, stream: streamOf(get), fields, ...(!isNil(ts) ? { tsText: ts! } : {}), partial };
  };
  if (def.kind === 'json') {
    const innerKey = def.inner ?? 'log';
    return (line) => {
      if (!line.startsWith('{') || !line.includes(`"${innerKey}"`)) return null;
      let o: Record<string, unknown>;
      try { o = JSON.parse(line) as Record<string, unknown>; } catch { return null; }
      if (!o || typeof o !== 'object' || typeof o[innerKey] !== 'string') return null;
      const get = (k: string) => (typeof o[k] === 'string' ? o[k] as string : o[k] === undefined ? undefined : String(o[k]));
      const text = o[innerKey] as string;
      const cut = def.partial && 'endsWithNewline' in def.partial && !text.endsWith('\n');
      return done(get, text.replace(/\r?\n$/, ''), Boolean(cut));
    };
  }
  const re = new RegExp(def.line!.regex);
  const groups = def.line!.groups;
  const partialBy = def.partial && 'field' in def.partial ? def.partial : null;
  return (rawLine) => {
    const line = def.ansi ? stripAnsi(rawLine) : rawLine;
    if (wrapperOnly?.test(line)) return { inner: null, stream: '', fields: {}, partial: false };
    const m = re.exec(line);
    if (!m) return null;
    const get = (k: string) => { const i = groups.indexOf(k); return i >= 0 ? m[i + 1] : undefined; };
    return done(get, get('inner') ?? '', partialBy ? get(partialBy.field) === partialBy.value : false);
  };
}

/** Share of a head's non-empty lines the envelope reads (wrapper-only lines count), and how many. */
export function envelopeShare(def: EnvelopeDefinition, head: string[]): { matched: number; of: number } {
  const u = unwrapper(def);
  let matched = 0;
  let of = 0;
  for (const l of head) {
    if (l.trim() === '') continue;
    of++;
    if (u(l)) matched++;
  }
  return { matched, of };
}

/** The inner lines of each stream in a head, streams in order of first appearance (for detection per stream). */
export function innerHeads(def: EnvelopeDefinition, head: string[]): Map<string, string[]> {
  const u = unwrapper(def);
  const out = new Map<string, string[]>();
  let last: string | null = null;
  let pending = '';
  for (const l of head) {
    const w = u(l);
    const stream: string = w ? (w.inner === null ? last ?? '' : w.stream) : last ?? '';
    if (w?.inner === null) continue;
    last = stream;
    let text = w ? w.inner! : l;
    if (w?.partial) { pending += text; continue; }
    if (pending) { text = pending + text; pending = ''; }
    const list = out.get(stream) ?? (out.size < MAX_DETECTED_STREAMS ? [] : null);
    if (!list) continue;
    list.push(text);
    out.set(stream, list);
  }
  return out;
}

interface Pending { line: number; orig: string }
interface OpenRecord { line: number; count: number; inner: string[]; orig: string[]; chars: number; env: Unwrapped }
interface StreamState { rec: OpenRecord | null; lead: Pending[]; part: { line: number; inner: string; orig: string[]; env: Unwrapped } | null }

export type EnvelopeSink = (line: number, lineCount: number, text: string, env: EnvelopeRecord) => void;

/**
 * Groups unwrapped physical lines into records, per stream. `startsRecord(stream)` says where a record of that
 * stream's format starts; records are emitted when closed (so not in line order across streams).
 */
export class EnvelopeGrouper {
  private streams = new Map<string, StreamState>();
  private last: string | null = null;
  splitRecords = 0;

  constructor(private unwrap: Unwrap, private startsRecord: (stream: string) => StartsRecord, private sink: EnvelopeSink, private maxRecordChars: number) {}

  add(line: string, lineNo: number): void {
    const w = this.unwrap(line);
    // A line the envelope does not read continues the stream before it (a banner first: the first stream seen).
    const u: Unwrapped = w ?? { inner: line, stream: this.last ?? '', fields: {}, partial: false };
    let stream = u.inner === null ? this.last ?? '' : u.stream;
    if (!this.streams.has(stream) && this.streams.size >= MAX_STREAMS) stream = OVERFLOW_STREAM;
    this.last = stream;
    const s = this.state(stream);
    if (u.inner === null) {
      if (s.rec) { s.rec.count++; s.rec.orig.push(line); } else s.lead.push({ line: lineNo, orig: line });
      return;
    }
    if (s.part) {
      s.part.inner += u.inner;
      s.part.orig.push(line);
      if (u.partial) return;
      const p = s.part;
      s.part = null;
      this.feed(stream, s, p.line, p.inner, p.orig, p.env);
      return;
    }
    if (u.partial) { s.part = { line: lineNo, inner: u.inner, orig: [line], env: u }; return; }
    this.feed(stream, s, lineNo, u.inner, [line], u);
  }

  end(): void {
    for (const [stream, s] of this.streams) {
      if (s.part) { const p = s.part; s.part = null; this.feed(stream, s, p.line, p.inner, p.orig, p.env); }
      this.emit(stream, s);
      if (s.lead.length) {
        // Only wrapper lines in this stream: one record of them, with no inner text.
        this.sink(s.lead[0]!.line, s.lead.length, '', { orig: s.lead.map((p) => p.orig).join('\n'), stream, fields: {} });
        s.lead = [];
      }
    }
  }

  private state(stream: string): StreamState {
    let s = this.streams.get(stream);
    if (!s) { s = { rec: null, lead: [], part: null }; this.streams.set(stream, s); }
    return s;
  }

  private feed(stream: string, s: StreamState, lineNo: number, inner: string, orig: string[], env: Unwrapped): void {
    const starts = this.startsRecord(stream);
    const tooBig = s.rec !== null && s.rec.chars + inner.length > this.maxRecordChars;
    if (tooBig) this.splitRecords++;
    if (!s.rec || tooBig || starts === 'every-line' || starts(inner)) {
      this.emit(stream, s);
      const lead = s.lead;
      s.lead = [];
      s.rec = { line: lead[0]?.line ?? lineNo, count: lead.length + orig.length, inner: [inner], orig: [...lead.map((p) => p.orig), ...orig], chars: inner.length, env };
      return;
    }
    s.rec.count += orig.length;
    s.rec.inner.push(inner);
    s.rec.orig.push(...orig);
    s.rec.chars += inner.length + 1;
  }

  private emit(stream: string, s: StreamState): void {
    const r = s.rec;
    if (!r) return;
    s.rec = null;
    this.sink(r.line, r.count, r.inner.join('\n'), { orig: r.orig.join('\n'), stream, fields: r.env.fields, ...(r.env.tsText ? { tsText: r.env.tsText } : {}) });
  }
}

/** Offset of a zone (IANA or fixed `+05:30`) at an instant, in minutes. */
function offsetAt(zone: string, ms: number): number {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (m) return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  return zoneOffset(zone, ms);
}

/** Context for an envelope stamp without a year: the year of the first record, or the mtime the file ends by. */
export interface EnvelopeYear { year?: number; notAfterMs?: number; /** The file's previous year-inferred instant (kept by the caller's context object). */ lastMs?: number }

/**
 * An envelope's stamp as a UTC instant (ISO) and flag: absolute stamps as written, naive ones in the site zone,
 * stamps without a year completed from context (flagged year-inferred). Null when it does not read.
 */
export function envelopeInstant(text: string, def: EnvelopeDefinition, zone: string, ctx: EnvelopeYear): { iso: string; flag: string | null } | null {
  const s = readStamp(text, def.time?.shapes);
  if (!s) return null;
  if (s.utcMs !== undefined) return Number.isFinite(s.utcMs) ? { iso: new Date(s.utcMs).toISOString(), flag: null } : null;
  if (s.needs === 'date' || s.localMs === undefined) return null;
  const place = (local: number) => { const guess = local - offsetAt(zone, local) * 60000; return local - offsetAt(zone, guess) * 60000; };
  if (s.needs !== 'year') return { iso: new Date(place(s.localMs)).toISOString(), flag: null };
  const d = new Date(s.localMs);
  const year = ctx.year ?? (ctx.notAfterMs !== undefined ? new Date(ctx.notAfterMs).getUTCFullYear() : undefined);
  if (year === undefined) return null;
  d.setUTCFullYear(year);
  let at = place(d.getTime());
  // A stamp later than the file's mtime (plus a day's grace) was written the year before (December read in January).
  if (ctx.year === undefined && ctx.notAfterMs !== undefined && at > ctx.notAfterMs + 86_400_000) { d.setUTCFullYear(year - 1); at = place(d.getTime()); }
  // From a first-record year, the stamps roll over New Year monotonically (a step back of more than two hours).
  if (ctx.year !== undefined && ctx.lastMs !== undefined && at < ctx.lastMs - 7_200_000) { ctx.year++; d.setUTCFullYear(ctx.year); at = place(d.getTime()); }
  ctx.lastMs = at;
  return Number.isFinite(at) ? { iso: new Date(at).toISOString(), flag: 'year-inferred' } : null;
}
