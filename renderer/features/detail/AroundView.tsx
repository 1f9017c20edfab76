// "Around this moment": the records of every source within ±N seconds of one event, grouped by source.
import { useSelection } from '../../stores/selection';
import { levelColor } from '../../lib/levels';
import { fmtCount, fmtDuration, toMs } from '../../lib/time';
import { useTimeFormat } from '../../stores/timeMode';
import { IdText } from './IdText';

export function AroundView() {
  const { around, aroundSeconds, closeAround, loadDetail } = useSelection();
  const time = useTimeFormat();
  if (!around) return null;
  const center = toMs(around.center.ts);
  return (
    <div className="around" data-testid="around-view">
      <div className="detail-head">
        <strong>Around {time.fmt(around.center.ts)} ({time.label}) ±{aroundSeconds}s</strong>
        <span className="spacer" />
        <button onClick={closeAround}>×</button>
      </div>
      {around.groups.length === 0 && <div className="empty">Nothing else happened within ±{aroundSeconds}s — widen the window.</div>}
      {around.groups.map((g) => (
        <div key={g.source} className="around-group" data-testid="around-group" data-source={g.source}>
          <div className="around-source">{g.source} <span className="muted small">{fmtCount(g.events.length)} of {fmtCount(g.total)}</span></div>
          {g.events.map((e) => {
            const t = toMs(e.ts);
            return (
              <div key={e.id} className={`around-event${e.id === around.center.id ? ' selected' : ''}`} onClick={() => loadDetail(e.id)}>
                <span className="mono small">{t != null && center != null ? (t >= center ? '+' : '') + fmtDuration(t - center) : '—'}</span>
                <span className="level small" style={{ color: levelColor(e.level) }}>{e.level ?? ''}</span>
                <span className="msg"><IdText text={e.message ?? ''} /></span>
              </div>
            );
          })}
        </div>
      ))}
    </div>
  );
}
