// A span of time as the operator reads it, in the app and the CLI alike ("1.13 s", "3 m 5 s"): one format, so a
// chain's span copied from `casefile chains` is the figure the Chains view shows.

/** 250 ms · 1.13 s · 16.2 s · 3 m 5 s · 2 h 10 m · 3 d 4 h; '—' for no span. */
export function fmtDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  const a = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(a < 10_000 ? 2 : 1)} s`;
  if (a < 3_600_000) return `${sign}${Math.floor(a / 60_000)} m ${Math.round((a % 60_000) / 1000)} s`;
  if (a < 86_400_000) return `${sign}${Math.floor(a / 3_600_000)} h ${Math.round((a % 3_600_000) / 60_000)} m`;
  return `${sign}${Math.floor(a / 86_400_000)} d ${Math.round((a % 86_400_000) / 3_600_000)} h`;
}
