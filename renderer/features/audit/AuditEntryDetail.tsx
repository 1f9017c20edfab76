// One audit entry opened in the Audit view: what was done, with which inputs (typed text is recorded as an HMAC:
// labelled as hashed, never shown as JSON to decode), how it ended, and who and which build made it. A text the
// operator remembers can be checked against the entry's hashed inputs: the engine computes its HMAC under the case's
// salt (audit.matchText, itself audited); neither the salt nor the HMAC of the text reaches the page. Every text of the
// entry is shown through printable (its inputs and messages name the customer's files), as the CLI shows it.
import { useMemo, useState } from 'react';
import type { AuditEntryView } from '../../../shared/audit';
import { describeAction, hashedInputs, inputLabel, printableLines } from '../../../shared/auditDisplay';
import { printable, printableJson } from '../../../shared/printable';
import { call } from '../../api/client';
import { errorText } from '../../stores/app';
import './audit.css';

type Match = { seq: number; action: string; path: string };
type Check = { text: string; matches: Match[] } | { text: string; error: string };

const named = (m: Match) => printable(`${inputLabel(m.path)}${inputLabel(m.path) === m.path ? '' : ` (${m.path})`}`);

export function AuditEntryDetail({ entry, caseId }: { entry: AuditEntryView; caseId: string }) {
  const lines = useMemo(() => printableLines(entry.params), [entry.params]);
  const hashed = useMemo(() => hashedInputs(entry.params).length > 0, [entry.params]);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [check, setCheck] = useState<Check | null>(null);
  const [json, setJson] = useState(false);

  const runCheck = async () => {
    if (!text || busy) return;
    setBusy(true);
    try {
      const r = await call('audit.matchText', { caseId, text });
      setCheck({ text, matches: r.matches });
    } catch (e) {
      setCheck({ text, error: errorText(e) });
    } finally { setBusy(false); }
  };

  const counts = Object.entries(entry.result.counts ?? {});
  return (
    <div className="audit-detail" data-testid="audit-detail">
      <div className="what" data-testid="audit-what">
        {printable(describeAction(entry.action))} <span className="muted mono small">{printable(entry.action)}</span>
      </div>
      <table className="kv">
        <tbody>
          {lines.map((l) => (
            <tr key={l.path} data-testid="audit-param">
              <th title={printable(l.path)}>{l.label}</th>
              <td>
                {l.hmac !== undefined ? (
                  <span className="hashed" data-testid="audit-hashed" title={`HMAC-SHA-256 under this case's salt: ${l.hmac}`}>
                    hashed: typed text is recorded as an HMAC, not the text · <span className="mono">{l.hmac.slice(0, 12)}…</span>
                  </span>
                ) : l.items ? (
                  <>
                    <span>{l.value}</span>
                    <ul className="items mono small">{l.items.map((it, i) => <li key={i}>{it}</li>)}</ul>
                  </>
                ) : <span className="mono">{l.value}</span>}
              </td>
            </tr>
          ))}
          {lines.length === 0 && <tr><td className="muted">no inputs recorded</td></tr>}
        </tbody>
      </table>
      <div data-testid="audit-result" className={entry.result.status === 'ok' ? '' : 'warn'}>
        Result: {entry.result.status === 'ok' ? 'ok' : 'error'}
        {entry.result.message ? ` — ${printable(entry.result.message)}` : ''}
        {counts.length ? ` · ${counts.map(([k, v]) => `${printable(k)} ${v.toLocaleString()}`).join(' · ')}` : ''}
      </div>
      <div className="muted small">
        {printable(`${entry.operator}@${entry.host} via ${entry.via} · Casefile ${entry.appVersion}${entry.appCommit && entry.appCommit !== 'unknown' ? ` (${entry.appCommit.slice(0, 10)})` : ''}`)}
        {' '}· hash <span className="mono" title={entry.hash}>{entry.hash.slice(0, 16)}…</span>
        {entry.prev ? <> · follows <span className="mono" title={entry.prev}>{entry.prev.slice(0, 16)}…</span></> : null}
      </div>
      {hashed && (
        <form className="check" onSubmit={(e) => { e.preventDefault(); void runCheck(); }}>
          <span>Check a text you remember against this entry's hashed inputs:</span>
          <input value={text} onChange={(e) => { setText(e.target.value); setCheck(null); }} spellCheck={false} autoComplete="off"
            placeholder="the exact text, e.g. the search" data-testid="audit-check-text" />
          <button type="submit" disabled={!text || busy} data-testid="audit-check">{busy ? 'Checking…' : 'Check'}</button>
          {check && <CheckResult check={check} seq={entry.seq} />}
        </form>
      )}
      <div>
        <button className="link small" onClick={() => setJson(!json)} data-testid="audit-json-toggle">{json ? 'hide the stored entry' : 'show the stored entry (JSON)'}</button>
        {json && <pre className="raw" data-testid="audit-json">{printableJson(JSON.stringify({ params: entry.params, result: entry.result }, null, 2))}</pre>}
      </div>
    </div>
  );
}

function CheckResult({ check, seq }: { check: Check; seq: number }) {
  if ('error' in check) return <span className="error-text" data-testid="audit-check-result">Could not check: {check.error}</span>;
  const mine = check.matches.filter((m) => m.seq === seq);
  const others = check.matches.filter((m) => m.seq !== seq);
  return (
    <span className={`check-result ${mine.length ? 'match' : ''}`} data-testid="audit-check-result">
      {mine.length ? `✔ matches the ${mine.map(named).join(', ')} of this entry.` : '✖ matches no hashed input of this entry (the text must be exact, case included).'}
      {others.length > 0 && ` Also used in ${others.length === 1 ? 'entry' : 'entries'} ${others.slice(0, 12).map((m) => `#${m.seq} (${printable(`${m.action}, ${inputLabel(m.path)}`)})`).join(', ')}${others.length > 12 ? `, and ${others.length - 12} more` : ''}.`}
    </span>
  );
}
