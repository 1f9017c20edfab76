// How extraction cuts files into groups (the import's correlation stage, verify's recomputation): in file order,
// mixing formats, bounded by files and by events, a file larger than the bound alone; every file in exactly one group.
import { describe, expect, it } from 'vitest';
import { extractGroups } from './extractGroups';

describe('extraction groups', () => {
  it('keeps file order and cuts at the file and event bounds', () => {
    const files = [1, 2, 3, 4, 5, 6, 7].map((id) => ({ id, events: 10 }));
    expect(extractGroups(files, 3, 1000)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(extractGroups(files, 100, 25)).toEqual([[1, 2], [3, 4], [5, 6], [7]]);
  });

  it('puts a file larger than the event bound in a group of its own, and loses no file', () => {
    const files = [{ id: 1, events: 5 }, { id: 2, events: 500 }, { id: 3, events: 5 }, { id: 4, events: 0 }];
    expect(extractGroups(files, 100, 100)).toEqual([[1], [2], [3, 4]]);
    expect(extractGroups([], 100, 100)).toEqual([]);
  });
});
