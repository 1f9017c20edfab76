// A facet (user, dataset, host, client id) is a value many unrelated records share, not one story: clicking it
// filters the timeline to the records that mention it, where an identifier chip would open a trace.
import { useApp } from '../../stores/app';
import { useFilter } from '../../stores/filter';

export function FacetChip({ facet, value }: { facet: string; value: string }) {
  return (
    <button className="facet-chip" data-testid="facet-chip" data-facet={facet} title={`Show every record that mentions ${value}`}
      onClick={(e) => {
        e.stopPropagation();
        useFilter.getState().setText(value, false);
        useApp.getState().setView('timeline');
      }}>
      {value}
    </button>
  );
}
