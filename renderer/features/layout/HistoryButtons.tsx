// In-app Back / Forward (also Alt+← / Alt+→) and "copy link": the address carries the view state (urlState.ts),
// so a link opens the same case, view, filter, trace and record in another tab of the same app.
import { useState } from 'react';

export function HistoryButtons() {
  const [copied, setCopied] = useState(false);
  return (
    <span className="history-buttons">
      <button data-testid="nav-back" title="Back (Alt+←)" onClick={() => window.history.back()}>←</button>
      <button data-testid="nav-forward" title="Forward (Alt+→)" onClick={() => window.history.forward()}>→</button>
      <button data-testid="copy-link" title="Copy a link to this view (case, view, filter, trace and selected record)"
        onClick={async () => {
          try { await navigator.clipboard.writeText(window.location.href); setCopied(true); setTimeout(() => setCopied(false), 1200); } catch { /* clipboard denied */ }
        }}>{copied ? 'Copied' : '🔗 link'}</button>
    </span>
  );
}
