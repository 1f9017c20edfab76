// View state in the address: the open case, the view, the filter, the trace and the selected record. A reload finds
// them again and Back/Forward move between views inside the app. Moving to another view or trace pushes a history
// entry; refining the filter or the selection replaces the current one (no entry per keystroke).
import { deepLink, formatViewQuery, LINK_VIEWS, parseViewQuery, ViewLink, type LinkView } from '../../shared/viewLink';
import { getClient } from '../api/client';
import { useApp } from './app';
import { chainsLinkOf, useChainsQuery } from './chainsQuery';
import { normalise, useFilter } from './filter';
import { useSelection } from './selection';

export type UrlState = ViewLink;

/** Reads view state from a query string (the same parser as casefile:// links); anything malformed is left out. */
export function parseUrlState(search: string): UrlState {
  const s = parseViewQuery(search);
  return s.filter ? { ...s, filter: normalise(s.filter) } : s;
}

export const formatUrlState = formatViewQuery;

/** A link to a place that opens it where it was copied: `casefile://open?…` for the desktop app, this server's
 * address in browser mode. Built from the state, never from the address bar, so it carries no token. */
export function linkTo(s: UrlState): string {
  if (getClient().transport === 'electron') return deepLink(s);
  return `${window.location.origin}/${formatViewQuery(s)}`;
}

/** Where the operator is now: case, view, filter, trace and record. */
export function currentPlace(): UrlState {
  const { current: c, view } = useApp.getState();
  if (!c) return { view: 'cases' };
  const sel = useSelection.getState();
  return {
    // Views without a case-specific place (pull, keys, sealed files) are not written; the link opens the case.
    caseId: c.id, view: (LINK_VIEWS as readonly string[]).includes(view) ? view as LinkView : undefined, filter: useFilter.getState().filter,
    ...(sel.traceKey ? { trace: sel.traceKey } : {}),
    ...(sel.selectedId != null ? { event: sel.selectedId } : {}),
    // The Chains view's filters travel with it: a reload or a shared link lists the same chains.
    ...(view === 'chains' ? { chains: chainsLinkOf(useChainsQuery.getState()) } : {}),
  };
}

/** What makes a history entry: the case, the view and the trace. A case without a view is its timeline (a record link). */
const placeOf = (s: UrlState) => {
  const view = s.view ?? (s.caseId ? 'timeline' : '');
  return `${s.caseId ?? ''}|${view}|${view === 'trace' ? s.trace ?? '' : ''}`;
};

let applying = false;
/** Opens a place as a new history entry (set while the address is in sync). */
let navigate: ((s: UrlState) => void) | null = null;

/** State waiting for its case to open (Back to another case, or the first load). */
let pendingOpen: UrlState | null = null;


/** Where a tab keeps a link it could not open yet: opened in a new tab (browser mode), it has no session token. */
const HELD_KEY = 'casefile.heldPlace';

/** The state the app was loaded with (a reload, a pasted link, or a link held until this tab got its session). */
export const initialUrlState = ((): UrlState => {
  if (typeof window === 'undefined') return {};
  const s = parseUrlState(window.location.search);
  let held: string | null = null;
  try { held = sessionStorage.getItem(HELD_KEY); sessionStorage.removeItem(HELD_KEY); } catch { /* storage off */ }
  return s.caseId || !held ? s : parseUrlState(held);
})();

/**
 * The app could not start (browser mode in a tab without the session token: a link pasted into a new tab). The link's
 * place is kept for this tab, and opens once the operator opens the address `casefile serve` printed here.
 */
export function holdPlaceWithoutSession(): boolean {
  if (!initialUrlState.caseId || getClient().transport !== 'browser') return false;
  try { sessionStorage.setItem(HELD_KEY, formatUrlState(initialUrlState)); return true; } catch { return false; }
}
pendingOpen = initialUrlState.caseId ? initialUrlState : null;

/** Puts a URL's view state on the open case (after the case's own reset). */
export function applyUrlState(s: UrlState): void {
  const caseId = useApp.getState().current?.id;
  if (!caseId || s.caseId !== caseId) return;
  applying = true;
  try {
    useFilter.setState({ filter: s.filter ?? {}, ...(s.filter?.text ? { regex: !!s.filter.regex } : {}) });
    // A link without a view (`?case=…&event=…`) opens the case's timeline.
    if (s.view === 'chains') useChainsQuery.getState().applyLink(s.chains);
    if (s.view === 'trace' && s.trace) void useSelection.getState().openTrace(s.trace);
    else useApp.getState().setView(s.view ?? 'timeline');
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
    const s = currentPlace();
    const url = `${window.location.pathname}${formatUrlState(s)}${window.location.hash}`;
    if (url === `${window.location.pathname}${window.location.search}${window.location.hash}`) return;
    const place = placeOf(s);
    // The first write settles the loaded page (say, the default case opening) in place: Back must not land on a blank one.
    if (place !== last && !first) window.history.pushState(null, '', url);
    else window.history.replaceState(null, '', url);
    last = place;
    first = false;
  };
  const onPop = () => goTo(parseUrlState(window.location.search));
  navigate = (s) => {
    window.history.pushState(null, '', `${window.location.pathname}${formatUrlState(s)}${window.location.hash}`);
    goTo(s);
  };
  const goTo = (s: UrlState) => {
    last = placeOf(s);
    const app = useApp.getState();
    if (s.caseId && s.caseId !== app.current?.id) {
      const open = () => {
        const c = useApp.getState().cases.find((x) => x.id === s.caseId);
        if (c) {
          pendingOpen = s;
          // Not opened (its folder gone, say): nothing waits any more, or the address would stop following the app.
          void useApp.getState().openListed(c).then(() => { if (useApp.getState().current?.id !== s.caseId && pendingOpen === s) pendingOpen = null; });
        }
        return !!c;
      };
      // A case made since the list was read (a shell link is checked against the engine's registry) is looked up again.
      if (!open()) void app.refreshCases().then(open);
      return;
    }
    if (!s.caseId) { applying = true; app.setView('cases'); applying = false; return; }
    applyUrlState(s);
  };
  // Written once the store change's own work is done (a filter change asks the engine first: the address's
  // replaceState took 5-15 ms of the main thread before a zoom's histogram was asked); still in the same task.
  let queued = false;
  const writeSoon = () => {
    if (queued || applying) return;
    queued = true;
    queueMicrotask(() => { queued = false; write(); });
  };
  const offs = [useApp.subscribe(writeSoon), useFilter.subscribe(writeSoon), useSelection.subscribe(writeSoon), useChainsQuery.subscribe(writeSoon)];
  window.addEventListener('popstate', onPop);
  return () => { for (const off of offs) off(); window.removeEventListener('popstate', onPop); navigate = null; };
}

/** Called once a case is open and reset: applies the URL state that was waiting for it. */
export function takePendingUrlState(caseId: string): void {
  const s = pendingOpen;
  if (!s || s.caseId !== caseId) { pendingOpen = null; return; }
  pendingOpen = null;
  applyUrlState(s);
}

/** Links the desktop shell opens (casefile://open?…, checked there): each waits until the app has loaded its cases. */
let shellLinks: UrlState[] | null = [];

/** Listens for the shell's `app.openLink` before the app renders, so a link sent as the page loads is not lost. */
export function listenForOpenLinks(): () => void {
  if (getClient().transport !== 'electron') return () => undefined;
  return getClient().on('app.openLink', (payload) => {
    // The shell checked it; the page checks it again before acting on it.
    const s = ViewLink.safeParse(payload);
    if (!s.success) return;
    if (shellLinks) shellLinks.push(s.data);
    else navigate?.(s.data);
  });
}

/** The app has its cases (init finished): open the links that waited, the last one winning. */
export function appReadyForLinks(): void {
  const waiting = shellLinks ?? [];
  shellLinks = null;
  const last = waiting.at(-1);
  if (last) navigate?.(last);
}
