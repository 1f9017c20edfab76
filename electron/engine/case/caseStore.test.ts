// The writer kept open between two writes (an import and the job after it): reads see each commit at once, the
// next write takes the same writer, and the case goes back to rest (checkpointed, read-only) when it is let go.
import { afterAll, expect, it } from 'vitest';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CaseHandle } from './caseStore';
import type { CaseDb } from '../store/db';
import { tempDir, removeDir } from '../../testkit/tmp';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

const walBytes = (h: CaseHandle) => (existsSync(`${h.files.db}.wal`) ? statSync(`${h.files.db}.wal`).size : 0);
const count = async (h: CaseHandle) => Number((await h.db.read<{ n: string }>('SELECT count(*)::VARCHAR AS n FROM bundles'))[0]!.n);
const addBundles = (db: CaseDb, from: number, n: number) => db.run(`INSERT INTO bundles (id, label, origin, files, bytes, imported_at)
  SELECT 'b' || i, repeat('x', 2000), 'local', 0, 0, now() FROM range(${from}, ${from + n}) t(i)`);

it('keepOpen: reads see the commit at once, the next write takes the same writer, and letting it go checkpoints and rests', async () => {
  const root = tempDir();
  dirs.push(root);
  const h = await CaseHandle.create(path.join(root, 'case'), { name: 'kept' });
  try {
    expect(h.db.readOnly).toBe(true);
    let first: CaseDb | undefined;
    await h.withWriter(async (db) => {
      first = db;
      await db.run(`SET checkpoint_threshold = '4GB'`);
      await db.tx(() => addBundles(db, 0, 5000));
      await db.run('RESET checkpoint_threshold');
    }, { keepOpen: true });
    // Still writing: the reads run beside the writer and see what it committed, which is in the WAL only.
    expect(h.db.readOnly).toBe(false);
    expect(await count(h)).toBe(5000);
    expect(walBytes(h)).toBeGreaterThan(1_000_000);
    await h.withWriter(async (db) => {
      expect(db).toBe(first);
      await addBundles(db, 5000, 1);
    });
    // Let go: checkpointed, closed, at rest.
    expect(h.db.readOnly).toBe(true);
    expect(walBytes(h)).toBe(0);
    expect(await count(h)).toBe(5001);

    await h.withWriter((db) => addBundles(db, 6000, 1), { keepOpen: true });
    await h.rest();
    expect(h.db.readOnly).toBe(true);
    expect(await count(h)).toBe(5002);
    await h.rest(); // nothing kept: nothing to do

    await h.withWriter((db) => addBundles(db, 7000, 1), { keepOpen: true });
  } finally { await h.close(); }
  // Closed with a writer still kept: checkpointed like any other.
  expect(walBytes(h)).toBe(0);
  const again = await CaseHandle.open(path.join(root, 'case'), { readOnly: true });
  try { expect(await count(again)).toBe(5003); } finally { await again.close(); }
});

it('writes on a kept writer run one after another, never two at once on its connection', async () => {
  const root = tempDir();
  dirs.push(root);
  const h = await CaseHandle.create(path.join(root, 'case'), { name: 'turns' });
  try {
    const order: string[] = [];
    const a = h.withWriter(async (db) => {
      order.push('a start');
      await db.tx(() => addBundles(db, 0, 2000));
      order.push('a end');
    }, { keepOpen: true });
    const b = h.withWriter(async (db) => {
      order.push('b start');
      await db.tx(() => addBundles(db, 2000, 1));
      order.push('b end');
    });
    await Promise.all([a, b]);
    expect(order).toEqual(['a start', 'a end', 'b start', 'b end']);
    expect(await count(h)).toBe(2001);
    expect(h.db.readOnly).toBe(true);
  } finally { await h.close(); }
});

it('a damaged or foreign case.json is refused with a sentence that names the file, not a bare parser message', async () => {
  // `casefile: Expected property name or '}' in JSON at position 1` said nothing of which file or what to do.
  const root = tempDir();
  dirs.push(root);
  const dir = path.join(root, 'case');
  const h = await CaseHandle.create(dir, { name: 'damaged' });
  await h.close();
  const caseJson = path.join(dir, 'case.json');
  for (const text of ['{x', '{"name": 5}', '']) {
    writeFileSync(caseJson, text);
    const e = await CaseHandle.open(dir).then(() => null, (err: unknown) => err as { code?: string; message: string });
    expect(e?.code).toBe('invalid_input');
    expect(e?.message).toContain(caseJson);
    expect(e?.message).toMatch(/not a readable case description/);
  }
});
