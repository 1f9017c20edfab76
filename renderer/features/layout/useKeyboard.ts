// Keyboard: j/k move the selection, n/N jump to the next/previous ERROR-or-worse event (asking the engine when it is
// outside the loaded window), / focuses search, Esc closes "around", then the selection.
import { useEffect } from 'react';
import { call } from '../../api/client';
import { useApp } from '../../stores/app';
import { cursorOf, useEvents } from '../../stores/eventWindow';
import { useSelection } from '../../stores/selection';
import { SEVERE, isSevere } from '../../lib/levels';

function typing(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

async function move(step: 1 | -1) {
  const ev = useEvents.getState();
  const sel = useSelection.getState();
  const idx = ev.rows.findIndex((r) => r.id === sel.selectedId);
  const target = idx < 0 ? 0 : idx + step;
  if (target >= ev.rows.length && !ev.atEnd) await ev.loadAfter();
  if (target < 0 && !ev.atStart) await ev.loadBefore();
  const rows = useEvents.getState().rows;
  const cur = rows.findIndex((r) => r.id === sel.selectedId);
  const row = rows[cur < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, cur + step))];
  if (row) sel.select(row);
}

export async function nextSevere(step: 1 | -1): Promise<string | null> {
  const ev = useEvents.getState();
  const sel = useSelection.getState();
  const idx = ev.rows.findIndex((r) => r.id === sel.selectedId);
  for (let i = (idx < 0 ? (step > 0 ? -1 : ev.rows.length) : idx) + step; i >= 0 && i < ev.rows.length; i += step) {
    const r = ev.rows[i];
    if (r && isSevere(r.level)) { sel.select(r); void ev.jumpTo(r); return null; }
  }
  // Not in the window: ask the engine for the nearest severe row past the window's edge.
  const q = ev.query;
  if (!q) return null;
  const levels = q.filter.levels?.length ? q.filter.levels.filter((l) => SEVERE.includes(l)) : SEVERE;
  if (!levels.length) return 'The level filter hides ERROR and CRITICAL — clear it to jump between errors.';
  const edge = step > 0 ? ev.rows[ev.rows.length - 1] : ev.rows[0];
  if (!edge || (step > 0 ? ev.atEnd : ev.atStart)) return `No ${step > 0 ? 'later' : 'earlier'} ERROR or CRITICAL event.`;
  const res = await call('events.page', {
    caseId: q.caseId, filter: { ...q.filter, levels }, limit: 1,
    ...(step > 0 ? { after: cursorOf(edge) } : { before: cursorOf(edge) }),
  });
  const hit = res.rows[0];
  if (!hit) return `No ${step > 0 ? 'later' : 'earlier'} ERROR or CRITICAL event.`;
  sel.select(hit);
  await useEvents.getState().jumpTo(hit);
  return null;
}

export function useKeyboard() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'Escape') {
        if (typing(e.target)) { (e.target as HTMLElement).blur(); return; }
        const sel = useSelection.getState();
        if (sel.around) sel.closeAround(); else sel.select(null);
        return;
      }
      if (typing(e.target)) return;
      const view = useApp.getState().view;
      if (e.key === '/') {
        e.preventDefault();
        if (view !== 'timeline') useApp.getState().setView('timeline');
        setTimeout(() => document.getElementById('search')?.focus(), 0);
        return;
      }
      if (view !== 'timeline') return;
      if (e.key === 'j') { e.preventDefault(); void move(1); }
      else if (e.key === 'k') { e.preventDefault(); void move(-1); }
      else if (e.key === 'n' || e.key === 'N') {
        e.preventDefault();
        nextSevere(e.key === 'n' ? 1 : -1)
          .then((msg) => { if (msg) useApp.setState({ error: msg }); })
          .catch((err) => useApp.getState().fail(err));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
