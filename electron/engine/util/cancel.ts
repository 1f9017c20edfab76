// Reads the operator no longer waits for. A door that learns its caller has gone (the browser aborted the request:
// the filter changed, the tab reloaded) aborts the call's signal; every read the call makes afterwards fails at once,
// and a statement already running is interrupted, so stale work stops competing with the next action for the cores.
// The signal rides with the call through its awaits (AsyncLocalStorage), so query code passes nothing along.
import { AsyncLocalStorage } from 'node:async_hooks';
import { EngineError } from './errors';

const current = new AsyncLocalStorage<AbortSignal | undefined>();

/** Runs `fn` as a call that `signal` can cancel. */
export function withSignal<T>(signal: AbortSignal | undefined, fn: () => T): T {
  return current.run(signal, fn);
}

/** The signal of the call running now, if any (for work shared between calls, which waits on it itself). */
export function currentSignal(): AbortSignal | undefined {
  return current.getStore();
}

/** Runs `fn` beyond any caller's cancellation: work whose result other calls share (memoised answers). */
export function detached<T>(fn: () => T): T {
  return current.run(undefined, fn);
}

export const cancelledError = () => new EngineError('cancelled', 'The request was cancelled: its answer is no longer wanted.');

export const isCancelled = (e: unknown): boolean => e instanceof EngineError && e.code === 'cancelled';

/**
 * Runs one statement under the current call's signal: refused if the call is already cancelled, interrupted (via
 * `interrupt`, DuckDB's per-connection stop) if it is cancelled while the statement runs.
 */
export async function cancellable<T>(interrupt: () => void, run: () => Promise<T>): Promise<T> {
  const signal = current.getStore();
  if (!signal) return run();
  if (signal.aborted) throw cancelledError();
  signal.addEventListener('abort', interrupt, { once: true });
  try {
    return await run();
  } catch (e) {
    throw signal.aborted ? cancelledError() : e;
  } finally {
    signal.removeEventListener('abort', interrupt);
  }
}
