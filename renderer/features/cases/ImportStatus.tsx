// The status bar's word on an import of the open case that is still running. Its first batch's events are drawn at
// once; after that the count of what is in grows here, and "Show" redraws the views with it (importJob.ts says why
// the views do not redraw by themselves).
import { useImport } from '../../stores/importJob';
import { fmtCount } from '../../lib/time';

export function ImportStatus() {
  const running = useImport((s) => s.running);
  const progress = useImport((s) => s.progress);
  const shown = useImport((s) => s.shownCommitted);
  const showCommitted = useImport((s) => s.showCommitted);
  if (!running) return null;
  const files = progress && progress.filesTotal ? ` ${fmtCount(progress.filesDone)}/${fmtCount(progress.filesTotal)} files` : '';
  const committed = progress?.eventsCommitted ?? 0;
  return (
    <span className="muted" data-testid="status-import">
      importing…{files}
      {committed > 0 && <> · <span data-testid="status-import-in">{fmtCount(committed)}</span> events in so far, {fmtCount(shown)} shown</>}
      {committed > shown && <>{' '}<button type="button" className="link" data-testid="status-import-show" onClick={() => void showCommitted()}>Show them</button></>}
    </span>
  );
}
