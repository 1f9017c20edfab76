// Main-side proxy and host-side relay wired through a real MessageChannel (structured clone, as between
// main and the utility process).
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_MS, type EventName, type EventPayload } from '../../shared/contract';
import { EngineError } from '../engine/api';
import { Engine } from '../engine/engine';
import { dispatch, type EngineLike } from '../door/dispatch';
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

const channels: MessageChannel[] = [];
afterEach(() => { for (const c of channels.splice(0)) { c.port1.close(); c.port2.close(); } });

function wire(engine: Promise<EngineLike>) {
  const ch = new MessageChannel();
  channels.push(ch);
  const proxy = new EngineProxy();
  proxy.attach((m: ToHost) => ch.port1.postMessage(m));
  ch.port1.on('message', (m: FromHost) => proxy.handleMessage(m));
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
    const jobId = (posted[0]!.input as { jobId?: string }).jobId;
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

  it('uses each call\'s contract timeout', () => {
    expect(relayTimeout('app.info')).toBe(DEFAULT_TIMEOUT_MS);
    expect(relayTimeout('case.verify')).toBe(3_600_000);
  });
});
