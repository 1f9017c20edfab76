// Loads the per-source lanes (events.sources) and the density histogram for the current filter and range.
import { useEffect, useRef, useState } from 'react';
import type { CallOutput, Histogram } from '../../../shared/contract';
import type { EventFilter } from '../../../shared/domain';
import { call } from '../../api/client';
import { useApp, errorText } from '../../stores/app';
import { useEvents } from '../../stores/eventWindow';

export type SourceInfo = CallOutput<'events.sources'>[number];

export function useSources(caseId: string | undefined, version: number) {
  const [sources, setSources] = useState<SourceInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!caseId) return;
    let live = true;
    call('events.sources', { caseId })
      .then((s) => { if (live) { setSources(s); setError(null); } })
      .catch((e) => { if (live) setError(errorText(e)); });
    return () => { live = false; };
  }, [caseId, version]);
  return { sources, error };
}

/** Changes closer together than this (wheel zoom, panning) are asked as one, the last; a lone change at once. */
const DEBOUNCE_MS = 60;

export function useHistogram(caseId: string | undefined, filter: EventFilter, buckets: number, version: number) {
  const [hist, setHist] = useState<Histogram | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(filter);
  // A text search's histogram reads every record's text, as do the table's first rows when the word is rare: on two
  // cores the two scans halve each other. The rows come first (the operator reads them); the histogram, which also
  // gives the total, is asked once they are in.
  const pageFor = useEvents((s) => (s.shown ? JSON.stringify(s.shown.filter) : null));
  const waiting = !!filter.text && pageFor !== key;
  const lastAsk = useRef(-Infinity);
  useEffect(() => {
    if (!caseId || buckets < 1 || waiting) return;
    const f = JSON.parse(key) as EventFilter;
    const range = f.from && f.to ? { from: f.from, to: f.to } : undefined;
    // The range goes in `range`; the filter keeps from/to too so counts outside the window are excluded.
    let live = true;
    setLoading(true);
    // A histogram the next filter replaces is aborted: the engine stops reading for it.
    const stop = new AbortController();
    const t = setTimeout(() => {
      call('events.histogram', { caseId, filter: f, buckets, ...(range ? { range } : {}) }, { signal: stop.signal })
        .then((h) => {
          if (!live) return;
          setHist(h); setError(null); setLoading(false);
          useApp.getState().noteQuery('events.histogram', h.queryMs);
        })
        .catch((e) => { if (live) { setError(errorText(e)); setLoading(false); } });
    }, f.text || performance.now() - lastAsk.current > DEBOUNCE_MS ? 0 : DEBOUNCE_MS);
    lastAsk.current = performance.now();
    return () => { live = false; clearTimeout(t); stop.abort(); };
  }, [caseId, key, buckets, version, waiting]);
  return { hist, loading, error };
}
