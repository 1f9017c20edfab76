// The window: header (case, views, integrity, theme), the current view, and the status bar.
import { useEffect } from 'react';
import { useApp, type View } from '../../stores/app';
import { useEvents, whenTableStill } from '../../stores/eventWindow';
import { useFilter } from '../../stores/filter';
import { useIntegrity } from '../../stores/integrity';
import { useSelection } from '../../stores/selection';
import { useChainsQuery } from '../../stores/chainsQuery';
import { followLayout } from '../../stores/columnLayout';
import { appReadyForLinks, holdPlaceWithoutSession, initialUrlState, startUrlSync, takePendingUrlState } from '../../stores/urlState';
import { fmtCount } from '../../lib/time';
import { getClient } from '../../api/client';
import { jobIsLive } from '../../../shared/contract';
import { AuditPanel } from '../audit/AuditPanel';
import { IntegrityBadge } from '../audit/IntegrityBadge';
import { CasesView } from '../cases/CasesView';
import { CredentialsView } from '../credentials/CredentialsView';
import { KeysView } from '../keys/KeysView';
import { ChainsView } from '../chains/ChainsView';
import { ChainsStatus } from '../chains/ChainsStatus';
import { ImportStatus } from '../cases/ImportStatus';
import { useImport } from '../../stores/importJob';
import { DetailPanel } from '../detail/DetailPanel';
import { FilterBar } from '../filters/FilterBar';
import { EventsTable } from '../table/EventsTable';
import { FieldSidebar } from '../fields/FieldSidebar';
import { Timeline } from '../timeline/Timeline';
import { TraceView } from '../trace/TraceView';
import { PullView } from '../pull/PullView';
import { ExportDialog } from '../export/ExportDialog';
import { useExport } from '../export/exportStore';
import { useKeyboard } from './useKeyboard';
import { KeyMap } from './KeyMap';
import { StartHere } from './StartHere';
import { TimeModeToggle } from './TimeModeToggle';
import { HistoryButtons } from './HistoryButtons';

const TABS: { id: View; label: string }[] = [
  { id: 'timeline', label: 'Timeline' }, { id: 'chains', label: 'Chains' }, { id: 'trace', label: 'Trace' },
  { id: 'audit', label: 'Audit' }, { id: 'pull', label: 'Pull' }, { id: 'cases', label: 'Cases' }, { id: 'credentials', label: 'Sealed files' }, { id: 'keys', label: 'Keys' },
];
/** Views that need no open case. */
const CASELESS: View[] = ['cases', 'credentials', 'keys'];

export function App() {
  const { current, view, setView, theme, toggleTheme, error, clearError, info } = useApp();
  useKeyboard();

  useEffect(() => { document.documentElement.dataset.theme = theme; }, [theme]);
  useEffect(() => {
    const stop = startUrlSync();
    void useApp.getState().init(initialUrlState.caseId).then(() => {
      const app = useApp.getState();
      if (!app.info && holdPlaceWithoutSession()) {
        app.fail(new Error('This tab has no Casefile session, so the link cannot open yet: open the address `casefile serve` printed (with its token) in this tab, and the link opens.'));
      }
      appReadyForLinks();
    });
    return stop;
  }, []);
  // A newly opened case starts clean: no filter from the previous one, fresh verification; then whatever the address
  // asked for (a reload, a link, Back to this case).
  useEffect(() => {
    useFilter.getState().clearAll();
    useSelection.getState().select(null);
    useChainsQuery.getState().reset();
    useIntegrity.getState().reset(current?.id ?? null);
    if (!current) return;
    const stopLayout = followLayout(current.id);
    takePendingUrlState(current.id);
    // An export of this case still running (the page was reloaded, or another window started it): its dialog follows it.
    void useExport.getState().attach(current.id);
    // Verification hashes the evidence and walks the audit trail: on a large case that is seconds of both cores, so
    // there it waits until the table's first page is drawn and the operator has paused (what they came to see, and
    // their first clicks, are not slowed by it). A small case verifies at once, before an import into it can start
    // (evidence read mid-import shows files not yet sealed).
    const verify = () => { void useIntegrity.getState().verifyAudit(); void useIntegrity.getState().verifyCase(); };
    const stopWaiting = current.eventCount >= VERIFY_AFTER_PAGE_EVENTS ? whenTableStill(current.id, verify) : (verify(), () => undefined);
    return () => { stopLayout(); stopWaiting(); };
  }, [current?.id]);

  return (
    <div className="app">
      <header className="app-header">
        <span className="brand">Casefile</span>
        <HistoryButtons />
        <span className="case-name" data-testid="case-name-header">
          {current ? current.name : 'no case open'}
          {current?.readOnly && <span className="badge warn" title={current.readOnlyReason}>read-only</span>}
        </span>
        <nav className="tabs">
          {TABS.map((t) => (
            <button key={t.id} data-testid={`tab-${t.id}`} className={view === t.id ? 'tab on' : 'tab'}
              disabled={!current && !CASELESS.includes(t.id)} onClick={() => setView(t.id)}>{t.label}</button>
          ))}
        </nav>
        <span className="spacer" />
        {current && <TimeModeToggle />}
        {current && <IntegrityBadge />}
        <button data-testid="theme-toggle" onClick={toggleTheme} title="Light / dark theme">{theme === 'dark' ? '☀' : '☾'}</button>
      </header>
      {error && (
        <div className="error-banner" data-testid="error-banner" role="alert">
          {error}<button onClick={clearError}>dismiss</button>
        </div>
      )}
      <main className="app-main">
        {view === 'keys' ? <div className="view"><KeysView /></div> : view === 'credentials' ? <div className="view"><CredentialsView /></div> : !current || view === 'cases' ? <div className="view"><CasesView /></div> : (
          <>
            <div className="view">
              {view === 'timeline' && (
                <div className="investigate">
                  <StartHere />
                  <FilterBar />
                  <Timeline />
                  <div className="investigate-body">
                    <FieldSidebar />
                    <EventsTable />
                  </div>
                </div>
              )}
              {view === 'chains' && <ChainsView />}
              {view === 'trace' && <TraceView />}
              {view === 'audit' && <AuditPanel />}
              {view === 'pull' && <PullView />}
            </div>
            <DetailPanel />
          </>
        )}
      </main>
      <StatusBar mode={info?.mode} version={info?.version} />
      <KeyMap />
      <ExportDialog />
    </div>
  );
}

/** Cases with this many events verify after the table's first page rather than at once. */
const VERIFY_AFTER_PAGE_EVENTS = 500_000;

function StatusBar({ mode, version }: { mode?: string; version?: string }) {
  const current = useApp((s) => s.current);
  // While an import runs, its identifiers and chains are not being built yet: the import's word stands for both.
  const importing = useImport((s) => s.running);
  const lastQueryMs = useApp((s) => s.lastQueryMs);
  const lastQuery = useApp((s) => s.lastQuery);
  const total = useEvents((s) => s.total);
  const totalKnown = useEvents((s) => s.totalKnown);
  // The table's last count is of the case it last read: a case just created (or opened onto the import panel) has
  // not been read yet, and the count of the case left behind is not its own.
  const countedCase = useEvents((s) => s.query?.caseId);
  const loading = useEvents((s) => s.loading);
  const caseId = current?.id;
  const view = useApp((s) => s.view);
  const dataVersion = useApp((s) => s.dataVersion);
  // New data redraws the table, and its total, where the table is drawn; on another view (the import panel an
  // import is watched from) "matching" is counted again here, or it says the count from before the import.
  useEffect(() => {
    if (caseId && view !== 'timeline' && dataVersion) void useEvents.getState().recount(caseId);
  }, [caseId, view, dataVersion]);
  // The correlate job (after an import's events are in): when it ends, chains and the pending flag are fresh.
  useEffect(() => {
    if (!caseId) return;
    const off = getClient().on('job.progress', (j) => {
      if (j.caseId !== caseId || jobIsLive(j)) return;
      const app = useApp.getState();
      // The text index changes no answer, only how fast searches come: the status line is all it refreshes.
      if (j.kind === 'text-index') void app.refreshCurrent();
      if (j.kind === 'correlate') void app.refreshCurrent().then(() => app.bumpData());
    });
    return () => { if (off) off(); };
  }, [caseId]);
  return (
    <footer className="status-bar" data-testid="status-bar">
      {current ? (
        <>
          <span data-testid="status-case-events">{fmtCount(current.eventCount)} events in case</span>
          {countedCase === current.id && <span data-testid="status-matching">{totalKnown ? fmtCount(total) : 'counting…'} matching</span>}
          <span data-testid="status-bundles">{fmtCount(current.bundleCount)} bundle{current.bundleCount === 1 ? '' : 's'}</span>
          <span className="status-fit" title={current.timezone.evidence}>tz {current.timezone.zone} ({current.timezone.how})</span>
          <ImportStatus />
          {!importing && <ChainsStatus />}
          {current.textIndexPending && !current.readOnly && (
            <span className="muted status-fit" data-testid="status-text-index" title="Searches are exact meanwhile; records not yet indexed are read in full">indexing text…</span>
          )}
          {current.readOnly && (
            <span className="warn status-fit" data-testid="status-readonly" title={`read-only: ${current.readOnlyReason ?? 'the case cannot be written'}`}>read-only: {current.readOnlyReason ?? 'the case cannot be written'}</span>
          )}
        </>
      ) : <span>No case open</span>}
      <span className="spacer" />
      {loading && <span>loading…</span>}
      {lastQueryMs != null && <span data-testid="status-query">{lastQuery} {lastQueryMs.toFixed(0)} ms</span>}
      <span className="muted status-keys" title="j/k move · n/N errors · / search · ? all keys">j/k move · n/N errors · / search · ? all keys</span>
      <span>{mode ?? ''} {version ?? ''}</span>
    </footer>
  );
}
