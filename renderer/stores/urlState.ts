// View state in the address: the open case, the view, the filter, the trace and the selected record. A reload finds
// them again and Back/Forward move between views inside the app. Moving to another view or trace pushes a history
// entry; refining the filter or the selection replaces the current one (no entry per keystroke).
import { EventFilter } from '../../shared/domain';
import { useApp, type View } from './app';
import { normalise, useFilter } from './filter';
import { useSelection } from './selection';

const VIEWS: readonly View[] = ['timeline', 'chains', 'trace', 'audit', 'cases'];

export interface UrlState {
  caseId?: string;
  view?: View;
  filter?: EventFilter;
  trace?: string;
  event?: number;
}

/** Reads view state from a query string; anything malformed is left out rather than trusted. */
export function parseUrlState(search: string): UrlState {
  const q = new URLSearchParams(search);
  const out: UrlState = {};
  const c = q.get('case');
  if (c) out.caseId = c;
  const v = q.get('view') as View | null;
  if (v && VIEWS.includes(v)) out.view = v;
  const f = q.get('filter');
  if (f) {
    try {
      const parsed = EventFilter.safeParse(JSON.parse(f));
      if (parsed.success) out.filter = normalise(parsed.data);
    } catch { /* not JSON: no filter */ }
  }
  const t = q.get('trace');
  if (t) out.trace = t;
  const e = Number(q.get('event'));
  if (q.get('event') && Number.isSafeInteger(e)) out.event = e;
  return out;
}

export function formatUrlState(s: UrlState): string {
  const q = new URLSearchParams();
  if (s.caseId) q.set('case', s.caseId);
  if (s.view) q.set('view', s.view);
  if (s.filter && Object.keys(s.filter).length) q.set('filter', JSON.stringify(s.filter));
  if (s.view === 'trace' && s.trace) q.set('trace', s.trace);
  if (s.event != null) q.set('event', String(s.event));
  const str = q.toString();
  return str ? `?${str}` : '';
}

function current(): UrlState {
  const { current: c, view } = useApp.getState();
  if (!c) return { view: 'cases' };
  const sel = useSelection.getState();
  return {
    caseId: c.id, view, filter: useFilter.getState().filter,
    ...(sel.traceKey ? { trace: sel.traceKey } : {}),
    ...(sel.selectedId != null ? { event: sel.selectedId } : {}),
  };
}

/** What makes a history entry: the case, the view and the trace. */
const placeOf = (s: UrlState) => `${s.caseId ?? ''}|${s.view ?? ''}|${s.view === 'trace' ? s.trace ?? '' : ''}`;

let applying = false;

/** State waiting for its case to open (Back to another case, or the first load). */
let pendingOpen: UrlState | null = null;


/** The state the app was loaded with (a reload, a pasted link), for the case it names. */
export const initialUrlState = parseUrlState(typeof window === 'undefined' ? '' : window.location.search);
pendingOpen = initialUrlState.caseId ? initialUrlState : null;

/** Puts a URL's view state on the open case (after the case's own reset). */
export function applyUrlState(s: UrlState): void {
  const caseId = useApp.getState().current?.id;
  if (!caseId || s.caseId !== caseId) return;
  applying = true;
  try {
    useFilter.setState({ filter: s.filter ?? {}, ...(s.filter?.text ? { regex: !!s.filter.regex } : {}) });
    if (s.view === 'trace' && s.trace) void useSelection.getState().openTrace(s.trace);
    else if (s.view) useApp.getState().setView(s.view);
    if (s.event != null) useSelection.getState().select({ id: s.event });
    else useSelection.getState().select(null);
  } finally { applying = false; }
}

/** Keeps the address in step with the stores, and Back/Forward in step with the address. Returns the unsubscribe. */
export function startUrlSync(): () => void {
  let last = placeOf(parseUrlState(window.location.search));
  let first = !initialUrlState.caseId;
  const write = () => {
    // Nothing is written while the app starts or a case waits to open: the address still holds what to restore.
    if (applying || pendingOpen || !useApp.getState().info) return;
    const s = current();
    const url = `${window.location.pathname}${formatUrlState(s)}${window.location.hash}`;
    if (url === `${window.location.pathname}${window.location.search}${window.location.hash}`) return;
    const place = placeOf(s);
    // The first write settles the loaded page (say, the default case opening) in place: Back must not land on a blank one.
    if (place !== last && !first) window.history.pushState(null, '', url);
    else window.history.replaceState(null, '', url);
    last = place;
    first = false;
  };
  const onPop = () => {
    const s = parseUrlState(window.location.search);
    last = placeOf(s);
    const app = useApp.getState();
    if (s.caseId && s.caseId !== app.current?.id) {
      const c = app.cases.find((x) => x.id === s.caseId);
      if (c) { pendingOpen = s; app.openCase(c); }
      return;
    }
    if (!s.caseId) { applying = true; app.setView('cases'); applying = false; return; }
    applyUrlState(s);
  };
  const offs = [useApp.subscribe(write), useFilter.subscribe(write), useSelection.subscribe(write)];
  window.addEventListener('popstate', onPop);
  return () => { for (const off of offs) off(); window.removeEventListener('popstate', onPop); };
}

/** Called once a case is open and reset: applies the URL state that was waiting for it. */
export function takePendingUrlState(caseId: string): void {
  const s = pendingOpen;
  if (!s || s.caseId !== caseId) { pendingOpen = null; return; }
  pendingOpen = null;
  applyUrlState(s);
}
