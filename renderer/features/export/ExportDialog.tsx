// The export dialog: selection summary, format, recipient (a client key, or plaintext confirmed), a preview of the
// redacted events with every replacement highlighted and counted, the run as a cancellable job, then its report —
// or, when the fail-closed check blocks it, where it hit (never what). A second pane edits the client rules.
import { useEffect, useState } from 'react';
import type { CallOutput } from '../../../shared/contract';
import { FIELDS_NOTE } from '../../../shared/exportFields';
import { call } from '../../api/client';
import { errorText, useApp } from '../../stores/app';
import { fmtCount } from '../../lib/time';
import { RedactedText, TypeCounts } from '../redaction/RedactedText';
import { RulesEditor } from '../redaction/RulesEditor';
import { rulesUnsaved, useRules } from '../redaction/rulesStore';
import { PLAINTEXT, type ExportFormat, useExport } from './exportStore';
import { ExportsHistory } from './ExportsHistory';
import { ReportView } from './ReportView';
import './export.css';

type ClientKey = CallOutput<'keys.list'>['clients'][number];
const FORMATS: { id: ExportFormat; label: string }[] = [{ id: 'jsonl', label: 'JSONL' }, { id: 'csv', label: 'CSV' }, { id: 'parquet', label: 'Parquet' }];

export function ExportDialog() {
  const s = useExport();
  const caseId = useApp((a) => a.current?.id);
  const unsaved = useRules((r) => rulesUnsaved(r, caseId));
  useEffect(() => {
    if (!s.open) return;
    // The dialog is modal: the workbench's keys (j/k, n/N, Esc…) must not act on the events behind it.
    const onKey = (e: KeyboardEvent) => { e.stopPropagation(); if (e.key === 'Escape') s.close(); };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [s.open]);
  if (!s.open || !s.source) return null;
  return (
    <div className="export-backdrop" onClick={() => s.close()}>
      <div className="card export-dialog" role="dialog" aria-modal="true" aria-label="Export to a client" data-testid="export-dialog" tabIndex={-1}
        ref={(el) => { if (el && !el.contains(document.activeElement)) el.focus(); }} onClick={(e) => e.stopPropagation()}>
        <div className="row export-title">
          <h3>Export to a client</h3>
          <span className="muted" data-testid="export-source">{s.source.label}</span>
          <span className="spacer" />
          <button className={s.pane === 'export' ? 'tab on' : 'tab'} data-testid="export-pane-export" onClick={() => s.setPane('export')}>Export</button>
          <button className={s.pane === 'rules' ? 'tab on' : 'tab'} data-testid="export-pane-rules" data-unsaved={unsaved ? 'true' : undefined}
            title={unsaved ? 'The client rules have unsaved changes' : undefined} onClick={() => s.setPane('rules')}>Client rules{unsaved ? ' •' : ''}</button>
          <button className={s.pane === 'exports' ? 'tab on' : 'tab'} data-testid="export-pane-exports" title="The case's exports, and who a token stands for"
            onClick={() => s.setPane('exports')}>Exports</button>
          <button data-testid="export-close" onClick={() => s.close()} title="Close (Esc)">✕</button>
        </div>
        <div className="export-body">{s.pane === 'rules' ? <RulesEditor /> : s.pane === 'exports' ? <ExportsHistory /> : <ExportPane />}</div>
      </div>
    </div>
  );
}

function ExportPane() {
  const s = useExport();
  const caseId = useApp((a) => a.current?.id);
  const unsaved = useRules((r) => rulesUnsaved(r, caseId));
  const [clients, setClients] = useState<ClientKey[] | null>(null);
  const [keysError, setKeysError] = useState<string | null>(null);
  useEffect(() => { call('keys.list', {}).then((k) => setClients(k.clients), (e) => setKeysError(errorText(e))); }, []);
  const plaintext = s.recipient === PLAINTEXT;
  const canRun = !!s.preview && s.preview.total > 0 && !!s.recipient && (!plaintext || s.plaintextConfirmed) && !s.running;
  const done = !!s.result;

  return (
    <>
      {!s.source?.followed && <section className="export-settings">
        <div className="row">
          <strong>Selection</strong>
          {s.preview ? <span data-testid="export-count"><strong>{fmtCount(s.preview.total)}</strong> events</span> : s.previewing ? <span className="muted">counting…</span> : null}
        </div>
        <div className="row" role="radiogroup" aria-label="Format">
          <strong>Format</strong>
          {FORMATS.map((f) => (
            <label key={f.id}><input type="radio" name="export-format" data-testid={`export-format-${f.id}`} checked={s.format === f.id} disabled={s.running} onChange={() => s.setFormat(f.id)} /> {f.label}</label>
          ))}
        </div>
        <div className="row">
          <strong>Recipient</strong>
          <select data-testid="export-recipient" value={s.recipient} disabled={s.running} onChange={(e) => s.setRecipient(e.target.value)}>
            <option value="">choose a client key…</option>
            {(clients ?? []).map((k) => <option key={k.fingerprint} value={k.fingerprint}>{k.userIds[0] ?? '(no user id)'} · {k.fingerprint.slice(-16)}</option>)}
            <option value={PLAINTEXT}>plaintext (not encrypted)</option>
          </select>
          {clients && clients.length === 0 && <span className="muted small" data-testid="export-no-keys">No client keys yet: import the client's public key in Keys.</span>}
          {keysError && <span className="error-text small">{keysError}</span>}
        </div>
        <div className="row" role="radiogroup" aria-label="Pseudonyms">
          <strong>Pseudonyms</strong>
          <label title="A fresh key: the same person gets a different token in each extract">
            <input type="radio" name="export-scope" data-testid="export-scope-per-export" checked={s.scope === 'per-export'} disabled={s.running} onChange={() => s.setScope('per-export')} /> new for this extract</label>
          <label title="The client's key, kept encrypted to your key in the case: the same person gets the same token in each of this client's extracts">
            <input type="radio" name="export-scope" data-testid="export-scope-per-client" checked={s.scope === 'per-client'} disabled={s.running} onChange={() => s.setScope('per-client')} /> the same in all this client's extracts</label>
          {s.scope === 'per-client' && (
            <input data-testid="export-client" value={s.clientName} disabled={s.running} maxLength={256} aria-label="Client name"
              placeholder={plaintext ? 'client name (or the site profile)' : 'client name (default: the client key)'} onChange={(e) => s.setClientName(e.target.value)} />
          )}
        </div>
        {plaintext && (
          <div className="warn-box" data-testid="plaintext-warning">
            The extract will be written unencrypted: anyone who gets the files can read them.
            <label><input type="checkbox" data-testid="plaintext-confirm" checked={s.plaintextConfirmed} disabled={s.running} onChange={(e) => s.confirmPlaintext(e.target.checked)} /> I confirm a plaintext export</label>
          </div>
        )}
      </section>}

      {unsaved && !done && (
        <div className="warn-box" data-testid="rules-unsaved">
          The client rules have unsaved changes: this preview and the export use the saved rules.
          <span><button className="link" onClick={() => s.setPane('rules')}>Back to the client rules</button></span>
        </div>
      )}
      {s.preview && s.preview.warnings.length > 0 && !done && (
        // Before the run, not in its report only: a typo in the rules leaves names in the extract the client gets.
        <div className="warn-box" data-testid="export-warnings">
          <strong>The export will run, but its rules may not do what you expect:</strong>
          <ul>{s.preview.warnings.map((w) => <li key={w} data-testid="export-warning">{w}</li>)}</ul>
          <span><button className="link" onClick={() => s.setPane('rules')}>Check the client rules</button></span>
        </div>
      )}
      {s.preview && s.preview.total === 0 && <div className="empty" data-testid="export-nothing">No events in this selection: nothing to export.</div>}
      {!done && !s.source?.followed && <PreviewBlock />}

      <div className="row export-actions">
        {!done && !s.source?.followed && <button className="on" data-testid="export-run" disabled={!canRun} onClick={() => void s.run()}>Run export</button>}
        {/* the settings above stay editable under a report: another format or client runs from a fresh preview */}
        {done && !s.source?.followed && <button data-testid="export-again" title="The same selection again, with the format and recipient chosen above"
          onClick={() => s.again()}>Export again</button>}
        {s.running && (
          <>
            <span className="progress-bar" data-testid="export-progress"><div style={{ width: `${s.step && s.step.total ? Math.min(100, (100 * s.step.done) / s.step.total) : 0}%` }} /></span>
            <span className="muted small" data-testid="export-step">{s.cancelling ? 'cancelling…'
              : s.jobState === 'queued' ? 'queued behind another job of this case…'
              : s.step ? (s.step.message ?? `${s.step.phase} ${fmtCount(s.step.done)} / ${fmtCount(s.step.total)} ${s.step.unit}`) : 'starting…'}</span>
            <button data-testid="export-cancel" disabled={s.cancelling} onClick={() => void s.cancel()}>Cancel</button>
          </>
        )}
      </div>
      {s.blocked && (
        <div className="error-box" data-testid="export-blocked" role="alert">
          <strong>Export blocked by the fail-closed check: nothing was written.</strong>
          <div>Redacted output still held something a detector flags, or a value that was replaced. Where:</div>
          <ul>{s.blocked.where.map((w) => <li key={w} data-testid="blocked-where">{w}</li>)}</ul>
          <div className="small">{s.blocked.message}</div>
        </div>
      )}
      {s.notice && <div className="warn-box" role="status" data-testid="export-notice">{s.notice}</div>}
      {s.runError && <div className="error-box" data-testid="export-error">{s.runError}</div>}
      {s.outcome && <div className="ok" data-testid="export-outcome">{s.outcome}</div>}
      {s.result && s.source && <ReportView result={s.result} selection={s.source.label} />}
    </>
  );
}

function PreviewBlock() {
  const { preview, previewing, previewError } = useExport();
  if (previewError) return <div className="error-box" data-testid="preview-error">{previewError}</div>;
  if (!preview) return <div className="empty">{previewing ? 'Redacting a preview…' : ''}</div>;
  const shown = new Set(preview.rows.map((r) => r.id)).size;
  const counts = Object.entries(preview.byType).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return (
    <section className="export-preview" data-testid="export-preview">
      <div className="row">
        <strong>Preview</strong>
        <span className="muted small" title="The preview keys its own pseudonyms: its tokens have the extract's shape, not its letters">
          first {fmtCount(shown)} of {fmtCount(preview.total)} events, as the client gets them (the preview keys its own pseudonyms)</span>
        <TypeCounts testid="preview-counts" counts={counts} />
      </div>
      {/* the extract writes fields once, and the preview shows what it writes: no fields row where raw holds them */}
      <div className="muted small" data-testid="preview-fields-note">Columns: {FIELDS_NOTE}.</div>
      <div className="preview-rows mono">
        {preview.rows.map((r) => (
          <div key={`${r.id}:${r.column}`} className="preview-row" data-testid="preview-row" data-column={r.column}>
            <span className="muted small">#{r.id} {r.column}</span>
            <RedactedText text={r.text} replacements={r.replacements} />
          </div>
        ))}
      </div>
    </section>
  );
}
