// The import's batches: a format's files together and in order, the first batch small so that its events are on
// screen while the rest import (importJob.ts), without changing any file's place (file ids follow the batch order).
import { describe, expect, it } from 'vitest';
import { batches } from './importer';

type Planned = Parameters<typeof batches>[0][number];
const MB = 1024 * 1024;
const file = (rel: string, format: string, size: number) => ({ rel, size, format: { id: format } }) as unknown as Planned;
const names = (bs: Planned[][]) => bs.map((b) => b.map((f) => f.rel));

describe('batches', () => {
  const tree = [file('a0', 'system', 5 * MB), file('b0', 'celery', MB), file('a1', 'system', 5 * MB), file('a2', 'system', 5 * MB), file('a3', 'system', 5 * MB)];

  it('cuts the first batch at the first-batch bytes and keeps every file in its format group and order', () => {
    expect(names([...batches(tree, 'auto', 12 * MB)])).toEqual([['a0', 'a1'], ['a2', 'a3'], ['b0']]);
  });

  it('takes a first file larger than the first batch alone, and does not cut a group that fits', () => {
    expect(names([...batches(tree, 'auto', 4 * MB)])).toEqual([['a0'], ['a1', 'a2', 'a3'], ['b0']]);
    expect(names([...batches(tree, 'auto', 64 * MB)])).toEqual([['a0', 'a1', 'a2', 'a3'], ['b0']]);
  });

  it('never makes the first batch larger than a batch (CASEFILE_IMPORT_BATCH_BYTES below the first batch\'s bytes)', () => {
    const before = process.env.CASEFILE_IMPORT_BATCH_BYTES;
    process.env.CASEFILE_IMPORT_BATCH_BYTES = String(6 * MB);
    try {
      expect(names([...batches(tree, 'auto', 12 * MB)])).toEqual([['a0'], ['a1'], ['a2'], ['a3'], ['b0']]);
    } finally {
      if (before === undefined) delete process.env.CASEFILE_IMPORT_BATCH_BYTES; else process.env.CASEFILE_IMPORT_BATCH_BYTES = before;
    }
  });

  it('yields the same sequence of files whatever the first batch (so file ids do not change)', () => {
    const flat = (bs: Planned[][]) => bs.flat().map((f) => f.rel);
    expect(flat([...batches(tree, 'auto', MB)])).toEqual(flat([...batches(tree, 'auto', 1024 * MB)]));
    expect(flat([...batches(tree, 'js', MB)])).toEqual(flat([...batches(tree, 'auto')]));
  });
});
