import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP } from '../door/staticFiles';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './protocol';

describe('app:// protocol', () => {
  let dir: string;
  let handler: (req: Request) => Promise<Response>;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'casefile-proto-'));
    await mkdir(path.join(dir, 'renderer', 'assets'), { recursive: true });
    await writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>x</title>');
    await writeFile(path.join(dir, 'renderer', 'assets', 'a.js'), 'export {}');
    await writeFile(path.join(dir, 'secret.txt'), 'outside');
    await symlink(path.join(dir, 'secret.txt'), path.join(dir, 'renderer', 'assets', 'link.txt'));
    handler = createAppProtocolHandler(path.join(dir, 'renderer'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is registered standard + secure, without CSP bypass', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true, bypassCSP: false } });
  });

  it('serves renderer files with the strict CSP', async () => {
    const res = await handler(new Request('app://casefile/index.html'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(CSP).toContain("script-src 'self'");
    expect(CSP).toContain("frame-ancestors 'none'");
    expect(CSP).not.toContain('unsafe-eval');
    expect(await res.text()).toContain('<title>x</title>');
    const js = await handler(new Request('app://casefile/assets/a.js'));
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    const root = await handler(new Request('app://casefile/'));
    expect(root.status).toBe(200);
  });

  it('refuses traversal, symlinks out, other hosts and other methods', async () => {
    for (const url of ['app://casefile/%2e%2e/secret.txt', 'app://casefile/assets/..%2f..%2fsecret.txt', 'app://casefile/assets/link.txt',
      'app://casefile/..%5csecret.txt']) {
      const res = await handler(new Request(url));
      expect(res.status, url).toBeGreaterThanOrEqual(400);
      expect(await res.text()).not.toContain('outside');
    }
    expect((await handler(new Request('app://other/index.html'))).status).toBe(404);
    expect((await handler(new Request('app://casefile/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});
