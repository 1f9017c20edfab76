// The case's audit trail (audit.list) with its verification (audit.verify) and the evidence check (case.verify).
import { Fragment, useEffect, useMemo, useState } from 'react';
import { incompleteText, type AuditEntryView, type AuditVerifyResult } from '../../../shared/audit';
import { printable } from '../../../shared/printable';
import { call } from '../../api/client';
import { useApp, errorText } from '../../stores/app';
import { useIntegrity } from '../../stores/integrity';
import { fmtTime } from '../../lib/time';
import { describeAction, KNOWN_ACTIONS, printableLines } from '../../../shared/auditDisplay';
import { breakPlace, brokenExtent } from '../../../shared/auditVerifyText';
import { AuditEntryDetail } from './AuditEntryDetail';
import './audit.css';

/** Entries listed at once, newest first. */
const LISTED = 2000;

export function AuditPanel() {
  const caseId = useApp((s) => s.current?.id);
  const version = useApp((s) => s.dataVersion);
  const { audit, evidence, auditBusy, evidenceBusy, verifyAudit, verifyCase, error: verifyError } = useIntegrity();
  const [entries, setEntries] = useState<AuditEntryView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [action, setAction] = useState('');
  const [text, setText] = useState('');
  const [open, setOpen] = useState<number | null>(null);
  const [more, setMore] = useState(false);
  const [hashed, setHashed] = useState<{ text: string; seqs: Set<number>; error: string | null } | null>(null);
  // The newest entry's number, whatever the action filter: the check card says how many came after what it checked.
  const [newestSeq, setNewestSeq] = useState<number | null>(null);

  useEffect(() => {
    if (!caseId) return;
    let live = true;
    // One more than is listed: whether older entries exist beyond the list (the count must not pass for the log's).
    call('audit.list', { caseId, limit: LISTED + 1, ...(action ? { action } : {}) })
      .then((e) => { if (live) { setEntries(e.slice(0, LISTED)); setMore(e.length > LISTED); setError(null); if (!action) setNewestSeq(e[0]?.seq ?? null); } })
      .catch((e) => { if (live) setError(errorText(e)); });
    // The list is newest first: unfiltered, its first entry is the newest; filtered, ask for that one alone.
    if (action) call('audit.list', { caseId, limit: 1 }).then((e) => { if (live) setNewestSeq(e[0]?.seq ?? null); }).catch(() => undefined);
    return () => { live = false; };
    // A verification (here or from the header's badge) adds its own entry: read the list again once it is in.
  }, [caseId, action, version, audit?.verifiedAt, evidence?.verifiedAt]);

  // The entry where verification found the chain broken (not a line that is no entry at all).
  const brokenSeq = audit && !audit.ok ? audit.firstBroken?.seq ?? null : null;
  // The listed entries' actions, and every known one when older entries are not listed (an import hides behind a
  // day of searches otherwise).
  const actions = useMemo(() => [...new Set([...(entries ?? []).map((e) => e.action), ...(more ? KNOWN_ACTIONS : []), ...(action ? [action] : [])])].sort(), [entries, more, action]);
  // The filter reads what the view shows: the stored entry, the action in words and the texts as escaped on screen (a
  // name shown as `gol\u202eexe.log` is found by what the operator reads); asked to, also the entries whose hashed
  // inputs (typed text kept as an HMAC) the text matches exactly.
  const found = hashed && hashed.text === text ? hashed : null;
  const shown = (entries ?? []).filter((e) => !text || found?.seqs.has(e.seq) || filterText(e).toLowerCase().includes(text.toLowerCase()));
  const findHashed = async () => {
    if (!caseId || !text) return;
    try {
      const r = await call('audit.matchText', { caseId, text });
      setHashed({ text, seqs: new Set(r.matches.map((m) => m.seq)), error: null });
    } catch (e) { setHashed({ text, seqs: new Set(), error: errorText(e) }); }
  };

  return (
    <div className="audit" data-testid="audit-panel">
      <div className="cols">
        <section className="card" data-testid="audit-verify">
          <h4>Audit chain</h4>
          {audit ? <ChainResult audit={audit} caseId={caseId} newestSeq={newestSeq} onAcknowledged={() => { void verifyAudit(); }} /> : <div className="muted">Not verified yet.</div>}
          <button onClick={() => { void verifyAudit(); }} disabled={auditBusy}>{auditBusy ? 'Verifying…' : 'Verify audit chain'}</button>
        </section>
        <section className="card" data-testid="case-verify">
          <h4>Evidence (chain of custody)</h4>
          {evidence ? (
            <div>
              <div className={evidence.ok ? 'ok' : 'warn'}>{evidence.ok ? '✔ every bundle file matches its manifest' : evidence.notYet ? '○ not verified yet: an import is still writing these parts (nothing failed)' : `✖ ${evidence.problems.length} problem${evidence.problems.length === 1 ? '' : 's'}`} · {evidence.filesChecked} files</div>
              {evidence.problems.slice(0, 50).map((p, i) => <div key={i} className="small warn">{p.bundle}/{printable(p.file)}: {printable(p.problem)}</div>)}
              {evidence.incomplete?.map((b) => <div key={b.bundle} className="small warn" data-testid="case-verify-incomplete">○ {printable(incompleteText(b))}</div>)}
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
          {actions.map((a) => <option key={a} value={a}>{printable(a)}</option>)}
        </select>
        <input placeholder="filter entries…" value={text} onChange={(e) => setText(e.target.value)} data-testid="audit-text" />
        {/* One count: the entries listed (the chain card says how far verification reached, not a second total). */}
        <span className="muted small" data-testid="audit-count">
          {text ? `${shown.length} shown of ` : ''}{more ? `the newest ${LISTED.toLocaleString('en-US')}` : (entries?.length ?? 0).toLocaleString('en-US')} entries
        </span>
        {text && (
          <button className="link small" data-testid="audit-text-hashed" onClick={() => void findHashed()}
            title="Searches, SQL and traced keys are kept as HMACs: the engine checks this exact text against them (the check is recorded, the text hashed)">
            also as a hashed input
          </button>
        )}
        {found && (found.error
          ? <span className="error-text small">{found.error}</span>
          : <span className="muted small" data-testid="audit-hashed-found">{found.seqs.size === 1 ? '1 entry' : `${found.seqs.size} entries`} used this exact text as a hashed input</span>)}
        {more && <span className="muted small" data-testid="audit-more">older entries are not listed: choose an action, or use casefile audit show</span>}
      </div>
      {error && <div className="error-box">Could not read the audit log: {error}</div>}
      <div className="scroll-y">
        <table className="grid-table">
          <thead><tr><th>#</th><th>Time (UTC)</th><th>Operator</th><th>Action</th><th>Via</th><th>Result</th><th>Hash</th></tr></thead>
          <tbody>
            {shown.map((e) => (
              <Fragment key={e.seq}>
                <tr data-testid="audit-row" className={`clickable${brokenSeq === e.seq ? ' broken' : ''}`} data-broken={brokenSeq === e.seq ? 'true' : undefined}
                  title={brokenSeq === e.seq ? `The chain breaks here: ${printable(audit?.firstBroken?.problem ?? '')}` : undefined} onClick={() => setOpen(open === e.seq ? null : e.seq)}>
                  <td>{e.seq}</td>
                  <td className="mono small">{fmtTime(e.time)}</td>
                  <td>{printable(`${e.operator}@${e.host}`)}</td>
                  <td title={printable(describeAction(e.action))}>{printable(e.action)}</td>
                  <td>{printable(e.via)}</td>
                  <td className={e.result.status === 'ok' ? '' : 'warn'}>{printable(`${e.result.status}${e.result.message ? `: ${e.result.message}` : ''}`)}</td>
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

const MAC_NOTES: Record<string, string | null> = {
  valid: null,
  key_absent: 'Some entries were made under an audit secret this machine does not hold (a case from another install): their MACs cannot be checked here, only the chain.',
  invalid: 'An entry fails its MAC: it was written or rewritten without this installation\'s audit secret.',
  none: null,
};

/** What audit.verify found: where the chain broke and how far it held, notes, and a tear's acknowledgment. */
function ChainResult({ audit, caseId, newestSeq, onAcknowledged }: { audit: AuditVerifyResult; caseId: string | undefined; newestSeq: number | null; onAcknowledged: () => void }) {
  const b = audit.firstBroken;
  // Entries written after the check (its own entry first, then whatever the operator did since) are not covered by
  // it: said beside the result, so "intact through #4" next to a list reaching #12 is not read as a gap.
  const checked = audit.headSeq ?? audit.entries;
  const later = audit.ok && newestSeq !== null && newestSeq > checked ? newestSeq - checked : 0;
  const notes = [
    audit.acknowledgedTears ? `${audit.acknowledgedTears} acknowledged ${audit.acknowledgedTears === 1 ? 'tear' : 'tears'} (entries were cut off or rewritten there; see audit.tear and audit.ack)` : null,
    audit.recordedTears ? `${audit.recordedTears} torn ${audit.recordedTears === 1 ? 'write' : 'writes'} recorded by a later append` : null,
    audit.mac ? MAC_NOTES[audit.mac.status] : null,
  ].filter((n): n is string => !!n);
  return (
    <div>
      <div className={audit.ok ? 'ok' : 'warn'} data-testid="audit-status">
        {audit.ok ? `✔ intact through entry #${checked}` : `✖ BROKEN at ${breakPlace(audit)}`}
        {audit.tornTail ? ' · torn last line' : ''}
      </div>
      {later > 0 && (
        <div className="small muted" data-testid="audit-later">
          {`${later.toLocaleString()} later ${later === 1 ? 'entry' : 'entries'} (this check's own record first) not checked yet: verify again to include ${later === 1 ? 'it' : 'them'}.`}
        </div>
      )}
      {/* What still chains around the break, in the same words as the CLI (not a bare "holds up to" beside it). */}
      {!audit.ok && <div className="small" data-testid="audit-verified-to">{brokenExtent(audit)} {audit.entries.toLocaleString()} entries in the log.</div>}
      <div className="small">{audit.ok ? 'head hash' : `last entry that chains${audit.headSeq ? ` (#${audit.headSeq})` : ''}`} <span className="mono" data-testid="audit-head">{audit.headHash ?? '—'}</span></div>
      {b && <div className="error-box" data-testid="audit-broken">{b.seq != null ? `Entry ${b.seq} (line ${b.line})` : `Line ${b.line}`}: {printable(b.problem)}</div>}
      {audit.openTear !== undefined && caseId && <AckTear caseId={caseId} tearSeq={audit.openTear} onDone={onAcknowledged} />}
      {notes.length > 0 && <div className="small muted" data-testid="audit-chain-notes">{notes.join(' · ')}</div>}
      <div className="muted small">verified {fmtTime(audit.verifiedAt)}</div>
    </div>
  );
}

/** A recorded tear is explained by the operator, then acknowledged (audit.ack, whose entry is the acknowledgment). */
function AckTear({ caseId, tearSeq, onDone }: { caseId: string; tearSeq: number; onDone: () => void }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ack = async () => {
    setBusy(true);
    try {
      await call('audit.ack', { caseId, tearSeq, ...(note.trim() ? { note: note.trim() } : {}) });
      setError(null);
      onDone();
    } catch (e) { setError(errorText(e)); } finally { setBusy(false); }
  };
  return (
    <form className="filter-row" onSubmit={(e) => { e.preventDefault(); void ack(); }}>
      <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} placeholder="what happened (kept in the acknowledgment)"
        data-testid="audit-ack-note" className="ack-note" />
      <button type="submit" disabled={busy || !note.trim()} data-testid="audit-ack" title="Records an audit.ack entry naming this tear; verify then passes and reports it as acknowledged">
        {busy ? 'Acknowledging…' : `Acknowledge tear (entry ${tearSeq})`}
      </button>
      {error && <span className="error-text">{error}</span>}
    </form>
  );
}

/** What the list's filter searches in an entry: the stored JSON, and what the row and its detail show (escaped). */
function filterText(e: AuditEntryView): string {
  const lines = printableLines(e.params).flatMap((l) => [l.label, l.value ?? '', ...(l.items ?? [])]);
  return [describeAction(e.action), JSON.stringify(e), printable(e.result.message ?? ''), ...lines].join(' ');
}
