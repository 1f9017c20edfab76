// The case's audit trail (audit.list) with its verification (audit.verify) and the evidence check (case.verify).
import { Fragment, useEffect, useMemo, useState } from 'react';
import type { AuditEntryView } from '../../../shared/audit';
import { call } from '../../api/client';
import { useApp, errorText } from '../../stores/app';
import { useIntegrity } from '../../stores/integrity';
import { fmtTime } from '../../lib/time';
import { describeAction } from '../../../shared/auditDisplay';
import { AuditEntryDetail } from './AuditEntryDetail';

export function AuditPanel() {
  const caseId = useApp((s) => s.current?.id);
  const version = useApp((s) => s.dataVersion);
  const { audit, evidence, auditBusy, evidenceBusy, verifyAudit, verifyCase, error: verifyError } = useIntegrity();
  const [entries, setEntries] = useState<AuditEntryView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [action, setAction] = useState('');
  const [text, setText] = useState('');
  const [open, setOpen] = useState<number | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!caseId) return;
    let live = true;
    call('audit.list', { caseId, limit: 2000, ...(action ? { action } : {}) })
      .then((e) => { if (live) { setEntries(e); setError(null); } })
      .catch((e) => { if (live) setError(errorText(e)); });
    return () => { live = false; };
  }, [caseId, action, version, tick]);

  const actions = useMemo(() => [...new Set((entries ?? []).map((e) => e.action))].sort(), [entries]);
  // The filter reads what the view shows: the stored entry and the action in words.
  const shown = (entries ?? []).filter((e) => !text || `${describeAction(e.action)} ${JSON.stringify(e)}`.toLowerCase().includes(text.toLowerCase()));

  return (
    <div className="audit" data-testid="audit-panel">
      <div className="cols">
        <section className="card" data-testid="audit-verify">
          <h4>Audit chain</h4>
          {audit ? (
            <div>
              <div className={audit.ok ? 'ok' : 'warn'} data-testid="audit-status">{audit.ok ? '✔ intact' : '✖ BROKEN'} through entry #{audit.entries}{audit.tornTail ? ' · torn last line' : ''}</div>
              <div className="small">head hash <span className="mono" data-testid="audit-head">{audit.headHash ?? '—'}</span></div>
              {audit.firstBroken && <div className="error-box">First broken entry: seq {audit.firstBroken.seq ?? '?'} (line {audit.firstBroken.line}): {audit.firstBroken.problem}</div>}
              <div className="muted small">verified {fmtTime(audit.verifiedAt)}</div>
            </div>
          ) : <div className="muted">Not verified yet.</div>}
          <button onClick={() => { void verifyAudit(); setTick(tick + 1); }} disabled={auditBusy}>{auditBusy ? 'Verifying…' : 'Verify audit chain'}</button>
        </section>
        <section className="card" data-testid="case-verify">
          <h4>Evidence (chain of custody)</h4>
          {evidence ? (
            <div>
              <div className={evidence.ok ? 'ok' : 'warn'}>{evidence.ok ? '✔ every bundle file matches its manifest' : `✖ ${evidence.problems.length} problems`} · {evidence.filesChecked} files</div>
              {evidence.problems.slice(0, 50).map((p, i) => <div key={i} className="small warn">{p.bundle}/{p.file}: {p.problem}</div>)}
              <div className="muted small">verified {fmtTime(evidence.verifiedAt)}</div>
            </div>
          ) : <div className="muted">Not verified yet.</div>}
          <button onClick={() => verifyCase()} disabled={evidenceBusy}>{evidenceBusy ? 'Re-hashing…' : 'Verify evidence'}</button>
        </section>
      </div>
      {verifyError && <div className="error-box">{verifyError}</div>}
      <div className="filter-row">
        <select value={action} onChange={(e) => setAction(e.target.value)} data-testid="audit-action">
          <option value="">all actions</option>
          {actions.map((a) => <option key={a} value={a}>{a}</option>)}
        </select>
        <input placeholder="filter entries…" value={text} onChange={(e) => setText(e.target.value)} data-testid="audit-text" />
        {/* One count: the entries listed (the chain card says how far verification reached, not a second total). */}
        <span className="muted small" data-testid="audit-count">
          {text ? `${shown.length} shown of ` : ''}{entries?.length ?? 0} entries
        </span>
      </div>
      {error && <div className="error-box">Could not read the audit log: {error}</div>}
      <div className="scroll-y">
        <table className="grid-table">
          <thead><tr><th>#</th><th>Time (UTC)</th><th>Operator</th><th>Action</th><th>Via</th><th>Result</th><th>Hash</th></tr></thead>
          <tbody>
            {shown.map((e) => (
              <Fragment key={e.seq}>
                <tr data-testid="audit-row" className="clickable" onClick={() => setOpen(open === e.seq ? null : e.seq)}>
                  <td>{e.seq}</td>
                  <td className="mono small">{fmtTime(e.time)}</td>
                  <td>{e.operator}@{e.host}</td>
                  <td title={describeAction(e.action)}>{e.action}</td>
                  <td>{e.via}</td>
                  <td className={e.result.status === 'ok' ? '' : 'warn'}>{e.result.status}{e.result.message ? `: ${e.result.message}` : ''}</td>
                  <td className="mono small" title={e.hash}>{e.hash.slice(0, 12)}…</td>
                </tr>
                {open === e.seq && caseId && <tr><td colSpan={7}><AuditEntryDetail entry={e} caseId={caseId} /></td></tr>}
              </Fragment>
            ))}
          </tbody>
        </table>
        {entries && entries.length === 0 && <div className="empty">No audit entries yet.</div>}
      </div>
    </div>
  );
}
