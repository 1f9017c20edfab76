// createFileAtomic: the write-time guard behind "sealing does not replace a file" (the handler checks first, but a
// file that appears between that check and the write must still be left as it is).
import { afterAll, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createFileAtomic } from './atomic';
import { removeDir, tempDir } from '../../testkit/tmp';

const root = tempDir('casefile-atomic-');
afterAll(() => removeDir(root));

it('creates a new file whole and owner-only, and leaves an existing one byte-identical', async () => {
  const file = path.join(root, 'out.asc');
  expect(await createFileAtomic(file, 'first')).toBe(true);
  expect(readFileSync(file, 'utf8')).toBe('first');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(await createFileAtomic(file, 'second')).toBe(false);
  expect(readFileSync(file, 'utf8')).toBe('first');
  expect(readdirSync(root)).toEqual(['out.asc']); // the temp file is gone either way
});
