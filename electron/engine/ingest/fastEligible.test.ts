// Which files the DuckDB line reader takes: a file of multi-line records larger than a batch goes to the streaming
// reader, because grouping holds the batch's lines in memory (a 1.5 GB Celery log ran out of the writer's limit).
import { describe, expect, it } from 'vitest';
import { formatById } from '../formats/registry';
import { FAST_GROUP_MAX_BYTES, fastPathEligible } from './fastRead';
import { DEFAULT_LIMITS } from './limits';
import type { FileScan } from './scan';

const scan = (bytes: number, blankOrIndented = false): FileScan => ({
  bytes, lines: Math.ceil(bytes / 100), longestLine: 120, utf8: true, nul: false, unitSeparator: false,
  newline: 'lf', bom: null, blankOrIndented, torn: false,
});
const eligible = (format: string, bytes: number, blankOrIndented = false) =>
  fastPathEligible({ abs: '/case/bundles/b/x.log', size: bytes }, scan(bytes, blankOrIndented), formatById(format)!, DEFAULT_LIMITS);

describe('fast path eligibility by size', () => {
  it('multi-line records: up to a batch by DuckDB, beyond it by the streaming reader', () => {
    expect(eligible('celery', FAST_GROUP_MAX_BYTES)).toEqual({ ok: true });
    expect(eligible('celery', FAST_GROUP_MAX_BYTES + 1)).toEqual({ ok: false, why: 'multi-line records in a file larger than a batch' });
  });
  it('one-line records have no grouping, so any size stays on the fast path', () => {
    expect(eligible('system', FAST_GROUP_MAX_BYTES * 6)).toEqual({ ok: true });
    // …unless indented lines make JSON records span lines.
    expect(eligible('system', FAST_GROUP_MAX_BYTES * 6, true).ok).toBe(false);
  });
});
