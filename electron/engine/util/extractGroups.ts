// The extraction's groups of files, shared by the import's correlation stage (ingest/) and verify's recomputation
// (correlate/), which are peers: one definition below both.

/**
 * At most this many files, and about this many events, are extracted per statement (whatever their formats): by the
 * import's correlation stage (a transaction each) and by verify's recomputation.
 */
const GROUP_FILES = 2000;
const GROUP_EVENTS = 1 << 20;

/**
 * Files (id, events) cut into extraction groups in file order, mixing formats: a group of several row groups keeps
 * both cores busy (DuckDB scans a row group on one thread; one format's small files often fit in one), and fewer
 * statements run. A file larger than the bound is a group of its own.
 */
export function extractGroups(files: { id: number; events: number }[], maxFiles = GROUP_FILES, maxEvents = GROUP_EVENTS): number[][] {
  const groups: number[][] = [];
  let cur: number[] = [];
  let events = 0;
  for (const f of files) {
    if (cur.length && (cur.length >= maxFiles || events + f.events > maxEvents)) { groups.push(cur); cur = []; events = 0; }
    cur.push(f.id);
    events += f.events;
  }
  if (cur.length) groups.push(cur);
  return groups;
}
