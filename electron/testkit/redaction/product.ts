// Efficacy through the product's real path: the labelled corpus written as a log tree, imported by the real importer
// into a real case (a DuckDB file in a temp dir), exported by the real export (JSONL, plaintext, its pass-1 setup,
// worker pool, writer and fail-closed re-scan), and the written extract read against the truth. Every column of
// every row is searched (a real extract carries message, fields, logger, file… besides raw), and an export the
// re-scan blocked is measured too (its extract is read before it is removed) and reported as blocked.
import fs from 'node:fs';
import path from 'node:path';
import { Engine } from '../../engine/engine';
import { jsonlLines } from '../../engine/export/formats';
import { ExportBlocked, runExport } from '../../engine/export/run';
import { COLUMNS, TEXT_COLUMNS } from '../../engine/export/select';
import type { RescanHit } from '../../engine/redact/rescan';
import { removeDir, tempDir } from '../tmp';
import { ENCODE, type Corpus, type Planted } from './corpus';
import { type Efficacy, EntityTokens, familyOf, survivesIn } from './evaluate';

export interface ProductEfficacy extends Efficacy {
  /** Events in the extract, and those whose file + line name no corpus record. */
  events: number;
  unmapped: number;
  /** Corpus records with no event (the importer dropped or merged them away). */
  recordsWithoutEvent: number;
  /** The format the importer detected for each corpus file (as the corpus names it, or not). */
  formats: Record<string, { expected: string; detected: string }>;
  /** Records whose raw text out could not be aligned with the raw text in (recall is then judged on survival alone). */
  unaligned: string[];
  /** PII tokens in message/fields of an event that its raw column does not hold (one value, two tokens across columns). */
  columnMismatches: number;
  /** The fail-closed re-scan refused the export: nothing would have been delivered (the extract was measured anyway). */
  blocked: { hits: number; byCheck: Record<string, number>; first: string[] } | null;
  /** Wall time of the import and of the export (ms). */
  importMs: number;
  exportMs: number;
}

/** A replacement as the export writes it: `<secret:RULE>`, `<removed:TYPE>`, `<type:TOKEN>`. */
const TOKEN = /<[a-z][a-z0-9_-]*:[A-Za-z0-9_.-]+>/g;
const QUOTED_TOKEN = /"<[a-z][a-z0-9_-]*:[A-Za-z0-9_.-]+>"|<[a-z][a-z0-9_-]*:[A-Za-z0-9_.-]+>/g;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Where the raw text in was replaced, from the raw text out: the literal pieces between tokens, found in order
 * (anchored at both ends), leave gaps, each a token's. Null when the pieces do not fit (the text was changed
 * otherwise). Records are short; the lazy groups backtrack only over one record.
 */
export function align(rawIn: string, rawOut: string): { start: number; end: number; token: string }[] | null {
  // a JSON number or literal replaced becomes a quoted token (redactor.ts): tried with the quotes as the token's own
  return alignBy(rawIn, rawOut, TOKEN) ?? alignBy(rawIn, rawOut, QUOTED_TOKEN);
}

function alignBy(rawIn: string, rawOut: string, by: RegExp): { start: number; end: number; token: string }[] | null {
  const tokens = [...rawOut.matchAll(by)];
  if (!tokens.length) return rawIn === rawOut ? [] : null;
  const pieces: string[] = [];
  let at = 0;
  for (const t of tokens) { pieces.push(rawOut.slice(at, t.index)); at = t.index + t[0].length; }
  pieces.push(rawOut.slice(at));
  const re = new RegExp(`^${pieces.map(escapeRe).join('([\\s\\S]+?)')}$`, 'd');
  const m = re.exec(rawIn);
  if (!m?.indices) return null;
  return tokens.map((t, i) => ({ start: m.indices![i + 1]![0], end: m.indices![i + 1]![1], token: t[0].replace(/^"|"$/g, '') }));
}

/** Every text a row carries: its text columns, and the string leaves of its `fields` JSON (decoded once more). */
function haystack(row: Record<string, unknown>): string {
  const out: string[] = [];
  for (const c of COLUMNS) if (TEXT_COLUMNS.has(c) && row[c] !== null && row[c] !== undefined) out.push(String(row[c]));
  const leaves = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) leaves(x);
  };
  try { leaves(JSON.parse(String(row.fields))); } catch { /* not JSON: searched as text above */ }
  return out.join('\n');
}

/**
 * The planted value survives: whole as it may be written (plain, in its context's encoding, JSON-escaped in `fields`),
 * or (a secret) a 12-character slice of the value itself. Slices of an encoded form are not searched: `%20%20%20%20`
 * is a slice of a URL-encoded secret and of every encoded run of spaces beside it.
 */
const survives = (p: Planted, text: string) => survivesIn(p, text)
  || [ENCODE[p.context](p.value), JSON.stringify(p.value).slice(1, -1)].some((v) => text.includes(v));

export interface ProductOptions {
  workers?: number;
  /** Keep the temp dir (case, tree, extract) for a look afterwards; its path is printed by the caller. */
  keep?: (dir: string) => void;
}

export async function evaluateThroughProduct(corpus: Corpus, opts: ProductOptions = {}): Promise<ProductEfficacy> {
  const began = performance.now();
  const root = tempDir('casefile-redaction-corpus-');
  const home = process.env.CASEFILE_HOME;
  process.env.CASEFILE_HOME = path.join(root, 'home');
  let engine: Engine | null = null;
  try {
    // 1. the tree: each corpus file where the real layout puts it, records one after another (multi-line ones too)
    const bundle = path.join(root, 'bundle');
    const firstLine = new Map<string, number[]>();
    for (const f of corpus.files) {
      const p = path.join(bundle, f.path);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      let line = 1;
      firstLine.set(f.path, f.records.map((r) => { const at = line; line += r.split('\n').length; return at; }));
      fs.writeFileSync(p, f.records.join('\n') + '\n');
    }
    // 2. the real import into a real case
    engine = await Engine.create({ via: 'test' });
    const info = await engine.call('cases.create', { name: 'redaction corpus', dir: path.join(root, 'case') });
    let t = performance.now();
    await engine.call('import.paths', { caseId: info.id, paths: [bundle] });
    const importMs = performance.now() - t;
    const h = engine.context.getCase(info.id);
    const formats: ProductEfficacy['formats'] = {};
    for (const r of await h.db.read<{ path: string; format: string }>('SELECT path, format FROM files')) {
      const f = corpus.files.find((x) => r.path.endsWith(x.path));
      if (f) formats[f.path] = { expected: f.format, detected: r.format };
    }
    // 3. the real export: the whole case, JSONL, plaintext, the corpus's client rules (its idPatterns are the case's)
    let rows: Record<string, unknown>[] = [];
    let hits: readonly RescanHit[] = [];
    t = performance.now();
    try {
      await runExport(h, {
        selection: {}, format: 'jsonl', rules: corpus.rules, recipient: null, operator: null, ...(opts.workers ? { workers: opts.workers } : {}),
        onChecked: async (file, found) => {
          hits = found;
          rows = [];
          for await (const l of jsonlLines(file)) rows.push(JSON.parse(l) as Record<string, unknown>);
        },
      });
    } catch (e) {
      if (!(e instanceof ExportBlocked)) throw e;
    }
    const exportMs = performance.now() - t;
    return { ...judge(corpus, rows, firstLine, hits), formats, importMs, exportMs, ms: performance.now() - began };
  } finally {
    await engine?.close();
    if (home === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = home;
    if (opts.keep) opts.keep(root); else removeDir(root);
  }
}

/** The extract's rows against the truth: each event mapped to the corpus record(s) its file and lines cover. */
function judge(corpus: Corpus, rows: Record<string, unknown>[], firstLine: Map<string, number[]>, hits: readonly RescanHit[]) {
  const e: Omit<ProductEfficacy, 'formats' | 'importMs' | 'exportMs' | 'ms'> = {
    records: 0, bytes: 0, planted: { secret: 0, pii: 0, negative: 0 }, leaks: [], recall: {}, cleanOverRedaction: 0,
    negatives: {}, consistency: { entities: 0, consistent: 0, sharedTokens: 0 }, rescanHits: [...hits],
    events: rows.length, unmapped: 0, recordsWithoutEvent: 0, unaligned: [], columnMismatches: 0, blocked: null,
  };
  if (hits.length) {
    const byCheck: Record<string, number> = {};
    for (const x of hits) byCheck[`${x.check}:${x.detail}`] = (byCheck[`${x.check}:${x.detail}`] ?? 0) + 1;
    e.blocked = { hits: hits.length, byCheck, first: hits.slice(0, 5).map((x) => x.where) };
  }
  // events by corpus record
  const byRecord = new Map<string, Record<string, unknown>[]>();
  const all: string[] = [];
  for (const row of rows) {
    all.push(haystack(row));
    const file = corpus.files.find((f) => String(row.file).endsWith(f.path));
    const starts = file ? firstLine.get(file.path)! : null;
    const line = Number(row.line);
    const count = Number(row.line_count ?? 1) || 1;
    let mapped = false;
    if (file && starts) {
      for (let i = 0; i < starts.length; i++) {
        const from = starts[i]!;
        const to = from + file.records[i]!.split('\n').length; // exclusive
        if (line < to && line + count > from) {
          const k = `${file.path}#${i}`;
          byRecord.set(k, [...(byRecord.get(k) ?? []), row]);
          mapped = true;
        }
      }
    }
    if (!mapped) e.unmapped++;
  }
  const everywhere = all.join('\n');
  const truthByRecord = new Map<string, Planted[]>();
  for (const p of corpus.truth) truthByRecord.set(`${p.file}#${p.record}`, [...(truthByRecord.get(`${p.file}#${p.record}`) ?? []), p]);
  const tokens = new EntityTokens();
  let clean = 0;
  let cleanRepl = 0;
  for (const f of corpus.files) {
    f.records.forEach((rawIn, i) => {
      e.records++;
      e.bytes += Buffer.byteLength(rawIn);
      const k = `${f.path}#${i}`;
      const events = (byRecord.get(k) ?? []).sort((a, b) => Number(a.line) - Number(b.line));
      if (!events.length) e.recordsWithoutEvent++;
      const rawOut = events.map((r) => String(r.raw ?? '')).join('\n');
      const text = events.length ? events.map(haystack).join('\n') : everywhere;
      const gaps = events.length ? align(rawIn, rawOut) : null;
      if (events.length && !gaps) e.unaligned.push(k);
      // a PII token in another column that the raw column does not hold: one value drew two tokens
      const rawTokens = new Set(rawOut.match(TOKEN) ?? []);
      for (const r of events) {
        for (const c of ['message', 'fields', 'logger'] as const) {
          for (const tok of String(r[c] ?? '').match(TOKEN) ?? []) if (!tok.startsWith('<secret:') && !rawTokens.has(tok)) e.columnMismatches++;
        }
      }
      const planted = truthByRecord.get(k) ?? [];
      if (planted.length === 0) { clean++; cleanRepl += gaps ? gaps.length : rawTokens.size; return; }
      for (const p of planted) {
        e.planted[p.kind]++;
        const inGap = (at: number) => gaps?.some((g) => g.start <= at && g.end > at) ?? false;
        if (p.kind === 'negative') {
          const n = (e.negatives[p.type] ??= { planted: 0, redacted: 0 });
          n.planted++;
          if (gaps ? gaps.some((g) => g.start < p.end && g.end > p.start) : !text.includes(rawIn.slice(p.start, p.end))) n.redacted++;
          continue;
        }
        const leaked = survives(p, text);
        // caught: the value is gone from the event's row and every letter and digit of it was where a token now is
        const replaced = gaps ? [...rawIn.slice(p.start, p.end)].every((ch, j) => !/[A-Za-z0-9]/.test(ch) || inGap(p.start + j)) : rawTokens.size > 0;
        const rc = (e.recall[familyOf(p)] ??= { planted: 0, caught: 0 });
        rc.planted++;
        if (!leaked && replaced) rc.caught++;
        if (leaked) e.leaks.push({ type: p.type, context: p.context, file: f.path, record: i });
        const cover = gaps?.find((g) => g.start <= p.start && g.end >= p.end);
        if (p.kind === 'pii' && cover) {
          tokens.add(p.entity, cover.token);
        }
      }
    });
  }
  e.cleanOverRedaction = clean ? (cleanRepl * 1000) / clean : 0;
  e.consistency = tokens.consistency();
  return e;
}
