// The real-world corpus: excerpts of logs copied from public bug reports, forums and docs (see SOURCES.md), each
// with what a person reading it would expect (manifest.json). Every excerpt is imported as its own bundle through
// the real engine into one real DuckDB case, and measured against its expectation.
import { readFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CaseHandle } from '../../engine/case/caseStore';
import { importPaths } from '../../engine/ingest/importer';
import { writeAt } from '../tmp';

export const CORPUS_DIR = path.dirname(fileURLToPath(import.meta.url));

export interface Expectation {
  /** Format id(s) the records should come out as (several when an envelope splits a file by service). */
  format: string;
  /** Envelope id(s), when the lines are wrapped (journald, docker-compose, timestamps, quoted …), joined by `,`. */
  envelope?: string;
  /** Records a person would count (a traceback belongs to the record it follows). */
  records: number;
  /** Records that carry a stamp of their own (the rest inherit one or have none). */
  timed: number;
  /** UTC instants of the earliest and latest stamped record, site zone UTC. */
  first?: string;
  last?: string;
}

export interface Excerpt {
  id: string;
  /** File name under excerpts/, also the name the file has in its bundle (names weigh in detection). */
  file: string;
  project: string;
  source: string;
  /** Not tuned on: measured and reported apart. */
  heldOut?: boolean;
  /** The file's modification time, for stamps without a date (the day the report was written). */
  mtime?: string;
  expect: Expectation;
  /** Why this excerpt is known not to meet its expectation yet. */
  known?: string;
}

export interface Outcome {
  id: string;
  heldOut: boolean;
  known?: string;
  lines: number;
  /** What the engine made of it: format id(s) and envelope id(s), each sorted and joined by `,`. */
  format: string;
  envelope: string;
  records: number;
  timed: number;
  first: string | null;
  last: string | null;
  /** Every line inside exactly one record, in order, no gaps. */
  accounted: boolean;
  recognised: boolean;
  /** Stamped records read at the right instant: the timed count when the range is right, else 0. */
  timedCorrect: number;
  /** The expectation holds exactly. */
  pass: boolean;
}

export function loadManifest(): Excerpt[] {
  return JSON.parse(readFileSync(path.join(CORPUS_DIR, 'manifest.json'), 'utf8')) as Excerpt[];
}

export function excerptText(e: Excerpt): string {
  return readFileSync(path.join(CORPUS_DIR, 'excerpts', e.file), 'utf8');
}

function lineCount(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

const iso = (s: string | null | undefined) => (s ? new Date(s).toISOString() : null);

interface FileRow { bundle: string; format: string; reason: string; lines: number; records: number; timed: number; first: string | null; last: string | null; gaps: number; covered: number; start: number }

/** Imports every excerpt (each its own bundle) into a fresh case under `root` and measures each one. */
export async function runCorpus(root: string, excerpts: Excerpt[] = loadManifest()): Promise<Outcome[]> {
  const inputs = excerpts.map((e) => {
    const dir = path.join(root, 'in', e.id);
    const p = writeAt(dir, e.file, excerptText(e));
    if (e.mtime) utimesSync(p, new Date(e.mtime), new Date(e.mtime));
    return dir;
  });
  // The site zone is set, not inferred: each excerpt stands alone, and naive stamps are read as UTC.
  const handle = await CaseHandle.create(path.join(root, 'case'), { name: 'corpus', timezone: 'UTC' });
  try {
    const res = await importPaths(handle, inputs);
    const bundleOf = new Map(res.bundles.map((b, i) => [b.id, excerpts[i]!.id]));
    const rows = await handle.db.read<FileRow>(`
      WITH ev AS (
        SELECT file_id, line, line_count, ts, ts_flag,
               line - coalesce(lag(line + line_count) OVER (PARTITION BY file_id ORDER BY id), 1) AS gap
        FROM event_store)
      SELECT f.bundle, f.format, f.reason, f.lines::INTEGER AS lines, count(ev.file_id)::INTEGER AS records,
             count_if(ev.ts IS NOT NULL AND ev.ts_flag NOT IN ('inherited', 'none'))::INTEGER AS timed,
             strftime(min(ev.ts) FILTER (WHERE ev.ts_flag NOT IN ('inherited', 'none')), '%Y-%m-%dT%H:%M:%S.%fZ') AS first,
             strftime(max(ev.ts) FILTER (WHERE ev.ts_flag NOT IN ('inherited', 'none')), '%Y-%m-%dT%H:%M:%S.%fZ') AS last,
             count_if(ev.gap <> 0)::INTEGER AS gaps, coalesce(sum(ev.line_count), 0)::INTEGER AS covered,
             coalesce(min(ev.line), 1)::INTEGER AS start
      FROM files f LEFT JOIN ev ON ev.file_id = f.file_id
      GROUP BY f.file_id, f.bundle, f.format, f.reason, f.lines ORDER BY f.file_id`);
    const byExcerpt = new Map<string, FileRow[]>();
    for (const r of rows) {
      const id = bundleOf.get(r.bundle);
      if (id) byExcerpt.set(id, [...(byExcerpt.get(id) ?? []), r]);
    }
    return excerpts.map((e) => measure(e, byExcerpt.get(e.id) ?? []));
  } finally {
    await handle.close();
  }
}

function measure(e: Excerpt, files: FileRow[]): Outcome {
  const lines = lineCount(excerptText(e));
  const sum = (k: 'records' | 'timed' | 'covered') => files.reduce((n, f) => n + Number(f[k]), 0);
  const pick = (k: 'first' | 'last', better: (a: string, b: string) => boolean) =>
    files.map((f) => iso(f[k])).filter((x): x is string => !!x).reduce<string | null>((m, x) => (m === null || better(x, m) ? x : m), null);
  const format = [...new Set(files.map((f) => f.format))].sort().join(',');
  // Detection names the envelopes it unwrapped in its reason (`envelope <id>: …`).
  const envelope = [...new Set(files.flatMap((f) => [...f.reason.matchAll(/envelope ([\w-]+):/g)].map((m) => m[1]!)))].sort().join(',');
  const records = sum('records');
  const timed = sum('timed');
  const first = pick('first', (a, b) => a < b);
  const last = pick('last', (a, b) => a > b);
  // Split into several sources or not, the lines read must be the file's lines, each inside exactly one record.
  const accounted = files.length > 0 && files.every((f) => Number(f.gaps) === 0 && Number(f.covered) === Number(f.lines) && (Number(f.records) === 0 || Number(f.start) === 1))
    && (files.length > 1 || Number(files[0]!.lines) === lines);
  const want = e.expect;
  const wantFormat = want.format.split(',').sort().join(',');
  const recognised = format === wantFormat && envelope === (want.envelope ?? '').split(',').filter(Boolean).sort().join(',');
  const rangeRight = iso(want.first) === first && iso(want.last) === last;
  const timedCorrect = rangeRight ? Math.min(timed, want.timed) : 0;
  const pass = accounted && recognised && records === want.records && timed === want.timed && rangeRight;
  return {
    id: e.id, heldOut: !!e.heldOut, ...(e.known ? { known: e.known } : {}), lines, format, envelope, records, timed, first, last,
    accounted, recognised, timedCorrect, pass,
  };
}

export interface Figures { excerpts: number; recognised: number; lines: number; linesAccounted: number; records: number; recordsRight: number; timed: number; timedCorrect: number; pass: number }

/** The corpus figures: files recognised, lines accounted, records counted right, stamped records timed right. */
export function figures(outcomes: Outcome[], excerpts: Excerpt[]): Figures {
  const want = new Map(excerpts.map((e) => [e.id, e.expect]));
  const f: Figures = { excerpts: 0, recognised: 0, lines: 0, linesAccounted: 0, records: 0, recordsRight: 0, timed: 0, timedCorrect: 0, pass: 0 };
  for (const o of outcomes) {
    const w = want.get(o.id)!;
    f.excerpts++;
    if (o.recognised) f.recognised++;
    f.lines += o.lines;
    if (o.accounted) f.linesAccounted += o.lines;
    f.records += w.records;
    f.recordsRight += o.records === w.records ? w.records : 0;
    f.timed += w.timed;
    f.timedCorrect += o.timedCorrect;
    if (o.pass) f.pass++;
  }
  return f;
}
