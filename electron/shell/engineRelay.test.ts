// Main-side proxy and host-side relay wired through a real MessageChannel (structured clone, as between
// main and the utility process).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_MS, type EventName, type EventPayload } from '../../shared/contract';
import { EngineError } from '../engine/api';
import { Engine } from '../engine/engine';
import { dispatch, type EngineLike } from '../door/dispatch';
import { buildCase } from '../testkit/testCase';
import { EngineProxy, relayTimeout, serveEngine, type FromHost, type ToHost } from './engineRelay';

class TinyEngine implements EngineLike {
  private cbs = new Map<string, (p: unknown) => void>();
  get cb() { return this.cbs.get('import.progress'); }
  async invoke(name: string, input: unknown) {
    if (name === 'cases.get') throw new EngineError('not_found', `No case ${(input as { caseId: string }).caseId}.`);
    if (name === 'cases.close') { this.cb?.({ jobId: 'j', phase: 'done', filesDone: 1, filesTotal: 1, bytesDone: 0, bytesTotal: 0 }); return { ok: true }; }
    return { version: '0.1.0', commit: 'c', mode: 'electron', operator: 'op', defaultCaseId: null };
  }
  on<N extends EventName>(n: N, cb: (p: EventPayload<N>) => void) { this.cbs.set(n, cb as (p: unknown) => void); return () => { this.cbs.delete(n); }; }
}

/** A statement that would run for minutes. */
const FOREVER = 'SELECT sum(a.range * b.range) AS s FROM range(100000000) a, range(1000) b';

const channels: MessageChannel[] = [];
afterEach(() => { for (const c of channels.splice(0)) { c.port1.close(); c.port2.close(); } });

/** `fromHost` collects what the host posts back, beside the proxy's own handling. */
function wire(engine: Promise<EngineLike>, fromHost: FromHost[] = []) {
  const ch = new MessageChannel();
  channels.push(ch);
  const proxy = new EngineProxy();
  proxy.attach((m: ToHost) => ch.port1.postMessage(m));
  ch.port1.on('message', (m: FromHost) => { fromHost.push(m); proxy.handleMessage(m); });
  serveEngine(engine, { post: (m) => ch.port2.postMessage(m), onMessage: (cb) => ch.port2.on('message', cb) });
  return proxy;
}

describe('engine relay', () => {
  it('round-trips calls, typed errors and events across a message port', async () => {
    const proxy = wire(Promise.resolve(new TinyEngine()));
    expect(await dispatch(proxy, 'app.info', {})).toEqual({ ok: true, value: expect.objectContaining({ mode: 'electron' }) });
    expect(await dispatch(proxy, 'cases.get', { caseId: 'k' })).toEqual({ ok: false, error: { code: 'not_found', message: 'No case k.' } });
    const events: unknown[] = [];
    proxy.on('import.progress', (p) => events.push(p));
    await dispatch(proxy, 'cases.close', { caseId: 'k' });
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual([expect.objectContaining({ jobId: 'j', phase: 'done' })]);
  });

  it('the host validates too (a compromised main cannot skip the contract)', async () => {
    const engine = await Engine.create({ via: 'test' });
    const proxy = wire(Promise.resolve(engine));
    await expect(proxy.invoke('no.such', {})).rejects.toMatchObject({ code: 'unknown_call' });
    await expect(proxy.invoke('cases.get', { caseId: 5 })).rejects.toMatchObject({ code: 'invalid_input' });
    await engine.close();
  });

  it('reports an engine that failed to start on every call', async () => {
    const proxy = wire(Promise.reject(new Error('DuckDB could not open /x/case.duckdb')));
    expect(await dispatch(proxy, 'app.info', {})).toEqual({ ok: false, error: { code: 'internal', message: 'DuckDB could not open /x/case.duckdb' } });
  });

  it('fails pending and later calls when the host goes away', async () => {
    const proxy = new EngineProxy();
    proxy.attach(() => undefined); // host never answers
    const pending = dispatch(proxy, 'app.info', {});
    proxy.detach('The engine stopped (exit code 1).');
    expect(await pending).toEqual({ ok: false, error: { code: 'internal', message: 'The engine stopped (exit code 1).' } });
    expect(await dispatch(proxy, 'app.info', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('fails a call that gets no answer within its timeout, naming the call', async () => {
    const proxy = new EngineProxy(() => 50);
    proxy.attach(() => undefined); // a host that never answers
    const started = Date.now();
    expect(await dispatch(proxy, 'app.info', {})).toEqual({ ok: false, error: { code: 'timeout', message: expect.stringMatching(/^app\.info did not answer/) } });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('keeps a job call alive while its job reports progress, then cancels it once it goes silent', async () => {
    const posted: ToHost[] = [];
    const proxy = new EngineProxy(() => 150);
    proxy.attach((m) => posted.push(m));
    const call = dispatch(proxy, 'import.paths', { caseId: 'c', paths: ['/x'] });
    const jobId = ((posted[0] as Extract<ToHost, { t: 'invoke' }>).input as { jobId?: string }).jobId;
    expect(jobId).toEqual(expect.any(String)); // the proxy names the job so it can follow it
    const other: FromHost = { t: 'event', name: 'job.progress', payload: { jobId: 'someone-else' } };
    const mine: FromHost = { t: 'event', name: 'job.progress', payload: { jobId } };
    const started = Date.now();
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 60));
      proxy.handleMessage(other);
      proxy.handleMessage(mine);
    }
    expect(posted).toHaveLength(1); // still waiting after 360 ms of progress, beyond its 150 ms timeout
    expect(await call).toMatchObject({ ok: false, error: { code: 'timeout' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(360);
    expect(posted[1]).toMatchObject({ t: 'invoke', name: 'jobs.cancel', input: { jobId } });
  });

  it('a caller that goes away stops its call in the host: the running DuckDB statement is interrupted', async () => {
    const built = await buildCase();
    await built.handle.close(); // the engine opens the folder itself, as the app does
    const engine = await Engine.create({ via: 'test' });
    try {
      const caseId = await engine.openDefaultCase(path.join(built.dir, 'case'));
      const fromHost: FromHost[] = [];
      const proxy = wire(Promise.resolve(engine), fromHost);
      const stop = new AbortController();
      const t0 = performance.now();
      const call = proxy.invoke('events.sql', { caseId, sql: FOREVER, limit: 10 }, { signal: stop.signal });
      setTimeout(() => stop.abort(), 200);
      await expect(call).rejects.toMatchObject({ code: 'cancelled' });
      expect(performance.now() - t0).toBeLessThan(2000);
      // The host's answer for that call: the statement (minutes of work) was interrupted, not left to run.
      const answered = () => fromHost.find((m) => m.t === 'result' && m.id === 1);
      while (!answered() && performance.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
      expect(answered()).toMatchObject({ result: { ok: false, error: { code: 'cancelled' } } });
      // The next call of the same caller is served; a cancel for an answered or unknown call changes nothing.
      const next = new AbortController();
      const one = proxy.invoke('events.sql', { caseId, sql: 'SELECT 1 AS one', limit: 1 }, { signal: next.signal });
      await expect(one).resolves.toMatchObject({ rows: [{ one: 1 }] });
      next.abort();
      await expect(proxy.invoke('events.sql', { caseId, sql: 'SELECT 2 AS two', limit: 1 })).resolves.toMatchObject({ rows: [{ two: 2 }] });
      // A signal already aborted never reaches the host.
      const sent = fromHost.length;
      await expect(proxy.invoke('events.sql', { caseId, sql: 'SELECT 3', limit: 1 }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'cancelled' });
      await new Promise((r) => setTimeout(r, 50));
      expect(fromHost.length).toBe(sent);
    } finally {
      await engine.close();
      await rm(built.dir, { recursive: true, force: true });
    }
  });

  it('uses each call\'s contract timeout', () => {
    expect(relayTimeout('app.info')).toBe(DEFAULT_TIMEOUT_MS);
    expect(relayTimeout('case.verify')).toBe(3_600_000);
  });
});
