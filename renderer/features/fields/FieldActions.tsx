// Filter for / filter out a value, and add its field as a table column: the same three actions wherever a field
// and its value show (the field sidebar, the detail panel).
import { useFilter } from '../../stores/filter';

export function FieldActions({ field, value }: { field: string; value?: string }) {
  const columns = useFilter((s) => s.columns);
  const { addField, toggleColumn } = useFilter.getState();
  const shown = columns.includes(field);
  return (
    <span className="field-actions" data-testid="field-actions" data-field={field}>
      {value !== undefined && (
        <>
          <button data-testid="filter-for" title={`Only events where ${field} is ${value}`}
            onClick={(e) => { e.stopPropagation(); addField({ field, value }); }}>+</button>
          <button data-testid="filter-out" title={`Leave out events where ${field} is ${value}`}
            onClick={(e) => { e.stopPropagation(); addField({ field, value, negate: true }); }}>−</button>
        </>
      )}
      <button data-testid="add-column" className={shown ? 'on' : undefined} aria-pressed={shown}
        title={shown ? `Remove the ${field} column` : `Show ${field} as a table column`}
        onClick={(e) => { e.stopPropagation(); toggleColumn(field); }}>▦</button>
    </span>
  );
}
