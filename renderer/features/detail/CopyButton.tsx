import { useState } from 'react';

/** Copies `text` (or what `text()` returns at the click, for links to the place shown now) and says so briefly. */
export function CopyButton({ text, label = 'Copy', testId = 'copy', title = 'Copy to clipboard' }:
  { text: string | (() => string); label?: string; testId?: string; title?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button className="copy" data-testid={testId} title={title} onClick={async (e) => {
      e.stopPropagation();
      try {
        await navigator.clipboard.writeText(typeof text === 'function' ? text() : text);
        setDone(true); setTimeout(() => setDone(false), 1200);
      } catch { /* clipboard denied */ }
    }}>{done ? 'Copied' : label}</button>
  );
}
