// Wall time per import stage, summed over the run, for the ingest bench's breakdown. CASEFILE_IMPORT_TIMINGS=1
// makes the CLI print them (one `stage-times {json}` line on stderr) when the import ends.
const times = new Map<string, number>();
/**
 * The process's CPU time (every thread: DuckDB's too) while each stage ran, summed the same way: on a loaded machine
 * a stage's wall time says little, its CPU time still compares runs. Work running beside a stage is counted in it.
 */
const cpu = new Map<string, number>();
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/** The stage names the bench reads: correlation's two, and the timeline's summary inside the second (not correlation). */
export const EXTRACT_STAGE = 'correlation: identifiers + status';
export const CHAINS_STAGE = 'correlation: chains + timeline summary';
export const SUMMARY_STAGE = 'timeline summary (per-minute counts, inside the chains stage)';

export async function timed<T>(stage: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const c = cpuMs();
  try { return await fn(); } finally {
    times.set(stage, (times.get(stage) ?? 0) + performance.now() - t);
    cpu.set(stage, (cpu.get(stage) ?? 0) + cpuMs() - c);
  }
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

/** CPU seconds per stage (timed() stages only) since the last take, and reset. */
export function takeStageCpu(): Record<string, number> {
  const out = Object.fromEntries([...cpu].map(([k, ms]) => [k, Math.round(ms) / 1000]));
  cpu.clear();
  return out;
}
