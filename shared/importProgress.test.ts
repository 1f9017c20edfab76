import { describe, expect, it } from 'vitest';
import type { FileImportResult, ImportProgress } from './domain';
import { ReadingClock, afterStageLine, importFilesText, importFraction, importStageLine, leftText, secondsLeft, type Sample } from './importProgress';

const MB = 1e6;
/** Samples every second from t=0 at `rate` bytes a second, starting at `from` bytes. */
const steady = (seconds: number, rate: number, from = 0): Sample[] => Array.from({ length: seconds + 1 }, (_, i) => ({ t: i * 1000, bytes: from + i * rate }));
const p = (over: Partial<ImportProgress>): ImportProgress => ({ jobId: 'j', phase: 'parse', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, ...over });

describe('secondsLeft', () => {
  it('is the bytes left at the rate so far once the rate is steady', () => {
    // 30 s at 10 MB/s of 1,000 MB: 700 MB left, 70 s.
    expect(secondsLeft(steady(30, 10 * MB), 1000 * MB, 30_000)).toBeCloseTo(70, 5);
    // Time since the last sample counts down, from the last sample's count.
    expect(secondsLeft(steady(30, 10 * MB), 1000 * MB, 40_000)).toBeCloseTo(60, 5);
  });

  it('measures from where the reading started (files the case already had count as done at once)', () => {
    expect(secondsLeft(steady(20, 5 * MB, 400 * MB), 1000 * MB, 20_000)).toBeCloseTo(100, 5);
  });

  it('says nothing too early: under 10 s, under 5% of the bytes, or no samples', () => {
    expect(secondsLeft(steady(9, 10 * MB), 1000 * MB, 9_000)).toBeNull();
    expect(secondsLeft(steady(20, 1 * MB), 1000 * MB, 20_000)).toBeNull(); // 2% in 20 s
    expect(secondsLeft([], 1000 * MB, 0)).toBeNull();
    expect(secondsLeft(steady(30, 10 * MB), 0, 30_000)).toBeNull();
  });

  it('says nothing while the rate is not stable: a second half at under half or over twice the first half rate', () => {
    const slowing = [...steady(20, 10 * MB), ...steady(20, 1 * MB, 200 * MB).slice(1).map((s) => ({ t: s.t + 20_000, bytes: s.bytes }))];
    expect(secondsLeft(slowing, 1000 * MB, 40_000)).toBeNull();
    const speeding = [...steady(20, 1 * MB), ...steady(20, 20 * MB, 20 * MB).slice(1).map((s) => ({ t: s.t + 20_000, bytes: s.bytes }))];
    expect(secondsLeft(speeding, 1000 * MB, 40_000)).toBeNull();
    // A stall at the end (a big batch the DuckDB reader takes whole reports nothing until it ends) also hides it.
    const stalled = [...steady(15, 10 * MB), { t: 30_000, bytes: 150 * MB }];
    expect(secondsLeft(stalled, 1000 * MB, 30_000)).toBeNull();
  });

  it('is never negative, and null rather than absurd', () => {
    // Long after the last sample: the estimate has run out, it says 0, not a negative.
    expect(secondsLeft(steady(30, 10 * MB), 1000 * MB, 500_000)).toBe(0);
    // Past the total (a file grown since it was listed): 0.
    expect(secondsLeft(steady(30, 50 * MB), 1000 * MB, 30_000)).toBe(0);
    // 100 bytes a second of 1 TB: years, not an estimate.
    expect(secondsLeft(steady(30, 100, 0), 50_000, 30_000)).toBeGreaterThan(0);
    expect(secondsLeft(steady(30, 1 * MB, 0), 1e13, 30_000)).toBeNull();
  });
});

describe('leftText', () => {
  it('says minutes, under a minute, and hours', () => {
    expect(leftText(0)).toBe('less than a minute left');
    expect(leftText(59)).toBe('less than a minute left');
    expect(leftText(61)).toBe('about 1 min left');
    expect(leftText(70 * 60)).toBe('about 70 min left');
    expect(leftText(3 * 3600)).toBe('about 3 h left');
    expect(leftText(2 * 3600 + 20 * 60)).toBe('about 2 h 20 min left');
  });
});

describe('ReadingClock', () => {
  it('samples only the reading, ignores a count that goes back, and keeps a bounded number of samples', () => {
    const c = new ReadingClock(16);
    c.note(0, p({ phase: 'copy', bytesDone: 5, bytesTotal: 10 }));
    for (let i = 0; i <= 100; i++) c.note(i * 1000, p({ bytesDone: i * MB, bytesTotal: 1000 * MB }));
    c.note(100_500, p({ bytesDone: 10 * MB, bytesTotal: 1000 * MB }));
    const samples = (c as unknown as { samples: Sample[] }).samples;
    expect(samples.length).toBeLessThanOrEqual(16);
    expect(samples[0]).toEqual({ t: 0, bytes: 0 });
    expect(samples[samples.length - 1]).toEqual({ t: 100_000, bytes: 100 * MB });
    expect(c.left(1000 * MB, 100_000)).toBeCloseTo(900, 5);
  });
});

describe('the lines and the bar', () => {
  it('says each stage in words', () => {
    expect(importStageLine(p({ phase: 'copy', filesDone: 1204, filesTotal: 9852, bytesDone: 312 * MB, bytesTotal: 1000 * MB })))
      .toBe('Copying the evidence: 1,204 of 9,852 files (312 of 1,000 MB)');
    expect(importStageLine(p({ phase: 'copy' }))).toBe('Copying the evidence: listing the files…');
    expect(importStageLine(p({ bytesDone: 412 * MB, bytesTotal: 1000 * MB }))).toBe('Reading the logs: 412 of 1,000 MB');
    expect(importStageLine(p({ bytesDone: 0.25 * MB, bytesTotal: 1.5 * MB }))).toBe('Reading the logs: 0.3 of 1.5 MB');
    expect(importStageLine(p({ phase: 'done' }))).toBe('Events are readable now; building identifiers and chains…');
    expect(afterStageLine({ phase: 'identifiers', done: 3, total: 40 })).toBe('Events are readable now; building identifiers: 3 of 40 files…');
    expect(afterStageLine({ phase: 'chains', done: 40, total: 40 })).toContain('building chains');
    expect(afterStageLine(null)).toBe('Events are readable now; building identifiers and chains…');
  });

  it('moves the bar by bytes through the copy and then the reading, never past its end', () => {
    expect(importFraction(p({ phase: 'copy', filesDone: 0, filesTotal: 0 }))).toBe(0);
    expect(importFraction(p({ phase: 'copy', filesDone: 5, filesTotal: 10, bytesDone: 50, bytesTotal: 100 }))).toBeCloseTo(0.1);
    expect(importFraction(p({ phase: 'detect' }))).toBeCloseTo(0.2);
    expect(importFraction(p({ bytesDone: 50, bytesTotal: 100 }))).toBeCloseTo(0.6);
    expect(importFraction(p({ bytesDone: 150, bytesTotal: 100 }))).toBe(1);
    expect(importFraction(p({ phase: 'done' }))).toBe(1);
  });
});

describe('importFilesText', () => {
  const file = (name: string, records: number, over: Partial<FileImportResult> = {}): FileImportResult => ({
    file: name, bundle: 'b', format: 'system', reason: 'r', records, lines: records, ok: records, malformed: 0, unparsed: 0,
    untimed: 0, tzRule: 'utc', from: null, to: null, skipped: false, ...over,
  });

  it('counts files and records of a first import', () => {
    expect(importFilesText([file('a', 1000), file('b', 234)])).toBe('2 files · 1,234 records');
    expect(importFilesText([file('a', 1)])).toBe('1 file · 1 record');
  });

  it('does not count as new the files a re-import found in the case, nor their records', () => {
    const had = { skipped: true };
    expect(importFilesText([file('a', 1000, had), file('b', 5, had), file('c', 7)])).toBe('3 files: 1 new (7 records), 2 already in the case');
    expect(importFilesText([file('a', 1000, had), file('b', 5, had)])).toBe('2 files, nothing new: 2 already in the case');
  });

  it('names copies of a file already in the case apart', () => {
    const alias = { skipped: true, aliasOf: { bundle: 'b0', file: 'x' } };
    expect(importFilesText([file('a', 0, alias), file('c', 7)])).toBe('2 files: 1 new (7 records), 1 the same as a file already in it');
    expect(importFilesText([file('a', 0, alias), file('b', 3, { skipped: true }), file('c', 0, alias)]))
      .toBe('3 files, nothing new: 1 already in the case, 2 the same as files already in it');
  });
});
