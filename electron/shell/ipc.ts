// The renderer's only channel into main: one invoke channel for every contract call, one push channel for events.
// Each call is checked for who sent it (our window's main frame on app://), its size and its contract input.
import type { IpcMainInvokeEvent } from 'electron';
import { dispatch, EVENT_NAMES, wireError, type EngineLike, type WireResult } from '../door/dispatch';
import { APP_HOST, APP_SCHEME, CANCEL_CHANNEL, EVENT_CHANNEL, INVOKE_CHANNEL, isCallId } from './channels';

/** The parts of a WebFrameMain the sender check reads. */
export interface FrameLike {
  url: string;
  parent: FrameLike | null;
  processId: number;
  routingId: number;
}
export interface SenderEventLike {
  senderFrame: FrameLike | null;
  sender: { id: number };
}
export interface WindowContentsLike {
  id: number;
  mainFrame: FrameLike;
  isDestroyed(): boolean;
}
export type SenderCheck = (event: SenderEventLike) => boolean;

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}
export interface PushTarget {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export function isAppUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Trusted = sent by the main frame (not an iframe) of our window's WebContents while it shows an app:// page. */
export function makeTrustedSenderCheck(getContents: () => WindowContentsLike | null): SenderCheck {
  return (event) => {
    const frame = event.senderFrame;
    const wc = getContents();
    if (!frame || !wc || wc.isDestroyed()) return false;
    if (event.sender.id !== wc.id) return false;
    if (frame.parent !== null) return false;
    if (frame.processId !== wc.mainFrame.processId || frame.routingId !== wc.mainFrame.routingId) return false;
    return isAppUrl(frame.url);
  };
}

/**
 * Registers the invoke and cancel handlers and forwards engine events to the push targets. Returns a function that
 * undoes them. Answers are envelopes ({ ok, value } | { ok: false, error: { code, message } }); nothing thrown
 * crosses IPC. A call may carry the renderer's id for it; a cancel naming that id (from the same WebContents)
 * aborts the call's signal, so the engine stops its reads as it does for a closed HTTP request.
 */
export function registerIpc(
  ipcMain: IpcMainLike,
  engine: EngineLike,
  isTrustedSender: SenderCheck,
  pushTargets: () => PushTarget[] = () => [],
): () => void {
  // Calls that carry an id and are still running, by sender and id: a page can only cancel its own calls.
  const running = new Map<string, AbortController>();
  const keyOf = (event: unknown, id: string) => `${(event as SenderEventLike).sender.id}:${id}`;
  ipcMain.handle(INVOKE_CHANNEL, async (event, ...args): Promise<WireResult> => {
    if (!isTrustedSender(event as unknown as SenderEventLike)) return wireError('forbidden', 'Call from an untrusted frame refused.');
    if (args.length !== 2 && args.length !== 3) return wireError('invalid_input', 'Expected (name, input) or (name, input, callId).');
    if (args.length === 2) return dispatch(engine, args[0], args[1], { validate: true });
    const id = args[2];
    if (!isCallId(id)) return wireError('invalid_input', 'A call id is 1 to 64 letters, digits or dashes.');
    const key = keyOf(event, id);
    if (running.has(key)) return wireError('invalid_input', 'A call with this id is already running.');
    const gone = new AbortController();
    running.set(key, gone);
    try {
      return await dispatch(engine, args[0], args[1], { validate: true, signal: gone.signal });
    } finally {
      running.delete(key);
    }
  });
  ipcMain.handle(CANCEL_CHANNEL, (event, ...args): void => {
    if (!isTrustedSender(event as unknown as SenderEventLike)) return;
    const id = args[0];
    if (args.length !== 1 || !isCallId(id)) return;
    running.get(keyOf(event, id))?.abort();
  });
  const offs = EVENT_NAMES.map((name) => engine.on(name, (payload) => {
    for (const t of pushTargets()) if (!t.isDestroyed()) t.send(EVENT_CHANNEL, name, payload);
  }));
  return () => {
    ipcMain.removeHandler(INVOKE_CHANNEL);
    ipcMain.removeHandler(CANCEL_CHANNEL);
    for (const gone of running.values()) gone.abort();
    for (const off of offs) off();
  };
}
