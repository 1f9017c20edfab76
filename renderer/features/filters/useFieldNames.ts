// Field names present in the case (events.fieldNames), shared by the column picker and the field filter picker.
import { useEffect, useState } from 'react';
import { call } from '../../api/client';
import { useApp } from '../../stores/app';
import { useEvents, whenTableStill } from '../../stores/eventWindow';

type FieldName = { field: string; count: number };
const cache = new Map<string, FieldName[]>();
/** One request per case and data version, however many pickers ask at once. */
const asked = new Map<string, Promise<FieldName[]>>();

export function useFieldNames(): FieldName[] {
  const caseId = useApp((s) => s.current?.id);
  const version = useApp((s) => s.dataVersion);
  const key = `${caseId}:${version}`;
  const [names, setNames] = useState<FieldName[]>(cache.get(key) ?? []);
  // Read once the table's first page is in and the operator pauses (a page read restarts the wait): the names only
  // fill pickers, the page and the first clicks are what a case opens to.
  const tableIn = useEvents((s) => s.query?.caseId === caseId && !s.loading);
  useEffect(() => {
    if (!caseId || !tableIn) return;
    const hit = cache.get(key);
    if (hit) { setNames(hit); return; }
    let live = true;
    const stop = whenTableStill(caseId, () => {
      let going = asked.get(key);
      if (!going) {
        asked.set(key, (going = call('events.fieldNames', { caseId })));
        going.then((n) => cache.set(key, n), () => undefined).finally(() => asked.delete(key));
      }
      going.then((n) => { if (live) setNames(n); }).catch((e) => { if (live) useApp.getState().fail(e); });
    });
    return () => { live = false; stop(); };
  }, [caseId, key, tableIn]);
  return names;
}
