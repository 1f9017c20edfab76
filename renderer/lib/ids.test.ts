import { describe, expect, it } from 'vitest';
import { isIdField, splitIds } from './ids';

describe('splitIds', () => {
  it('cuts UUIDs out of free text and keeps the rest verbatim', () => {
    const t = 'Task app.tasks.run[3f2b8c1e-9a7d-4e5f-8b2a-1c3d4e5f6a7b] succeeded in 483.36s';
    const p = splitIds(t);
    expect(p.map((x) => x.text).join('')).toBe(t);
    expect(p.filter((x) => x.id).map((x) => x.text)).toEqual(['3f2b8c1e-9a7d-4e5f-8b2a-1c3d4e5f6a7b']);
  });
  it('finds several ids and none in plain text', () => {
    expect(splitIds('a 00000000-0000-0000-0000-000000000000 b FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF').filter((x) => x.id)).toHaveLength(2);
    expect(splitIds('no ids here 1234-5678')).toEqual([{ text: 'no ids here 1234-5678', id: false }]);
  });
  it('knows correlation field names', () => {
    expect(isIdField('request_id')).toBe(true);
    expect(isIdField('runid')).toBe(true);
    expect(isIdField('message')).toBe(false);
  });
});
