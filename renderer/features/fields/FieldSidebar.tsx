// Kibana's Discover sidebar: the fields of the current result, most common first, each with its top values and
// counts; filter for / out a value or add the field as a column. Past the engine's sample size the numbers come
// from a random sample, and the header says so.
import { memo, useCallback, useMemo, useState } from 'react';
import type { FieldStats } from '../../../shared/contract';
import { fmtCount } from '../../lib/time';
import { FieldActions } from './FieldActions';
import { COUNT_ALL, useFieldStats } from './useFieldStats';

const OPEN_KEY = 'casefile.fieldSidebar';

export function FieldSidebar() {
  const [open, setOpen] = useState(() => localStorage.getItem(OPEN_KEY) !== 'closed');
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [q, setQ] = useState('');
  const [countAll, setCountAll] = useState(false);
  const { stats, loading, error } = useFieldStats(open, countAll);
  const toggleOpen = () => { localStorage.setItem(OPEN_KEY, open ? 'closed' : 'open'); setOpen(!open); };
  const needle = q.trim().toLowerCase();
  const fields = useMemo(() => (stats?.fields ?? []).filter((f) => !needle || f.field.toLowerCase().includes(needle)), [stats, needle]);
  const flip = useCallback((field: string) => setExpanded((s) => { const n = new Set(s); if (n.has(field)) n.delete(field); else n.add(field); return n; }), []);
  if (!open) {
    return <button className="field-sidebar-open" data-testid="field-sidebar-open" title="Show the fields of this result" onClick={toggleOpen}>Fields ▸</button>;
  }
  return (
    <aside className="field-sidebar" data-testid="field-sidebar">
      <div className="field-sidebar-head">
        <strong>Fields</strong>
        {loading && <span className="muted small">…</span>}
        <span className="spacer" />
        <button data-testid="field-sidebar-close" title="Hide the field list" onClick={toggleOpen}>◂</button>
      </div>
      <input data-testid="field-search" placeholder="find a field…" value={q} onChange={(e) => setQ(e.target.value)} />
      {stats && (
        <div className="muted small" data-testid="field-basis">
          {stats.sampled
            ? `From a random sample of ${fmtCount(stats.rowsRead)} of ${fmtCount(stats.total)}${stats.totalCapped ? '+' : ''} matching events`
            : `From all ${fmtCount(stats.total)} matching events`}
          {stats.sampled && !countAll && (
            <> · <button className="link" data-testid="field-count-all" title={`Read up to ${fmtCount(COUNT_ALL)} matching events`} onClick={() => setCountAll(true)}>count all</button></>
          )}
        </div>
      )}
      {error && <div className="error-box small">Could not read the fields: {error}</div>}
      {stats && stats.fields.length === 0 && <div className="muted small">No fields in this result.</div>}
      <FieldList fields={fields} rowsRead={stats?.rowsRead ?? 0} expanded={expanded} flip={flip} />
    </aside>
  );
}

/** The field list: drawn again when the result's statistics or the operator's choices change, not on every filter
 * change (a zoom re-drew the whole list, stale numbers and all, while its histogram was being read). */
const FieldList = memo(function FieldList({ fields, rowsRead, expanded, flip }: {
  fields: FieldStats['fields']; rowsRead: number; expanded: Set<string>; flip: (field: string) => void;
}) {
  return (
    <ul className="field-list">
      {fields.map((f) => {
        const isOpen = expanded.has(f.field);
        return (
          <li key={f.field} data-testid="field-item" data-field={f.field}>
            <div className="field-name" onClick={() => flip(f.field)} aria-expanded={isOpen}>
              <span className="caret">{isOpen ? '▾' : '▸'}</span>
              <span className="mono" title={f.field}>{f.field}</span>
              <span className="spacer" />
              <span className="muted small" data-testid="field-count" title={`${fmtCount(f.count)} of ${fmtCount(rowsRead)} events carry ${f.field}; ${fmtCount(f.distinct)} distinct values`}>
                {pct(f.count, rowsRead)}
              </span>
              <FieldActions field={f.field} />
            </div>
            {isOpen && (
              <ul className="field-values" data-testid="field-values">
                {f.top.map((t) => (
                  <li key={t.value} data-testid="field-value" data-value={t.value}>
                    <span className="bar" style={{ width: `${Math.max(2, (100 * t.count) / Math.max(1, f.count))}%` }} />
                    <span className="mono value" title={t.value}>{t.value === '' ? '(empty)' : t.value}</span>
                    <span className="muted small" data-testid="field-value-count">{fmtCount(t.count)}</span>
                    <FieldActions field={f.field} value={t.masked ? undefined : t.value} />
                  </li>
                ))}
                <li className="muted small">{fmtCount(f.distinct)} distinct{f.distinct > f.top.length ? ` · top ${f.top.length} shown` : ''}</li>
              </ul>
            )}
          </li>
        );
      })}
    </ul>
  );
});

const pct = (n: number, of: number) => (of ? `${Math.round((100 * n) / of)}%` : '—');
