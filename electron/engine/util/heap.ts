// The Node heap between the import's batches. V8 lets the old generation grow to about twice what survived its last
// full collection before it collects again, so an import of many small files (each batch leaves its SQL text, result
// rows and file records behind) carried ~150 MB of dead objects into the next batch, on top of DuckDB's memory
// (docs/BENCHMARKS.md, issue 13). A full collection once the heap has grown by a step keeps the peak near what is live.
// One collection frees the dead objects but keeps most of the pages they sat on (V8 compacts only a few fragmented
// pages per collection): on the 10 GB tree the job after the events ran with 85 MB live in a 218 MB heap, ~130 MB of
// RSS, until a later collection gave it back. So the collection is repeated while the heap still shrinks.
import v8 from 'node:v8';
import vm from 'node:vm';

/** Growth of the used heap since the last collection that triggers the next one. */
const STEP_BYTES = 64 * 2 ** 20;
/** A collection that gave back less heap than this is the last of a settle; at most MAX_PASSES of them. */
const SHRINK_BYTES = 8 * 2 ** 20;
const MAX_PASSES = 4;

let collect: (() => void) | null | undefined;
/** V8's own full collection (exposed once; null where the runtime refuses the flag). */
function collector(): (() => void) | null {
  if (collect !== undefined) return collect;
  try {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  } catch {
    collect = null;
  }
  return collect;
}

let settled = 0;

/**
 * Collects the heap when it has grown by more than a step since the last time, or `always` (what was live then has
 * just died: the import's file records when its job ends); returns whether it did.
 */
export function settleHeap(always = false): boolean {
  const used = process.memoryUsage().heapUsed;
  if (used < settled) settled = used;
  if (!always && settled && used - settled < STEP_BYTES) return false;
  const gc = collector();
  if (!gc) return false;
  for (let pass = 0, total = Infinity; pass < MAX_PASSES; pass++) {
    gc();
    const now = process.memoryUsage().heapTotal;
    if (total - now < SHRINK_BYTES) break;
    total = now;
  }
  settled = process.memoryUsage().heapUsed;
  return true;
}
