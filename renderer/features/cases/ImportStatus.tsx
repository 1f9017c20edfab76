// The status bar's word on an import of the open case that is still running. Its first batch's events are drawn at
// once; after that the count of what is in grows here, and "Show" redraws the views with it (importJob.ts says why
// the views do not redraw by themselves).
import type { ImportProgress } from '../../../shared/domain';
import { importStageLine } from '../../../shared/importProgress';
import { useImport } from '../../stores/importJob';
import { fmtCount } from '../../lib/time';

/** The stage the import is in, in the import panel's words: the copy by its files, the reading by its megabytes (a
 * files count stands still for minutes while big files are read, and starts again from 0 after the copy's). */
export const importStatusWords = (p: ImportProgress | null): string => (p ? importStageLine(p) : 'importing…');

export function ImportStatus() {
  const running = useImport((s) => s.running);
  const progress = useImport((s) => s.progress);
  const shown = useImport((s) => s.shownCommitted);
  const showCommitted = useImport((s) => s.showCommitted);
  if (!running) return null;
  const committed = progress?.eventsCommitted ?? 0;
  const counts = committed > 0 ? ` · ${fmtCount(committed)} events in so far, ${fmtCount(shown)} shown` : '';
  // One line in the status bar: the words give way (whole in the tooltip), "Show them" stays to be clicked.
  return (
    <span className="muted status-job" data-testid="status-import" title={`${importStatusWords(progress)}${counts}`}>
      <span className="status-words">
        {importStatusWords(progress)}
        {committed > 0 && <> · <span data-testid="status-import-in">{fmtCount(committed)}</span> events in so far, {fmtCount(shown)} shown</>}
      </span>
      {committed > shown && <button type="button" className="link" data-testid="status-import-show" onClick={() => void showCommitted()}>Show them</button>}
    </span>
  );
}
