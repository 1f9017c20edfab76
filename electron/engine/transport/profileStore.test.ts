// The site profiles saved in the data home, read back: a file there that is not one this app wrote (a pipe, a link to
// /dev/zero, cut short, far too large) is said in words, listed with its reason, and never hangs or stalls the listing
// of the others.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeDir, tempDir } from '../../testkit/tmp';
import { getProfile, listProfiles, profilesDir, saveProfile } from './profileStore';

let root: string;
const home = process.env.CASEFILE_HOME;
const good = { name: 'good', target: { host: '127.0.0.1', port: 22, user: 'ops', auth: { kind: 'agent' } }, jumps: [], logRoot: '/var/log/enrich', capBytes: 1_000_000, timezone: 'UTC' };

beforeAll(() => {
  root = tempDir('casefile-profiles-');
  process.env.CASEFILE_HOME = path.join(root, 'home');
});
afterAll(() => {
  if (home === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = home;
  removeDir(root);
});

it('a profile that is a pipe, a link to /dev/zero, cut short or 3 GB: each refused in words at once; the good one still listed', async () => {
  await saveProfile(good);
  const at = (n: string) => path.join(profilesDir(), `${n}.json`);
  execFileSync('mkfifo', [at('pipe')]);
  symlinkSync('/dev/zero', at('zero'));
  writeFileSync(at('cut'), '{"name":"cut","target":');
  closeSync(openSync(at('huge'), 'w'));
  execFileSync('truncate', ['-s', '3G', at('huge')]);
  const t0 = Date.now();
  const listed = await listProfiles();
  expect(listed.profiles.map((p) => p.name)).toEqual(['good']);
  // The others are listed with their reason, never silently left out.
  expect(listed.unreadable).toEqual([
    { name: 'cut', error: `Profile "cut" (${at('cut')}) is not valid: not JSON (cut short or garbled). Save it again, or remove the file.` },
    { name: 'huge', error: expect.stringMatching(/^Cannot read profile "huge": .* is too large to be a site profile/) as unknown as string },
    { name: 'pipe', error: `Cannot read profile "pipe": ${at('pipe')} is not a regular file (a device, pipe or socket).` },
    { name: 'zero', error: `Cannot read profile "zero": ${at('zero')} is not a regular file (a device, pipe or socket).` },
  ]);
  await expect(getProfile('pipe')).rejects.toThrow(`Cannot read profile "pipe": ${at('pipe')} is not a regular file (a device, pipe or socket).`);
  await expect(getProfile('zero')).rejects.toThrow(`Cannot read profile "zero": ${at('zero')} is not a regular file (a device, pipe or socket).`);
  await expect(getProfile('cut')).rejects.toThrow(`Profile "cut" (${at('cut')}) is not valid: not JSON (cut short or garbled). Save it again, or remove the file.`);
  await expect(getProfile('huge')).rejects.toThrow(/^Cannot read profile "huge": .* is too large to be a site profile \(3,221,225,472 bytes; at most 1,048,576\)\.$/);
  await expect(getProfile('none')).rejects.toThrow('No profile named "none".');
  expect(Date.now() - t0).toBeLessThan(10_000);
  expect(await getProfile('good')).toMatchObject({ name: 'good' });
}, 30_000);
