// App-wide state: who we are (app.info), which cases exist, which one is open, which view shows, theme and status bar.
import { create } from 'zustand';
import type { CaseInfo } from '../../shared/domain';
import type { CallOutput } from '../../shared/contract';
import { call, ApiError } from '../api/client';

export type View = 'timeline' | 'chains' | 'trace' | 'audit' | 'pull' | 'cases' | 'keys' | 'credentials';
export type Theme = 'light' | 'dark';

type AppInfo = CallOutput<'app.info'>;

interface AppState {
  info: AppInfo | null;
  cases: CaseInfo[];
  current: CaseInfo | null;
  view: View;
  theme: Theme;
  lastQueryMs: number | null;
  lastQuery: string | null;
  error: string | null;
  busy: boolean;
  /** Bumped after an import so every view re-reads the case. */
  dataVersion: number;
  bumpData(): void;
  /** Loads app.info and the cases, then opens `preferCaseId` (from the address) if it exists, else the default case. */
  init(preferCaseId?: string): Promise<void>;
  refreshCases(): Promise<void>;
  /** Shows a case the engine has open (what cases.open / cases.get / cases.create returned). */
  openCase(c: CaseInfo): void;
  /** Opens a case of the list in the engine (a recent case is listed without being open there), then shows it. */
  openListed(c: CaseInfo): Promise<void>;
  openDir(dir: string): Promise<void>;
  /** Closes a case in the engine (its lock released, so the CLI can write it); the shown one leaves the screen. */
  closeCase(c: CaseInfo): Promise<void>;
  createCase(name: string, dir?: string, timezone?: string): Promise<CaseInfo | null>;
  refreshCurrent(): Promise<void>;
  setView(v: View): void;
  toggleTheme(): void;
  noteQuery(name: string, ms: number): void;
  fail(e: unknown): void;
  clearError(): void;
}

/** The re-read of the open case under way (refreshCurrent). */
let refreshing: Promise<void> = Promise.resolve();

const THEME_KEY = 'casefile.theme';

function initialTheme(): Theme {
  if (typeof localStorage === 'undefined') return 'light';
  const saved = localStorage.getItem(THEME_KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

export const useApp = create<AppState>((set, get) => ({
  info: null,
  cases: [],
  current: null,
  view: 'timeline',
  theme: initialTheme(),
  lastQueryMs: null,
  lastQuery: null,
  error: null,
  busy: false,
  dataVersion: 0,
  bumpData() { set({ dataVersion: get().dataVersion + 1 }); },

  async init(preferCaseId) {
    // A tab the operator clicked while the app was still loading (Keys, Sealed files) is kept, not sent back to Cases.
    const startView = get().view;
    const toCases = () => { if (get().view === startView) set({ view: 'cases' }); };
    try {
      // The case a reload or link names, or the default one, is usually open in the engine: asked for alone, it opens
      // without waiting for the list (which peeks into every recent case folder); the Cases view reads the list.
      const get1 = (caseId: string) => call('cases.get', { caseId }).catch(() => undefined);
      const named = preferCaseId ? get1(preferCaseId) : undefined;
      const info = await call('app.info', {});
      const wantedId = preferCaseId ?? info.defaultCaseId;
      const open = await (named ?? (wantedId ? get1(wantedId) : undefined));
      if (open && (preferCaseId || get().view === startView)) { get().openCase(open); set({ info }); return; }
      if (preferCaseId) {
        // A link to a case not open here: the list says whether it is a known one.
        await get().refreshCases();
        const preferred = get().cases.find((c) => c.id === preferCaseId);
        if (preferred) { set({ info }); await get().openListed(preferred); return; }
      }
      set({ info });
      // The operator already went somewhere else while this loaded: do not pull them into the default case.
      if (get().view !== startView) return;
      if (info.defaultCaseId) get().openCase(open ?? await call('cases.get', { caseId: info.defaultCaseId }));
      else toCases();
      // Said after the other case opened (opening one clears the message): the link's case is not the one shown.
      if (preferCaseId) get().fail(new Error(`The linked case (${preferCaseId}) is not open here and not among the recent cases: it was deleted, moved, or is on another machine. Open its folder from Cases.`));
    } catch (e) {
      get().fail(e);
      toCases();
    }
  },

  async refreshCases() {
    try { set({ cases: await call('cases.list', {}) }); } catch (e) { get().fail(e); }
  },

  openCase(c) {
    set({ current: c, view: 'timeline', error: null });
  },

  async openListed(c) {
    set({ busy: true });
    try {
      // By its folder: the engine hands back the case it already has open there, or opens it (read-only if locked).
      get().openCase(await call('cases.open', { dir: c.dir }));
    } catch (e) { get().fail(e); } finally { set({ busy: false }); }
  },

  async openDir(dir) {
    set({ busy: true });
    try {
      const c = await call('cases.open', { dir });
      await get().refreshCases();
      get().openCase(c);
    } catch (e) { get().fail(e); } finally { set({ busy: false }); }
  },

  async closeCase(c) {
    set({ busy: true });
    try {
      await call('cases.close', { caseId: c.id });
      if (get().current?.id === c.id) set({ current: null, view: 'cases' });
      set({ error: null });
      await get().refreshCases();
    } catch (e) { get().fail(e); } finally { set({ busy: false }); }
  },

  async createCase(name, dir, timezone) {
    set({ busy: true });
    try {
      const c = await call('cases.create', { name, ...(dir ? { dir } : {}), ...(timezone ? { timezone } : {}) });
      await get().refreshCases();
      set({ current: c, error: null });
      return c;
    } catch (e) { get().fail(e); return null; } finally { set({ busy: false }); }
  },

  refreshCurrent() {
    // One re-read at a time, in call order: an import asks one per batch, and an earlier answer landing after a later
    // one set the counts back, and let the first batch's redraw (refreshIfOpen: this, then the redraw) come after
    // the count that said the batch was in.
    const run = refreshing.then(async () => {
      const cur = get().current;
      if (!cur) return;
      try {
        const c = await call('cases.get', { caseId: cur.id });
        // The operator may have opened another case meanwhile (a job's end re-reads its case): that one stays open.
        set({ ...(get().current?.id === c.id ? { current: c } : {}), cases: get().cases.map((x) => (x.id === c.id ? c : x)) });
      } catch (e) { get().fail(e); }
    });
    refreshing = run;
    return run;
  },

  setView(v) { set({ view: v }); },

  toggleTheme() {
    const theme: Theme = get().theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem(THEME_KEY, theme);
    set({ theme });
  },

  noteQuery(name, ms) { set({ lastQuery: name, lastQueryMs: ms }); },
  fail(e) { set({ error: errorText(e) }); },
  clearError() { set({ error: null }); },
}));
