// What the preload exposes as window.casefile, built from an ipcRenderer-shaped object so it can be tested
// without Electron. Only contract call and event names pass; the page never sees ipcRenderer or an IPC event.
import { CALL_NAMES, events } from '../../shared/contract';
import { CANCEL_CHANNEL, EVENT_CHANNEL, INVOKE_CHANNEL, isCallId } from './channels';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface CasefileBridge {
  /** `callId`: the page's own id for the call, so that `cancel(callId)` can stop it. */
  invoke(name: string, input: unknown, callId?: string): Promise<unknown>;
  /** The answer of that call is no longer wanted: the engine stops its reads (the call fails with `cancelled`). */
  cancel(callId: string): void;
  on(name: string, cb: (payload: unknown) => void): () => void;
  /** Absolute path of a file the user dropped or picked (Electron only; browser mode uploads instead). */
  pathForFile(file: unknown): string;
}

const CALLS = new Set<string>(CALL_NAMES);
const EVENTS = new Set<string>(Object.keys(events));

export function createBridge(ipc: IpcRendererLike, pathForFile: (file: unknown) => string): CasefileBridge {
  return {
    invoke(name, input, callId) {
      if (typeof name !== 'string' || !CALLS.has(name)) {
        return Promise.resolve({ ok: false, error: { code: 'unknown_call', message: `Unknown call: ${String(name).slice(0, 100)}.` } });
      }
      return isCallId(callId) ? ipc.invoke(INVOKE_CHANNEL, name, input, callId) : ipc.invoke(INVOKE_CHANNEL, name, input);
    },
    cancel(callId) {
      if (isCallId(callId)) ipc.invoke(CANCEL_CHANNEL, callId).catch(() => undefined);
    },
    on(name, cb) {
      if (typeof name !== 'string' || !EVENTS.has(name) || typeof cb !== 'function') return () => undefined;
      const listener = (_event: unknown, ...args: unknown[]) => {
        if (args[0] === name) cb(args[1]);
      };
      ipc.on(EVENT_CHANNEL, listener);
      return () => { ipc.removeListener(EVENT_CHANNEL, listener); };
    },
    pathForFile(file) {
      try {
        return pathForFile(file);
      } catch {
        return '';
      }
    },
  };
}
