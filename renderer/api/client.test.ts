// The desktop client's half of cancelling (main's half is electron/shell/ipc.test.ts): a call given a signal carries
// an id of its own, and aborting it names that id to the preload's cancel, which main turns into the engine's abort.
import { describe, expect, it } from 'vitest';
import { call, electronClient, setClient, type CasefileBridge } from './client';

type Answer = Awaited<ReturnType<CasefileBridge['invoke']>>;

/** A bridge whose `events.page` answers only when main is told to cancel it (as main does: `cancelled`). */
function slowBridge() {
  const invoked: { name: string; callId?: string }[] = [];
  const cancelled: string[] = [];
  const waiting = new Map<string, (v: Answer) => void>();
  const bridge: CasefileBridge = {
    invoke: (name, _input, callId) => {
      invoked.push({ name, ...(callId === undefined ? {} : { callId }) });
      if (name !== 'events.page' || !callId) return Promise.resolve({ ok: true, value: { version: '0.1.0', commit: 'c', mode: 'electron', operator: 'op', defaultCaseId: null } });
      return new Promise((r) => { waiting.set(callId, r); });
    },
    cancel: (callId) => {
      cancelled.push(callId);
      waiting.get(callId)?.({ ok: false, error: { code: 'cancelled', message: 'The request was cancelled.' } });
    },
    on: () => undefined,
  };
  return { bridge, invoked, cancelled };
}

describe('desktop client cancelling', () => {
  it('names an aborted call to main by its own id, and only that call', async () => {
    const { bridge, invoked, cancelled } = slowBridge();
    setClient(electronClient(bridge));
    const first = new AbortController();
    const second = new AbortController();
    const input = { caseId: 'c', filter: { text: 'rare' }, limit: 50 };
    const a = call('events.page', input, { signal: first.signal }).then(() => 'answered', (e: { code?: string }) => e.code);
    const b = call('events.page', input, { signal: second.signal }).then(() => 'answered', (e: { code?: string }) => e.code);
    await new Promise((r) => setTimeout(r, 0));
    const ids = invoked.map((c) => c.callId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9-]{1,64}$/);
    first.abort();
    expect(await a).toBe('cancelled');
    expect(cancelled).toEqual([ids[0]]);
    second.abort();
    expect(await b).toBe('cancelled');
    expect(cancelled).toEqual(ids);
    // After its answer, aborting a signal names nothing more; a call with no signal carries no id.
    expect(await call('app.info', {})).toMatchObject({ mode: 'electron' });
    expect(invoked[2]).toEqual({ name: 'app.info' });
    first.abort();
    expect(cancelled).toHaveLength(2);
  });

  it('a signal already aborted never reaches main', async () => {
    const { bridge, invoked, cancelled } = slowBridge();
    const gone = AbortSignal.abort();
    setClient(electronClient(bridge));
    await expect(call('events.page', { caseId: 'c', filter: {}, limit: 5 }, { signal: gone })).rejects.toMatchObject({ code: 'cancelled' });
    expect(invoked).toEqual([]);
    expect(cancelled).toEqual([]);
  });

  it('an answer that comes after the abort is dropped', async () => {
    let answer: (v: Answer) => void = () => undefined;
    const bridge: CasefileBridge = { invoke: () => new Promise((r) => { answer = r; }), on: () => undefined };
    const stop = new AbortController();
    setClient(electronClient(bridge));
    const asked = call('app.info', {}, { signal: stop.signal });
    stop.abort();
    answer({ ok: true, value: { version: '0.1.0', commit: 'c', mode: 'electron', operator: 'op', defaultCaseId: null } });
    await expect(asked).rejects.toMatchObject({ code: 'cancelled' });
  });
});
