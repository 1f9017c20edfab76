// import.check's Cancel reaches inside the read of one large file (a plain file, a tar, a zip) and inside the walk
// of a folder tree: before, a tar's or zip's members were read to the archive's end and a tree walked to its last
// folder before the cancel was asked. Measured in bytes the process read (/proc/self/io rchar) and in the folders the
// walk read (their access times), not in time; nothing is left open on the file, no listener on the signal.
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { getEventListeners } from 'node:events';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckCounts } from '../../../shared/contract/import';
import { removeDir, tempDir } from '../../testkit/tmp';
import { atimeTree, type AtimeTree } from '../../testkit/atimeTree';
import { walkFiles } from './bundle';
import { hashIncoming } from './check';
import { resolveLimits } from './limits';

const MB = 1024 ** 2;
const BIG = 300 * MB;
/** A cancel after the first chunk may let a few more chunks (64 KB) through; without it the whole file is read. */
const BOUND = 16 * MB;
const root = tempDir('casefile-check-cancel-');
const big = path.join(root, 'big.log');
const bigTar = path.join(root, 'big.tar');
const bigZip = path.join(root, 'big.zip');

const rchar = () => Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
/** This process's open descriptors on `file`. */
const openOn = (file: string) => readdirSync('/proc/self/fd').filter((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`) === file; } catch { return false; } });

beforeAll(async () => {
  const fd = openSync(big, 'w');
  ftruncateSync(fd, BIG); // sparse: 300 MB to read, nothing on the disk
  closeSync(fd);
  await tar.c({ file: bigTar, cwd: root }, ['big.log']);
  execFileSync('zip', ['-q0', bigZip, 'big.log'], { cwd: root });
}, 120_000);
afterAll(() => removeDir(root));

/** A check of `input` cancelled at its first word of bytes read inside the file; what it answered and read. */
async function cancelInside(input: string) {
  const stop = new AbortController();
  const said: CheckCounts[] = [];
  const before = rchar();
  const answer = await hashIncoming([input], resolveLimits(), [], () => false, undefined, true, {
    signal: stop.signal,
    onProgress: (p) => { said.push(p); if (p.bytesDone > 0 && p.filesDone === 0) { stop.abort(); stop.abort(); } },
  }).then(() => 'finished', (e: Error) => e.message);
  return { answer, read: rchar() - before, said, signal: stop.signal };
}

describe('a cancel inside one large file', () => {
  it.each([['a plain file', big], ['a tar', bigTar], ['a zip (stored)', bigZip]])('%s: answers cancelled having read far less than the file, and leaves it closed', async (_what, input) => {
    const { answer, read, said, signal } = await cancelInside(input);
    expect(answer).toMatch(/cancelled/);
    expect(read, `${(read / MB).toFixed(1)} MB read of ${statSync(input).size / MB} MB`).toBeLessThan(BOUND);
    expect(Math.max(...said.map((p) => p.bytesDone))).toBeLessThan(BOUND);
    await expect.poll(() => openOn(input)).toEqual([]);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  }, 120_000);

  it('uncancelled, its bytes only go forward: an archive in a folder is read twice (its digest, then its members)', async () => {
    mkdirSync(path.join(root, 'holds-tar'));
    linkSync(bigTar, path.join(root, 'holds-tar', 'big.tar'));
    const said: CheckCounts[] = [];
    const out = await hashIncoming([path.join(root, 'holds-tar')], resolveLimits(), [], () => false, undefined, true, { onProgress: (p) => said.push(p) });
    expect(out.map((f) => f.file)).toEqual(['big.tar', 'big.log']);
    expect(said.length).toBeGreaterThan(2);
    for (let i = 1; i < said.length; i++) expect(said[i]!.bytesDone, `progress ${i} of ${said.length}`).toBeGreaterThanOrEqual(said[i - 1]!.bytesDone);
    expect(said.at(-1)).toEqual({ filesDone: 1, filesTotal: 1, bytesDone: statSync(bigTar).size, bytesTotal: statSync(bigTar).size });
  }, 120_000);

  it('a cancel after the end changes nothing and leaves no listener on the signal', async () => {
    const small = path.join(root, 'small.tar');
    await tar.c({ file: small, cwd: root }, ['small.tar.log'].map((n) => { writeFileSync(path.join(root, n), 'x\n'); return n; }));
    const stop = new AbortController();
    const out = await hashIncoming([small], resolveLimits(), [], () => false, undefined, true, { signal: stop.signal });
    expect(out.map((f) => f.file)).toEqual(['small.tar.log']);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
    stop.abort();
    expect(openOn(small)).toEqual([]);
  });
});

describe('a cancel during the walk of a folder tree', () => {
  let t: AtimeTree;
  let tree = '';
  const readSince = () => t.readSince();
  const age = () => t.age();

  beforeAll(() => {
    t = atimeTree(path.join(root, 'tree'), 30);
    tree = t.dir;
    symlinkSync('/etc/hostname', path.join(tree, 'a-link'));
    // The measure is live: reading a folder moves its access time here.
    expect(t.live(), 'this filesystem does not record access times').toBe(true);
  });

  it('cancelled before it starts: answers cancelled, no folder read', async () => {
    age();
    const stop = new AbortController();
    stop.abort();
    const answer = await hashIncoming([tree], resolveLimits(), [], () => false, undefined, true, { signal: stop.signal }).then(() => 'finished', (e: Error) => e.message);
    expect(answer).toMatch(/cancelled/);
    expect(readSince()).toEqual([]);
  });

  it('cancelled part-way (at the link it meets): no folder after it is read', async () => {
    age();
    const order = readdirSync(tree); // the walk's order: the folder's own
    const stop = new AbortController();
    const dropped: string[] = [];
    dropped.push = (...notes: string[]) => { stop.abort(); return Array.prototype.push.apply(dropped, notes); };
    const answer = await walkFiles(tree, dropped, undefined, stop.signal).then(() => 'finished', (e: Error) => e.message);
    expect(answer).toMatch(/cancelled/);
    expect([...dropped]).toEqual([expect.stringMatching(/^a-link: a symbolic link/)]);
    expect(readSince()).toEqual(order.slice(0, order.indexOf('a-link')).filter((n) => n !== 'a-link').sort());
  });
});
