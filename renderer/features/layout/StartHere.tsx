// First run on the demo case: three steps that find the incident, until the operator dismisses them.
import { useState } from 'react';
import { useApp } from '../../stores/app';

const KEY = 'casefile.startHere.dismissed';

export function StartHere() {
  const isDemo = useApp((s) => s.current?.isDemo ?? false);
  const setView = useApp((s) => s.setView);
  const [dismissed, setDismissed] = useState(() => localStorage.getItem(KEY) === '1');
  if (!isDemo || dismissed) return null;
  return (
    <div className="card start-here" data-testid="start-here">
      <strong>Start here</strong>
      <span>1. Press <kbd>n</kbd> to jump to the next error.</span>
      <span>2. Open <button className="link" data-testid="start-here-chains" onClick={() => setView('chains')}>Chains</button> and
        pick status <em>failure</em>: what failed, for how long.</span>
      <span>3. Click a chain for its trace across every log. <kbd>?</kbd> lists all keys.</span>
      <span className="spacer" />
      <button data-testid="start-here-dismiss" onClick={() => { localStorage.setItem(KEY, '1'); setDismissed(true); }}>Got it</button>
    </div>
  );
}
