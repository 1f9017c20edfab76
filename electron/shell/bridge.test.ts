import { describe, expect, it } from 'vitest';
import { CALL_NAMES } from '../../shared/contract';
import { createBridge, type IpcRendererLike } from './bridge';
import { CANCEL_CHANNEL, EVENT_CHANNEL, INVOKE_CHANNEL } from './channels';

function fakeIpcRenderer() {
  const invoked: unknown[][] = [];
  const listeners = new Set<(e: unknown, ...a: unknown[]) => void>();
  const ipc: IpcRendererLike = {
    invoke: async (...a) => { invoked.push(a); return { ok: true, value: 'v' }; },
    on: (ch, l) => { expect(ch).toBe(EVENT_CHANNEL); listeners.add(l); },
    removeListener: (_ch, l) => { listeners.delete(l); },
  };
  return { ipc, invoked, listeners };
}

describe('preload bridge', () => {
  it('exposes only invoke, cancel, on and pathForFile', () => {
    const { ipc } = fakeIpcRenderer();
    expect(Object.keys(createBridge(ipc, () => '')).sort()).toEqual(['cancel', 'invoke', 'on', 'pathForFile']);
  });

  it('passes a call id only when it is well formed, and cancels only such ids', async () => {
    const { ipc, invoked } = fakeIpcRenderer();
    const bridge = createBridge(ipc, () => '');
    await bridge.invoke('app.info', {}, 'id-1');
    await bridge.invoke('app.info', {}, '../x' as string);
    await bridge.invoke('app.info', {}, 42 as unknown as string);
    bridge.cancel('id-1');
    bridge.cancel('x'.repeat(65));
    bridge.cancel({} as unknown as string);
    expect(invoked).toEqual([[INVOKE_CHANNEL, 'app.info', {}, 'id-1'], [INVOKE_CHANNEL, 'app.info', {}], [INVOKE_CHANNEL, 'app.info', {}], [CANCEL_CHANNEL, 'id-1']]);
  });

  it('forwards contract calls on the one invoke channel and refuses other names', async () => {
    const { ipc, invoked } = fakeIpcRenderer();
    const bridge = createBridge(ipc, () => '');
    for (const name of CALL_NAMES) await bridge.invoke(name, {});
    expect(invoked).toHaveLength(CALL_NAMES.length);
    expect(invoked.every((a) => a[0] === INVOKE_CHANNEL)).toBe(true);
    expect(await bridge.invoke('fs.readFile', {})).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    expect(await bridge.invoke('toString', {})).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    expect(invoked).toHaveLength(CALL_NAMES.length);
  });

  it('delivers only the subscribed event, without the IPC event object, and unsubscribes', () => {
    const { ipc, listeners } = fakeIpcRenderer();
    const bridge = createBridge(ipc, () => '');
    const got: unknown[][] = [];
    const off = bridge.on('import.progress', (...a: unknown[]) => { got.push(a); });
    expect(bridge.on('shell.secret', () => undefined)()).toBeUndefined();
    expect(listeners.size).toBe(1);
    const ipcEvent = { sender: 'ipcRenderer' };
    for (const l of listeners) { l(ipcEvent, 'import.progress', { n: 1 }); l(ipcEvent, 'other', { n: 2 }); }
    expect(got).toEqual([[{ n: 1 }]]);
    off();
    expect(listeners.size).toBe(0);
  });

  it('pathForFile never throws into the page', () => {
    const { ipc } = fakeIpcRenderer();
    expect(createBridge(ipc, () => '/tmp/a.log').pathForFile({})).toBe('/tmp/a.log');
    expect(createBridge(ipc, () => { throw new Error('not a File'); }).pathForFile(1)).toBe('');
  });
});
