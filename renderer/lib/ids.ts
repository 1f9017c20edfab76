// Identifiers worth pivoting on: UUIDs anywhere, and the values of fields known to carry correlation keys.
export const UUID_RE = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** Fields whose whole value is a correlation key (Celery, TaskBlade, pipelines, Prefect, metadata). */
export const ID_FIELDS = new Set([
  'task_id', 'taskid', 'request_id', 'requestid', 'runid', 'run_id', 'root_id', 'parent_id', 'flow_run_id',
  'task_run_id', 'entity_id', 'uuid', 'correlation_id', 'trace_id', 'job_id',
]);

/** Fields whose value is a facet shared by many records (who, what data, where): they filter, they do not trace. */
export const FACET_FIELDS = new Set(['user', 'username', 'dataset', 'host', 'hostname', 'client_id']);

export function isFacetField(name: string): boolean {
  return FACET_FIELDS.has(name.toLowerCase());
}

export type Piece = { text: string; id: boolean };

/** Split text into plain pieces and identifier pieces (UUIDs). */
export function splitIds(text: string): Piece[] {
  const out: Piece[] = [];
  let last = 0;
  for (const m of text.matchAll(UUID_RE)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ text: text.slice(last, at), id: false });
    out.push({ text: m[0], id: true });
    last = at + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), id: false });
  return out;
}

export function isIdField(name: string): boolean {
  return ID_FIELDS.has(name.toLowerCase());
}
