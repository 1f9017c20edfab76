// The extraction's groups of files, shared by the import's correlation stage (ingest/) and verify's recomputation
// (correlate/), which are peers: one definition below both.
import { cutGroups } from './cutGroups';

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
  return cutGroups(files, maxFiles, maxEvents, (f) => f.events).map((g) => g.map((f) => f.id));
}
