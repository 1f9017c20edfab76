// What an export wrote: counts per type and rule, the rules and settings it ran with, every file with its sha256,
// and who can read it.
import type { ExportResultT } from '../../../shared/contract/export';
import { fmtCount } from '../../lib/time';
import { TypeCounts } from '../redaction/RedactedText';

const sorted = (r: Record<string, number>): [string, number][] => Object.entries(r).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));

export function ReportView({ result, selection, title }: { result: ExportResultT; selection: string; title?: string }) {
  const total = Object.values(result.byType).reduce((a, b) => a + b, 0);
  return (
    <div className="export-report" data-testid="export-report">
      <h4>{title ?? `Export ${result.exportId} written`}</h4>
      <table className="fields">
        <tbody>
          <tr><th>Selection</th><td data-testid="report-selection">{selection}</td></tr>
          <tr><th>Events</th><td data-testid="report-events">{fmtCount(result.events)}</td></tr>
          <tr><th>Replacements</th><td><strong data-testid="report-total">{fmtCount(total)}</strong> <TypeCounts testid="report-by-type" counts={sorted(result.byType)} /></td></tr>
          <tr><th>Format</th><td data-testid="report-format">{result.format}</td></tr>
          <tr>
            <th>Recipient</th>
            <td data-testid="report-recipient">{result.encrypted && result.recipient
              ? <>encrypted to <code>{result.recipient}</code></>
              : <span className="warn">plaintext (not encrypted)</span>}</td>
          </tr>
          <tr>
            <th>Pseudonyms</th>
            <td data-testid="report-pseudonyms">{result.pseudonymScope === 'per-client'
              ? <>the client's: the same person or id has the same token in every per-client extract for <strong>{result.client ?? '(unnamed)'}</strong></>
              : <>this extract's own: another extract gives the same person or id another token</>}</td>
          </tr>
          <tr><th>Re-identification map</th><td>{result.mapKept ? 'kept in the case, encrypted to your key' : 'not kept (no operator key in the keystore)'}</td></tr>
          <tr><th>Rules</th><td data-testid="report-rules">{result.rules.gitleaks} <span className="muted small mono">sha256 {result.rules.gitleaksSha256.slice(0, 16)}…</span> · client rules <span className="muted small mono">sha256 {result.rules.clientSha256.slice(0, 16)}…</span></td></tr>
          {result.warnings.length > 0 && (
            <tr><th>Warnings</th><td className="warn" data-testid="report-warnings">{result.warnings.map((w) => <div key={w}>{w}</div>)}</td></tr>
          )}
          <tr><th>Folder</th><td className="mono small" data-testid="report-dir">{result.dir}</td></tr>
        </tbody>
      </table>
      <h5>Files</h5>
      <table className="grid-table" data-testid="report-files">
        <thead><tr><th>file</th><th>bytes</th><th>sha256</th></tr></thead>
        <tbody>
          {result.files.map((f) => <tr key={f.name} data-testid="report-file"><td className="mono">{f.name}</td><td>{fmtCount(f.bytes)}</td><td className="mono small" data-testid="report-sha">{f.sha256}</td></tr>)}
        </tbody>
      </table>
      <h5>By rule</h5>
      <table className="grid-table" data-testid="report-by-rule">
        <thead><tr><th>rule</th><th>replacements</th></tr></thead>
        <tbody>{sorted(result.byRule).map(([rule, n]) => <tr key={rule} data-testid="report-rule" data-rule={rule}><td className="mono">{rule}</td><td>{fmtCount(n)}</td></tr>)}</tbody>
      </table>
    </div>
  );
}
