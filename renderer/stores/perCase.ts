// A job belongs to its case: the import or pull a store shows is the open case's. The store's job fields are the
// open case's; when another case opens they are kept aside for the case they belong to (a job still running there
// goes on updating its own kept copy) and that case's kept fields, or the idle ones, are shown instead. Coming back
// shows the first case's job again, running or as it ended.
import type { StoreApi } from 'zustand';
import { useApp } from './app';

export interface PerCase<T> {
  /** Applies `patch` to the case's job fields: shown if the case is open, else kept until it opens again. */
  set(caseId: string, patch: Partial<T>): void;
  /** The case's job fields, shown or kept. */
  get(caseId: string): T;
}

export function perCase<S extends object, K extends keyof S>(store: StoreApi<S>, idle: Pick<S, K>): PerCase<Pick<S, K>> {
  type T = Pick<S, K>;
  const keys = Object.keys(idle) as K[];
  const pick = (s: S): T => Object.fromEntries(keys.map((k) => [k, s[k]])) as unknown as T;
  const kept = new Map<string, T>();
  let shown = useApp.getState().current?.id ?? null;
  useApp.subscribe((s) => {
    const next = s.current?.id ?? null;
    if (next === shown) return;
    if (shown) kept.set(shown, pick(store.getState()));
    shown = next;
    const restored = (next ? kept.get(next) : undefined) ?? idle;
    if (next) kept.delete(next);
    store.setState(restored as unknown as Partial<S>);
  });
  return {
    set(caseId, patch) {
      if (caseId === shown) store.setState(patch as Partial<S>);
      else kept.set(caseId, { ...(kept.get(caseId) ?? idle), ...patch });
    },
    get: (caseId) => (caseId === shown ? pick(store.getState()) : kept.get(caseId) ?? idle),
  };
}

/** A job of the case ended: its counts are read again and the views redrawn while that case is the open one (another
 * case's counts are read when it is opened again). */
export async function refreshIfOpen(caseId: string): Promise<void> {
  const app = useApp.getState();
  if (app.current?.id !== caseId) return;
  await app.refreshCurrent();
  app.bumpData();
}
