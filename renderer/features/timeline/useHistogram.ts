// Loads the per-source lanes (events.sources) and the density histogram for the current filter and range.
import { useEffect, useState } from 'react';
import type { CallOutput, Histogram } from '../../../shared/contract';
import type { EventFilter } from '../../../shared/domain';
import { call } from '../../api/client';
import { useApp, errorText } from '../../stores/app';
import { useEvents } from '../../stores/eventWindow';
import { AskAhead } from '../../lib/askAhead';

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

type HistogramInput = { caseId: string; filter: EventFilter; buckets: number; range?: { from: string; to: string } };
const inputOf = (caseId: string, f: EventFilter, buckets: number): HistogramInput =>
  ({ caseId, filter: f, buckets, ...(f.from && f.to ? { range: { from: f.from, to: f.to } } : {}) });
/** When the last histogram was asked, and the bucket count the timeline draws (for asking ahead of it). */
let lastAsk = -Infinity;
let drawnBuckets = 0;
/** A histogram asked straight from a filter change, before the timeline re-drew: its effect takes it over. */
const ahead = new AskAhead<Histogram>();
const ask = (input: HistogramInput, signal: AbortSignal) => call('events.histogram', input, { signal });

/**
 * Asks the histogram of a filter change at once, as the table asks its page (EventsTable): a lone change of levels,
 * sources or range (not text: its histogram waits for the rows), not one of a burst.
 */
export function askAhead(caseId: string, f: EventFilter): void {
  if (f.text || drawnBuckets < 1 || performance.now() - lastAsk <= DEBOUNCE_MS) return;
  const input = inputOf(caseId, f, drawnBuckets);
  if (ahead.ask(JSON.stringify(input), (signal) => ask(input, signal))) lastAsk = performance.now();
}

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
  useEffect(() => {
    if (!caseId || buckets < 1 || waiting) return;
    drawnBuckets = buckets;
    // The range goes in `range`; the filter keeps from/to too so counts outside the window are excluded.
    const input = inputOf(caseId, JSON.parse(key) as EventFilter, buckets);
    const inputKey = JSON.stringify(input);
    const taken = ahead.take(inputKey);
    // Asked here (a new data version, a burst's last change): the same filter's next ask ahead is not repeated.
    if (!taken) ahead.asking(inputKey);
    let live = true;
    setLoading(true);
    // A histogram the next filter replaces is aborted: the engine stops reading for it.
    const stop = taken?.stop ?? new AbortController();
    const t = setTimeout(() => {
      (taken?.answer ?? ask(input, stop.signal))
        .then((h) => {
          if (!live) return;
          setHist(h); setError(null); setLoading(false);
          useApp.getState().noteQuery('events.histogram', h.queryMs);
        })
        .catch((e) => { if (live) { setError(errorText(e)); setLoading(false); } });
    }, taken || input.filter.text || performance.now() - lastAsk > DEBOUNCE_MS ? 0 : DEBOUNCE_MS);
    if (!taken) lastAsk = performance.now();
    return () => { live = false; clearTimeout(t); stop.abort(); };
  }, [caseId, key, buckets, version, waiting]);
  return { hist, loading, error };
}
