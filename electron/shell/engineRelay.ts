// Main ↔ engine utility process. The engine (DuckDB, ingest) runs in its own process so the window never waits on
// it; main keeps an EngineProxy with the engine's shape and the host answers each call with an envelope.
import { randomUUID } from 'node:crypto';
import { DEFAULT_TIMEOUT_MS, isCallName, specOf, toContractError, type EventName, type EventPayload } from '../../shared/contract';
import type { HostReply, HostRequest } from './hostServices';
import { cancelledError } from '../engine/util/cancel';
import { dispatch, EVENT_NAMES, isEventName, type EngineLike, type InvokeOptions, type WireResult } from '../door/dispatch';

/** `cancel`: the caller of call `id` went away (the renderer aborted it); the host aborts that call's signal. */
export type ToHost = { t: 'invoke'; id: number; name: string; input: unknown } | { t: 'cancel'; id: number };
/** Main also answers the engine's requests for shell services (hostServices.ts). */
export type ToHostMessage = ToHost | HostReply;
export type FromHost =
  | HostRequest
  | { t: 'result'; id: number; result: WireResult }
  | { t: 'event'; name: EventName; payload: unknown }
  | { t: 'ready'; defaultCaseId: string | null }
  | { t: 'fatal'; message: string };

export interface MessagePortLike<In, Out> {
  post(msg: Out): void;
  onMessage(cb: (msg: In) => void): void;
}

/** Host side: answers invoke messages once the engine exists, and forwards engine events. */
export function serveEngine(enginePromise: Promise<EngineLike>, port: MessagePortLike<unknown, FromHost>): void {
  const ready = enginePromise.then((engine) => {
    for (const name of EVENT_NAMES) engine.on(name, (payload) => port.post({ t: 'event', name, payload }));
    return engine;
  });
  // Unhandled-rejection guard; each call reports the failure itself.
  ready.catch(() => undefined);
  // The calls still running, so a cancel from main can reach the one it names.
  const running = new Map<number, AbortController>();
  port.onMessage((msg) => {
    if (isCancel(msg)) { running.get(msg.id)?.abort(); return; }
    if (!isInvoke(msg)) return;
    const gone = new AbortController();
    running.set(msg.id, gone);
    void (async () => {
      let result: WireResult;
      try {
        result = await dispatch(await ready, msg.name, msg.input, { signal: gone.signal });
      } catch (err) {
        result = { ok: false, error: toContractError(err) };
      } finally {
        running.delete(msg.id);
      }
      port.post({ t: 'result', id: msg.id, result });
    })();
  });
}

function isInvoke(msg: unknown): msg is Extract<ToHost, { t: 'invoke' }> {
  const m = msg as Partial<Extract<ToHost, { t: 'invoke' }>> | null;
  return !!m && m.t === 'invoke' && typeof m.id === 'number' && typeof m.name === 'string';
}

function isCancel(msg: unknown): msg is Extract<ToHost, { t: 'cancel' }> {
  const m = msg as Partial<Extract<ToHost, { t: 'cancel' }>> | null;
  return !!m && m.t === 'cancel' && typeof m.id === 'number';
}

/** How long main waits for a call: its contract timeout (for a job, how long it may stay silent). */
export function relayTimeout(name: string): number {
  return (isCallName(name) ? specOf(name).timeoutMs : undefined) ?? DEFAULT_TIMEOUT_MS;
}

interface Pending { resolve(v: unknown): void; reject(e: unknown): void; jobId?: string; arm(): void; timer?: NodeJS.Timeout }

/**
 * Main side: an EngineLike whose calls travel to the host. No call waits forever: each fails with `timeout` after
 * its contract timeout; a job call's timer restarts on every `job.progress` of its job (the runner sends one at
 * least every few seconds), and a timed-out job is cancelled so the engine stops working for nobody.
 */
export class EngineProxy implements EngineLike {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private listeners = new Map<EventName, Set<(p: unknown) => void>>();
  private post: ((msg: ToHost) => void) | null = null;
  defaultCaseId: string | null = null;

  constructor(private readonly timeoutFor: (name: string) => number = relayTimeout) {}

  /** Points the proxy at a (new) host process. */
  attach(post: (msg: ToHost) => void): void {
    this.post = post;
  }

  /** Host gone: every waiting call fails with a sentence, and later calls fail until a new host is attached. */
  detach(message: string): void {
    this.post = null;
    for (const p of this.pending.values()) { clearTimeout(p.timer); p.reject({ code: 'internal', message }); }
    this.pending.clear();
  }

  handleMessage(msg: unknown): void {
    const m = msg as FromHost | null;
    if (!m || typeof m !== 'object') return;
    if (m.t === 'result') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.result.ok) p.resolve(m.result.value);
      else p.reject(m.result.error);
    } else if (m.t === 'event' && isEventName(m.name)) {
      if (m.name === 'job.progress') {
        const jobId = (m.payload as { jobId?: unknown } | null)?.jobId;
        for (const p of this.pending.values()) if (p.jobId !== undefined && p.jobId === jobId) p.arm();
      }
      for (const cb of this.listeners.get(m.name) ?? []) cb(m.payload);
    } else if (m.t === 'ready') {
      this.defaultCaseId = m.defaultCaseId;
    }
  }

  /** `signal`: the caller went away; the call fails with `cancelled` at once and the host stops its reads. */
  invoke(name: string, input: unknown, opts?: InvokeOptions): Promise<unknown> {
    const post = this.post;
    if (!post) return Promise.reject({ code: 'internal', message: 'The engine is not running. Restart Casefile.' });
    const signal = opts?.signal;
    if (signal?.aborted) return Promise.reject(toContractError(cancelledError()));
    const id = this.nextId++;
    // A job call always carries its id, so its progress can keep it alive and a timeout can cancel it.
    const isJob = isCallName(name) && !!specOf(name).job && !!input && typeof input === 'object' && !Array.isArray(input);
    const jobId = isJob ? (typeof (input as { jobId?: unknown }).jobId === 'string' ? (input as { jobId: string }).jobId : randomUUID()) : undefined;
    const sent = jobId ? { ...(input as object), jobId } : input;
    const ms = this.timeoutFor(name);
    return new Promise((resolve, reject) => {
      const p: Pending = {
        resolve, reject, ...(jobId ? { jobId } : {}),
        arm: () => {
          clearTimeout(p.timer);
          p.timer = setTimeout(() => {
            this.pending.delete(id);
            reject({ code: 'timeout', message: `${name} did not answer within ${Math.round(ms / 1000)} s${jobId ? ' of silence; the job was cancelled' : ''}.` });
            if (jobId) this.post?.({ t: 'invoke', id: this.nextId++, name: 'jobs.cancel', input: { jobId } });
          }, ms);
        },
      };
      p.arm();
      this.pending.set(id, p);
      post({ t: 'invoke', id, name, input: sent });
      signal?.addEventListener('abort', () => {
        if (!this.pending.delete(id)) return;
        clearTimeout(p.timer);
        this.post?.({ t: 'cancel', id });
        reject(toContractError(cancelledError()));
      }, { once: true });
    });
  }

  on<N extends EventName>(name: N, cb: (payload: EventPayload<N>) => void): () => void {
    const set = this.listeners.get(name) ?? new Set();
    this.listeners.set(name, set);
    const fn = cb as (p: unknown) => void;
    set.add(fn);
    return () => { set.delete(fn); };
  }
}
