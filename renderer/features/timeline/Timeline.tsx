// One lane per source with a stacked, level-coloured density histogram. Drag = brush-zoom, wheel = zoom at the
// pointer, shift-drag or drag on the axis = pan, Reset = full range. The range lives in filter.from/to.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useApp } from '../../stores/app';
import { useFilter } from '../../stores/filter';
import { GoToTime } from './GoToTime';
import { LANE_LEVELS, levelColor } from '../../lib/levels';
import { boundRange, fmtCount, fmtTick, rangeIso, timeTicks, toIso, toMs } from '../../lib/time';
import { fmtDuration } from '../../../shared/duration';
import { askAhead, useHistogram, useSources } from './useHistogram';
import { laneBars } from './laneBars';
import { useTimeFormat } from '../../stores/timeMode';

const LANE_H = 34;
const AXIS_H = 22;

type Drag = { mode: 'brush' | 'pan'; x0: number; x1: number };
type Hover = { lane: number; bucket: number; x: number; y: number };

export function Timeline() {
  const caseId = useApp((s) => s.current?.id);
  const version = useApp((s) => s.dataVersion);
  const filter = useFilter((s) => s.filter);
  const setRange = useFilter((s) => s.setRange);
  const toggleSource = useFilter((s) => s.toggleSource);
  const time = useTimeFormat();
  const plotRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [drag, setDrag] = useState<Drag | null>(null);
  const [hover, setHover] = useState<Hover | null>(null);
  const dragRef = useRef<Drag | null>(null);
  dragRef.current = drag;
  const buckets = Math.max(10, Math.min(400, Math.floor(width / 5)));
  const { sources, error: srcError } = useSources(caseId, version);
  const { hist, loading, error } = useHistogram(caseId, filter, width ? buckets : 0, version);
  // A filter change asks for its histogram straight from the store, before this view re-draws for it.
  useEffect(() => (caseId ? useFilter.subscribe((s, prev) => { if (s.filter !== prev.filter) askAhead(caseId, s.filter); }) : undefined), [caseId]);

  useEffect(() => {
    const el = plotRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);

  // Nothing matching: keep showing the range the operator was looking at, and say so.
  const empty = !!hist && hist.untimed === 0 && hist.lanes.every((l) => l.total === 0);
  // `first`: where the shown range starts, the first event (a summary answer's buckets start on a whole unit before it).
  const lastExtent = useRef<{ from: number; to: number; first: string } | null>(null);
  const extent = useMemo(() => {
    const from = toMs(hist?.from), to = toMs(hist?.to);
    // The engine answers the epoch for a case with no timed events at all: there is no range to draw.
    if (from == null || to == null || (from === 0 && to === 0)) return null;
    if (empty && lastExtent.current) return lastExtent.current;
    const ex = { from, to: Math.max(to, from + 1), first: hist?.first ?? toIso(from) };
    if (!empty) lastExtent.current = ex;
    return ex;
  }, [hist, empty]);
  // Where the case has events at all: zoom and pan stay inside it.
  const dataExtent = useMemo(() => {
    const froms = (sources ?? []).map((s) => toMs(s.from)).filter((t): t is number => t != null);
    const tos = (sources ?? []).map((s) => toMs(s.to)).filter((t): t is number => t != null);
    return froms.length && tos.length ? { from: Math.min(...froms), to: Math.max(Math.max(...tos), Math.min(...froms) + 1) } : null;
  }, [sources]);
  const zoomTo = (r: { from: number; to: number }) => {
    const b = boundRange(r, wheelState.current.dataExtent);
    if (!b) { setRange(undefined, undefined); return; }
    // Snapped to whole minutes where a pixel of the new view spans one or more: less than a pixel moves.
    const iso = rangeIso(b, (b.to - b.from) / Math.max(1, wheelState.current.width));
    setRange(iso.from, iso.to);
  };

  const laneData = useMemo(() => new Map((hist?.lanes ?? []).map((l) => [l.source, l])), [hist]);
  const lanes = useMemo(() => {
    const names = (sources ?? []).map((s) => s.source);
    for (const l of hist?.lanes ?? []) if (!names.includes(l.source)) names.push(l.source);
    return names;
  }, [sources, hist]);

  const bw = hist && width ? width / hist.buckets : 0;
  // Built once per answer (hover and drag re-draw the view often).
  const bars = useMemo(() => new Map(lanes.map((name, li) => [name, laneBars(laneData.get(name)?.counts ?? [], bw, li * LANE_H, LANE_H)])), [lanes, laneData, bw]);

  const msPerPx = extent && width ? (extent.to - extent.from) / width : 0;
  const timeAt = (x: number) => (extent ? extent.from + x * msPerPx : 0);

  // Wheel zoom needs a non-passive listener to keep the page from scrolling.
  const wheelState = useRef({ extent, width, filter, dataExtent, zoomTo });
  wheelState.current = { extent, width, filter, dataExtent, zoomTo };
  useEffect(() => {
    const el = plotRef.current;
    if (!el) return;
    let pending: { from: number; to: number } | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onWheel = (e: WheelEvent) => {
      const { extent: ex, width: w } = wheelState.current;
      if (!ex || !w) return;
      e.preventDefault();
      const base = pending ?? ex;
      const rect = el.getBoundingClientRect();
      const frac = Math.min(1, Math.max(0, (e.clientX - rect.left) / w));
      const at = base.from + frac * (base.to - base.from);
      const factor = e.deltaY > 0 ? 1.25 : 0.8;
      const span = Math.max(1000, (base.to - base.from) * factor);
      const next = { from: at - frac * span, to: at + (1 - frac) * span };
      pending = boundRange(next, wheelState.current.dataExtent) ?? wheelState.current.dataExtent ?? next;
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (pending) wheelState.current.zoomTo(pending);
        pending = null;
      }, 180);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => { el.removeEventListener('wheel', onWheel); clearTimeout(timer); };
  }, [setRange]);

  const localX = (e: React.MouseEvent) => {
    const rect = plotRef.current!.getBoundingClientRect();
    return Math.min(width, Math.max(0, e.clientX - rect.left));
  };
  const onDown = (e: React.MouseEvent, onAxis: boolean) => {
    if (e.button !== 0 || !extent) return;
    const x = localX(e);
    setDrag({ mode: onAxis || e.shiftKey ? 'pan' : 'brush', x0: x, x1: x });
    e.preventDefault();
  };
  useEffect(() => {
    if (!drag) return;
    const move = (e: MouseEvent) => {
      const rect = plotRef.current!.getBoundingClientRect();
      setDrag((d) => d && { ...d, x1: drag.mode === 'pan' ? e.clientX - rect.left : Math.min(width, Math.max(0, e.clientX - rect.left)) });
    };
    const up = () => {
      const d = dragRef.current;
      if (d && extent) {
        if (d.mode === 'brush' && Math.abs(d.x1 - d.x0) > 3) {
          const a = timeAt(Math.min(d.x0, d.x1)), b = timeAt(Math.max(d.x0, d.x1));
          zoomTo({ from: a, to: Math.max(b, a + 1) });
        } else if (d.mode === 'pan' && Math.abs(d.x1 - d.x0) > 1) {
          const shift = -(d.x1 - d.x0) * msPerPx;
          zoomTo({ from: extent.from + shift, to: extent.to + shift });
        }
      }
      setDrag(null);
    };
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up, { once: true });
    return () => { window.removeEventListener('mousemove', move); window.removeEventListener('mouseup', up); };
  }, [drag?.mode, extent, width]);

  const panShift = drag?.mode === 'pan' ? drag.x1 - drag.x0 : 0;
  // Ticks fall on round times of the clock shown (site time is shifted by its offset at the range start).
  const off = extent ? time.offset(extent.from) : 0;
  const ticks = extent ? timeTicks(extent.from + off, extent.to + off, Math.max(2, Math.floor(width / 110))).map((t) => t - off) : [];
  const zoomed = !!(filter.from || filter.to);
  const hoverLane = hover ? laneData.get(lanes[hover.lane] ?? '') : undefined;
  const hoverCounts = hoverLane?.counts[hover?.bucket ?? -1];

  return (
    <section className="timeline" data-testid="timeline">
      <div className="timeline-head">
        <strong>Timeline</strong>
        <span className="muted" data-testid="timeline-range">
          {extent ? `${time.fmt(extent.first)} → ${time.fmt(toIso(extent.to))} (${time.label})` : 'no timed events'}
          {hist && hist.untimed > 0 ? ` · ${fmtCount(hist.untimed)} without a time` : ''}
        </span>
        {empty && <span className="warn" data-testid="timeline-empty">no events match</span>}
        <span className="spacer" />
        {loading && <span className="muted" data-testid="timeline-loading">{filter.text ? 'counting…' : 'loading…'}</span>}
        <GoToTime viewStart={extent?.first ?? null} />
        <span className="hint">drag: zoom · wheel: zoom · shift-drag / drag axis: pan</span>
        <button data-testid="timeline-reset" disabled={!zoomed} onClick={() => setRange(undefined, undefined)}>Reset</button>
      </div>
      {(error || srcError) && <div className="error-box">Timeline: {error ?? srcError} — try Reset or clear filters.</div>}
      <div className="timeline-body">
        <div className="lane-labels">
          {lanes.map((name) => {
            const total = hist ? laneData.get(name)?.total ?? 0 : null;
            const all = sources?.find((s) => s.source === name)?.count;
            const active = !filter.sources?.length || filter.sources.includes(name);
            return (
              <button key={name} className={`lane-label${active ? '' : ' off'}`} style={{ height: LANE_H }}
                data-testid="lane" data-source={name} title={`Click to ${active && filter.sources?.length ? 'remove' : 'filter to'} ${name}`}
                onClick={() => toggleSource(name)}>
                <span className="lane-name">{name}</span>
                <span className="lane-total" data-testid="lane-total">{total == null ? '…' : fmtCount(total)}</span>
                {all != null && total != null && all !== total && <span className="muted small"> / {fmtCount(all)}</span>}
              </button>
            );
          })}
          <div style={{ height: AXIS_H }} />
        </div>
        <div className="lane-plot" ref={plotRef} onMouseLeave={() => setHover(null)}>
          <svg width={width} height={lanes.length * LANE_H + AXIS_H} className="lane-svg"
            onMouseDown={(e) => onDown(e, false)}
            onMouseMove={(e) => {
              if (!hist || !bw) return;
              const rect = plotRef.current!.getBoundingClientRect();
              const y = e.clientY - rect.top;
              const lane = Math.floor(y / LANE_H);
              const bucket = Math.floor((e.clientX - rect.left) / bw);
              setHover(lane < lanes.length && bucket >= 0 && bucket < hist.buckets ? { lane, bucket, x: e.clientX - rect.left, y } : null);
            }}>
            <g transform={`translate(${panShift},0)`}>
              {lanes.map((name, li) => {
                const top = li * LANE_H;
                return (
                  <g key={name} data-testid="lane-plot" data-source={name}>
                    <rect x={0} y={top} width={width} height={LANE_H} className={li % 2 ? 'lane-bg odd' : 'lane-bg'} />
                    {(bars.get(name) ?? []).map(({ level, d }) => (
                      <path key={level} d={d} fill={levelColor(LANE_LEVELS[level])} data-testid="lane-bars" data-level={LANE_LEVELS[level]} />
                    ))}
                  </g>
                );
              })}
            </g>
            {drag?.mode === 'brush' && (
              <rect className="brush" x={Math.min(drag.x0, drag.x1)} y={0} width={Math.abs(drag.x1 - drag.x0)} height={lanes.length * LANE_H} />
            )}
            <g className="axis" transform={`translate(0,${lanes.length * LANE_H})`}>
              <rect x={0} y={0} width={width} height={AXIS_H} className="axis-bg" data-testid="timeline-axis"
                onMouseDown={(e) => { e.stopPropagation(); onDown(e, true); }} />
              {extent && ticks.map((t, ti) => {
                const x = (t - extent.from) / msPerPx + panShift;
                return (
                  <g key={t} transform={`translate(${x},0)`} pointerEvents="none">
                    <line y1={0} y2={5} className="tick" />
                    <text y={16} x={3} className="tick-label">{fmtTick(t + off, extent.to - extent.from, ti ? ticks[ti - 1]! + off : null)}</text>
                  </g>
                );
              })}
            </g>
          </svg>
          {hover && hist && hoverCounts && !drag && (
            <div className="tooltip" data-testid="timeline-tooltip"
              style={{ left: Math.min(hover.x + 12, Math.max(0, width - 220)), top: hover.y + 12 }}>
              <div><strong>{lanes[hover.lane]}</strong></div>
              <div className="muted small">{time.fmt(toIso(timeAt(hover.bucket * bw)))} ({time.label}) +{fmtDuration(hist.bucketMs)}</div>
              {LANE_LEVELS.map((l, i) => (hoverCounts[i] ? (
                <div key={l}><span className="swatch" style={{ background: levelColor(l) }} />{l}: {fmtCount(hoverCounts[i] ?? 0)}</div>
              ) : null))}
              <div>total: {fmtCount(hoverCounts.reduce((a, b) => a + b, 0))}</div>
            </div>
          )}
          {sources && lanes.length === 0 && <div className="empty">This case has no events yet — import a bundle from the Cases view.</div>}
        </div>
      </div>
    </section>
  );
}
