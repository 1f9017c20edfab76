// The selected record and what hangs off it: its detail (events.get), "around this moment", and the trace being viewed.
import { create } from 'zustand';
import type { EventDetail, EventRow } from '../../shared/domain';
import type { AroundResult, TraceResult } from '../../shared/correlation';
import { call } from '../api/client';
import { useApp, errorText } from './app';

interface SelectionState {
  selectedId: number | null;
  detail: EventDetail | null;
  detailLoading: boolean;
  detailError: string | null;
  around: AroundResult | null;
  aroundSeconds: number;
  aroundLoading: boolean;
  traceKey: string | null;
  trace: TraceResult | null;
  traceLoading: boolean;
  traceError: string | null;
  select(row: EventRow | { id: number } | null): void;
  loadDetail(id: number): Promise<void>;
  /** perSource: nearest records per source ("more" asks again with more, up to the contract's 200). */
  loadAround(id: number, seconds: number, perSource?: number): Promise<void>;
  aroundPerSource: number;
  closeAround(): void;
  openTrace(key: string): Promise<void>;
}

export const useSelection = create<SelectionState>((set, get) => ({
  selectedId: null, detail: null, detailLoading: false, detailError: null,
  around: null, aroundSeconds: 30, aroundLoading: false, aroundPerSource: 50,
  traceKey: null, trace: null, traceLoading: false, traceError: null,

  select(row) {
    if (!row) { set({ selectedId: null, detail: null, detailError: null, around: null }); return; }
    if (row.id === get().selectedId) return;
    set({ selectedId: row.id });
    void get().loadDetail(row.id);
  },

  async loadDetail(id) {
    const caseId = useApp.getState().current?.id;
    if (!caseId) return;
    set({ selectedId: id, detailLoading: true, detailError: null });
    try {
      const detail = await call('events.get', { caseId, id });
      if (get().selectedId === id) set({ detail, detailLoading: false });
    } catch (e) {
      if (get().selectedId === id) set({ detailLoading: false, detailError: errorText(e), detail: null });
    }
  },

  async loadAround(id, seconds, perSource = 50) {
    const caseId = useApp.getState().current?.id;
    if (!caseId) return;
    set({ aroundLoading: true, aroundSeconds: seconds, aroundPerSource: perSource });
    try {
      set({ around: await call('events.around', { caseId, id, seconds, perSource }), aroundLoading: false });
    } catch (e) {
      set({ aroundLoading: false });
      useApp.getState().fail(e);
    }
  },
  closeAround() { set({ around: null }); },

  async openTrace(key) {
    const app = useApp.getState();
    const caseId = app.current?.id;
    if (!caseId) return;
    app.setView('trace');
    // The record open from the previous trace does not belong to this one.
    set({ traceKey: key, traceLoading: true, traceError: null, trace: null, selectedId: null, detail: null, detailError: null, around: null });
    try {
      const trace = await call('chains.trace', { caseId, key });
      app.noteQuery('chains.trace', trace.queryMs);
      if (get().traceKey === key) set({ trace, traceLoading: false });
    } catch (e) {
      if (get().traceKey === key) set({ traceLoading: false, traceError: errorText(e) });
    }
  },
}));
