// The operator picks the table's columns: the row's own columns plus any field name found in the case.
import { useState } from 'react';
import { BASE_COLUMNS, useFilter } from '../../stores/filter';
import { useFieldNames } from '../filters/useFieldNames';
import { COLUMN_LABELS } from './columns';

export function ColumnPicker() {
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const columns = useFilter((s) => s.columns);
  const setColumns = useFilter((s) => s.setColumns);
  const names = useFieldNames();
  const toggle = (id: string) => setColumns(columns.includes(id) ? columns.filter((c) => c !== id) : [...columns, id]);
  const fields = names.filter((n) => !q || n.field.toLowerCase().includes(q.toLowerCase())).slice(0, 200);
  return (
    <div className="popover-anchor">
      <button data-testid="column-picker" onClick={() => setOpen(!open)}>Columns ▾</button>
      {open && (
        <div className="popover" data-testid="column-popover" onMouseLeave={() => setOpen(false)}>
          {BASE_COLUMNS.map((id) => (
            <label key={id} className="check">
              <input type="checkbox" checked={columns.includes(id)} onChange={() => toggle(id)} />{COLUMN_LABELS[id]}
            </label>
          ))}
          <hr />
          <input placeholder="field name…" value={q} onChange={(e) => setQ(e.target.value)} />
          <div className="popover-list">
            {fields.map((n) => (
              <label key={n.field} className="check">
                <input type="checkbox" checked={columns.includes(n.field)} onChange={() => toggle(n.field)} />
                {n.field} <span className="muted small">{n.count}</span>
              </label>
            ))}
            {names.length === 0 && <div className="muted small">No fields in this case.</div>}
          </div>
        </div>
      )}
    </div>
  );
}
