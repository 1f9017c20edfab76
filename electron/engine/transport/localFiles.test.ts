// The local files a profile names (known_hosts files, key files) are checked before they are read: a profile may be
// typed in the app or come sealed from someone else, and a device (/dev/zero never ends), a pipe (never answers) or a
// huge file would hold the engine.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../../testkit/tmp';
import { connectChain, loadKnownHosts, SshError } from './sshChain';

const dir = tempDir();
afterAll(() => removeDir(dir));

describe('files a profile names', () => {
  it('a known_hosts file that is missing counts as empty; a device, a pipe or a folder is refused with a sentence', async () => {
    expect(await loadKnownHosts([path.join(dir, 'none')])).toEqual([]);
    await expect(loadKnownHosts(['/dev/zero'])).rejects.toThrow('/dev/zero is not a regular file (a device, pipe or socket).');
    const fifo = path.join(dir, 'kh.fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(loadKnownHosts([fifo])).rejects.toThrow(`${fifo} is not a regular file`);
    await expect(loadKnownHosts([dir])).rejects.toThrow(`${dir} is a folder, not a file.`);
  });

  it('a key file that is a device is refused before any connection, as a key that cannot be used', async () => {
    const e = await connectChain({
      hops: [{ host: '192.0.2.1', port: 22, user: 'ops', hostKeys: [], auth: { kind: 'key', path: '/dev/zero' } }],
      trust: { knownHosts: [] },
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SshError);
    expect((e as SshError).code).toBe('key-unreadable');
    expect((e as SshError).message).toBe('Cannot use key file /dev/zero: /dev/zero is not a regular file (a device, pipe or socket).');
  });
});
