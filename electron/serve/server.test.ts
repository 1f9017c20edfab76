// Real HTTP against a real server on 127.0.0.1; the engine here is a small in-memory object with the engine's
// shape (the bridge is what is under test; the real Engine round trip lives in e2e/smoke.spec.ts).
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir, stat } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, EventPayload } from '../../shared/contract';
import { EngineError } from '../engine/api';
import { Engine } from '../engine/engine';
import type { EngineLike } from '../door/dispatch';
import { CSP } from '../door/staticFiles';
import { startServer, type RunningServer } from './server';
import { cancellable, withSignal } from '../engine/util/cancel';
import { phase } from '../engine/util/phases';

class TinyEngine implements EngineLike {
  calls: Array<{ name: string; input: unknown }> = [];
  private listeners = new Set<(p: unknown) => void>();
  async invoke(name: string, input: unknown): Promise<unknown> {
    this.calls.push({ name, input });
    if (name === 'app.info') return { version: '0.1.0', commit: 'test', mode: 'browser', operator: 'tester', defaultCaseId: null };
    if (name === 'cases.get') throw new EngineError('not_found', 'No open case with that id.');
    if (name === 'cases.list') {
      const err = new Error('boom\n    at secret (/home/x/engine.ts:1:1)');
      throw err;
    }
    if (name === 'cases.close') {
      this.emit('import.progress', { jobId: 'j1', phase: 'parse', filesDone: 1, filesTotal: 2, bytesDone: 10, bytesTotal: 20 });
      return { ok: true };
    }
    return null;
  }
  on<N extends EventName>(_name: N, cb: (payload: EventPayload<N>) => void): () => void {
    const fn = cb as (p: unknown) => void;
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  emit(_name: EventName, payload: unknown) {
    for (const l of this.listeners) l(payload);
  }
  get listenerCount() { return this.listeners.size; }
}

type Res = { status: number; headers: http.IncomingHttpHeaders; body: string };

function request(srv: RunningServer, opts: {
  method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean;
}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${srv.port}`, ...opts.headers };
    const req = http.request({ host: '127.0.0.1', port: srv.port, method: opts.method ?? 'GET', path: opts.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) {
      if (opts.chunked) {
        const buf = Buffer.from(opts.body);
        for (let i = 0; i < buf.length; i += 65536) req.write(buf.subarray(i, i + 65536));
      } else {
        req.write(opts.body);
      }
    }
    req.end();
  });
}

const api = (srv: RunningServer, name: string, input: unknown, headers: Record<string, string> = {}) => request(srv, {
  method: 'POST', path: `/api/${name}`, body: JSON.stringify(input),
  headers: { 'content-type': 'application/json', 'x-casefile-token': srv.token, ...headers },
});

describe('browser-mode bridge', () => {
  let dir: string;
  let rendererDir: string;
  let uploadDir: string;
  let engine: TinyEngine;
  let srv: RunningServer;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'casefile-serve-test-'));
    rendererDir = path.join(dir, 'renderer');
    uploadDir = path.join(dir, 'uploads');
    await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
    await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>Casefile</title>');
    await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(path.join(dir, 'secret.txt'), 'outside');
    engine = new TinyEngine();
    srv = await startServer({ engine, port: 0, rendererDir, uploadDir, maxUploadBytes: 100_000 });
  });
  afterAll(async () => {
    await srv.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('binds loopback with a 32-byte token in the URL', () => {
    expect(srv.url).toBe(`http://127.0.0.1:${srv.port}/?token=${srv.token}`);
    expect(Buffer.from(srv.token, 'base64url')).toHaveLength(32);
  });

  it('round-trips app.info', async () => {
    const res = await api(srv, 'app.info', {});
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true, value: expect.objectContaining({ mode: 'browser', version: '0.1.0' }) });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('accepts localhost:<port> as Host and a matching Origin', async () => {
    const res = await api(srv, 'app.info', {}, { host: `localhost:${srv.port}`, origin: `http://localhost:${srv.port}` });
    expect(res.status).toBe(200);
  });

  it('refuses a missing or wrong token without calling the engine', async () => {
    const before = engine.calls.length;
    for (const token of ['', 'x'.repeat(43), srv.token.slice(0, -1) + (srv.token.endsWith('A') ? 'B' : 'A')]) {
      const res = await api(srv, 'app.info', {}, { 'x-casefile-token': token });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toEqual({ ok: false, error: { code: 'forbidden', message: expect.any(String) } });
    }
    const noHeader = await request(srv, { method: 'POST', path: '/api/app.info', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(noHeader.status).toBe(401);
    expect(engine.calls.length).toBe(before);
  });

  it('refuses a foreign Host (DNS rebinding) even with the token', async () => {
    for (const host of [`evil.example:${srv.port}`, '127.0.0.1', `127.0.0.1:${srv.port + 1}`]) {
      const res = await api(srv, 'app.info', {}, { host });
      expect(res.status).toBe(421);
    }
    const page = await request(srv, { path: '/', headers: { host: `rebind.example:${srv.port}` } });
    expect(page.status).toBe(421);
  });

  it('refuses a foreign Origin even with the token', async () => {
    for (const origin of ['http://evil.example', `http://127.0.0.1:${srv.port + 1}`, 'null', `https://127.0.0.1:${srv.port}`]) {
      const res = await api(srv, 'app.info', {}, { origin });
      expect(res.status).toBe(403);
    }
  });

  it('requires a JSON content type (no simple cross-site form posts)', async () => {
    const res = await request(srv, { method: 'POST', path: '/api/app.info', body: '{}', headers: { 'content-type': 'text/plain', 'x-casefile-token': srv.token } });
    expect(res.status).toBe(415);
  });

  it('refuses an oversized body with 413', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(1_100_000) });
    const res = await request(srv, {
      method: 'POST', path: '/api/cases.create', body: big, chunked: true,
      headers: { 'content-type': 'application/json', 'x-casefile-token': srv.token, 'transfer-encoding': 'chunked' },
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('invalid_input');
  });

  it('answers unknown calls and malformed input with typed errors', async () => {
    const unknown = await api(srv, 'shell.exec', { cmd: 'id' });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.code).toBe('unknown_call');

    const proto = await api(srv, '__proto__', {});
    expect(JSON.parse(proto.body).error.code).toBe('unknown_call');

    // Input is validated by the engine behind the bridge (once, whatever the door): a real one here.
    const engine = await Engine.create({ via: 'test' });
    const real = await startServer({ engine, rendererDir });
    try {
      const bad = await api(real, 'events.get', { caseId: 'c', id: 'not a number' });
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body).error).toEqual({ code: 'invalid_input', message: expect.stringContaining('id') });
    } finally {
      await real.close();
      await engine.close();
    }

    const notJson = await request(srv, { method: 'POST', path: '/api/app.info', body: '{', headers: { 'content-type': 'application/json', 'x-casefile-token': srv.token } });
    expect(notJson.status).toBe(400);
  });

  it('passes engine error codes through and never leaks a stack trace', async () => {
    const nf = await api(srv, 'cases.get', { caseId: 'nope' });
    expect(nf.status).toBe(404);
    expect(JSON.parse(nf.body)).toEqual({ ok: false, error: { code: 'not_found', message: 'No open case with that id.' } });

    const crash = await api(srv, 'cases.list', {});
    expect(crash.status).toBe(500);
    const body = JSON.parse(crash.body);
    expect(body.error.code).toBe('internal');
    expect(crash.body).not.toContain('engine.ts');
    expect(crash.body).not.toContain(' at ');
  });

  it('rejects other methods', async () => {
    expect((await request(srv, { method: 'GET', path: '/api/app.info', headers: { 'x-casefile-token': srv.token } })).status).toBe(405);
    expect((await request(srv, { method: 'PUT', path: '/index.html', body: 'x' })).status).toBe(405);
    expect((await request(srv, { method: 'DELETE', path: '/' })).status).toBe(405);
  });

  it('serves the renderer with the CSP and refuses traversal', async () => {
    const index = await request(srv, { path: `/?token=${srv.token}` });
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toBe(CSP);
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    expect(index.body).toContain('<title>Casefile</title>');
    const js = await request(srv, { path: '/assets/app.js' });
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['x-content-type-options']).toBe('nosniff');

    for (const p of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets%2f..%2f..%2fsecret.txt', '/..%5csecret.txt']) {
      const res = await request(srv, { path: p });
      expect(res.status, p).toBeGreaterThanOrEqual(400);
      expect(res.body).not.toContain('outside');
    }
  });

  it('streams engine events over SSE to token holders only', async () => {
    const refused = await request(srv, { path: '/api/events?token=wrong' });
    expect(refused.status).toBe(401);

    const received = await new Promise<string>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: srv.port, path: `/api/events?token=${srv.token}` }, (res) => {
        expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
        let buf = '';
        res.on('data', (c: Buffer) => {
          buf += c.toString('utf8');
          if (buf.includes('retry:') && !buf.includes('event:')) void api(srv, 'cases.close', { caseId: 'c1' });
          if (buf.includes('\n\nevent: import.progress')) {
            const end = buf.indexOf('\n\n', buf.indexOf('event: import.progress'));
            if (end > 0) { req.destroy(); resolve(buf); }
          }
        });
      });
      req.on('error', reject);
    });
    const block = received.slice(received.indexOf('event: import.progress'));
    const data = block.split('\n').find((l) => l.startsWith('data: '))!.slice(6);
    expect(JSON.parse(data)).toMatchObject({ jobId: 'j1', phase: 'parse', filesDone: 1 });
    // The closed stream unsubscribes from the engine.
    await new Promise((r) => setTimeout(r, 50));
    expect(engine.listenerCount).toBe(0);
  });

  it('stores an upload under the upload folder, owner-only, and returns its path', async () => {
    const res = await request(srv, {
      method: 'POST', path: `/api/upload?name=${encodeURIComponent('bundle/logs/app.log')}`, body: 'line 1\nline 2\n',
      headers: { 'x-casefile-token': srv.token, 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(200);
    const { value } = JSON.parse(res.body) as { value: { path: string; dir: string; bytes: number } };
    expect(value.path.startsWith(uploadDir + path.sep)).toBe(true);
    expect(value.path.endsWith(path.join('bundle', 'logs', 'app.log'))).toBe(true);
    expect(await readFile(value.path, 'utf8')).toBe('line 1\nline 2\n');
    if (process.platform !== 'win32') expect((await stat(value.path)).mode & 0o777).toBe(0o600);
    expect(value.bytes).toBe(14);
  });

  it('removes a declined upload batch on request (token required), and only a batch', async () => {
    const batch = 'cd'.repeat(8);
    const up = await request(srv, {
      method: 'POST', path: `/api/upload?batch=${batch}&name=${encodeURIComponent('bundle/app.log')}`, body: 'x\n',
      headers: { 'x-casefile-token': srv.token, 'content-type': 'application/octet-stream' },
    });
    expect(up.status).toBe(200);
    const discard = (b: string, headers: Record<string, string> = { 'x-casefile-token': srv.token }) =>
      request(srv, { method: 'POST', path: `/api/upload.discard?batch=${encodeURIComponent(b)}`, body: '', headers });
    expect((await discard(batch, {})).status).toBe(401);
    expect(await readdir(uploadDir)).toContain(batch);
    for (const bad of ['..', '../x', '', 'ABCDEF0123456789']) expect((await discard(bad)).status, bad).toBe(400);
    const res = await discard(batch);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true, value: { removed: true } });
    expect(await readdir(uploadDir)).not.toContain(batch);
    expect(JSON.parse((await discard(batch)).body)).toEqual({ ok: true, value: { removed: false } });
  });

  it('refuses upload names that climb out, are absolute or carry control characters', async () => {
    const before = await readdir(dir);
    for (const name of ['../../escape.txt', '/etc/passwd', 'a/../../b', '..\\..\\evil.txt', 'C:\\x.txt', 'a\u0000b', '', 'ok/..']) {
      const res = await request(srv, {
        method: 'POST', path: `/api/upload?name=${encodeURIComponent(name)}`, body: 'pwned',
        headers: { 'x-casefile-token': srv.token },
      });
      expect(res.status, JSON.stringify(name)).toBe(400);
    }
    expect(await readdir(dir)).toEqual(before);
    const noToken = await request(srv, { method: 'POST', path: '/api/upload?name=a.log', body: 'x' });
    expect(noToken.status).toBe(401);
  });

  it('answers 409, not 500, when an upload name needs an earlier file to be a folder, or the reverse', async () => {
    const batch = 'ab'.repeat(8);
    const up = (name: string) => request(srv, {
      method: 'POST', path: `/api/upload?batch=${batch}&name=${encodeURIComponent(name)}`, body: 'x\n',
      headers: { 'x-casefile-token': srv.token, 'content-type': 'application/octet-stream' },
    });
    expect((await up('a')).status).toBe(200);
    const clash = await up('a/b.log');
    expect(clash.status).toBe(409);
    expect(JSON.parse(clash.body)).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/clashes with an earlier upload/) } });
    expect((await up('c/d.log')).status).toBe(200);
    expect((await up('c')).status).toBe(409);
    expect((await readdir(path.join(uploadDir, batch))).sort()).toEqual(['a', 'c']);
  });

  it('refuses an upload over the size cap and keeps no partial file', async () => {
    const res = await request(srv, {
      method: 'POST', path: '/api/upload?name=big.log', body: Buffer.alloc(150_000, 97), chunked: true,
      headers: { 'x-casefile-token': srv.token, 'transfer-encoding': 'chunked' },
    });
    expect(res.status).toBe(413);
    const leftovers: string[] = [];
    for (const batch of await readdir(uploadDir)) leftovers.push(...(await readdir(path.join(uploadDir, batch))).filter((f) => f.startsWith('big.log')));
    expect(leftovers).toEqual([]);
  });
});

describe('server lifecycle', () => {
  it('a port already taken fails the start and leaves no upload folder behind', async () => {
    const rendererDir = await mkdtemp(path.join(os.tmpdir(), 'casefile-serve-r-'));
    const first = await startServer({ engine: new TinyEngine(), rendererDir });
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'casefile-serve-tmp-'));
    const before = process.env.TMPDIR;
    process.env.TMPDIR = tmp; // where the second server would make its upload folder
    try {
      await expect(startServer({ engine: new TinyEngine(), port: first.port, rendererDir })).rejects.toThrow(/EADDRINUSE/);
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = before;
      await first.close();
      await rm(tmp, { recursive: true, force: true });
      await rm(rendererDir, { recursive: true, force: true });
    }
  });

  it('closes with an SSE client attached and removes its own upload folder', async () => {
    const rendererDir = await mkdtemp(path.join(os.tmpdir(), 'casefile-serve-r-'));
    const srv = await startServer({ engine: new TinyEngine(), rendererDir });
    await new Promise<void>((resolve) => {
      http.get({ host: '127.0.0.1', port: srv.port, path: `/api/events?token=${srv.token}` }, (res) => {
        res.once('data', () => resolve());
        res.on('error', () => undefined);
      }).on('error', () => undefined);
    });
    await srv.close();
    await expect(stat(srv.uploadDir)).rejects.toThrow();
    await rm(rendererDir, { recursive: true, force: true });
  });
});

describe('a caller that goes away', () => {
  it('closing a request mid-call interrupts the reads of that call, and only that call', async () => {
    const rendererDir = await mkdtemp(path.join(os.tmpdir(), 'casefile-serve-r-'));
    const interrupted: string[] = [];
    let started!: () => void;
    const slowStarted = new Promise<void>((r) => { started = r; });
    // A read of "slow" runs until interrupted (as a DuckDB statement does); any other call answers at once. As
    // Engine.invoke does, the caller's signal rides with the call.
    const engine: EngineLike = {
      on: () => () => undefined,
      invoke: (name, _input, opts) => withSignal(opts?.signal, () => cancellable(() => { interrupted.push(name); }, () => {
        if (name !== 'events.sql') return Promise.resolve({ ok: true });
        started();
        return new Promise((_, reject) => { const t = setInterval(() => { if (interrupted.includes(name)) { clearInterval(t); reject(new Error('interrupted')); } }, 5); });
      })),
    };
    const srv = await startServer({ engine, rendererDir });
    try {
      const req = http.request({ host: '127.0.0.1', port: srv.port, method: 'POST', path: '/api/events.sql',
        headers: { host: `127.0.0.1:${srv.port}`, 'content-type': 'application/json', 'x-casefile-token': srv.token } });
      req.on('error', () => undefined);
      req.end(JSON.stringify({ caseId: 'c', sql: 'SELECT 1' }));
      await slowStarted;
      expect(interrupted).toEqual([]);
      req.destroy(); // the browser aborting its fetch
      await expect.poll(() => interrupted).toEqual(['events.sql']);
      // Another call on the same server still answers, uninterrupted.
      expect((await api(srv, 'app.info', {})).status).toBe(200);
      expect(interrupted).toEqual(['events.sql']);
    } finally {
      await srv.close();
      await rm(rendererDir, { recursive: true, force: true });
    }
  });
});

describe('where a call spent its time', () => {
  it('answers with a Server-Timing header of phase names and milliseconds only, never a value', async () => {
    const rendererDir = await mkdtemp(path.join(os.tmpdir(), 'casefile-serve-r-'));
    const secret = 'postgres://u:hunter2@db/x';
    // The phases the engine's own code notes (SQL, masking) ride with the call through its awaits.
    const engine: EngineLike = {
      on: () => () => undefined,
      invoke: async () => {
        await phase('sql', () => new Promise((r) => setTimeout(r, 20)));
        return phase('mask', () => ({ rows: [{ message: secret }] }));
      },
    };
    const srv = await startServer({ engine, rendererDir });
    try {
      const res = await api(srv, 'events.page', { caseId: 'c', filter: { text: secret } });
      expect(res.status).toBe(200);
      const timing = String(res.headers['server-timing']);
      expect(timing).toMatch(/^[a-z]+;dur=\d+\.\d(, [a-z]+;dur=\d+\.\d)*$/);
      const phases = Object.fromEntries(timing.split(', ').map((p) => { const [n, d] = p.split(';dur='); return [n, Number(d)]; }));
      expect(Object.keys(phases).sort()).toEqual(['call', 'json', 'mask', 'parse', 'read', 'sql']);
      expect(phases.sql).toBeGreaterThanOrEqual(15);
      expect(phases.call).toBeGreaterThanOrEqual(phases.sql!);
      expect(timing).not.toContain('hunter2');
      // A refused call says nothing about time.
      expect((await api(srv, 'events.page', {}, { 'x-casefile-token': 'wrong' })).headers['server-timing']).toBeUndefined();
    } finally {
      await srv.close();
      await rm(rendererDir, { recursive: true, force: true });
    }
  });
});
