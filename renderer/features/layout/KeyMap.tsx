// The key map (`?`): every key the app answers, in one place, so the status bar needs only a hint.
import { create } from 'zustand';

export const useKeyMap = create<{ open: boolean; toggle(open?: boolean): void }>((set, get) => ({
  open: false,
  toggle(open) { set({ open: open ?? !get().open }); },
}));

export const KEYS: [string, string][] = [
  ['?', 'show or hide this key map'],
  ['j / k', 'next / previous record'],
  ['g / G', 'first / last record of the result'],
  ['Enter', 'open the record (the first one shown when none is selected)'],
  ['n / N', 'next / previous ERROR or CRITICAL record'],
  ['[ / ]', 'previous / next chain of the Chains list (in Trace and Chains)'],
  ['/', 'search'],
  ['Alt+← / Alt+→', 'back / forward between views, traces and cases (also the ← → buttons; "Copy link" copies a link to the view)'],
  ['Esc', 'close this map, "around", then the record; leave a text box'],
];

export function KeyMap() {
  const { open, toggle } = useKeyMap();
  if (!open) return null;
  return (
    <div className="keymap-backdrop" onClick={() => toggle(false)}>
      <div className="card keymap" data-testid="keymap" role="dialog" aria-label="Keyboard shortcuts" onClick={(e) => e.stopPropagation()}>
        <h3>Keys</h3>
        <table className="fields">
          <tbody>
            {KEYS.map(([k, what]) => <tr key={k} data-testid="keymap-row"><th><kbd>{k}</kbd></th><td>{what}</td></tr>)}
          </tbody>
        </table>
        <button onClick={() => toggle(false)}>Close</button>
      </div>
    </div>
  );
}
