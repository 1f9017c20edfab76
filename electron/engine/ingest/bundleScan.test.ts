// The evidence copy hashes and scans each file in one read with reused buffers: its sha256 and scan must equal a
// fresh read's, also where a CR, a multi-byte character or a line end straddles the 1 MB read boundary, and when
// several files are read at once. The head detection reads comes from that same read, as a read of its own gives it.
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { stageBundles } from './bundle';
import { scanFile } from './scan';
import { HEAD_BYTES, readHeadLines } from './records';

const root = mkdtempSync(path.join(tmpdir(), 'bundle-scan-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const MB = 1 << 20;

it('gives each file the sha256 and scan of a fresh read', async () => {
  const src = path.join(root, 'src');
  const files: Record<string, Buffer> = {
    'crlf-straddle.log': Buffer.from('a'.repeat(MB - 1) + '\r\n' + 'b\r\n'),
    'lone-cr-straddle.log': Buffer.from('a'.repeat(MB - 1) + '\rX\n'),
    'utf8-straddle.log': Buffer.from('a'.repeat(MB - 1) + 'é✓\n' + 'z'.repeat(MB) + '\n'),
    'bad-utf8-straddle.log': Buffer.concat([Buffer.from('a'.repeat(MB - 1)), Buffer.from([0xc3, 0x28, 0x0a])]),
    'torn.log': Buffer.from('x\ny'),
    'empty.log': Buffer.alloc(0),
    ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`small/${i}.log`, Buffer.from(`line ${i}\n`.repeat(i + 1))])),
  };
  for (const [rel, bytes] of Object.entries(files)) {
    const f = path.join(src, rel);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, bytes);
  }
  const [b] = await stageBundles(path.join(root, 'bundles'), [src]);
  for (const m of b!.manifest.files) {
    const copy = path.join(b!.dir, m.path);
    expect(readFileSync(copy).equals(files[m.path]!)).toBe(true);
    expect(m.sha256).toBe(createHash('sha256').update(files[m.path]!).digest('hex'));
    expect({ path: m.path, scan: b!.scans.get(m.path) }).toEqual({ path: m.path, scan: await scanFile(copy) });
  }
  expect(b!.scans.get('lone-cr-straddle.log')).toMatchObject({ newline: 'mixed' });
  expect(b!.scans.get('crlf-straddle.log')).toMatchObject({ newline: 'crlf', lines: 2 });
  expect(b!.scans.get('bad-utf8-straddle.log')).toMatchObject({ utf8: false });
  expect(b!.scans.get('utf8-straddle.log')).toMatchObject({ utf8: true, lines: 2 });
}, 60_000);

it('gives each plain file the head a read of its own gives, from the copy\'s read', async () => {
  const src = path.join(root, 'heads');
  const K = HEAD_BYTES;
  const files: Record<string, Buffer> = {
    'exact.log': Buffer.from('x'.repeat(K - 1) + '\n'),
    'one-more.log': Buffer.from('x'.repeat(K) + '\n'),
    'short.log': Buffer.from('a\r\nb\r\nc'),
    'char-at-the-cut.log': Buffer.from('a\n' + 'b'.repeat(K - 4) + 'é\nrest\n'),
    'long-line.log': Buffer.from('y'.repeat(3 * K)),
    'bom.log': Buffer.from('\ufeff{"a":1}\n'),
    'utf16.log': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('one\ntwo\n', 'utf16le')]),
    'bad-bytes.log': Buffer.from([0x61, 0xc3, 0x0a, 0x62, 0x0a]),
    'tiny.log': Buffer.from('ab'),
    'empty.log': Buffer.alloc(0),
    'packed.log.gz': gzipSync(Buffer.from('zipped\n')),
  };
  for (const [rel, bytes] of Object.entries(files)) {
    mkdirSync(src, { recursive: true });
    writeFileSync(path.join(src, rel), bytes);
  }
  const [b] = await stageBundles(path.join(root, 'bundles-heads'), [src], undefined, (_rel, head) => head);
  for (const m of b!.manifest.files) {
    if (m.path.endsWith('.gz')) { expect(b!.heads.has(m.path)).toBe(false); continue; }
    expect({ path: m.path, head: b!.heads.get(m.path) }).toEqual({ path: m.path, head: await readHeadLines(path.join(b!.dir, m.path)) });
  }
  expect(b!.heads.get('char-at-the-cut.log')).toEqual(['a']);
  expect(b!.heads.get('short.log')).toEqual(['a', 'b', 'c']);
}, 60_000);

it('describes the copy as it landed when a source grows after the folder was listed (a live log)', async () => {
  const src = path.join(root, 'live');
  mkdirSync(src, { recursive: true });
  for (let i = 0; i < 4; i++) writeFileSync(path.join(src, `a${i}.log`), `line ${i}\n`);
  const log = path.join(src, 'z.log');
  const before = Buffer.from('old line\n'.repeat(300_000));
  writeFileSync(log, before);
  const more = Buffer.from('written after the listing\n');
  // Four files copy at once: the first head is looked at before z.log (the fifth) is copied, after it was listed.
  let grown = false;
  const [b] = await stageBundles(path.join(root, 'bundles-live'), [src], undefined, () => {
    if (!grown) appendFileSync(log, more);
    grown = true;
  });
  const m = b!.manifest.files.find((f) => f.path === 'z.log')!;
  const copy = readFileSync(path.join(b!.dir, m.path));
  expect(copy.equals(Buffer.concat([before, more]))).toBe(true);
  expect(m.size).toBe(copy.length);
  expect(b!.bytes).toBe(copy.length + 4 * 'line 0\n'.length);
  expect(m.sha256).toBe(createHash('sha256').update(copy).digest('hex'));
  expect(b!.scans.get(m.path)).toEqual(await scanFile(path.join(b!.dir, m.path)));
}, 60_000);
