// Every identifier of the record, as the engine's correlation rules see it (chains.identifiers): keys, mentions of
// other chains' keys and links open a trace; facets (user, dataset, host, ip, client ids) open a filter; where each
// was found is in the chip's title.
import { useEffect, useState } from 'react';
import type { EventIdentifier } from '../../../shared/correlation';
import { call } from '../../api/client';
import { useApp } from '../../stores/app';
import { FacetChip } from '../filters/FacetChip';
import { IdChip } from './IdText';

const ORDER: Record<EventIdentifier['role'], number> = { key: 0, mention: 1, link: 2, value: 3, name: 4, facet: 5 };

export function IdentifierChips({ eventId }: { eventId: number }) {
  const caseId = useApp((s) => s.current?.id);
  const [ids, setIds] = useState<EventIdentifier[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!caseId) return;
    let live = true;
    setIds(null);
    setError(null);
    call('chains.identifiers', { caseId, eventId })
      .then((r) => { if (live) setIds(r.identifiers); })
      .catch((e: unknown) => { if (live) setError(e instanceof Error ? e.message : String(e)); });
    return () => { live = false; };
  }, [caseId, eventId]);
  if (error) return <div className="error-box small">Could not read the identifiers: {error}</div>;
  if (!ids) return <div className="muted small">Reading identifiers…</div>;
  if (!ids.length) return <div className="muted small" data-testid="identifiers-none">No identifiers in this record.</div>;
  const sorted = [...ids].sort((a, b) => ORDER[a.role] - ORDER[b.role] || a.kind.localeCompare(b.kind) || a.value.localeCompare(b.value));
  return (
    <ul className="identifiers" data-testid="identifiers">
      {sorted.map((i) => (
        <li key={`${i.kind}|${i.value}|${i.foundIn}`} data-testid="identifier" data-role={i.role} data-kind={i.kind}
          title={`${i.kind} (${i.role}) found in ${i.foundIn}${i.chain ? `; key of a ${i.chain.kind} chain` : ''}`}>
          <span className="muted small">{i.kind}</span>{' '}
          {i.role === 'facet' ? <FacetChip facet={i.kind} value={i.value} /> : <IdChip id={i.chain?.key ?? i.value} />}
          {i.role !== 'key' && i.role !== 'facet' && <span className="muted small"> {i.role}</span>}
        </li>
      ))}
    </ul>
  );
}
