// `verify` and `audit verify` on a case that cannot be written (issue 8, item 9): a real read-only mount (root
// bypasses chmod, so a tmpfs remounted read-only gives the EROFS a write-protected drive gives) and a real full disk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, openSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir, removeDir } from '../../testkit/tmp';
import { CLI_BIN } from '../../testkit/cliChild';

let root: string;
let mnt: string;

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [CLI_BIN, ...args], { env: { ...process.env, CASEFILE_HOME: path.join(root, 'home'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    c.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    c.on('close', (code) => resolve({ code, out, err }));
  });
}

beforeAll(async () => {
  root = tempDir();
  mnt = path.join(root, 'media');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mnt]);
  const src = path.join(root, 'src/enrich/logs/app');
  mkdirSync(src, { recursive: true });
  writeFileSync(path.join(src, 'app.json.log'), JSON.stringify({ message: 'm', levelname: 'INFO', name: 'app', asctime: '2023-07-30 00:13:45,400', created: 1690656225.4, logid: '1' }) + '\n');
  const imp = await run(['import', path.join(root, 'src'), '--case', path.join(mnt, 'case')], { CASEFILE_RESERVE_BYTES: '0' });
  expect(imp.code, imp.err).toBe(0);
}, 60_000);

afterAll(() => {
  try { execFileSync('umount', [mnt]); } catch { /* not mounted */ }
  removeDir(root);
});

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at |EROFS|ENOSPC/);

describe('verifying a case that cannot be written', () => {
  it('works on read-only media', async () => {
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    try {
      for (const cmd of [['verify'], ['audit', 'verify']]) {
        const r = await run([...cmd, '--case', path.join(mnt, 'case')]);
        expect(r.code, `${cmd.join(' ')}: ${r.err}`).toBe(0);
        expect(r.out).toMatch(/OK/);
        noStack(r.err);
      }
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mnt]);
    }
  }, 60_000);

  it('works on a full disk', async () => {
    const fill = path.join(mnt, 'filler');
    const fd = openSync(fill, 'w');
    const chunk = Buffer.alloc(1 << 20, 1);
    try { for (;;) writeSync(fd, chunk); } catch (e) { expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC'); } finally { closeSync(fd); }
    for (const cmd of [['verify'], ['audit', 'verify']]) {
      const r = await run([...cmd, '--case', path.join(mnt, 'case')]);
      expect(r.code, `${cmd.join(' ')}: ${r.err}`).toBe(0);
      noStack(r.err);
    }
  }, 60_000);
});
