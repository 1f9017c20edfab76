// An import's progress in the operator's words, for the Cases view and the CLI alike: one line per stage, the share of
// the whole import done (for a bar), and an estimate of the time left once the reading of the logs has run long
// enough to say one. Pure: the callers bring the clock.
import type { FileImportResult, ImportProgress } from './domain';
import type { CheckCounts } from './contract/import';

const count = (n: number) => Math.max(0, Math.round(n)).toLocaleString('en-US');

/** "312 of 1,000 MB" (tenths under 10 MB, so a small import does not read "0 of 1 MB"). */
export function mbOf(done: number, total: number): string {
  const digits = total < 10e6 ? 1 : 0;
  const mb = (n: number) => (Math.max(0, n) / 1e6).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${mb(Math.min(done, total))} of ${mb(total)} MB`;
}

/** What `import.check` is doing, before its first progress and then with how far its hashing is. */
export const CHECKING = 'Checking which files the case already has…';
export function checkStageLine(p: CheckCounts | null): string {
  if (!p || p.filesTotal === 0) return CHECKING;
  return `Checking which files the case already has: ${count(Math.min(p.filesDone, p.filesTotal))} of ${count(p.filesTotal)} files read (${mbOf(p.bytesDone, p.bytesTotal)})`;
}

/** The import's own stage (`import.progress`) as one line. */
export function importStageLine(p: ImportProgress): string {
  switch (p.phase) {
    case 'copy':
      return p.filesTotal > 0
        ? `Copying the evidence: ${count(Math.min(p.filesDone, p.filesTotal))} of ${count(p.filesTotal)} files (${mbOf(p.bytesDone, p.bytesTotal)})`
        : 'Copying the evidence: listing the files…';
    case 'detect': return `Recognising the formats of ${count(p.filesTotal)} files…`;
    case 'parse': return `Reading the logs: ${mbOf(p.bytesDone, p.bytesTotal)}`;
    case 'index': return 'Events are in; linking identifiers…';
    case 'done': return EVENTS_READY;
    case 'error': return `The import stopped: ${p.message ?? 'an error'}`;
  }
}

/**
 * What an import brought, in one phrase: its files, and of them the ones the case already had (a re-import skips them,
 * and their records are not new) and the copies of a file already in it (aliases, never parsed again).
 */
export function importFilesText(files: readonly FileImportResult[]): string {
  const aliases = files.filter((f) => f.aliasOf).length;
  const had = files.filter((f) => f.skipped && !f.aliasOf).length;
  const fresh = files.filter((f) => !f.skipped);
  const filesText = `${count(files.length)} ${files.length === 1 ? 'file' : 'files'}`;
  const n = fresh.reduce((sum, f) => sum + f.records, 0);
  const records = `${count(n)} ${n === 1 ? 'record' : 'records'}`;
  if (!had && !aliases) return `${filesText} · ${records}`;
  const old = [
    ...(had ? [`${count(had)} already in the case`] : []),
    ...(aliases ? [`${count(aliases)} the same as ${aliases === 1 ? 'a file' : 'files'} already in it`] : []),
  ].join(', ');
  return fresh.length ? `${filesText}: ${count(fresh.length)} new (${records}), ${old}` : `${filesText}, nothing new: ${old}`;
}

export const EVENTS_READY = 'Events are readable now; building identifiers and chains…';
export const ALL_READY = 'Events, identifiers and chains are ready.';

/** The steps of the job after the events (handlers.ts scheduleCorrelation), as its `job.progress` messages say them. */
export const AFTER_STEPS = {
  custody: 'recording the custody digests of the events',
  identifiers: 'building identifiers',
  chains: 'identifiers built; building chains',
} as const;

/** A step of the job after the events in words ("building identifiers: 3 of 40 files…"). */
export function afterStepText(step: { phase: string; done: number; total: number } | null): string {
  if (step?.phase === 'custody') return `${AFTER_STEPS.custody}…`;
  if (step?.phase === 'identifiers' && step.total > 0) return `${AFTER_STEPS.identifiers}: ${count(step.done)} of ${count(step.total)} files…`;
  if (step?.phase === 'chains') return `${AFTER_STEPS.chains}…`;
  return 'building identifiers and chains…';
}

/** A step of the job after the events as the import's line. */
export const afterStageLine = (step: { phase: string; done: number; total: number } | null): string => `Events are readable now; ${afterStepText(step)}`;

/** The copy's share of the bar: it is a fifth or less of the time to events ready (BENCHMARKS.md). */
const COPY_SHARE = 0.2;

/** How much of the import (to events ready) is done, 0..1, by bytes: the copy's bytes, then the reading's. */
export function importFraction(p: ImportProgress): number {
  const part = (done: number, total: number) => (total > 0 ? Math.min(1, Math.max(0, done / total)) : 0);
  switch (p.phase) {
    case 'copy': return COPY_SHARE * (p.bytesTotal > 0 ? part(p.bytesDone, p.bytesTotal) : part(p.filesDone, p.filesTotal));
    case 'detect': return COPY_SHARE;
    case 'parse': return COPY_SHARE + (1 - COPY_SHARE) * part(p.bytesDone, p.bytesTotal);
    default: return 1;
  }
}

/** A point of the reading: when (ms, any clock) and how many of its bytes were done. */
export interface Sample { t: number; bytes: number }

/** Seconds of reading before an estimate is said, and the share of the bytes it must have moved. */
const MIN_SECONDS = 10;
const MIN_SHARE = 0.05;
/** Longer than this is not an estimate anyone can use. */
const MAX_SECONDS = 48 * 3600;

/**
 * Seconds left to read `total` bytes, from samples of the reading (oldest first), at `now`; null while the rate is not
 * yet meaningful: too little time or too few bytes, or a rate that is not stable (the second half of the samples ran
 * at less than half or more than twice the first half's rate). Never negative; null rather than absurd.
 */
export function secondsLeft(samples: readonly Sample[], total: number, now: number): number | null {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || total <= 0) return null;
  const span = (last.t - first.t) / 1000;
  const moved = last.bytes - first.bytes;
  const todo = total - first.bytes;
  if (span < MIN_SECONDS || moved <= 0 || todo <= 0 || moved < MIN_SHARE * todo) return null;
  const rate = moved / span;
  // Stable: the second half of the samples ran at half to twice the first half's rate (each over a quarter of the
  // span at least: a half that is one sample says nothing).
  const mid = first.t + (last.t - first.t) / 2;
  const half = samples.find((s) => s.t >= mid)!;
  const earlySpan = (half.t - first.t) / 1000;
  const lateSpan = (last.t - half.t) / 1000;
  if (earlySpan < span / 4 || lateSpan < span / 4) return null;
  const early = (half.bytes - first.bytes) / earlySpan;
  const late = (last.bytes - half.bytes) / lateSpan;
  if (late < early / 2 || late > early * 2) return null;
  const left = (total - last.bytes) / rate - Math.max(0, now - last.t) / 1000;
  if (!Number.isFinite(left) || left > MAX_SECONDS) return null;
  return Math.max(0, left);
}

/** "about 4 min left", "less than a minute left", "about 2 h 10 min left". */
export function leftText(seconds: number): string {
  if (seconds < 60) return 'less than a minute left';
  const min = Math.round(seconds / 60);
  if (min < 120) return `about ${min} min left`;
  const h = Math.floor(min / 60);
  const m = Math.round((min - h * 60) / 10) * 10;
  return `about ${h} h${m ? ` ${m} min` : ''} left`;
}

/** The reading's samples of one import, bounded (every other one is dropped past `cap`, keeping the first and last). */
export class ReadingClock {
  private samples: Sample[] = [];
  constructor(private readonly cap = 512) {}

  /** Notes a progress point; only the reading's count (the estimate is of the reading, the bulk of the import). */
  note(t: number, p: ImportProgress): void {
    if (p.phase !== 'parse' || p.bytesTotal <= 0) return;
    const last = this.samples[this.samples.length - 1];
    if (last && p.bytesDone < last.bytes) return; // a batch tried again (memory retry) reports from its start
    this.samples.push({ t, bytes: p.bytesDone });
    if (this.samples.length > this.cap) this.samples = this.samples.filter((_, i) => i % 2 === 0 || i === this.samples.length - 1);
  }

  /** Seconds left of the reading, or null (secondsLeft). */
  left(total: number, now: number): number | null {
    return secondsLeft(this.samples, total, now);
  }
}
