import { describe, expect, it } from 'vitest';
import type { EventName, EventPayload } from '../../shared/contract';
import { EngineError } from '../engine/api';
import type { EngineLike, InvokeOptions } from '../door/dispatch';
import { cancelledError } from '../engine/util/cancel';
import { CANCEL_CHANNEL, EVENT_CHANNEL, INVOKE_CHANNEL } from './channels';
import { makeTrustedSenderCheck, registerIpc, type FrameLike, type IpcMainLike, type SenderEventLike } from './ipc';

class TinyEngine implements EngineLike {
  calls: Array<{ name: string; input: unknown }> = [];
  listeners = new Map<string, (p: unknown) => void>();
  /** The signals `events.page` calls were given; such a call runs until its signal aborts, as a long scan would. */
  signals: AbortSignal[] = [];
  async invoke(name: string, input: unknown, opts?: InvokeOptions) {
    this.calls.push({ name, input });
    if (name === 'events.page' && opts?.signal) {
      const signal = opts.signal;
      this.signals.push(signal);
      await new Promise((r) => { signal.addEventListener('abort', r, { once: true }); });
      throw cancelledError();
    }
    if (name === 'app.info') return { version: '0.1.0', commit: 'c', mode: 'electron', operator: 'op', defaultCaseId: null };
    if (name === 'cases.get') throw new EngineError('not_found', 'No such case.');
    throw new TypeError("Cannot read properties of undefined (reading 'x')\n    at handler (/src/engine/x.ts:10:5)");
  }
  on<N extends EventName>(n: N, cb: (p: EventPayload<N>) => void) {
    this.listeners.set(n, cb as (p: unknown) => void);
    return () => { this.listeners.delete(n); };
  }
}

function fakeIpcMain() {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const ipc: IpcMainLike = {
    handle: (ch, fn) => { handlers.set(ch, fn as never); },
    removeHandler: (ch) => { handlers.delete(ch); },
  };
  return { ipc, handlers };
}

const mainFrame: FrameLike = { url: 'app://casefile/index.html', parent: null, processId: 7, routingId: 1 };
const contents = { id: 3, mainFrame, isDestroyed: () => false };
const trusted = makeTrustedSenderCheck(() => contents);
const goodEvent: SenderEventLike = { sender: { id: 3 }, senderFrame: mainFrame };

function setup() {
  const engine = new TinyEngine();
  const { ipc, handlers } = fakeIpcMain();
  const sent: unknown[][] = [];
  const dispose = registerIpc(ipc, engine, trusted, () => [{ send: (...a: unknown[]) => { sent.push(a); }, isDestroyed: () => false }]);
  const call = (event: unknown, ...args: unknown[]) => handlers.get(INVOKE_CHANNEL)!(event, ...args);
  const cancel = (event: unknown, ...args: unknown[]) => handlers.get(CANCEL_CHANNEL)!(event, ...args);
  return { engine, handlers, sent, dispose, call, cancel };
}

describe('IPC sender check', () => {
  it('trusts only the main frame of our window on app://', () => {
    expect(trusted(goodEvent)).toBe(true);
    // a copy of the frame object with the same ids is the same frame
    expect(trusted({ sender: { id: 3 }, senderFrame: { ...mainFrame } })).toBe(true);
  });
  it('refuses a wrong frame, a sub-frame, another origin, another WebContents, a missing frame', () => {
    const cases: Array<[string, SenderEventLike]> = [
      ['wrong frame', { sender: { id: 3 }, senderFrame: { ...mainFrame, routingId: 2 } }],
      ['other process', { sender: { id: 3 }, senderFrame: { ...mainFrame, processId: 8 } }],
      ['sub-frame', { sender: { id: 3 }, senderFrame: { ...mainFrame, parent: mainFrame } }],
      ['https origin', { sender: { id: 3 }, senderFrame: { ...mainFrame, url: 'https://evil.example/' } }],
      ['file origin', { sender: { id: 3 }, senderFrame: { ...mainFrame, url: 'file:///tmp/x.html' } }],
      ['other app host', { sender: { id: 3 }, senderFrame: { ...mainFrame, url: 'app://evil/index.html' } }],
      ['other contents', { sender: { id: 4 }, senderFrame: mainFrame }],
      ['no frame', { sender: { id: 3 }, senderFrame: null }],
    ];
    for (const [label, ev] of cases) expect(trusted(ev), label).toBe(false);
    expect(makeTrustedSenderCheck(() => null)(goodEvent)).toBe(false);
    expect(makeTrustedSenderCheck(() => ({ ...contents, isDestroyed: () => true }))(goodEvent)).toBe(false);
  });
});

describe('IPC invoke', () => {
  it('registers exactly one invoke channel and round-trips a call', async () => {
    const { handlers, call, engine } = setup();
    expect([...handlers.keys()]).toEqual([INVOKE_CHANNEL, CANCEL_CHANNEL]);
    expect(await call(goodEvent, 'app.info', {})).toEqual({ ok: true, value: expect.objectContaining({ mode: 'electron' }) });
    expect(engine.calls).toEqual([{ name: 'app.info', input: {} }]);
  });

  it('refuses untrusted senders before touching the engine', async () => {
    const { call, engine } = setup();
    const res = await call({ sender: { id: 3 }, senderFrame: { ...mainFrame, parent: mainFrame } }, 'app.info', {});
    expect(res).toEqual({ ok: false, error: { code: 'forbidden', message: expect.any(String) } });
    expect(engine.calls).toHaveLength(0);
  });

  it('refuses unknown calls, malformed and oversized input', async () => {
    const { call, engine } = setup();
    expect(await call(goodEvent, 'fs.readFile', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    expect(await call(goodEvent, 'constructor', {})).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    expect(await call(goodEvent, 42, {})).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    expect(await call(goodEvent, 'events.page', { caseId: 'c', filter: {}, limit: 100000 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await call(goodEvent, 'cases.open', 'not an object')).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    // The Chains view's paging: an offset that is not a whole number from 0 to 100,000,000 never reaches the engine.
    for (const offset of [-1, 100_000_001, 1e12, 1.5, '1000', null, Number.NaN]) {
      expect(await call(goodEvent, 'chains.list', { caseId: 'c', limit: 1000, offset }), String(offset)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
    expect(await call(goodEvent, 'app.info')).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const big = { paths: Array.from({ length: 300 }, () => 'p'.repeat(4000)), caseId: 'c' };
    const tooBig = await call(goodEvent, 'import.paths', big) as { ok: false; error: { code: string; message: string } };
    expect(tooBig).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(tooBig.error.message).toMatch(/too large/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(await call(goodEvent, 'app.info', cyclic)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(engine.calls).toHaveLength(0);
  });

  it('returns typed errors with no stack trace', async () => {
    const { call } = setup();
    expect(await call(goodEvent, 'cases.get', { caseId: 'x' })).toEqual({ ok: false, error: { code: 'not_found', message: 'No such case.' } });
    const crash = await call(goodEvent, 'cases.list', {}) as { ok: false; error: { code: string; message: string } };
    expect(crash.ok).toBe(false);
    expect(Object.keys(crash.error).sort()).toEqual(['code', 'message']);
    expect(crash.error.code).toBe('internal');
    expect(crash.error.message).not.toMatch(/\bat\b.*\.ts/);
    expect(crash.error.message).not.toContain('\n');
  });

  it('a page cancels its own call by the id it gave: the engine gets the abort and the call answers cancelled', async () => {
    const { call, cancel, engine } = setup();
    const page = { caseId: 'c', filter: { text: 'rare' }, limit: 50 };
    const running = call(goodEvent, 'events.page', page, 'call-1');
    const other = call(goodEvent, 'events.page', page, 'call-2');
    await new Promise((r) => setTimeout(r, 10));
    expect(engine.signals).toHaveLength(2);
    // Untrusted frames, ids never given, hostile ids and extra arguments change nothing.
    cancel({ sender: { id: 3 }, senderFrame: { ...mainFrame, parent: mainFrame } }, 'call-1');
    cancel({ sender: { id: 4 }, senderFrame: mainFrame }, 'call-1');
    for (const id of ['call-9', '', 'x'.repeat(65), '../call-1', 'call-1\n', 1, null, { id: 'call-1' }]) cancel(goodEvent, id);
    cancel(goodEvent, 'call-1', 'extra');
    await new Promise((r) => setTimeout(r, 10));
    expect(engine.signals.map((s) => s.aborted)).toEqual([false, false]);
    cancel(goodEvent, 'call-1');
    expect(await running).toEqual({ ok: false, error: { code: 'cancelled', message: expect.any(String) } });
    expect(engine.signals.map((s) => s.aborted)).toEqual([true, false]);
    // The id is free again once its call has answered; the other call still runs until it is cancelled too.
    cancel(goodEvent, 'call-2');
    expect(await other).toMatchObject({ ok: false, error: { code: 'cancelled' } });
  });

  it('refuses a malformed call id or one already running, before touching the engine', async () => {
    const { call, cancel, engine } = setup();
    for (const id of ['', 'x'.repeat(65), '../etc', 'a b', 7, null, {}]) {
      expect(await call(goodEvent, 'app.info', {}, id)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
    expect(await call(goodEvent, 'app.info', {}, 'a', 'b')).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(engine.calls).toHaveLength(0);
    const page = { caseId: 'c', filter: {}, limit: 5 };
    const first = call(goodEvent, 'events.page', page, 'same');
    expect(await call(goodEvent, 'events.page', page, 'same')).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    cancel(goodEvent, 'same');
    expect(await first).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(await call(goodEvent, 'app.info', {}, 'same')).toMatchObject({ ok: true });
  });

  it('unregistering stops the calls still running', async () => {
    const { call, dispose, engine } = setup();
    const running = call(goodEvent, 'events.page', { caseId: 'c', filter: {}, limit: 5 }, 'left');
    await new Promise((r) => setTimeout(r, 10));
    dispose();
    expect(await running).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(engine.signals[0]!.aborted).toBe(true);
  });

  it('pushes engine events on the event channel and unregisters cleanly', () => {
    const { engine, sent, dispose, handlers } = setup();
    engine.listeners.get('import.progress')!({ jobId: 'j', phase: 'done', filesDone: 1, filesTotal: 1, bytesDone: 1, bytesTotal: 1 });
    expect(sent).toEqual([[EVENT_CHANNEL, 'import.progress', expect.objectContaining({ jobId: 'j' })]]);
    dispose();
    expect(handlers.size).toBe(0);
    expect(engine.listeners.size).toBe(0);
  });
});
