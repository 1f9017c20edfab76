// "Export…" where events are on screen: the table (its filter and time range, the rows picked with Ctrl/⌘-click, or
// the selected record) and a trace (its chain, or the events shown when the trace is of a bare identifier).
import type { EventFilter } from '../../../shared/domain';
import { useFilter } from '../../stores/filter';
import { useSelection } from '../../stores/selection';
import { type ExportSource, useExport } from './exportStore';
import { usePicks } from './picks';

function ExportButton({ source, testid, label, title }: { source: () => ExportSource | null; testid: string; label: string; title: string }) {
  return <button data-testid={testid} title={title} onClick={() => { const s = source(); if (s) useExport.getState().show(s); }}>{label}</button>;
}

/** How the table's filter reads in the dialog's title. */
export function describeFilter(f: EventFilter): string {
  const parts: string[] = [];
  if (f.from || f.to) parts.push(`${f.from ?? '…'} → ${f.to ?? '…'}`);
  if (f.levels?.length) parts.push(f.levels.join('/'));
  if (f.sources?.length) parts.push(`sources ${f.sources.join(', ')}`);
  if (f.text) parts.push(`“${f.text}”`);
  if (f.fields?.length) parts.push(`${f.fields.length} field filter${f.fields.length > 1 ? 's' : ''}`);
  if (f.files?.length) parts.push(`${f.files.length} file${f.files.length > 1 ? 's' : ''}`);
  return parts.length ? `events matching ${parts.join(' · ')}` : 'every event of the case';
}

const filterSource = (): ExportSource => { const filter = useFilter.getState().filter; return { label: describeFilter(filter), selection: { filter } }; };

export function TableExportButtons() {
  const selectedId = useSelection((s) => s.selectedId);
  const picks = usePicks((s) => s.ids);
  return (
    <>
      <ExportButton testid="export-open" label="Export…" title="Redacted extract of the events matching the filter and time range" source={filterSource} />
      <button data-testid="exports-open" title="The case's exports: what left, when, to whom; and who a token in a client's reply stands for"
        onClick={() => useExport.getState().show(filterSource(), 'exports')}>Exports</button>
      {picks.size > 0 ? (
        <>
          <ExportButton testid="export-open-picked" label={`Export ${picks.size} picked`} title="Redacted extract of the rows picked with Ctrl/⌘-click"
            source={() => ({ label: `${picks.size} picked event${picks.size > 1 ? 's' : ''}`, selection: { ids: [...picks].sort((a, b) => a - b) } })} />
          <button data-testid="picks-clear" title="Unpick every row" onClick={() => usePicks.getState().clear()}>✕</button>
        </>
      ) : selectedId != null && (
        <ExportButton testid="export-open-selected" label="Export selected" title="Redacted extract of the selected record"
          source={() => ({ label: `event #${selectedId}`, selection: { ids: [selectedId] } })} />
      )}
    </>
  );
}

export function TraceExportButton() {
  const trace = useSelection((s) => s.trace);
  const traceKey = useSelection((s) => s.traceKey);
  if (!trace || !traceKey || !trace.events.length) return null;
  return (
    <ExportButton testid="export-open-trace" label="Export…" title="Redacted extract of this chain's events"
      source={() => (trace.chain
        ? { label: `chain ${trace.chain.label}`, selection: { chain: trace.chain.key } }
        : { label: `the ${trace.events.length} events of “${traceKey}”`, selection: { ids: trace.events.slice(0, 100_000).map((e) => e.id) } })} />
  );
}
