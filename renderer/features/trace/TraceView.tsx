// Jaeger-style waterfall for one chain: a lane per source with its span and event markers, gaps between steps
// labelled, the events in time order below, and the chain's links with "inferred" badges and their rule.
import { useMemo } from 'react';
import { useSelection } from '../../stores/selection';
import { useApp } from '../../stores/app';
import { levelColor } from '../../lib/levels';
import { fmtCount } from '../../lib/time';
import { fmtDuration } from '../../../shared/duration';
import { useTimeFormat } from '../../stores/timeMode';
import { IdChip, IdText } from '../detail/IdText';
import { SPAN_TITLE, StatusBadge } from '../chains/ChainsView';
import { FacetChip } from '../filters/FacetChip';
import { stepGaps, traceLayout } from './layout';
import { LinkedChains } from './LinkedChains';
import { TraceExportButton } from '../export/ExportButton';
import { CopyButton } from '../detail/CopyButton';
import { linkTo } from '../../stores/urlState';

export function TraceView() {
  const { traceKey, trace, traceLoading, traceError, select } = useSelection();
  const setView = useApp((s) => s.setView);
  const caseId = useApp((s) => s.current?.id);
  const time = useTimeFormat();
  const layout = useMemo(() => traceLayout(trace?.events ?? []), [trace]);
  const gaps = useMemo(() => stepGaps(trace?.events ?? []), [trace]);
  // Records that joined the chain by mentioning its key elsewhere (a URL, `request_id=` in a string…), and where.
  const mentioned = useMemo(() => new Map((trace?.mentions ?? []).map((m) => [m.eventId, m.foundIn])), [trace]);
  if (!traceKey) return <div className="empty">Pick a chain in the Chains view, or click an identifier chip, to see its trace.</div>;
  const span = Math.max(1, layout.t1 - layout.t0);
  const pct = (t: number) => `${((t - layout.t0) / span) * 100}%`;
  const chain = trace?.chain;
  return (
    <div className="trace" data-testid="trace-view">
      <div className="card trace-head">
        <div className="row">
          <button data-testid="trace-back" onClick={() => setView('chains')}>← Chains</button>
          <strong data-testid="trace-key">{chain?.label ?? traceKey}</strong>
          {chain && <StatusBadge status={chain.status} />}
          {chain && <span className="muted">{chain.kind}</span>}
          <span className="spacer" />
          {/* the query's time, said as such: a bare "194 ms" beside the chain's name read as its duration (its span is below) */}
          {trace && <span className="muted small" data-testid="trace-found">{fmtCount(trace.events.length)} events · found in {trace.queryMs.toFixed(0)} ms</span>}
          {caseId && <CopyButton testId="copy-trace-link" label="Copy link" text={() => linkTo({ caseId, view: 'trace', trace: traceKey })}
            title="Copy a link to this trace (opens it in the desktop app, or in this served app)" />}
          <TraceExportButton />
        </div>
        {chain && (
          <div className="row small">
            <span title={SPAN_TITLE} data-testid="trace-span">span <strong>{fmtDuration(chain.durationMs)}</strong></span>
            <span>{time.fmt(chain.first)} → {time.fmt(chain.last)} ({time.label})</span>
            {chain.user && <span>user <FacetChip facet="user" value={chain.user} /></span>}
            {chain.dataset && <span>dataset <FacetChip facet="dataset" value={chain.dataset} /></span>}
          </div>
        )}
        {chain?.failureReason && (
          <div className="row small">
            <span>failed: <span className="trace-reason mono" data-testid="trace-reason">{chain.failureReason}</span></span>
          </div>
        )}
      </div>
      {traceLoading && <div className="empty">Loading trace…</div>}
      {traceError && <div className="error-box">No trace for “{traceKey}”: {traceError}</div>}
      {trace && trace.events.length === 0 && <div className="empty">Nothing in this case mentions “{traceKey}”.</div>}
      {trace?.chain && trace.chain.kind !== 'generic' && <LinkedChains traceKey={trace.chain.key} />}
      {trace && layout.lanes.length > 0 && (
        <div className="card waterfall" data-testid="waterfall">
          <div className="wf-axis"><span>{time.fmt(new Date(layout.t0).toISOString())} ({time.label})</span><span>+{fmtDuration(span)}</span></div>
          {layout.lanes.map((l) => (
            <div key={l.source} className="wf-lane" data-testid="trace-lane" data-source={l.source}>
              <div className="wf-label">
                <span>{l.source}</span>
                <span className="muted small">{l.events.length} · {fmtDuration(l.last - l.first)}</span>
              </div>
              <div className="wf-track">
                <div className="wf-span" style={{ left: pct(l.first), width: `max(2px, ${((l.last - l.first) / span) * 100}%)` }} />
                {l.events.map((e) => (
                  <div key={e.id} className="wf-mark" title={time.fmt(new Date(e.t).toISOString())}
                    style={{ left: pct(e.t), background: levelColor(e.level) }} onClick={() => select({ id: e.id })} />
                ))}
                {l.gapMs != null && (
                  <span className="wf-gap" data-testid="trace-gap" style={{ left: pct(l.first) }}>
                    {l.gapMs >= 0 ? `+${fmtDuration(l.gapMs)} after previous` : `overlaps ${fmtDuration(-l.gapMs)}`}
                  </span>
                )}
              </div>
            </div>
          ))}
          {layout.untimed > 0 && <div className="muted small">{layout.untimed} events without a time are listed below only.</div>}
        </div>
      )}
      {trace && trace.links.length > 0 && (
        <div className="card">
          <h4>Links</h4>
          <ul className="links">
            {trace.links.map((k, i) => (
              <li key={i} data-testid="trace-link">
                <IdChip id={k.from} /> <span className="muted">{k.relation}</span> <IdChip id={k.to} />
                {k.inferred ? <span className="badge warn" title={k.rule}>inferred</span> : <span className="badge">evidence</span>}
                <span className="muted small"> {k.rule}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {trace && trace.events.length > 0 && (
        <div className="card scroll-y">
          <table className="grid-table">
            <thead><tr><th>Time ({time.label})</th><th>Δ step</th><th>Source</th><th>Level</th><th>Message</th></tr></thead>
            <tbody>
              {trace.events.map((e, i) => (
                <tr key={e.id} data-testid="trace-event" className="clickable" onClick={() => select(e)}>
                  <td className="mono small">{time.fmt(e.ts)}</td>
                  <td className="mono small">{gaps[i] != null ? `+${fmtDuration(gaps[i])}` : ''}</td>
                  <td>{e.source}{mentioned.has(e.id) && (
                    <span className="badge" data-testid="trace-mention" title={`Joined by naming the key in ${mentioned.get(e.id)}`}> mention · {mentioned.get(e.id)}</span>
                  )}</td>
                  <td style={{ color: levelColor(e.level) }}>{e.level}</td>
                  <td className="msg"><IdText text={e.message ?? ''} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
