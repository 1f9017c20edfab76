// Redacted text with every replacement token highlighted (secrets and personal data apart), and chips counting
// them by type. Shows only what leaves: tokens and markers, never an original.
import type { Replacement } from '../../../shared/redaction';
import { piecesOf } from './highlight';
import './redaction.css';

export function RedactedText({ text, replacements }: { text: string; replacements: readonly Replacement[] }) {
  return (
    <span className="redacted-text">
      {piecesOf(text, replacements).map((p, i) => p.replacement
        ? <mark key={i} className={`repl ${p.replacement.kind}`} data-testid="replacement" data-type={p.replacement.type}
          title={`${p.replacement.type} · rule ${p.replacement.rule}`}>{p.text}</mark>
        : <span key={i}>{p.text}</span>)}
    </span>
  );
}

export function TypeCounts({ counts, testid }: { counts: [string, number][]; testid: string }) {
  if (!counts.length) return <span className="muted small" data-testid={testid}>nothing replaced</span>;
  return (
    <span className="type-counts" data-testid={testid}>
      {counts.map(([type, n]) => <span key={type} className="type-count" data-testid="type-count" data-type={type}>{type} <strong>{n}</strong></span>)}
    </span>
  );
}
