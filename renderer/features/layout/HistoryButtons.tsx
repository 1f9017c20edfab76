// In-app Back / Forward (also Alt+← / Alt+→) and "copy link": a link to the view as it is (case, view, filter, trace
// and selected record) that opens the same place in the desktop app (casefile://open?…) or in this served app.
import { currentPlace, linkTo } from '../../stores/urlState';
import { CopyButton } from '../detail/CopyButton';

export function HistoryButtons() {
  return (
    <span className="history-buttons">
      <button data-testid="nav-back" title="Back (Alt+←)" onClick={() => window.history.back()}>←</button>
      <button data-testid="nav-forward" title="Forward (Alt+→)" onClick={() => window.history.forward()}>→</button>
      <CopyButton testId="copy-link" label="Copy link" text={() => linkTo(currentPlace())}
        title="Copy a link to this view (case, view, filter, trace and selected record)" />
    </span>
  );
}
