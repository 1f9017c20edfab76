// The evidence copy says how far it is: its files and bytes, done of total, with the totals known from the listing
// before the first file is copied, and done meeting total at its end — a folder, loose files, an archive, and an
// archive inside the evidence (a bundle of its own, listed when it is reached). The import sends it as `copy`
// progress, at most ~10 a second, the last point always.
import { gzipSync } from 'node:zlib';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, expect, it } from 'vitest';
import type { ImportProgress } from '../../../shared/domain';
import { CaseHandle } from '../case/caseStore';
import { CopyMeter, stageBundles } from './bundle';
import { importPaths } from './importer';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));
const root = () => { const d = tempDir(); dirs.push(d); return d; };

const line = (i: number) => JSON.stringify({ message: `tick ${i}`, levelname: 'INFO', name: 'gen', created: 1690656225.4 + i });

/** A folder of `n` logs of different sizes and a .tar.gz holding 3 more; returns its files' count and bytes. */
async function evidence(dir: string, n: number): Promise<{ files: number; bytes: number; inner: { files: number; bytes: number } }> {
  let bytes = 0;
  for (let f = 0; f < n; f++) {
    const text = Array.from({ length: 1 + (f % 17) * 3 }, (_, i) => line(f * 100 + i)).join('\n') + '\n';
    writeAt(dir, `logs/app-${f}.json.log`, text);
    bytes += Buffer.byteLength(text);
  }
  const inside = path.join(dir, '..', 'inside');
  let innerBytes = 0;
  for (let f = 0; f < 3; f++) { const t = `${line(9000 + f)}\n`.repeat(f + 2); writeAt(inside, `w${f}.json.log`, t); innerBytes += Buffer.byteLength(t); }
  await tar.c({ gzip: true, file: path.join(dir, 'nested.tar.gz'), cwd: inside }, ['w0.json.log', 'w1.json.log', 'w2.json.log']);
  const { size } = await import('node:fs/promises').then((fs) => fs.stat(path.join(dir, 'nested.tar.gz')));
  return { files: n + 1, bytes: bytes + size, inner: { files: 3, bytes: innerBytes } };
}

it('the copy meter knows its totals before the first file and meets them at the end (folder, loose files, nested archive)', async () => {
  const r = root();
  const src = path.join(r, 'src');
  const want = await evidence(src, 40);
  const loose = writeAt(r, 'loose/extra.log', 'one line\n');
  const seen: { filesDone: number; filesTotal: number; bytesDone: number; bytesTotal: number }[] = [];
  const meter = new CopyMeter((m) => seen.push({ filesDone: m.filesDone, filesTotal: m.filesTotal, bytesDone: m.bytesDone, bytesTotal: m.bytesTotal }));
  // When each file's head is read (as it is hashed): an archive's members count as copied as they are extracted,
  // before any of them is hashed, not only once hashed (the bar would stand still through the extraction).
  const atHead = new Map<string, number>();
  await stageBundles(path.join(r, 'bundles'), [src, loose], undefined, (rel) => { atHead.set(rel, meter.filesDone); }, undefined, undefined, meter);
  expect(Math.min(...['w0.json.log', 'w1.json.log', 'w2.json.log'].map((f) => atHead.get(f)!))).toBe(want.files + 1 + want.inner.files);
  // The folder's listing comes before any of its files: its totals are whole from the start.
  expect(seen[0]).toEqual({ filesDone: 0, filesTotal: want.files, bytesDone: 0, bytesTotal: want.bytes });
  // One point per file copied, each a file further.
  const copies = seen.filter((s, i) => i > 0 && s.filesDone > seen[i - 1]!.filesDone);
  expect(copies.length).toBe(want.files + 1 + want.inner.files);
  for (let i = 1; i < seen.length; i++) expect(seen[i]!.bytesDone).toBeGreaterThanOrEqual(seen[i - 1]!.bytesDone);
  const files = want.files + 1 + want.inner.files;
  const bytes = want.bytes + 9 + want.inner.bytes;
  expect(seen.at(-1)).toEqual({ filesDone: files, filesTotal: files, bytesDone: bytes, bytesTotal: bytes });
});

it('an import sends the copy\'s progress with its totals, throttled, reaching them', async () => {
  const r = root();
  const src = path.join(r, 'src');
  const want = await evidence(src, 300);
  writeAt(src, 'logs/big.json.log.gz', gzipSync(Buffer.from(Array.from({ length: 5000 }, (_, i) => line(i)).join('\n') + '\n')));
  const h = await CaseHandle.create(path.join(r, 'case'), { name: 'copy progress' });
  try {
    const events: ImportProgress[] = [];
    const started = performance.now();
    await importPaths(h, [src], { onProgress: (p) => events.push(p) });
    const seconds = (performance.now() - started) / 1000;
    const copy = events.filter((p) => p.phase === 'copy');
    const last = copy.at(-1)!;
    const rows = (await h.db.read<{ n: number; bytes: string }>('SELECT count(*)::INTEGER AS n, sum(size)::VARCHAR AS bytes FROM files'))[0]!;
    // Every file the case holds was counted, and the last point is the whole.
    expect(last.filesTotal).toBe(rows.n);
    expect(last.bytesTotal).toBe(Number(rows.bytes));
    expect(last.filesDone).toBe(last.filesTotal);
    expect(last.bytesDone).toBe(last.bytesTotal);
    expect(rows.n).toBe(want.files + 1 + 3);
    // Never past the totals of the moment, never backwards, and not one per file (304 files): ~10 a second at most.
    for (const [i, p] of copy.entries()) {
      expect(p.filesDone).toBeLessThanOrEqual(p.filesTotal);
      if (i > 0) expect(p.filesDone).toBeGreaterThanOrEqual(copy[i - 1]!.filesDone);
    }
    expect(copy.length).toBeLessThanOrEqual(3 + Math.ceil(seconds * 10));
    // The reading's points are throttled too, and its bytes end at the total.
    const parse = events.filter((p) => p.phase === 'parse');
    expect(parse.at(-1)!.bytesDone).toBe(parse.at(-1)!.bytesTotal);
    for (const [i, p] of parse.entries()) if (i > 0) expect(p.bytesDone).toBeGreaterThanOrEqual(parse[i - 1]!.bytesDone);
  } finally { await h.close(); }
});

/** What a folder holds, `.incoming-*` staging folders included. */
const entries = (dir: string) => readdirSync(dir);

/** Stages `input`, cancelled once `after` files are copied; the staging must fail with the cancel. Returns the most
 * files the meter ever counted as copied. */
async function stagedUntilCancel(bundles: string, input: string, after: number): Promise<number> {
  const stop = new AbortController();
  let most = 0;
  const meter = new CopyMeter((m) => {
    most = Math.max(most, m.filesDone);
    if (m.filesDone >= after) stop.abort(new Error('cancelled by the test'));
  }, stop.signal);
  await expect(stageBundles(bundles, [input], undefined, undefined, undefined, undefined, meter)).rejects.toThrow('cancelled by the test');
  return most;
}

it('a cancel stops the copy before its next file: the files under way finish, the staging folder goes, nothing lands', async () => {
  const r = root();
  const src = path.join(r, 'src');
  const want = await evidence(src, 200);
  const bundles = path.join(r, 'bundles');
  const most = await stagedUntilCancel(bundles, src, 5);
  // At most the files already under way (four at a time) were copied after the cancel, not the other ~195.
  expect(most).toBeLessThan(5 + 4);
  expect(most).toBeLessThan(want.files);
  expect(entries(bundles)).toEqual([]);
});

it('a cancel while an archive is extracted stops its members counting as copied (no more are written), and nothing of it lands', async () => {
  const r = root();
  const inside = path.join(r, 'inside');
  for (let f = 0; f < 60; f++) writeAt(inside, `w${f}.json.log`, `${line(f)}\n`.repeat(50));
  const archive = path.join(r, 'logs.tar.gz');
  await tar.c({ gzip: true, file: archive, cwd: inside }, Array.from({ length: 60 }, (_, f) => `w${f}.json.log`));
  const bundles = path.join(r, 'bundles');
  const most = await stagedUntilCancel(bundles, archive, 3);
  expect(most).toBeLessThan(60);
  expect(entries(bundles)).toEqual([]);
});

it('an import cancelled during its copy ends with nothing of that evidence in the case, and a re-run imports it all', async () => {
  const r = root();
  const src = path.join(r, 'src');
  const want = await evidence(src, 200);
  const h = await CaseHandle.create(path.join(r, 'case'), { name: 'copy cancel' });
  try {
    const stop = new AbortController();
    let copiedAtCancel = -1;
    const run = importPaths(h, [src], { signal: stop.signal, onProgress: (p) => {
      // Its first point after the listing (points are throttled, so a later one may come only once the copy is done).
      if (p.phase === 'copy' && p.filesTotal > 0 && copiedAtCancel < 0) { copiedAtCancel = p.filesDone; stop.abort(new Error('cancelled by the test')); }
    } });
    await expect(run).rejects.toThrow('cancelled by the test');
    expect(copiedAtCancel).toBeGreaterThanOrEqual(0);
    expect(entries(h.files.bundles)).toEqual([]);
    const before = (await h.db.read<{ n: number }>('SELECT count(*)::INTEGER AS n FROM files'))[0]!;
    expect(before.n).toBe(0);
    await importPaths(h, [src]);
    const after = (await h.db.read<{ n: number }>('SELECT count(*)::INTEGER AS n FROM files'))[0]!;
    expect(after.n).toBe(want.files + want.inner.files);
  } finally { await h.close(); }
});
