// "Around this moment": the records of every source within ±N seconds of one event, grouped by source.
import { useEffect, useRef, useState } from 'react';
import { useSelection } from '../../stores/selection';
import { useApp } from '../../stores/app';
import { useFilter } from '../../stores/filter';
import { levelColor } from '../../lib/levels';
import { fmtCount, toMs } from '../../lib/time';
import { fmtDuration } from '../../../shared/duration';
import { useTimeFormat } from '../../stores/timeMode';
import { IdText } from './IdText';

export function AroundView() {
  const { around, aroundSeconds, aroundPerSource, closeAround, loadDetail, loadAround } = useSelection();
  const [merged, setMerged] = useState(false);
  const time = useTimeFormat();
  const root = useRef<HTMLDivElement>(null);
  // It opens below the record's fields and raw text, out of sight when the record is long: brought into view each
  // time it opens or moves to another moment (not when only "more" or "merged" changes what it lists).
  const shownAt = around ? `${around.center.id}/${aroundSeconds}` : null;
  useEffect(() => { if (shownAt) root.current?.scrollIntoView({ block: 'start', behavior: 'auto' }); }, [shownAt]);
  if (!around) return null;
  const center = toMs(around.center.ts);
  // All sources in one time order (ties by id), each record labelled with its source.
  const all = around.groups.flatMap((g) => g.events).sort((a, b) => (toMs(a.ts) ?? 0) - (toMs(b.ts) ?? 0) || a.id - b.id);
  const showInTimeline = () => {
    if (center == null) return;
    const half = aroundSeconds * 1000;
    useFilter.getState().clearAll();
    useFilter.getState().setRange(new Date(center - half).toISOString(), new Date(center + half).toISOString());
    useApp.getState().setView('timeline');
  };
  const row = (e: (typeof all)[number], source?: string) => {
    const t = toMs(e.ts);
    return (
      <div key={e.id} data-testid="around-event" data-id={e.id} data-source={e.source} className={`around-event${e.id === around.center.id ? ' selected' : ''}`} onClick={() => loadDetail(e.id)}>
        <span className="mono small">{t != null && center != null ? (t >= center ? '+' : '') + fmtDuration(t - center) : '—'}</span>
        {source && <span className="small muted">{source}</span>}
        <span className="level small" style={{ color: levelColor(e.level) }}>{e.level ?? ''}</span>
        <span className="msg"><IdText text={e.message ?? ''} /></span>
      </div>
    );
  };
  return (
    <div className="around" data-testid="around-view" ref={root}>
      <div className="detail-head">
        <strong>Around {time.fmt(around.center.ts)} ({time.label}) ±{aroundSeconds}s</strong>
        <span className="spacer" />
        <button data-testid="around-merged" className={merged ? 'on' : undefined} onClick={() => setMerged(!merged)} title="All sources in one time order, or grouped by source">merged</button>
        <button data-testid="around-timeline" onClick={showInTimeline} title="Show this window on the timeline (filter replaced by the time range)">show in timeline</button>
        <button onClick={closeAround}>×</button>
      </div>
      {merged && around.groups.length > 0 && <div className="around-group" data-testid="around-all">{all.map((e) => row(e, e.source))}</div>}
      {around.groups.some((g) => g.events.length < g.total) && aroundPerSource < 200 && (
        <button data-testid="around-more" onClick={() => void loadAround(around.center.id, aroundSeconds, Math.min(200, aroundPerSource * 4))}>
          more — up to {Math.min(200, aroundPerSource * 4)} per source</button>
      )}
      {around.groups.length === 0 && <div className="empty">Nothing else happened within ±{aroundSeconds}s — widen the window.</div>}
      {!merged && around.groups.map((g) => (
        <div key={g.source} className="around-group" data-testid="around-group" data-source={g.source}>
          <div className="around-source">{g.source} <span className="muted small">{fmtCount(g.events.length)} of {fmtCount(g.total)}</span></div>
          {g.events.map((e) => row(e))}
        </div>
      ))}
    </div>
  );
}
