// Rows picked for an export with Ctrl/⌘-click in the events table (the plain click still opens one record).
import { create } from 'zustand';
import { useApp } from '../../stores/app';

/** The most ids one export selection may name (the contract's bound). */
export const MAX_PICKS = 100_000;

interface Picks {
  ids: ReadonlySet<number>;
  toggle(id: number): void;
  clear(): void;
}

export const usePicks = create<Picks>((set, get) => ({
  ids: new Set(),
  toggle(id) {
    const ids = new Set(get().ids);
    if (ids.has(id)) ids.delete(id); else if (ids.size < MAX_PICKS) ids.add(id);
    set({ ids });
  },
  clear() { set({ ids: new Set() }); },
}));

// Ids belong to one case: another case starts with none picked.
useApp.subscribe((s, prev) => { if (s.current?.id !== prev.current?.id && usePicks.getState().ids.size) usePicks.getState().clear(); });
