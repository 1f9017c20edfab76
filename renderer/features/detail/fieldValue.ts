// How a field value is shown: JSON held in strings is pretty-printed, multi-line text (tracebacks) kept verbatim.
export type Shown = { kind: 'inline' | 'block'; text: string };

export function showValue(v: unknown): Shown {
  if (v === null || v === undefined) return { kind: 'inline', text: String(v) };
  if (typeof v === 'string') {
    const t = v.trim();
    if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
      try { return { kind: 'block', text: JSON.stringify(JSON.parse(t), null, 2) }; } catch { /* not JSON: fall through */ }
    }
    return { kind: v.includes('\n') ? 'block' : 'inline', text: v };
  }
  if (typeof v === 'object') return { kind: 'block', text: JSON.stringify(v, null, 2) };
  return { kind: 'inline', text: String(v) };
}

/** A field's value as the engine compares it in a field filter (the JSON value as text); none for null. */
export function filterValue(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}
