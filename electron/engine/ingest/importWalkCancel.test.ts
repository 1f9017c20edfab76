// import.paths' Cancel reaches the walk of a folder tree, as import.check's does (checkCancel.test.ts): before, the
// import walked every folder of the input (to list and size it) and only then asked the cancel, at its first copy.
// Measured in the folders the walk read (their access times). The words are the import's own (its signal's reason).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { removeDir, tempDir } from '../../testkit/tmp';
import { atimeTree, type AtimeTree } from '../../testkit/atimeTree';
import { EngineError } from '../util/errors';
import { CopyMeter, stageBundles } from './bundle';

const root = tempDir('casefile-import-walk-cancel-');
afterAll(() => removeDir(root));
let tree: AtimeTree;
beforeAll(() => {
  tree = atimeTree(path.join(root, 'tree'), 30);
  expect(tree.live(), 'this filesystem does not record access times').toBe(true);
});

it('an import cancelled before its walk reads no folder of the input, and says the import\'s own words', async () => {
  tree.age();
  const stop = new AbortController();
  stop.abort(new EngineError('cancelled', 'The import job was cancelled.'));
  const bundles = path.join(root, 'bundles');
  const answer = await stageBundles(bundles, [tree.dir], undefined, undefined, undefined, undefined, new CopyMeter(() => undefined, stop.signal))
    .then(() => 'finished', (e: Error) => e.message);
  expect(answer).toBe('The import job was cancelled.');
  expect(tree.readSince()).toEqual([]);
  expect(readdirSync(bundles)).toEqual([]);
});
