// Field filters: pick a field (events.fieldNames), see its top values with counts under the current filter
// (events.fieldValues), click one to keep only it or ≠ to exclude it.
import { useEffect, useState } from 'react';
import { call } from '../../api/client';
import { useApp, errorText } from '../../stores/app';
import { useFilter } from '../../stores/filter';
import { fmtCount } from '../../lib/time';
import { useFieldNames } from './useFieldNames';

type Value = { value: string; count: number };

export function FieldFilterPicker() {
  const [open, setOpen] = useState(false);
  const [field, setField] = useState('');
  const [values, setValues] = useState<Value[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const caseId = useApp((s) => s.current?.id);
  const filter = useFilter((s) => s.filter);
  const addField = useFilter((s) => s.addField);
  const names = useFieldNames();
  const known = names.some((n) => n.field === field) || ['logger', 'source', 'level', 'file'].includes(field);

  useEffect(() => {
    if (!open || !caseId || !field || !known) { setValues(null); return; }
    let live = true;
    setError(null);
    call('events.fieldValues', { caseId, filter, field, limit: 30 })
      .then((r) => { if (live) { setValues(r.values); useApp.getState().noteQuery('events.fieldValues', r.queryMs); } })
      .catch((e) => { if (live) setError(errorText(e)); });
    return () => { live = false; };
  }, [open, caseId, field, known, filter]);

  return (
    <div className="popover-anchor">
      <button data-testid="field-filter-open" onClick={() => setOpen(!open)}>+ Field filter</button>
      {open && (
        <div className="popover wide" data-testid="field-popover">
          <div className="row">
            <input list="field-names" data-testid="field-name-input" placeholder="field (user, dataset, funcName, runid…)"
              value={field} onChange={(e) => setField(e.target.value)} autoFocus />
            <button onClick={() => setOpen(false)}>Close</button>
          </div>
          <datalist id="field-names">
            {names.map((n) => <option key={n.field} value={n.field}>{n.count}</option>)}
          </datalist>
          {!field && (
            <div className="popover-list">
              {names.slice(0, 40).map((n) => (
                <button key={n.field} className="list-item" onClick={() => setField(n.field)}>
                  {n.field} <span className="muted small">{fmtCount(n.count)}</span>
                </button>
              ))}
            </div>
          )}
          {error && <div className="error-inline">{error}</div>}
          {field && !known && <div className="muted small">No field named “{field}” in this case.</div>}
          {values && (
            <div className="popover-list" data-testid="field-values">
              {values.length === 0 && <div className="muted small">No values under the current filter.</div>}
              {values.map((v) => (
                <div key={v.value} className="value-row">
                  <button className="list-item grow" data-testid="field-value" title={`keep only ${field} = ${v.value}`}
                    onClick={() => { addField({ field, value: v.value }); setOpen(false); }}>
                    <span className="value-text">{v.value || '(empty)'}</span>
                    <span className="muted small">{fmtCount(v.count)}</span>
                  </button>
                  <button title={`exclude ${field} = ${v.value}`} onClick={() => { addField({ field, value: v.value, negate: true }); setOpen(false); }}>≠</button>
                </div>
              ))}
            </div>
          )}
        </div>
      )}
    </div>
  );
}
