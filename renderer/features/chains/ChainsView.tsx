// Chains (chains.list): find the slowest and the failed. Server-side filters narrow the list; column headers sort it.
import { useEffect, useMemo, useRef, useState } from 'react';
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { ChainKind, ChainStatus, type ChainSummary } from '../../../shared/correlation';
import { CHAIN_PAGE_MAX } from '../../../shared/contract/chains';
import { call } from '../../api/client';
import { useApp, errorText } from '../../stores/app';
import { useSelection } from '../../stores/selection';
import { useFilter } from '../../stores/filter';
import { useChainsQuery, type ChainSort } from '../../stores/chainsQuery';
import { fmtCount } from '../../lib/time';
import { fmtDuration } from '../../../shared/duration';
import { useTimeFormat } from '../../stores/timeMode';
import { IdChip } from '../detail/IdText';
import { FacetChip } from '../filters/FacetChip';
import { CopyButton } from '../detail/CopyButton';
import { linkTo } from '../../stores/urlState';
import { chainsStoppedText } from '../../stores/chainsJob';
import { BuildChains, CancelChains, chainsPendingText, useChainsBuild } from './ChainsStatus';

/** What a chain's time figure is (docs/CORRELATION.md): its records' whole span, not a run time some log reports. */
export const SPAN_TITLE = "From the chain's first record to its last, across every source: a Celery task's span runs from the dashboard's submit to its last result poll, so it can be longer than the worker's own 'succeeded in' time";

const col = createColumnHelper<ChainSummary>();
/** Chains per page: what the view lists first, and what each "Show more" adds. */
const PAGE = 1000;

/** The chains shown, for which data version and list (`dataKey`), and how many match in all. */
interface ChainsLoaded { dataKey: string; chains: ChainSummary[]; total: number }
const NO_CHAINS: ChainSummary[] = [];
const KINDS = ChainKind.options;
const STATUSES = ChainStatus.options;

/** Why the last import's chains are not listed: being built (Cancel stops it), or their build stopped (Build them now). */
function PendingNote({ readOnly }: { readOnly: boolean }) {
  const { live, stopped, error } = useChainsBuild();
  if (readOnly) return <>{chainsPendingText(true)}</>;
  if (stopped) return <>{chainsStoppedText(stopped)} <BuildChains testId="chains-build" />{error && <> · {error}</>}</>;
  return <>{chainsPendingText(false)}{live && <> <CancelChains testId="chains-pending-cancel" /></>}{error && <> · {error}</>}</>;
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`status status-${status}`} data-testid="chain-status">{status}</span>;
}

export function ChainsView() {
  const caseId = useApp((s) => s.current?.id);
  const version = useApp((s) => s.dataVersion);
  const pending = useApp((s) => !!s.current?.chainsPending);
  const readOnly = useApp((s) => !!s.current?.readOnly);
  const openTrace = useSelection((s) => s.openTrace);
  const kinds = useChainsQuery((s) => s.kinds);
  const statuses = useChainsQuery((s) => s.statuses);
  const minDur = useChainsQuery((s) => s.minDur);
  const text = useChainsQuery((s) => s.text);
  const sort = useChainsQuery((s) => s.sort);
  const followWindow = useChainsQuery((s) => s.followWindow);
  const setQuery = useChainsQuery((s) => s.set);
  // The timeline's window (its brush) narrows the chains too, unless the operator lets go of it here.
  const windowFrom = useFilter((s) => s.filter.from);
  const windowTo = useFilter((s) => s.filter.to);
  const from = followWindow ? windowFrom : undefined;
  const to = followWindow ? windowTo : undefined;
  const setKinds = (v: ChainKind[]) => setQuery({ kinds: v });
  const setStatuses = (v: ChainStatus[]) => setQuery({ statuses: v });
  const setMinDur = (v: string) => setQuery({ minDur: v });
  const setText = (v: string) => setQuery({ text: v });
  const setSortParam = (v: ChainSort) => setQuery({ sort: v });
  const [data, setData] = useState<ChainsLoaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  // The engine's query for these filters (the first page of it); its text is the key the extra pages belong to.
  const list = useMemo(() => {
    const min = Number(minDur);
    return {
      sort, ...(kinds.length ? { kinds } : {}), ...(statuses.length ? { statuses } : {}),
      ...(minDur && Number.isFinite(min) ? { minDurationMs: min * 1000 } : {}), ...(text ? { text } : {}),
      ...(from ? { from } : {}), ...(to ? { to } : {}),
    };
  }, [kinds, statuses, minDur, text, sort, from, to]);
  const listKey = useMemo(() => JSON.stringify([caseId, list]), [caseId, list]);
  const more = useChainsQuery((s) => s.more);
  const want = PAGE * (1 + (more?.listKey === listKey ? more.pages : 0));
  // What is on screen, read by the effect without re-running it: only `want` growing on the same list and data
  // fetches just the chains after those shown; anything else reads the list again from its top.
  const loaded = useRef<ChainsLoaded | null>(null);
  loaded.current = data;

  useEffect(() => {
    if (!caseId) return;
    const dataKey = `${version}:${listKey}`;
    const have = loaded.current?.dataKey === dataKey ? loaded.current : null;
    // Already shown (back to the filters of the list on screen before its replacement came): nothing to wait for.
    if (have && (have.chains.length >= want || have.chains.length >= have.total)) { setLoading(false); return; }
    let live = true;
    setLoading(true);
    const t = setTimeout(() => {
      void (async () => {
        let chains = have?.chains ?? [];
        let total = have?.total ?? 0;
        let ms = 0;
        // One call per 5,000 at most: returning from a trace to 7,000 loaded chains is two.
        while (chains.length < want) {
          const r = await call('chains.list', { caseId, ...list, offset: chains.length, limit: Math.min(CHAIN_PAGE_MAX, want - chains.length) });
          if (!live) return;
          // The order ends in the chain key, so pages do not overlap; a key seen twice (the case changed between two
          // pages) is still drawn once.
          const seen = new Set(chains.map((c) => c.key));
          chains = [...chains, ...r.chains.filter((c) => !seen.has(c.key))];
          total = r.total; ms += r.queryMs;
          if (!r.chains.length || chains.length >= total) break;
        }
        setData({ dataKey, chains, total }); setError(null); setLoading(false);
        useApp.getState().noteQuery('chains.list', ms);
      })().catch((e: unknown) => { if (live) { setError(errorText(e)); setLoading(false); } });
    }, have ? 0 : 250);
    return () => { live = false; clearTimeout(t); };
  }, [caseId, version, list, listKey, want]);
  // Another filter, sort or window is another list: it starts at its first page, and so does this one if set again.
  useEffect(() => {
    const m = useChainsQuery.getState().more;
    if (m && m.listKey !== listKey) setQuery({ more: null });
  }, [listKey, setQuery]);
  const showMore = () => setQuery({ more: { listKey, pages: want / PAGE } });
  const fresh = data?.dataKey === `${version}:${listKey}`;
  const left = data && fresh ? data.total - data.chains.length : 0;

  const time = useTimeFormat();
  const columns = useMemo(() => [
    col.accessor('status', { enableSorting: false, header: 'Status', cell: (c) => <StatusBadge status={c.getValue()} /> }),
    col.accessor('kind', { enableSorting: false, header: 'Kind' }),
    col.accessor('label', { enableSorting: false, header: 'Chain', cell: (c) => (
      <span><span className="chain-label">{c.getValue()}</span> <IdChip id={c.row.original.key} />{' '}
        {caseId && <CopyButton testId="copy-chain-link" label="link" text={() => linkTo({ caseId, view: 'trace', trace: c.row.original.key })}
          title="Copy a link to this chain (opens its trace)" />}</span>
    ) }),
    // The last ERROR or traceback line of a failed chain (the engine's, secrets masked): why, without opening it.
    col.accessor((r) => r.failureReason ?? '', { id: 'reason', enableSorting: false, header: 'Failure reason', cell: (c) => (
      c.getValue() ? <span className="chain-reason mono small" data-testid="chain-reason" title={c.getValue()}>{c.getValue()}</span> : ''
    ) }),
    col.accessor((r) => r.durationMs ?? -1, { id: 'duration', header: () => <span title={SPAN_TITLE}>Span</span>, cell: (c) => fmtDuration(c.row.original.durationMs) }),
    col.accessor((r) => r.user ?? '', { id: 'user', enableSorting: false, header: 'User', cell: (c) => (c.getValue() ? <FacetChip facet="user" value={c.getValue()} /> : '') }),
    col.accessor((r) => r.dataset ?? '', { id: 'dataset', enableSorting: false, header: 'Dataset', cell: (c) => (c.getValue() ? <FacetChip facet="dataset" value={c.getValue()} /> : '') }),
    col.accessor((r) => r.first ?? '', { id: 'first', header: `First (${time.label})`, cell: (c) => time.fmt(c.getValue() || null) }),
    col.accessor((r) => r.sources.join(', '), { id: 'sources', enableSorting: false, header: 'Sources' }),
    col.accessor('events', { header: 'Events', cell: (c) => fmtCount(c.getValue()) }),
  ], [time, caseId]);
  // Sorting is the engine's, over every chain that matches (not the page loaded here): the headers it can sort by
  // set `sort`; the others do not sort.
  const sorting = [{ id: sort, desc: true }];
  const table = useReactTable({
    // A stable empty list: a fresh [] each render makes the table recompute and reset its state, render after render.
    data: data?.chains ?? NO_CHAINS, columns, state: { sorting }, manualSorting: true,
    enableSortingRemoval: false,
    onSortingChange: (u) => {
      const next = (typeof u === 'function' ? u(sorting) : u)[0]?.id;
      if (next === 'first' || next === 'duration' || next === 'events') setSortParam(next);
    },
    getCoreRowModel: getCoreRowModel(), getRowId: (r) => r.key,
  });
  // What [ and ] step through: the chains in the order shown here.
  const shownKey = JSON.stringify(table.getRowModel().rows.map((r) => r.original.key));
  useEffect(() => {
    if (JSON.stringify(useChainsQuery.getState().shown) !== shownKey) setQuery({ shown: JSON.parse(shownKey) as string[] });
  }, [shownKey, setQuery]);
  const toggle = <T,>(list: T[], v: T) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

  return (
    <div className="chains" data-testid="chains-view">
      <div className="filter-row card">
        <span className="muted">Kind</span>
        {KINDS.map((k) => (
          <button key={k} data-testid={`chain-kind-${k}`} aria-pressed={kinds.includes(k)} className={kinds.includes(k) ? 'on' : ''} onClick={() => setKinds(toggle(kinds, k))}>{k}</button>
        ))}
        <span className="muted">Status</span>
        {STATUSES.map((s) => (
          <button key={s} data-testid={`chain-status-${s}`} aria-pressed={statuses.includes(s)} className={statuses.includes(s) ? 'on' : ''}
            onClick={() => setStatuses(toggle(statuses, s))}>{s}</button>
        ))}
        <label title={SPAN_TITLE}>min span <input className="num" value={minDur} onChange={(e) => setMinDur(e.target.value)} placeholder="s" /></label>
        <input placeholder="id, label, user, dataset…" value={text} onChange={(e) => setText(e.target.value)} data-testid="chain-text" />
        {(windowFrom || windowTo) && (
          <label className="check" title="Only chains with a record inside the timeline's window">
            <input type="checkbox" data-testid="chain-follow-window" checked={followWindow} onChange={(e) => setQuery({ followWindow: e.target.checked })} />
            in timeline window <span className="muted small">{time.fmt(windowFrom)} → {time.fmt(windowTo)}</span>
          </label>
        )}
        <select value={sort} onChange={(e) => setSortParam(e.target.value as ChainSort)} title="Order the engine returns">
          <option value="first">by first time</option><option value="duration">longest span first</option><option value="events">most events</option>
        </select>
      </div>
      <div className="row muted small">
        {data && <span data-testid="chains-count">{fmtCount(data.chains.length)} of {fmtCount(data.total)} chains</span>}{loading ? ' · loading…' : ''}
      </div>
      {error && <div className="error-box">Could not list chains: {error}</div>}
      {data && data.chains.length > 0 && pending && (
        // The chains of earlier imports are listed; those of the last one are not yet among them.
        <div className="muted small" data-testid="chains-pending"><PendingNote readOnly={readOnly} /> The chains listed are from before it; the list is not whole yet.</div>
      )}
      {data && data.chains.length === 0 && (pending
        // Not the filter's doing: the chains of the last import are not built (yet).
        ? <div className="empty" data-testid="chains-pending"><PendingNote readOnly={readOnly} /></div>
        : <div className="empty">No chains match — clear the kind, status or span filter. (Chains appear after an import extracts identifiers.)</div>)}
      <div className="scroll-y">
        <table className="grid-table sortable">
          <thead>
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>
                {hg.headers.map((h) => (
                  <th key={h.id} data-testid={`chain-head-${h.id}`} onClick={h.column.getCanSort() ? () => setSortParam(h.id as ChainSort) : undefined}
                    title={h.column.getCanSort() ? 'Sort all matching chains (largest first)' : undefined} className={h.column.getCanSort() ? 'clickable' : ''}>
                    {flexRender(h.column.columnDef.header, h.getContext())}
                    {{ asc: ' ▲', desc: ' ▼' }[h.column.getIsSorted() as string] ?? ''}
                  </th>
                ))}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((r) => (
              <tr key={r.id} data-testid="chain-row" data-key={r.original.key} className="clickable" onClick={() => openTrace(r.original.key)}>
                {r.getVisibleCells().map((c) => <td key={c.id}>{flexRender(c.column.columnDef.cell, c.getContext())}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
        {left > 0 && (
          <div className="row">
            <button data-testid="chains-more" disabled={loading} onClick={showMore} title="The next chains in this order, below these">
              Show {fmtCount(Math.min(PAGE, left))} more
            </button>
          </div>
        )}
      </div>
    </div>
  );
}
