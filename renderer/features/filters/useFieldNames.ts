// Field names present in the case (events.fieldNames), shared by the column picker and the field filter picker.
import { useEffect, useState } from 'react';
import { call } from '../../api/client';
import { useApp } from '../../stores/app';

type FieldName = { field: string; count: number };
const cache = new Map<string, FieldName[]>();

export function useFieldNames(): FieldName[] {
  const caseId = useApp((s) => s.current?.id);
  const version = useApp((s) => s.dataVersion);
  const key = `${caseId}:${version}`;
  const [names, setNames] = useState<FieldName[]>(cache.get(key) ?? []);
  useEffect(() => {
    if (!caseId) return;
    const hit = cache.get(key);
    if (hit) { setNames(hit); return; }
    let live = true;
    call('events.fieldNames', { caseId })
      .then((n) => { cache.set(key, n); if (live) setNames(n); })
      .catch((e) => useApp.getState().fail(e));
    return () => { live = false; };
  }, [caseId, key]);
  return names;
}
