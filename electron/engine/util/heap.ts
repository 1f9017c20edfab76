// The Node heap between the import's batches. V8 lets the old generation grow to about twice what survived its last
// full collection before it collects again, so an import of many small files (each batch leaves its SQL text, result
// rows and file records behind) carried ~150 MB of dead objects into the next batch, on top of DuckDB's memory
// (docs/BENCHMARKS.md, issue 13). A full collection once the heap has grown by a step keeps the peak near what is live.
import v8 from 'node:v8';
import vm from 'node:vm';

/** Growth of the used heap since the last collection that triggers the next one. */
const STEP_BYTES = 64 * 2 ** 20;

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
  gc();
  settled = process.memoryUsage().heapUsed;
  return true;
}
