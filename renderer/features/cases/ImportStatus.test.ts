// The status bar's word on a running import: the stage it is in, by what moves in it (the copy's files, the reading's
// megabytes). A files count alone went from the copy's 9,969/9,969 back to 757/9,969 when the reading began, then
// stood at 6,79x for minutes while the big files were read.
import { describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../../shared/domain';
import { importStatusWords } from './ImportStatus';

const p = (phase: ImportProgress['phase'], filesDone: number, bytesDone: number): ImportProgress =>
  ({ jobId: 'j', phase, filesDone, filesTotal: 9969, bytesDone, bytesTotal: 991_000_000 }) as ImportProgress;

describe('importStatusWords', () => {
  it('names the stage, and what moves in it moves in the words', () => {
    expect(importStatusWords(null)).toBe('importing…');
    expect(importStatusWords(p('copy', 9969, 991_000_000))).toBe('Copying the evidence: 9,969 of 9,969 files (991 of 991 MB)');
    const a = importStatusWords(p('parse', 6792, 300_000_000));
    const b = importStatusWords(p('parse', 6792, 567_000_000));
    expect([a, b]).toEqual(['Reading the logs: 300 of 991 MB', 'Reading the logs: 567 of 991 MB']);
  });
});
