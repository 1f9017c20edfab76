// Secrets the operator chose to see (events.reveal, one field of one record at a time, audited by the engine).
// Kept in memory for this page only: a reload or another case shows them masked again.
import { create } from 'zustand';
import { call } from '../api/client';
import { useApp } from './app';

interface RevealedState {
  values: Record<string, string | null>;
  reveal(id: number, field: string): Promise<void>;
}

export const revealKey = (caseId: string | undefined, id: number, field: string) => `${caseId ?? ''}\u0000${id}\u0000${field}`;

export const useRevealed = create<RevealedState>((set) => ({
  values: {},
  async reveal(id, field) {
    const app = useApp.getState();
    const caseId = app.current?.id;
    if (!caseId) return;
    try {
      const { value } = await call('events.reveal', { caseId, id, field });
      set((s) => ({ values: { ...s.values, [revealKey(caseId, id, field)]: value } }));
    } catch (e) { app.fail(e); }
  },
}));
