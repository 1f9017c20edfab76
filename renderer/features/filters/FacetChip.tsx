// A facet (user, dataset, host, client id) is a value many unrelated records share, not one story: clicking it
// filters the timeline to the records that mention it, where an identifier chip would open a trace. It replaces the
// text search and keeps the other filters, and says so: "every record" read as a count of them all (qa20).
import { useApp } from '../../stores/app';
import { useFilter } from '../../stores/filter';

export function FacetChip({ facet, value }: { facet: string; value: string }) {
  return (
    <button className="facet-chip" data-testid="facet-chip" data-facet={facet} title={`Search the timeline for ${value}, within the other filters set (level, source, fields, time)`}
      onClick={(e) => {
        e.stopPropagation();
        useFilter.getState().setText(value, false);
        useApp.getState().setView('timeline');
      }}>
      {value}
    </button>
  );
}
