// The virtualised events table over the sliding keyset window (stores/events). Only the visible rows are in the
// DOM and only MAX_ROWS rows are in memory; reaching either edge loads the next page from the engine.
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { flexRender, getCoreRowModel, useReactTable, type Row } from '@tanstack/react-table';
import type { EventRow } from '../../../shared/domain';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useApp } from '../../stores/app';
import { extraFieldsOf, useFilter } from '../../stores/filter';
import { useEvents } from '../../stores/eventWindow';
import { useSelection } from '../../stores/selection';
import { useTimeFormat } from '../../stores/timeMode';
import { fmtCount } from '../../lib/time';
import { buildColumns, columnWidth, COLUMN_LABELS } from './columns';
import { fitBesideRecord, MESSAGE_MIN_PX } from './fitColumns';
import { TableExportButtons } from '../export/ExportButton';
import { usePicks } from '../export/picks';
import { ColumnPicker } from './ColumnPicker';
import { emptyHint } from '../filters/emptyHint';
import { AskAhead } from '../../lib/askAhead';

export const ROW_H = 24;
const MIN_COL_PX = 40;

/** Drags a column's right edge: its width follows the pointer from the width it had on screen. */
function startResize(e: React.MouseEvent<HTMLElement>, id: string): void {
  e.preventDefault();
  e.stopPropagation();
  const startX = e.clientX;
  const startW = e.currentTarget.parentElement?.getBoundingClientRect().width ?? 150;
  const move = (m: MouseEvent) => {
    const w = Math.round(Math.min(4000, Math.max(MIN_COL_PX, startW + m.clientX - startX)));
    useFilter.getState().setSizes({ ...useFilter.getState().sizes, [id]: w });
  };
  const up = () => { window.removeEventListener('mousemove', move); window.removeEventListener('mouseup', up); };
  window.addEventListener('mousemove', move);
  window.addEventListener('mouseup', up);
}

export function EventsTable() {
  const caseId = useApp((s) => s.current?.id);
  const version = useApp((s) => s.dataVersion);
  const filter = useFilter((s) => s.filter);
  const columns = useFilter((s) => s.columns);
  const sizes = useFilter((s) => s.sizes);
  const [dragging, setDragging] = useState<string | null>(null);
  const { rows, total, totalKnown, loading, error, atStart, atEnd, scroll, reload, loadAfter, loadBefore } = useEvents();
  const selectedId = useSelection((s) => s.selectedId);
  const select = useSelection((s) => s.select);
  const { ids: picks, toggle: togglePick } = usePicks();
  const scrollRef = useRef<HTMLDivElement>(null);

  const extraKey = JSON.stringify(extraFieldsOf(columns));
  const filterKey = JSON.stringify(filter);
  // A filter change asks for its page at once, from the store, before React re-draws the view for it (on a busy
  // machine that drawing delayed the request by 50–300 ms); the effect below then finds that query already asked.
  // (The store aborts a replaced page itself: the slot's own abort has nothing to stop here.)
  const [ahead] = useState(() => new AskAhead<void>());
  const keyOf = (c: string, f: string, x: string, v: number) => `${c}\n${f}\n${x}\n${v}`;
  useEffect(() => {
    if (!caseId) return;
    return useFilter.subscribe((s, prev) => {
      if (s.filter === prev.filter && s.columns === prev.columns) return;
      const f = JSON.stringify(s.filter), x = JSON.stringify(extraFieldsOf(s.columns));
      ahead.ask(keyOf(caseId, f, x, useApp.getState().dataVersion),
        () => useEvents.getState().reload({ caseId, filter: s.filter, extraFields: JSON.parse(x) as string[] }));
    });
  }, [caseId, ahead]);
  useEffect(() => {
    if (!caseId) return;
    const key = keyOf(caseId, filterKey, extraKey, version);
    const taken = ahead.take(key);
    const again = ahead.asking(key);
    if ((taken || again) && useEvents.getState().query?.caseId === caseId) return;
    void reload({ caseId, filter: JSON.parse(filterKey), extraFields: JSON.parse(extraKey) });
  }, [caseId, filterKey, extraKey, version, reload, ahead]);

  // The card's inner width: beside an open record (its panel takes the right of the window) Message gets the room.
  const [room, setRoom] = useState(0);
  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setRoom(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const time = useTimeFormat();
  const widthOf = (id: string) => (sizes[id] ? `${sizes[id]}px` : columnWidth(id, time.mode === 'both'));
  const recordOpen = selectedId != null;
  const shown = useMemo(() => (recordOpen ? fitBesideRecord(columns, (id) => parseInt(widthOf(id), 10) || 0, room) : columns),
    // (widthOf reads sizes and the time mode)
    [recordOpen, columns, room, sizes, time.mode]);
  const left = columns.filter((c) => !shown.includes(c));
  const colDefs = useMemo(() => buildColumns(shown, time), [shown, time]);
  const table = useReactTable({ data: rows, columns: colDefs, getCoreRowModel: getCoreRowModel(), getRowId: (r) => String(r.id) });
  // Beside a record Message takes what is left, from its least (a width the operator gave it holds if all fit).
  const messageFits = recordOpen && (left.length > 0 || !sizes.message);
  const widthShown = (id: string) => (id === 'message' && messageFits ? `minmax(${MESSAGE_MIN_PX}px, 1fr)` : widthOf(id));
  const grid = shown.map(widthShown).join(' ');
  const moveColumn = useFilter.getState().moveColumn;
  // The columns' own widths: past the panel's width (extra fields, the detail panel open) the table scrolls sideways.
  const minWidth = shown.reduce((a, id) => a + (id === 'message' && messageFits ? MESSAGE_MIN_PX : parseInt(widthOf(id), 10) || 240), 0);

  const virt = useVirtualizer({
    count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_H, overscan: 20,
  });

  // Scroll requests from the store: keep the viewport still when rows are prepended or trimmed; go to jumps.
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || !scroll.seq) return;
    if (scroll.shift) el.scrollTop += scroll.shift * ROW_H;
    if (scroll.index != null) virt.scrollToIndex(scroll.index, { align: scroll.index === 0 ? 'start' : 'center' });
  }, [scroll, virt]);

  const items = virt.getVirtualItems();
  const firstVisible = items[0]?.index ?? 0;
  const lastVisible = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    if (!rows.length || loading) return;
    if (lastVisible > rows.length - 40 && !atEnd) void loadAfter();
    else if (firstVisible < 40 && !atStart) void loadBefore();
  }, [firstVisible, lastVisible, rows.length, atEnd, atStart, loading, loadAfter, loadBefore]);

  // Keep the keyboard-selected row in view.
  useEffect(() => {
    if (selectedId == null) return;
    const idx = rows.findIndex((r) => r.id === selectedId);
    if (idx >= 0 && (idx < firstVisible + 1 || idx > lastVisible - 1)) virt.scrollToIndex(idx, { align: 'auto' });
  }, [selectedId]);

  const tableRows = table.getRowModel().rows;
  return (
    <section className="events" data-testid="events-table">
      <div className="events-head">
        <strong>Events</strong>
        <span data-testid="events-total">{totalKnown ? fmtCount(total) : 'counting…'}</span><span className="muted"> matching</span>
        {rows.length > 0 && <span className="muted small"> · window {fmtCount(rows.length)} rows{loading ? ' · loading…' : ''}</span>}
        {left.length > 0 && (
          <span className="muted small" data-testid="columns-hidden"
            title={`${left.map((c) => COLUMN_LABELS[c] ?? c).join(', ')}: left out while a record is open, so its message has room (the record shows them). Close the record (Esc) to see them again.`}>
            · {left.length} column{left.length === 1 ? '' : 's'} beside the record
          </span>
        )}
        <span className="spacer" />
        <TableExportButtons />
        <ColumnPicker />
      </div>
      <div className="events-scroll" ref={scrollRef} data-testid="events-scroll">
        <div className="events-header-row" style={{ gridTemplateColumns: grid, minWidth }}>
          {table.getHeaderGroups()[0]?.headers.map((h) => (
            // Drag a header onto another to put it before (left half) or after (right half) it; drag the right edge to resize.
            <div key={h.id} className={`cell head${dragging && dragging !== h.id ? ' drop-target' : ''}`} data-testid="column-head" data-col={h.id}
              draggable onDragStart={(e) => { e.dataTransfer.setData('text/plain', h.id); e.dataTransfer.effectAllowed = 'move'; setDragging(h.id); }}
              onDragEnd={() => setDragging(null)}
              onDragOver={(e) => { if (dragging) e.preventDefault(); }}
              onDrop={(e) => {
                e.preventDefault();
                const id = e.dataTransfer.getData('text/plain') || dragging;
                setDragging(null);
                if (!id) return;
                // The right half of a header means "after it".
                const box = e.currentTarget.getBoundingClientRect();
                const after = e.clientX > box.left + box.width / 2;
                moveColumn(id, after ? columns[columns.indexOf(h.id) + 1] ?? null : h.id);
              }}>
              {flexRender(h.column.columnDef.header, h.getContext())}
              <span className="col-resize" data-testid="column-resize" title="Drag to resize; double-click for the default width"
                draggable={false} onDragStart={(e) => { e.preventDefault(); e.stopPropagation(); }}
                onMouseDown={(e) => startResize(e, h.id)}
                onDoubleClick={() => { const { [h.id]: _gone, ...rest } = useFilter.getState().sizes; useFilter.getState().setSizes(rest); }} />
            </div>
          ))}
        </div>
        {error && <div className="error-box">Could not load events: {error}</div>}
        {!error && !loading && rows.length === 0 && (
          <div className="empty" data-testid="events-empty">No events match — {emptyHint(filter)}.</div>
        )}
        {!error && loading && rows.length === 0 && <div className="empty">Loading events…</div>}
        <div style={{ height: virt.getTotalSize(), position: 'relative', minWidth }}>
          {items.map((vi) => {
            const row = tableRows[vi.index];
            if (!row) return null;
            const id = row.original.id;
            return <EventRowView key={row.id} row={row} cols={colDefs} top={vi.start} grid={grid} selected={id === selectedId} picked={picks.has(id)} select={select} togglePick={togglePick} />;
          })}
        </div>
      </div>
    </section>
  );
}

/**
 * One row, drawn again only when its record, place, columns or marks change: a filter change re-draws the table's
 * head at once (the old rows stay, "loading…") and its rows when the new page is in (a zoom re-drew every visible
 * row's cells while its histogram was being read).
 */
// `cols`: the column definitions the cells are drawn with (a time mode or column change keeps the same row objects).
const EventRowView = memo(function EventRowView({ row, top, grid, selected, picked, select, togglePick }: {
  row: Row<EventRow>; cols: unknown; top: number; grid: string; selected: boolean; picked: boolean;
  select: (r: EventRow) => void; togglePick: (id: number) => void;
}) {
  const r = row.original;
  return (
    <div data-testid="event-row" data-id={r.id} data-level={r.level ?? ''}
      className={`events-row${selected ? ' selected' : ''}${picked ? ' picked' : ''}${r.level === 'ERROR' || r.level === 'CRITICAL' ? ' severe' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_H, gridTemplateColumns: grid }}
      onClick={(e) => (e.ctrlKey || e.metaKey ? togglePick(r.id) : select(r))}>
      {row.getVisibleCells().map((c) => (
        <div key={c.id} className={`cell c-${c.column.id}`} title={String(c.getValue() ?? '')}>
          {flexRender(c.column.columnDef.cell, c.getContext())}
        </div>
      ))}
    </div>
  );
});
