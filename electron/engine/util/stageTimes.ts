// Wall time per import stage, summed over the run, for the ingest bench's breakdown. CASEFILE_IMPORT_TIMINGS=1
// makes the CLI print them (one `stage-times {json}` line on stderr) when the import ends.
const times = new Map<string, number>();

/** The stage names the bench reads: correlation's two, and the timeline's summary inside the second (not correlation). */
export const EXTRACT_STAGE = 'correlation: identifiers + status';
export const CHAINS_STAGE = 'correlation: chains + timeline summary';
export const SUMMARY_STAGE = 'timeline summary (per-minute counts, inside the chains stage)';

export async function timed<T>(stage: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try { return await fn(); } finally { times.set(stage, (times.get(stage) ?? 0) + performance.now() - t); }
}

export function addStageTime(stage: string, ms: number): void {
  times.set(stage, (times.get(stage) ?? 0) + ms);
}

/** Seconds per stage since the last take, and reset. */
export function takeStageTimes(): Record<string, number> {
  const out = Object.fromEntries([...times].map(([k, ms]) => [k, Math.round(ms) / 1000]));
  times.clear();
  return out;
}
