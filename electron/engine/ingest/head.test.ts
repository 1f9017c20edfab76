// The head detection reads (readHeadLines): the first 64 KB as lines, a cut last line dropped, the same whether the
// file is plain or gzip, with its byte order mark honoured.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { readHeadLines } from './records';

const dir = mkdtempSync(path.join(tmpdir(), 'head-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, bytes: Buffer | string) => { const f = path.join(dir, name); writeFileSync(f, bytes); return f; };
const KB64 = 64 * 1024;

it('reads a small file whole, CRLF or not, and a file with no newline as one line', async () => {
  expect(await readHeadLines(write('a.log', 'one\r\ntwo\nthree'))).toEqual(['one', 'two', 'three']);
  expect(await readHeadLines(write('b.log', 'one\n'))).toEqual(['one', '']);
  expect(await readHeadLines(write('empty.log', ''))).toEqual(['']);
  expect(await readHeadLines(path.join(dir, 'missing.log'))).toEqual(['']);
});

it('stops at 64 KB and drops the cut line, plain and gzip alike', async () => {
  const line = 'x'.repeat(99);
  const text = Array.from({ length: 1000 }, (_, i) => `${i} ${line}`).join('\n') + '\n';
  const plain = await readHeadLines(write('big.log', text));
  expect(plain.join('\n').length).toBeLessThan(KB64);
  expect(plain.at(-1)).toMatch(/^\d+ x{99}$/);
  expect(text.startsWith(plain.join('\n') + '\n')).toBe(true);
  expect(await readHeadLines(write('big.log.gz', gzipSync(text)))).toEqual(plain);
  // Exactly 64 KB is a cut head too (as before): its last line is dropped.
  const exact = 'y'.repeat(KB64 - 6) + '\nabcd\n';
  expect(await readHeadLines(write('exact.log', exact))).toEqual(['y'.repeat(KB64 - 6), 'abcd']);
  // One huge line keeps its start as the only line.
  expect(await readHeadLines(write('huge.log', 'z'.repeat(KB64 * 2)))).toEqual(['z'.repeat(KB64)]);
});

it('decodes by byte order mark, also when a character straddles the 64 KB cut', async () => {
  expect(await readHeadLines(write('bom8.log', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('é\nü\n')])))).toEqual(['é', 'ü', '']);
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a\nb\n', 'utf16le')]);
  expect(await readHeadLines(write('le.log', le))).toEqual(['a', 'b', '']);
  const straddle = 'a'.repeat(KB64 - 1) + 'é\n';
  expect(await readHeadLines(write('straddle.log', straddle))).toEqual(['a'.repeat(KB64 - 1)]); // the cut character is left out, not shown as U+FFFD
});
