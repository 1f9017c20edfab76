// From what is on the server to what to fetch: the operator's sources and time window, the agreed byte cap, and what
// earlier pulls of this case already hold. Pure: no I/O, so the plan shown is exactly the plan run.
import type { RemoteFile, SetAside, SourceId } from './discover';

export interface PlanWindow { since?: number; until?: number } // epoch ms
export type OverCap = 'refuse' | 'trim';
export type SkipReason = 'before-window' | 'after-window' | 'unchanged' | 'over-cap' | 'source-not-selected' | SetAside['reason'];

export interface PlannedFile extends RemoteFile { /** grown since an earlier pull (only what is new gets imported) */ grown?: boolean }
export interface SkippedFile extends RemoteFile { reason: SkipReason }
export interface Plan {
  files: PlannedFile[];
  skipped: SkippedFile[];
  bytes: number;
  capBytes: number;
  /** Bytes the window and sources would need before trimming. */
  wantedBytes: number;
  overCap: boolean;
  /** Refused: over the cap and the operator asked to refuse. Nothing is fetched. */
  refused: boolean;
  /** Refused although trimming was asked: the newest file alone is over the cap. Older files are not pulled in its
   * place (the operator in an incident wants the newest records): the cap must be raised to at least its size. */
  newestOverCap?: { path: string; size: number };
}

export interface PlanInput {
  files: RemoteFile[];
  sources?: SourceId[];
  window?: PlanWindow;
  capBytes: number;
  overCap?: OverCap;
  /** Remote path → size and mtime of what earlier pulls fetched. */
  pulled?: Map<string, { size: number; mtime: number }>;
  /** Files discovery found but will not fetch (a name SFTP cannot give back or that is no local name, a symbolic link): listed as skipped. */
  setAside?: SetAside[];
}

/** `app.json.log.2.gz` → `app.json.log`: the series a rotated file belongs to, and its age (0 = live file). */
export function rotation(p: string): { base: string; age: number } {
  const m = /^(.*?)\.(\d+)(\.gz)?$/.exec(p);
  return m ? { base: m[1]!, age: Number(m[2]) } : { base: p.replace(/\.gz$/, ''), age: 0 };
}

/**
 * A file's records end by its mtime (the last write). In a rotation series the records of `x.N` begin after the
 * last write of the older `x.N+1`, so that mtime bounds its start; a file with no older sibling has no lower bound.
 */
export function recordSpan(files: RemoteFile[]): Map<RemoteFile, { start: number | null; end: number }> {
  const series = new Map<string, RemoteFile[]>();
  for (const f of files) {
    const { base } = rotation(f.path);
    const list = series.get(base) ?? [];
    list.push(f);
    series.set(base, list);
  }
  const out = new Map<RemoteFile, { start: number | null; end: number }>();
  for (const list of series.values()) {
    list.sort((a, b) => rotation(a.path).age - rotation(b.path).age);
    list.forEach((f, i) => {
      const older = list[i + 1];
      out.set(f, { start: older ? older.mtime * 1000 : null, end: f.mtime * 1000 });
    });
  }
  return out;
}

export function plan(input: PlanInput): Plan {
  const { window = {}, capBytes } = input;
  const spans = recordSpan(input.files);
  const wanted: PlannedFile[] = [];
  const skipped: SkippedFile[] = (input.setAside ?? []).filter((f) => !input.sources || input.sources.includes(f.source)).map((f) => ({ ...f }));
  for (const f of input.files) {
    if (input.sources && !input.sources.includes(f.source)) { skipped.push({ ...f, reason: 'source-not-selected' }); continue; }
    const span = spans.get(f)!;
    if (window.since !== undefined && span.end < window.since) { skipped.push({ ...f, reason: 'before-window' }); continue; }
    if (window.until !== undefined && span.start !== null && span.start > window.until) { skipped.push({ ...f, reason: 'after-window' }); continue; }
    const prev = input.pulled?.get(f.path);
    if (prev && prev.size === f.size && prev.mtime === f.mtime) { skipped.push({ ...f, reason: 'unchanged' }); continue; }
    wanted.push(prev && f.size > prev.size ? { ...f, grown: true } : { ...f });
  }
  const wantedBytes = wanted.reduce((n, f) => n + f.size, 0);
  const overCap = wantedBytes > capBytes;
  if (overCap && (input.overCap ?? 'refuse') === 'refuse') {
    return { files: [], skipped: [...skipped, ...wanted.map((f) => ({ ...f, reason: 'over-cap' as const }))], bytes: 0, capBytes, wantedBytes, overCap, refused: true };
  }
  const files: PlannedFile[] = [];
  let bytes = 0;
  if (overCap) {
    // Trim: the newest records matter most in an incident; keep the most recently written files that fit.
    const newestFirst = [...wanted].sort((a, b) => b.mtime - a.mtime || a.path.localeCompare(b.path));
    const newest = newestFirst[0]!;
    if (newest.size > capBytes) {
      return { files: [], skipped: [...skipped, ...wanted.map((f) => ({ ...f, reason: 'over-cap' as const }))], bytes: 0, capBytes, wantedBytes, overCap, refused: true,
        newestOverCap: { path: newest.path, size: newest.size } };
    }
    for (const f of newestFirst) {
      if (bytes + f.size <= capBytes) { files.push(f); bytes += f.size; } else skipped.push({ ...f, reason: 'over-cap' });
    }
    files.sort((a, b) => a.path.localeCompare(b.path));
  } else {
    files.push(...wanted);
    bytes = wantedBytes;
  }
  return { files, skipped, bytes, capBytes, wantedBytes, overCap, refused: false };
}
