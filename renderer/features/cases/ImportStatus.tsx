// The status bar's word on an import of the open case that is still running: the views already show what it has
// committed (importJob.ts redraws them as it grows), so the operator is told more is coming, and how far it is.
import { useImport } from '../../stores/importJob';
import { fmtCount } from '../../lib/time';

export function ImportStatus() {
  const running = useImport((s) => s.running);
  const progress = useImport((s) => s.progress);
  if (!running) return null;
  const files = progress && progress.filesTotal ? ` ${fmtCount(progress.filesDone)}/${fmtCount(progress.filesTotal)} files` : '';
  const inSoFar = progress?.eventsCommitted ? ` · ${fmtCount(progress.eventsCommitted)} events in so far (shown)` : '';
  return <span className="muted" data-testid="status-import">importing…{files}{inSoFar}</span>;
}
