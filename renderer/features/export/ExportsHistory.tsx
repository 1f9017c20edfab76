// The case's exports (export.list): what left, when, to whom, with what counts, whether a re-identification map is
// kept; a complete one opens its report. Below it, "Who is this?" looks up the tokens of a client's reply.
import { useEffect, useState } from 'react';
import type { ExportHistoryItemT } from '../../../shared/contract/exportHistory';
import type { ExportResultT } from '../../../shared/contract/export';
import { jobIsLive } from '../../../shared/contract';
import { printable } from '../../../shared/printable';
import { call, getClient } from '../../api/client';
import { errorText, useApp } from '../../stores/app';
import { fmtCount } from '../../lib/time';
import { ReportView } from './ReportView';
import { WhoIsThis } from './WhoIsThis';

const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** A history row as the report view reads an export's result. */
function asResult(e: ExportHistoryItemT): ExportResultT {
  return {
    exportId: e.exportId ?? '', dir: e.dir ?? '(no longer in the case)', format: (e.format ?? 'jsonl') as ExportResultT['format'], events: e.events,
    byType: e.byType, byRule: e.byRule, files: e.files, encrypted: !!e.recipient, recipient: e.recipient, mapKept: e.mapKept,
    selection: e.selection ?? '', rules: e.rules ?? { gitleaks: 'not recorded', gitleaksSha256: '', clientSha256: '' }, warnings: [],
    pseudonymScope: e.pseudonymScope === 'per-client' ? 'per-client' : 'per-export', client: e.client,
  };
}

export function ExportsHistory() {
  const caseId = useApp((a) => a.current?.id);
  const [list, setList] = useState<ExportHistoryItemT[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  useEffect(() => {
    if (!caseId) return;
    const load = () => { call('export.list', { caseId }).then((r) => { setList(r.exports); setError(null); }, (e) => setError(errorText(e))); };
    load();
    // an export of this case that ends while the list is open (this dialog's, another window's, a blocked or
    // cancelled one, which the list shows too) is read again: the list never shows less than the case holds
    return getClient().on('job.progress', (j) => { if (j.caseId === caseId && j.kind === 'export' && !jobIsLive(j)) load(); });
  }, [caseId]);
  if (error) return <div className="error-box" data-testid="exports-error">{error}</div>;
  if (!list) return <div className="empty">Reading the case's exports…</div>;
  const shown = list.find((e) => e.exportId === open);
  return (
    <section className="exports-history" data-testid="exports-history">
      {list.length === 0 ? <div className="empty" data-testid="exports-none">No export of this case yet.</div> : (
        <table className="grid-table">
          <thead><tr><th>when (UTC)</th><th>export</th><th>state</th><th>format</th><th>events</th><th>replaced</th><th>to</th><th>map</th><th>selection</th></tr></thead>
          <tbody>
            {list.map((e, i) => (
              <tr key={e.exportId ?? `run-${i}`} data-testid="exports-row" data-state={e.state} data-export={e.exportId ?? undefined}
                className={e.exportId ? 'clickable' : undefined} onClick={() => e.exportId && setOpen(open === e.exportId ? null : e.exportId)}>
                <td className="mono small">{e.time.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')}</td>
                <td className="mono small">{e.exportId ?? '—'}</td>
                <td className={e.state === 'complete' ? undefined : 'warn'}>{e.state}</td>
                <td>{e.format ?? ''}</td>
                <td>{fmtCount(e.events)}</td>
                <td>{fmtCount(total(e.byType))}</td>
                <td className="small">{e.recipient ? <code title={e.recipient}>{e.client ? `${e.client} · ` : ''}{e.recipient.slice(-16)}</code>
                  : e.state === 'complete' ? <span className="warn">plaintext</span> : ''}</td>
                <td data-testid="exports-map">{e.mapPresent ? 'kept' : e.mapKept ? 'missing' : e.state === 'complete' ? 'none' : ''}</td>
                <td className="small">{printable(e.selection ?? e.message ?? '')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {shown && <ReportView result={asResult(shown)} selection={shown.selection ?? '(not recorded)'} title={`Export ${shown.exportId} · ${shown.time}`} />}
      <WhoIsThis exports={list.filter((e) => e.exportId && e.mapPresent).map((e) => e.exportId!)} />
    </section>
  );
}
