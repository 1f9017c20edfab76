// A value the engine masked as a secret (EventRow.masked): shown masked with a one-click reveal, then as revealed.
// The renderer never held the secret before that click; the engine audits which record and field were revealed.
import type { ReactNode } from 'react';
import { useApp } from '../../stores/app';
import { revealKey, useRevealed } from '../../stores/revealed';

/** JSON pointer of a top-level field, as the engine names it in `masked` (`fields:/password`). */
export const fieldPath = (key: string) => `fields:/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** Whether the engine masked this field, or (for a `fields:` path) anything inside it. */
export function isMasked(masked: readonly string[] | undefined, field: string): boolean {
  return !!masked?.some((m) => m === field || (field.startsWith('fields:') && m.startsWith(field + '/')));
}

interface Props {
  id: number;
  field: string;
  masked: readonly string[] | undefined;
  /** The value as the engine sent it (masked when the field is). */
  text: string;
  children?: (text: string) => ReactNode;
}

export function Masked({ id, field, masked, text, children }: Props) {
  const caseId = useApp((s) => s.current?.id);
  const key = revealKey(caseId, id, field);
  const revealed = useRevealed((s) => (key in s.values ? s.values[key] : undefined));
  const reveal = useRevealed((s) => s.reveal);
  const render = children ?? ((t: string) => t);
  if (!isMasked(masked, field)) return <>{render(text)}</>;
  if (revealed !== undefined) return <span className="revealed" data-testid="secret-revealed" data-field={field}>{render(revealed ?? '')}</span>;
  return (
    // The button first: a long value is cut at the cell's edge, the way to reveal it must not be.
    <span className="masked" data-testid="secret-masked" data-field={field}>
      <button className="reveal" data-testid="secret-reveal" title="Reveal this secret (recorded in the audit trail)"
        onClick={(e) => { e.stopPropagation(); void reveal(id, field); }}>reveal</button>
      {render(text)}
    </span>
  );
}
