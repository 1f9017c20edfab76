// Keyboard (the full list is KEYS in KeyMap.tsx, shown by `?`): j/k move the selection, g/G go to the first/last
// record, Enter opens one, n/N jump to the next/previous ERROR-or-worse event (asking the engine when it is outside the
// loaded window), [/] step through the Chains list, / focuses search, Esc closes the key map, "around", then the selection.
import { useEffect } from 'react';
import { call } from '../../api/client';
import { useApp } from '../../stores/app';
import { cursorOf, useEvents } from '../../stores/eventWindow';
import { useSelection } from '../../stores/selection';
import { SEVERE, isSevere } from '../../lib/levels';
import { useChainsQuery } from '../../stores/chainsQuery';
import { useKeyMap } from './KeyMap';

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

/** First (g) or last (G) record of the whole result, loading the window there when it is elsewhere. */
async function edge(last: boolean) {
  const ev = useEvents.getState();
  const sel = useSelection.getState();
  const q = ev.query;
  if (!q) return;
  const inWindow = last ? (ev.atEnd ? ev.rows[ev.rows.length - 1] : undefined) : (ev.atStart ? ev.rows[0] : undefined);
  // A cursor past every row ("NULL time last, then id") makes a backward page of one the very last record.
  const row = inWindow ?? (await call('events.page', {
    caseId: q.caseId, filter: q.filter, limit: 1, ...(last ? { before: { ts: null, id: Number.MAX_SAFE_INTEGER } } : {}),
  })).rows[0];
  if (!row) return;
  sel.select(row);
  await useEvents.getState().jumpTo(row);
}

/** The previous or next chain of the Chains list as last shown, opened as a trace. */
function stepChain(step: 1 | -1): string | null {
  const keys = useChainsQuery.getState().shown;
  if (!keys.length) return 'Open the Chains view first: [ and ] step through its list.';
  const at = keys.indexOf(useSelection.getState().traceKey ?? '');
  const next = keys[at < 0 ? (step > 0 ? 0 : keys.length - 1) : at + step];
  if (!next) return `No ${step > 0 ? 'next' : 'previous'} chain in the list.`;
  void useSelection.getState().openTrace(next);
  return null;
}

/** The moving keys (j/k, g/G, n/N) not yet done, run one after another: a press made while the last one is still
 * moving the window would start from the old window (n after G found the first error of the case, n after n the same
 * error again). */
let moves: Promise<unknown> = Promise.resolve();
function inOrder<T>(step: () => Promise<T>): Promise<T> {
  const run = moves.then(step);
  moves = run.catch(() => undefined);
  return run;
}

export function nextSevere(step: 1 | -1): Promise<string | null> {
  return inOrder(() => stepSevere(step));
}

async function stepSevere(step: 1 | -1): Promise<string | null> {
  const ev = useEvents.getState();
  const sel = useSelection.getState();
  const idx = ev.rows.findIndex((r) => r.id === sel.selectedId);
  for (let i = (idx < 0 ? (step > 0 ? -1 : ev.rows.length) : idx) + step; i >= 0 && i < ev.rows.length; i += step) {
    const r = ev.rows[i];
    if (r && isSevere(r.level)) { sel.select(r); await ev.jumpTo(r); return null; }
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
      // Alt+←/→: the app's own Back/Forward (views, traces and filters are history entries in the address).
      if (e.altKey && !e.ctrlKey && !e.metaKey && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
        e.preventDefault();
        if (e.key === 'ArrowLeft') window.history.back(); else window.history.forward();
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'Escape') {
        if (typing(e.target)) { (e.target as HTMLElement).blur(); return; }
        if (useKeyMap.getState().open) { useKeyMap.getState().toggle(false); return; }
        const sel = useSelection.getState();
        if (sel.around) sel.closeAround(); else sel.select(null);
        return;
      }
      if (typing(e.target)) return;
      const view = useApp.getState().view;
      const fail = (msg: string | null) => { if (msg) useApp.setState({ error: msg }); };
      if (e.key === '?') { e.preventDefault(); useKeyMap.getState().toggle(); return; }
      if ((e.key === '[' || e.key === ']') && (view === 'trace' || view === 'chains')) {
        e.preventDefault();
        fail(stepChain(e.key === ']' ? 1 : -1));
        return;
      }
      if (e.key === '/') {
        e.preventDefault();
        if (view !== 'timeline') useApp.getState().setView('timeline');
        setTimeout(() => document.getElementById('search')?.focus(), 0);
        return;
      }
      if (view !== 'timeline') return;
      if (e.key === 'j') { e.preventDefault(); void inOrder(() => move(1)); }
      else if (e.key === 'k') { e.preventDefault(); void inOrder(() => move(-1)); }
      else if (e.key === 'g' || e.key === 'G') { e.preventDefault(); inOrder(() => edge(e.key === 'G')).catch((err) => useApp.getState().fail(err)); }
      else if (e.key === 'Enter') {
        const ev = useEvents.getState();
        if (useSelection.getState().selectedId == null && ev.rows[0]) { e.preventDefault(); useSelection.getState().select(ev.rows[0]); }
      }
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
