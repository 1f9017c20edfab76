// The field sidebar on a result far larger than its sample (issue 16): the sample is drawn from a block sample of
// the case's vectors and read by id runs, so it must still be spread over the whole case and hold matching rows only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { CaseHandle } from '../case/caseStore';
import { makeSyntheticCase } from '../../bench/querySynth';
import { removeDir, tempDir } from '../../testkit/tmp';
import { fieldStats } from './fieldStats';

const root = tempDir('casefile-fieldblocks-');
const ROWS = 300_000;
let handle: CaseHandle;

beforeAll(async () => {
  const dir = path.join(root, 'case');
  await makeSyntheticCase(dir, ROWS);
  handle = await CaseHandle.open(dir, { readOnly: true });
}, 300_000);
afterAll(async () => { await handle.close(); removeDir(root); });

const topOf = (s: Awaited<ReturnType<typeof fieldStats>>, field: string) => s.fields.find((f) => f.field === field)?.top ?? [];

describe('field statistics sampled from blocks of a large case', () => {
  it('spreads the sample over the case: evenly drawn values come out near their share', async () => {
    const s = await fieldStats(handle.db, { filter: {}, top: 6 });
    expect(s).toMatchObject({ total: ROWS, sampled: true, rowsRead: 1000 });
    // `user` is one of six values by a hash of the id, `bundle` one of three by file: a sample from a few
    // neighbouring vectors would show one or two of them.
    const users = topOf(s, 'user');
    expect(users).toHaveLength(6);
    for (const u of users) expect(u.count).toSatisfy((n: number) => n > 100 && n < 240);
    const bundles = topOf(s, 'bundle');
    expect(bundles).toHaveLength(3);
    for (const b of bundles) expect(b.count).toBeGreaterThan(230);
    // Same result each time the operator looks.
    expect(await fieldStats(handle.db, { filter: {}, top: 6 })).toMatchObject({ fields: s.fields });
  });

  it('holds matching rows only, for a text filter too', async () => {
    const s = await fieldStats(handle.db, { filter: { text: 'Timeout after 30s' }, top: 5 });
    expect(s.sampled).toBe(true);
    expect(s.rowsRead).toBe(1000);
    expect(topOf(s, 'level').map((t) => t.value).sort()).toEqual(['CRITICAL', 'ERROR']);
    expect(topOf(s, 'level').reduce((a, t) => a + t.count, 0)).toBe(1000);
  });

  it('a result bunched in a few vectors still gives a full sample of its own rows', async () => {
    // The first ten files (ids 0–11,999 of 300,000): six vectors, which a block sample may miss (then every vector is read).
    const files = Array.from({ length: 10 }, (_, f) => f);
    const paths = (await handle.db.read<{ path: string }>(`SELECT path FROM files WHERE file_id IN (${files.join(', ')})`)).map((r) => r.path);
    const s = await fieldStats(handle.db, { filter: { files: paths }, top: 5 });
    expect(s).toMatchObject({ total: 12_000, sampled: true, rowsRead: 1000 });
    expect(topOf(s, 'file').every((t) => paths.includes(t.value))).toBe(true);
  });
});
