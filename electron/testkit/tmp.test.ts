// removeDir makes read-only evidence deletable by chmodding what it walks. A test tree may hold symbolic links that
// lead out of it (a hostile server's `logs/doodle/etc -> /etc` in the pull lab): the walk must change and remove
// only what is inside the folder, never what a link points to.
import { existsSync, mkdirSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from './tmp';

const outside = tempDir('casefile-outside-');
afterAll(() => removeDir(outside));

describe('removeDir', () => {
  it('does not follow symbolic links out of the folder (their targets keep their modes and stay)', () => {
    mkdirSync(path.join(outside, 'sub'));
    writeFileSync(path.join(outside, 'sub', 'file'), 'x');
    chmodSync(path.join(outside, 'sub', 'file'), 0o644);
    chmodSync(path.join(outside, 'sub'), 0o755);
    writeFileSync(path.join(outside, 'top'), 'y');
    chmodSync(path.join(outside, 'top'), 0o444);
    const dir = tempDir();
    mkdirSync(path.join(dir, 'a'));
    writeFileSync(path.join(dir, 'a', 'evidence'), 'z');
    chmodSync(path.join(dir, 'a', 'evidence'), 0o400);
    symlinkSync(path.join(outside, 'sub'), path.join(dir, 'a', 'dirlink'));
    symlinkSync(path.join(outside, 'top'), path.join(dir, 'filelink'));
    symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
    removeDir(dir);
    expect(existsSync(dir)).toBe(false);
    expect(statSync(path.join(outside, 'sub')).mode & 0o777).toBe(0o755);
    expect(statSync(path.join(outside, 'sub', 'file')).mode & 0o777).toBe(0o644);
    expect(statSync(path.join(outside, 'top')).mode & 0o777).toBe(0o444);
  });
});
