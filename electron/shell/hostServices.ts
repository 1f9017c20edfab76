// What the desktop shell does for the engine (which runs in a utility process and never imports electron):
// safeStorage wrap/unwrap of stored keys and putting one revealed value on the clipboard. Requests travel over the
// engine relay as `host` messages and are answered by main with `hostReply`.
import type { EngineHost } from '../engine/api';
import type { Wrapper } from '../engine/crypto/keystore';
import type { ClipboardGuard } from './clipboardGuard';

type Ask = { op: 'wrap' | 'unwrap'; data: string } | { op: 'copy'; value: string; clearAfterMs: number };
export type HostRequest = { t: 'host'; id: number } & Ask;
export type HostReply = { t: 'hostReply'; id: number; ok: true; data?: string } | { t: 'hostReply'; id: number; ok: false; message: string };

/** Set by main in the engine's environment when safeStorage can protect keys on this machine. */
export const SAFE_STORAGE_ENV = 'CASEFILE_SAFE_STORAGE';

/** Engine side: an EngineHost whose services are answered by main. */
export function hostClient(post: (msg: HostRequest) => void, withSafeStorage: boolean): { host: EngineHost; handleReply(msg: unknown): boolean } {
  let next = 1;
  const pending = new Map<number, { resolve(d: string | undefined): void; reject(e: Error): void }>();
  const ask = (req: Ask) => new Promise<string | undefined>((resolve, reject) => {
    const id = next++;
    pending.set(id, { resolve, reject });
    post({ t: 'host', id, ...req });
  });
  const wrapper: Wrapper = {
    name: 'safeStorage',
    wrap: async (data) => Buffer.from((await ask({ op: 'wrap', data: Buffer.from(data).toString('base64') }))!, 'base64'),
    unwrap: async (data) => Buffer.from((await ask({ op: 'unwrap', data: Buffer.from(data).toString('base64') }))!, 'base64'),
  };
  return {
    host: {
      wrapper: withSafeStorage ? wrapper : null,
      copy: async (value, clearAfterMs) => { await ask({ op: 'copy', value, clearAfterMs }); },
    },
    handleReply(msg) {
      const m = msg as HostReply | null;
      if (!m || m.t !== 'hostReply') return false;
      const p = pending.get(m.id);
      if (!p) return true;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.data);
      else p.reject(new Error(m.message));
      return true;
    },
  };
}

export function isHostRequest(msg: unknown): msg is HostRequest {
  const m = msg as Partial<HostRequest> | null;
  return !!m && m.t === 'host' && typeof m.id === 'number' && (m.op === 'wrap' || m.op === 'unwrap' || m.op === 'copy');
}

/** Main side: answers one request with safeStorage (null when refused) and the clipboard guard. */
export async function answerHostRequest(req: HostRequest, services: { wrapper: Wrapper | null; clipboard: ClipboardGuard }): Promise<HostReply> {
  try {
    if (req.op === 'copy') {
      if (typeof req.value !== 'string' || req.value.length > 1 << 20) throw new Error('Nothing to copy.');
      services.clipboard.copy(req.value, req.clearAfterMs);
      return { t: 'hostReply', id: req.id, ok: true };
    }
    if (!services.wrapper) throw new Error('safeStorage is not available in this desktop session.');
    const bytes = Buffer.from(req.data, 'base64');
    const out = req.op === 'wrap' ? await services.wrapper.wrap(bytes) : await services.wrapper.unwrap(bytes);
    return { t: 'hostReply', id: req.id, ok: true, data: Buffer.from(out).toString('base64') };
  } catch (e) {
    return { t: 'hostReply', id: req.id, ok: false, message: e instanceof Error ? e.message.split('\n', 1)[0]! : 'failed' };
  }
}
