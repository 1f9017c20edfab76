// Text with every identifier rendered as a chip; clicking a chip opens that identifier's trace.
import { splitIds } from '../../lib/ids';
import { useSelection } from '../../stores/selection';

export function IdChip({ id }: { id: string }) {
  const openTrace = useSelection((s) => s.openTrace);
  return (
    <button className="id-chip" data-testid="id-chip" title={`Open the trace of ${id}`} onClick={(e) => { e.stopPropagation(); void openTrace(id); }}>
      {id}
    </button>
  );
}

export function IdText({ text }: { text: string }) {
  return (
    <>
      {splitIds(text).map((p, i) => (p.id ? <IdChip key={i} id={p.text} /> : <span key={i}>{p.text}</span>))}
    </>
  );
}
