// Import into the open case: drop files/folders (browser mode uploads them to the engine), or type paths that
// exist on the engine machine; progress from `import.progress`; then the per-file result table.
import { useEffect, useState } from 'react';
import { printable } from '../../../shared/printable';
import { getClient } from '../../api/client';
import { useApp } from '../../stores/app';
import { filesFromDrop, useImport } from '../../stores/importJob';
import { fmtCount, fmtTime } from '../../lib/time';
import type { ImportCheck } from '../../../shared/contract';
import { ALL_READY, EVENTS_READY, afterStageLine, checkStageLine, importFilesText, importFraction, importStageLine, leftText } from '../../../shared/importProgress';
import { chainsStoppedText } from '../../stores/chainsJob';
import { BuildChains, CancelChains, useChainsBuild } from '../chains/ChainsStatus';

/** What the import will do with one archive inside the bundle, as the check found it. */
function archiveAction(a: ImportCheck['archives'][number]): string {
  if (a.action === 'expand') return `kept as evidence; its ${a.files !== undefined ? `${fmtCount(a.files)} ${a.files === 1 ? 'file' : 'files'}` : 'contents'} come in as a bundle of their own`;
  if (a.action === 'keep') return `kept as evidence, not expanded (${a.why ?? 'archives are expanded one level deep only'})`;
  return `kept as evidence; its contents cannot be imported: ${a.why ?? 'unreadable'}. The rest imports.`;
}

export function ImportPanel() {
  const current = useApp((s) => s.current)!;
  const setView = useApp((s) => s.setView);
  // A case being created or opened is about to replace the one this panel imports into: an import started now would
  // land in the case being left.
  const switching = useApp((s) => s.busy);
  const { running, progress, left, after, result, error, cancelled, uploading, importPaths, importFiles, checking, checkProgress, cancelCheck, check, awaiting, confirm, dismiss, cancel, waiting, outcome } = useImport();
  const [paths, setPaths] = useState('');
  // An import of this case already running (this page was reloaded while it ran): follow it.
  useEffect(() => { void useImport.getState().attach(current.id); }, [current.id]);
  const [over, setOver] = useState(false);
  const canUpload = !!getClient().upload || !!getClient().pathForFile;
  // The bar is the whole import's (to events ready) by bytes: the copy's, then the reading's (importProgress.ts).
  const pct = progress ? Math.round(100 * importFraction(progress)) : 0;
  // One line per stage; once the import's part is over, the job after it (digests, identifiers, chains): its step with
  // Cancel, or, stopped before the end, what the case holds with "Build them now" (a build run again is said too).
  const chains = useChainsBuild();
  const chainsStopped = !!chains.stopped && !!current.chainsPending;
  const afterLine = after === null ? null
    : chains.live ? afterStageLine(chains.live.step)
      : chainsStopped ? chainsStoppedText(chains.stopped!)
        : chains.ended?.state === 'done' ? ALL_READY : after;
  const line = !progress ? waiting ?? 'starting…'
    : running ? (progress.phase === 'done' ? EVENTS_READY : importStageLine(progress))
      : afterLine ?? (result ? EVENTS_READY : importStageLine(progress));
  return (
    <section className="card" data-testid="import-panel">
      <h3>Import into “{current.name}”</h3>
      {current.readOnly && <div className="error-box">This case is open read-only ({current.readOnlyReason ?? 'another instance holds it'}); imports are disabled.</div>}
      <div className={`dropzone${over ? ' over' : ''}`} data-testid="dropzone"
        onDragOver={(e) => { e.preventDefault(); setOver(true); }}
        onDragLeave={() => setOver(false)}
        onDrop={async (e) => {
          e.preventDefault(); setOver(false);
          if (current.readOnly) return;
          void importFiles(await filesFromDrop(e.dataTransfer));
        }}>
        {canUpload
          ? 'Drop a bundle here (folder, .tar.gz, .zip or log files) — or give its path below.'
          : 'Give the path of a bundle (folder, .tar.gz, .zip or log files) on this machine.'}
        {canUpload && (
          <label className="file-pick">or pick files
            <input type="file" multiple data-testid="file-input" disabled={current.readOnly || running || switching}
              onChange={(e) => { const fs = [...(e.target.files ?? [])]; if (fs.length) void importFiles(fs.map((file) => ({ file, path: file.name }))); }} />
          </label>
        )}
      </div>
      <form className="row" onSubmit={(e) => {
        e.preventDefault();
        const list = paths.split('\n').map((p) => p.trim()).filter(Boolean);
        if (list.length) void importPaths(list);
      }}>
        <textarea data-testid="import-paths" rows={2} value={paths} onChange={(e) => setPaths(e.target.value)}
          placeholder="/path/to/bundle (one path per line)" />
        <button type="submit" data-testid="import-start" disabled={running || checking || !!awaiting || switching || current.readOnly || !paths.trim()}>Import</button>
      </form>
      {checking && (
        // On a case that holds evidence every incoming file is read (tens of seconds for 1 GB): how far, and a way out.
        <div className="row" data-testid="import-checking">
          <span className="muted small" data-testid="import-check-stage">{checkStageLine(checkProgress)}</span>
          <button data-testid="import-check-cancel" title="Stop the check: nothing is imported" onClick={cancelCheck}>Cancel</button>
        </div>
      )}
      {awaiting && check && (
        // Said before anything is imported: files with content already in the case add no records (they become aliases).
        <div className="card warn" data-testid="import-warning" role="alert">
          {check.known > 0 && <><div>
            <strong data-testid="import-known">{check.known === check.files ? 'All' : fmtCount(check.known)} of {fmtCount(check.files)} files</strong> are
            already in this case (same content, sha256). Importing records them as aliases — audited, not parsed again, no record shows twice.
          </div>
          <ul className="small mono">
            {check.already.slice(0, 8).map((a) => <li key={a.file}>{printable(a.file)} = {printable(a.of.file)}</li>)}
            {check.known > 8 && <li className="muted">… and {fmtCount(check.known - 8)} more</li>}
          </ul></>}
          {check.archives.length > 0 && (
            // What the import does with the archives inside the bundle (README: one level deep; a damaged one is noted).
            <ul className="small" data-testid="import-archives">
              {check.archives.slice(0, 8).map((a) => <li key={a.file} data-testid="import-archive"><span className="mono">{printable(a.file)}</span>: {archiveAction(a)}</li>)}
              {check.archives.length > 8 && <li className="muted">… and {fmtCount(check.archives.length - 8)} more</li>}
            </ul>
          )}
          <div className="row">
            <button data-testid="import-confirm" onClick={() => void confirm()}>Import anyway</button>
            <button data-testid="import-dismiss" onClick={dismiss}>Do not import</button>
          </div>
        </div>
      )}
      {uploading && <div className="muted">Uploading {uploading.done}/{uploading.total} files…</div>}
      {(running || progress) && (
        <div className="progress" data-testid="import-progress">
          <div className="progress-bar"><div style={{ width: `${running ? pct : 100}%` }} /></div>
          {running && <button data-testid="import-cancel" title="Stop the import (files committed so far stay)" onClick={() => void cancel()}>Cancel</button>}
          <span className="small" data-testid="import-stage" title={running && progress?.file ? printable(progress.file) : undefined}>{line}</span>
          {!running && afterLine !== null && chains.live && <CancelChains testId="import-after-cancel" />}
          {!running && afterLine !== null && !chains.live && chainsStopped && <BuildChains testId="import-after-build" />}
          {!running && afterLine !== null && chains.error && <span className="small error" data-testid="import-after-error">{chains.error}</span>}
          {running && progress?.phase === 'parse' && left !== null && <span className="small muted" data-testid="import-left">{leftText(left)}</span>}
          {/* What is committed is queryable now: the first batch's is drawn at once, the rest on "Show them" (importJob.ts). */}
          {running && !!progress?.eventsCommitted && (
            <span className="small" data-testid="import-committed">
              {fmtCount(progress.eventsCommitted)} events in so far, readable now{' '}
              <button className="link" onClick={() => setView('timeline')} data-testid="import-look">Look at them</button>
            </span>
          )}
        </div>
      )}
      {error && (cancelled
        ? <div className="warn" data-testid="import-error" role="status">Import {error}</div>
        : <div className="error-box" data-testid="import-error">Import failed: {error}</div>)}
      {outcome && <div className="ok" data-testid="import-outcome">{outcome}</div>}
      {result && (
        <>
          <div className="row">
            <span data-testid="import-summary">{importFilesText(result.files)} · {result.seconds.toFixed(1)} s · timezone {result.timezone.zone} ({result.timezone.how})</span>
            <span className="spacer" />
            <button onClick={() => setView('timeline')} data-testid="goto-timeline">Open the timeline</button>
          </div>
          <AliasNote files={result.files} />
          <div className="scroll-x">
            <table className="grid-table" data-testid="import-results">
              <thead><tr><th>File</th><th>Format</th><th>Why</th><th>Records</th><th>Malformed</th><th>Unparsed</th><th>Untimed</th><th>TZ rule</th><th>Time range (UTC)</th></tr></thead>
              <tbody>
                {result.files.map((f) => (
                  <tr key={`${f.bundle}/${f.file}`} data-testid="import-file" className={f.skipped ? 'muted' : f.malformed || f.unparsed ? 'warn-row' : ''}>
                    <td className="mono small" title={f.note}>{printable(f.file)}{f.aliasOf ? <span data-testid="import-alias"> (alias of {printable(f.aliasOf.file)})</span> : f.skipped && ' (skipped)'}
                      {/* What the file is and what became of it (kept as evidence, an archive's bundle, a torn last line…). */}
                      {f.note && !f.aliasOf && <div className="muted" data-testid="import-note">{f.note}</div>}</td>
                    <td>{f.format}</td>
                    <td className="small">{f.reason}</td>
                    <td>{fmtCount(f.records)}</td>
                    <td className={f.malformed ? 'warn' : ''}>{fmtCount(f.malformed)}</td>
                    <td className={f.unparsed ? 'warn' : ''}>{fmtCount(f.unparsed)}</td>
                    <td>{fmtCount(f.untimed)}</td>
                    <td className="small">{f.tzRule}</td>
                    <td className="small">{f.from ? `${fmtTime(f.from)} → ${fmtTime(f.to)}` : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

/** Files whose content the case already had: said plainly, since they add no records. */
function AliasNote({ files }: { files: { aliasOf?: { bundle: string; file: string } }[] }) {
  const n = files.filter((f) => f.aliasOf).length;
  if (!n) return null;
  return (
    <div className="card warn" data-testid="import-aliases" role="status">
      {n === files.length ? 'All' : fmtCount(n)} of {fmtCount(files.length)} files were already in this case (same content under
      another name): recorded as aliases in the audit trail, not parsed again, so no record shows twice.
    </div>
  );
}
