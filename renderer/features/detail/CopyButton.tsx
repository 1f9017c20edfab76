import { useState } from 'react';

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button className="copy" data-testid="copy" title="Copy to clipboard" onClick={async (e) => {
      e.stopPropagation();
      try { await navigator.clipboard.writeText(text); setDone(true); setTimeout(() => setDone(false), 1200); } catch { /* clipboard denied */ }
    }}>{done ? 'Copied' : label}</button>
  );
}
