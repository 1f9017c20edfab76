// The field sidebar's data: events.fieldStats over the current filter, re-read when the filter or the case changes.
import { useEffect, useState } from 'react';
import type { FieldStats } from '../../../shared/contract';
import { call } from '../../api/client';
import { useApp, errorText } from '../../stores/app';
import { useFilter } from '../../stores/filter';
import { useEvents } from '../../stores/eventWindow';

/** Top values shown per field. */
export const TOP_VALUES = 5;
/** Events read when the operator asks to count them all (the contract's ceiling; past it the result stays sampled). */
export const COUNT_ALL = 200_000;
/** How long a result must stay on screen before the sidebar reads it. */
export const SETTLE_MS = 500;

export function useFieldStats(enabled: boolean, countAll: boolean): { stats: FieldStats | null; loading: boolean; error: string | null } {
  const caseId = useApp((s) => s.current?.id);
  const version = useApp((s) => s.dataVersion);
  const key = JSON.stringify(useFilter((s) => s.filter));
  // The sidebar reads a sample of the matching events: on a large case that competes with the table for both cores,
  // so it starts once the table's page and total are in.
  const tableDone = useEvents((s) => !s.loading && s.totalKnown);
  const [stats, setStats] = useState<FieldStats | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!caseId || !enabled || !tableDone) return;
    let live = true;
    setLoading(true);
    // Waits out a burst of filter changes (typing, toggling levels, brushing) so only the result the operator stops
    // on is read: a read started between two changes ran beside the next change's page and histogram. One still
    // running when the result changes is aborted (the engine stops its reads).
    const stop = new AbortController();
    const t = setTimeout(() => {
      call('events.fieldStats', { caseId, filter: JSON.parse(key), top: TOP_VALUES, ...(countAll ? { sample: COUNT_ALL } : {}) }, { signal: stop.signal })
        .then((s) => { if (live) { setStats(s); setError(null); setLoading(false); } })
        .catch((e) => { if (live) { setError(errorText(e)); setLoading(false); } });
    }, SETTLE_MS);
    return () => { live = false; clearTimeout(t); stop.abort(); };
  }, [caseId, key, version, enabled, countAll, tableDone]);
  return { stats, loading, error };
}
