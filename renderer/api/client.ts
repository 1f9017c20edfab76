// The renderer's only door to the engine: every call of the typed contract, carried by Electron IPC (preload) when
// present, else by the browser-mode HTTP bridge with a per-session token. Nothing else in the renderer does I/O.
import { calls, CALL_NAMES, type Api, type CallName, type CallInput, type CallOutput, type EventName, type EventPayload } from '../../shared/contract';

type Envelope = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string; places?: string[] } };

/** What the sandboxed preload exposes (see electron/shell preload). */
export interface CasefileBridge {
  /** `callId`: this page's id for the call, so `cancel(callId)` can stop it in the engine. */
  invoke(name: string, input: unknown, callId?: string): Promise<Envelope>;
  cancel?(callId: string): void;
  on(name: string, cb: (payload: unknown) => void): (() => void) | void;
  /** Absolute path of a dropped or picked File (Electron's webUtils, via the preload); '' when unknown. */
  pathForFile?(file: File): string;
}

declare global {
  interface Window { casefile?: CasefileBridge }
}

/** An error that crossed the contract: a code and a sentence meant for the operator. */
export class ApiError extends Error {
  /** `places`: where a blocked export's check hit, as the contract's error lists them. */
  constructor(readonly code: string, message: string, readonly call: string, readonly places: readonly string[] = []) { super(message); }
}

export type Transport = 'electron' | 'browser';

/** Where the token is kept for this tab: sessionStorage survives a reload and dies with the tab; never a cookie or a log. */
const TOKEN_KEY = 'casefile.token';

/** Token from `?token=…`, taken once and removed from the address bar so it is not copied or kept in history; a reload
 * of the tab finds it in sessionStorage. */
function takeToken(): string {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token) {
    try { sessionStorage.setItem(TOKEN_KEY, token); } catch { /* storage off: this page load still works */ }
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
    return token;
  }
  try { return sessionStorage.getItem(TOKEN_KEY) ?? ''; } catch { return ''; }
}

function unwrap<N extends CallName>(name: N, env: Envelope): CallOutput<N> {
  if (!env || typeof env !== 'object' || !('ok' in env)) throw new ApiError('internal', `Malformed answer to ${name}.`, name);
  if (!env.ok) throw new ApiError(env.error?.code ?? 'internal', env.error?.message ?? 'Unknown error', name, env.error?.places ?? []);
  if (import.meta.env.DEV) {
    const parsed = calls[name].output.safeParse(env.value);
    if (!parsed.success) {
      console.error(`contract violation in ${name}`, parsed.error.issues);
      throw new ApiError('internal', `The engine answered ${name} outside the contract: ${parsed.error.issues[0]?.message ?? ''}`, name);
    }
    return parsed.data as CallOutput<N>;
  }
  return env.value as CallOutput<N>;
}

export interface Client {
  api: Api;
  transport: Transport;
  on<N extends EventName>(name: N, cb: (payload: EventPayload<N>) => void): () => void;
  /** Browser mode only: store dropped files on the engine machine, returning their paths there. Files sent with
   * the same `batch` are meant to land in one folder, keeping a dropped bundle's structure. */
  upload: ((file: Blob, relativePath: string, batch: string) => Promise<string>) | null;
  /** Browser mode only: remove an upload batch that will not be imported (a declined or failed drop). */
  discardUpload?: (batch: string) => Promise<void>;
  /** Electron only: the local path of a dropped File. */
  pathForFile: ((file: File) => string) | null;
}

/** What a call may be given besides its input. */
export interface CallOptions {
  /** Aborting it drops the answer and tells the engine to stop the call's reads (the request closes, or main is told over IPC). */
  signal?: AbortSignal;
}

function buildApi(send: (name: CallName, input: unknown, opts?: CallOptions) => Promise<Envelope>): Api {
  const api = {} as Record<CallName, (input: unknown, opts?: CallOptions) => Promise<unknown>>;
  for (const name of CALL_NAMES) {
    api[name] = async (input: unknown, opts?: CallOptions) => unwrap(name, await send(name, input, opts));
  }
  return api as unknown as Api;
}

export function electronClient(bridge: CasefileBridge): Client {
  return {
    transport: 'electron',
    // An aborted call is named to main, which aborts its signal: the engine stops its reads, as for a closed
    // HTTP request. Its answer (if one still comes) is dropped.
    api: buildApi(async (name, input, opts) => {
      const signal = opts?.signal;
      if (signal?.aborted) throw cancelled(name);
      const callId = signal && bridge.cancel ? crypto.randomUUID() : undefined;
      const stop = () => { bridge.cancel!(callId!); };
      if (callId) signal!.addEventListener('abort', stop, { once: true });
      try {
        const env = await bridge.invoke(name, input, ...(callId ? [callId] : []));
        if (signal?.aborted) throw cancelled(name);
        return env;
      } finally {
        signal?.removeEventListener('abort', stop);
      }
    }),
    on(name, cb) {
      const off = bridge.on(name, (p) => cb(p as EventPayload<typeof name>));
      return typeof off === 'function' ? off : () => undefined;
    },
    upload: null,
    pathForFile: bridge.pathForFile ? (f) => bridge.pathForFile!(f) : null,
  };
}

function browserClient(): Client {
  const token = takeToken();
  const headers = { 'content-type': 'application/json', 'x-casefile-token': token };
  const send = async (name: CallName, input: unknown, opts?: CallOptions): Promise<Envelope> => {
    let res: Response;
    try {
      res = await fetch(`/api/${name}`, { method: 'POST', headers, body: JSON.stringify(input), ...(opts?.signal ? { signal: opts.signal } : {}) });
    } catch {
      if (opts?.signal?.aborted) throw cancelled(name);
      throw new ApiError('internal', 'Cannot reach the Casefile engine. Is `casefile serve` still running?', name);
    }
    try {
      return (await res.json()) as Envelope;
    } catch {
      if (res.status === 401 || res.status === 403) {
        throw new ApiError('forbidden', 'The session token was refused. Open the URL printed by `casefile serve` again.', name);
      }
      throw new ApiError('internal', `The engine answered ${name} with HTTP ${res.status}.`, name);
    }
  };
  let source: EventSource | null = null;
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const ensureSource = (name: string) => {
    if (!source) source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
    if (!listeners.has(name)) {
      const set = new Set<(p: unknown) => void>();
      listeners.set(name, set);
      source.addEventListener(name, (ev) => {
        let payload: unknown;
        try { payload = JSON.parse((ev as MessageEvent<string>).data); } catch { return; }
        for (const cb of set) cb(payload);
      });
    }
    return listeners.get(name)!;
  };
  return {
    transport: 'browser',
    api: buildApi(send),
    on(name, cb) {
      const set = ensureSource(name);
      const fn = (p: unknown) => cb(p as EventPayload<typeof name>);
      set.add(fn);
      return () => { set.delete(fn); };
    },
    pathForFile: null,
    async upload(file, relativePath, batch) {
      const res = await fetch(`/api/upload?name=${encodeURIComponent(relativePath)}&batch=${encodeURIComponent(batch)}`, {
        method: 'POST', headers: { 'x-casefile-token': token, 'content-type': 'application/octet-stream' }, body: file,
      });
      const env = (await res.json().catch(() => null)) as Envelope | { path?: string } | null;
      if (env && 'path' in env && typeof env.path === 'string') return env.path;
      if (env && 'ok' in env) {
        if (env.ok && typeof (env.value as { path?: unknown })?.path === 'string') return (env.value as { path: string }).path;
        if (!env.ok) throw new ApiError(env.error.code, env.error.message, 'upload');
      }
      throw new ApiError('internal', `Upload of ${relativePath} failed (HTTP ${res.status}).`, 'upload');
    },
    async discardUpload(batch) {
      await fetch(`/api/upload.discard?batch=${encodeURIComponent(batch)}`, { method: 'POST', headers: { 'x-casefile-token': token } });
    },
  };
}

let current: Client | null = null;

/** The client for this window: Electron preload when present, else the browser bridge. */
export function getClient(): Client {
  if (!current) current = window.casefile ? electronClient(window.casefile) : browserClient();
  return current;
}

/** Tests and the dev fake replace the client before the app renders. */
export function setClient(client: Client): void { current = client; }

/** Shorthand used by stores: `call('events.page', {...})`. */
export function call<N extends CallName>(name: N, input: CallInput<N>, opts?: CallOptions): Promise<CallOutput<N>> {
  return (getClient().api[name] as (i: CallInput<N>, o?: CallOptions) => Promise<CallOutput<N>>)(input, opts);
}

const cancelled = (name: string) => new ApiError('cancelled', 'Cancelled: the answer is no longer wanted.', name);
