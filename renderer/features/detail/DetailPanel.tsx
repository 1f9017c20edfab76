// The side panel for one record: every field, the raw record, file and line, tz rule, parse status, copy buttons,
// previous/next record in the same file, identifier chips and "Around this moment".
import { useState } from 'react';
import { printable } from '../../../shared/printable';
import { useSelection } from '../../stores/selection';
import { isFacetField, isIdField } from '../../lib/ids';
import { levelColor } from '../../lib/levels';
import { fmtTime } from '../../lib/time';
import { fmtOffset, fmtZoned, zoneOffsetMs } from '../../lib/siteTime';
import { useApp } from '../../stores/app';
import { CopyButton } from './CopyButton';
import { linkTo } from '../../stores/urlState';
import { IdChip, IdText } from './IdText';
import { showValue } from './fieldValue';
import { AroundView } from './AroundView';
import { FacetChip } from '../filters/FacetChip';
import { IdentifierChips } from './IdentifierChips';
import { FieldActions } from '../fields/FieldActions';
import { filterValue } from './fieldValue';
import { fieldPath, isMasked, Masked } from '../secrets/Masked';

export function DetailPanel() {
  const { detail, detailLoading, detailError, selectedId, loadDetail, select, loadAround, aroundLoading } = useSelection();
  // The box keeps what is typed (empty while retyping); the window is read from it when used, 30 s when it is no number.
  const [secondsText, setSecondsText] = useState('30');
  const seconds = Math.min(86400, Math.max(1, Math.round(Number(secondsText)) || 30));
  const zone = useApp((s) => s.current?.timezone.zone ?? '');
  const caseId = useApp((s) => s.current?.id);
  if (selectedId == null) return null;
  return (
    <aside className="detail" data-testid="detail-panel">
      <div className="detail-head">
        <strong>Record</strong>
        {detail && <span className="level" style={{ color: levelColor(detail.level) }}>{detail.level ?? '—'}</span>}
        <span className="spacer" />
        {detail && caseId && <CopyButton testId="copy-event-link" label="Copy link" text={() => linkTo({ caseId, event: detail.id })}
          title="Copy a link to this record (opens it in the desktop app, or in this served app)" />}
        <button data-testid="detail-prev" disabled={!detail?.prevId} title="Previous record in the same file"
          onClick={() => detail?.prevId != null && loadDetail(detail.prevId)}>◀ prev</button>
        <button data-testid="detail-next" disabled={!detail?.nextId} title="Next record in the same file"
          onClick={() => detail?.nextId != null && loadDetail(detail.nextId)}>next ▶</button>
        <button data-testid="detail-close" title="Close (Esc)" onClick={() => select(null)}>×</button>
      </div>
      {detailLoading && !detail && <div className="empty">Loading record…</div>}
      {detailError && <div className="error-box">Could not load the record: {detailError}</div>}
      {detail && (
        <div className="detail-body">
          <dl className="meta">
            <dt>time</dt><dd data-testid="detail-time">{fmtTime(detail.ts)} UTC {detail.tsText && <span className="muted small">(as written: {detail.tsText})</span>}</dd>
            {detail.ts && zone && (
              <><dt>site time</dt><dd data-testid="detail-site-time">{fmtZoned(detail.ts, zone)} {zone} ({fmtOffset(zoneOffsetMs(Date.parse(detail.ts), zone))})</dd></>
            )}
            <dt>source</dt><dd>{detail.source}</dd>
            <dt>file</dt><dd data-testid="detail-file"><span className="mono">{printable(detail.file)}:{detail.line}</span>
              {detail.lineCount > 1 && <span className="muted small"> ({detail.lineCount} lines)</span>} <CopyButton text={`${detail.file}:${detail.line}`} /></dd>
            <dt>tz rule</dt><dd className="small">{detail.tzRule}</dd>
            <dt>parse</dt><dd data-testid="detail-parse" className={detail.parseStatus === 'ok' ? '' : 'warn'}>{detail.parseStatus}</dd>
            {detail.logger && <><dt>logger</dt><dd className="mono">{detail.logger} <FieldActions field="logger" value={detail.logger} /></dd></>}
            <dt>bundle</dt><dd className="mono small">{detail.bundle}</dd>
          </dl>
          <div className="around-row">
            <button data-testid="around-btn" onClick={() => loadAround(detail.id, seconds)} disabled={aroundLoading}>Around this moment</button>
            ±<input type="number" data-testid="around-seconds" min={1} max={86400} value={secondsText} className="num" onChange={(e) => setSecondsText(e.target.value)}
              onKeyDown={(e) => { if (e.key === 'Enter' && !aroundLoading) void loadAround(detail.id, seconds); }} /> s
          </div>
          <h4>Identifiers</h4>
          <IdentifierChips eventId={detail.id} />
          <h4>Message <CopyButton text={detail.message ?? ''} /></h4>
          <pre className="message" data-testid="detail-message">
            <Masked id={detail.id} field="message" masked={detail.masked} text={detail.message ?? ''}>{(t) => <IdText text={t} />}</Masked>
          </pre>
          <h4>Fields ({Object.keys(detail.fields).length})</h4>
          <table className="fields">
            <tbody>
              {Object.entries(detail.fields).map(([k, v]) => {
                const shown = showValue(v);
                return (
                  <tr key={k} data-testid="detail-field" data-field={k}>
                    <th className="mono">{k}</th>
                    <td>
                      {isMasked(detail.masked, fieldPath(k))
                        ? <Masked id={detail.id} field={fieldPath(k)} masked={detail.masked} text={shown.text}>
                          {(t) => <pre className="field-block">{showValue(t).text}</pre>}</Masked>
                        : shown.kind === 'block'
                        ? <pre className="field-block"><IdText text={shown.text} /></pre>
                        : isIdField(k) && shown.text ? <IdChip id={shown.text} />
                          : isFacetField(k) && shown.text ? <FacetChip facet={k} value={shown.text} />
                            : <span className="mono"><IdText text={shown.text} /></span>}
                    </td>
                    <td className="copy-cell"><FieldActions field={k} value={isMasked(detail.masked, fieldPath(k)) ? undefined : filterValue(v)} /><CopyButton text={typeof v === 'string' ? v : JSON.stringify(v)} label="copy" /></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <h4>Raw record <CopyButton text={detail.raw} /></h4>
          <pre className="raw" data-testid="detail-raw"><Masked id={detail.id} field="raw" masked={detail.masked} text={detail.raw} /></pre>
        </div>
      )}
      <AroundView />
    </aside>
  );
}
