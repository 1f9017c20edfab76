// Reading the text columns of a few scattered rows. Ids follow file order, so an id range is a few vectors that
// DuckDB reaches by their min/max alone; an id list, a join or an OR of ranges is not pushed into the scan and
// decompresses every vector of `fields`/`raw` (0.5–1 s on 3.3 M events for 1,000 rows).

/** One branch per window; `ids` keeps only those rows of it. */
export interface IdWindow { lo: number; hi: number; ids?: number[] }

/** Ids closer than this share a window (a DuckDB vector's rows: nearer ids are likely in the same vector anyway). */
const NEAR = 2048;

/** Sorted ids grouped into windows of near neighbours, each keeping exactly its ids. */
export function windowsOfIds(ids: number[]): IdWindow[] {
  const out: IdWindow[] = [];
  for (const id of [...ids].sort((a, b) => a - b)) {
    const w = out[out.length - 1];
    if (w && id - w.hi < NEAR) { w.hi = id; w.ids!.push(id); } else out.push({ lo: id, hi: id, ids: [id] });
  }
  return out;
}

/** `SELECT cols FROM event_store s` over the windows, as a UNION ALL (no rows for no windows). */
export function inIdWindows(cols: string, windows: IdWindow[], p: { add(v: number): string }): string {
  if (!windows.length) return `SELECT ${cols} FROM event_store s WHERE FALSE`;
  return windows.map((w) => `SELECT ${cols} FROM event_store s WHERE s.id BETWEEN ${p.add(w.lo)} AND ${p.add(w.hi)}`
    + (w.ids ? ` AND s.id IN (${w.ids.map((id) => p.add(id)).join(', ')})` : '')).join(' UNION ALL ');
}
