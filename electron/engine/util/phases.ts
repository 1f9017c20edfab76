// Where a call's time goes, for the door that times it (`casefile serve` answers with a Server-Timing header): input
// checks, the handler, its SQL, masking secrets, output checks, JSON. The record rides with the call through its
// awaits (AsyncLocalStorage), so the code timed passes nothing along; outside a timed call `phase` only runs `fn`.
// Names and milliseconds only: never a value, so nothing a call reads or returns can leak through it.
import { AsyncLocalStorage } from 'node:async_hooks';

export type Phases = Map<string, number>;

const current = new AsyncLocalStorage<Phases>();

/** Runs `fn` with a fresh record; `phases` holds each phase's total ms (phases running side by side each add theirs). */
export function withPhases<T>(phases: Phases, fn: () => T): T {
  return current.run(phases, fn);
}

/** Adds `ms` to the current call's phase `name` (no-op outside a timed call). */
export function notePhase(name: string, ms: number): void {
  const p = current.getStore();
  if (p) p.set(name, (p.get(name) ?? 0) + ms);
}

/** Times `fn` (sync or async) as phase `name` of the current call. */
export function phase<T>(name: string, fn: () => T): T {
  if (!current.getStore()) return fn();
  const t0 = performance.now();
  const out = fn();
  if (out instanceof Promise) return out.finally(() => notePhase(name, performance.now() - t0)) as T;
  notePhase(name, performance.now() - t0);
  return out;
}

/** The record as a Server-Timing header value: `name;dur=1.2, …`. */
export function serverTiming(phases: Phases): string {
  return [...phases].map(([name, ms]) => `${name};dur=${ms.toFixed(1)}`).join(', ');
}
