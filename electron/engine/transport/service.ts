// A pull into an open case, as the engine runs it for any door: refuse a read-only case before connecting, load the
// profile and the host-key trust, pull with audit entries along the way (connection and host keys, plan, files as
// they complete), then hand the bundle to the import. An unknown host key is an answer, not a failure.
import type { SiteProfile } from '../../../shared/profile';
import type { ImportResult } from '../../../shared/domain';
import type { CaseHandle } from '../case/caseStore';
import { getProfile } from './profileStore';
import { trustFor } from './hostKeyStore';
import { markImported, PullStateError, readPullState, runPull, unimportedBundles, type FileResult, type PullProgress } from './pull';
import { SshError, type PresentedKey } from './sshChain';
import type { SourceId } from './discover';
import type { OverCap, Plan } from './planner';

export interface PullRequest {
  profile: string;
  root?: string;
  since?: string;
  until?: string;
  sources?: SourceId[];
  capBytes?: number;
  overCap?: OverCap;
  dryRun?: boolean;
  resume?: string;
  /** For hops that authenticate with a passphrase-protected key file. Used for this connect only. */
  passphrase?: string;
}

export interface PlanSummary {
  files: { path: string; source: string; size: number; mtime: number; grown?: boolean }[];
  skipped: { path: string; source: string; size: number; mtime: number; reason: string }[];
  bytes: number; wantedBytes: number; capBytes: number; overCap: boolean; refused: boolean;
  newestOverCap?: { path: string; size: number };
}

export type PullAnswer =
  | { status: 'host-key-unknown'; hop: number; presented: PresentedKey }
  | { status: 'planned' | 'refused' | 'done'; pullId: string; plan: PlanSummary; denied: string[]; hosts: { host: string; port: number; fingerprint: string }[];
      bundle?: string; import?: ImportResult };

export interface PullDeps {
  audit(action: string, params: Record<string, unknown>, result: { status: 'ok' | 'error'; message?: string; counts?: Record<string, number> }): Promise<void>;
  onProgress?(p: PullProgress): void;
  /** Imports these bundles of the case (one import job). */
  importBundles(ids: string[]): Promise<ImportResult>;
  signal?: AbortSignal;
  /** The pull job: a new pull records it (PullState.jobId). */
  jobId?: string;
}

export class PullRefused extends Error {
  constructor(readonly code: 'read_only' | 'invalid_input' | 'forbidden' | 'not_found', message: string) { super(message); }
}

const summary = (p: Plan): PlanSummary => ({
  files: p.files.map(({ path, source, size, mtime, grown }) => ({ path, source, size, mtime, ...(grown ? { grown } : {}) })),
  skipped: p.skipped.map(({ path, source, size, mtime, reason }) => ({ path, source, size, mtime, reason })),
  bytes: p.bytes, wantedBytes: p.wantedBytes, capBytes: p.capBytes, overCap: p.overCap, refused: p.refused,
  ...(p.newestOverCap ? { newestOverCap: p.newestOverCap } : {}),
});

function instant(s: string | undefined, what: string): number | undefined {
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new PullRefused('invalid_input', `${what} "${s}" is not a date or instant (e.g. 2026-11-20 or 2026-11-20T10:00:00Z).`);
  return t;
}

export async function pullIntoCase(h: CaseHandle, caseId: string, req: PullRequest, deps: PullDeps): Promise<PullAnswer> {
  // Refused before any connection: a read-only case takes no evidence.
  if (h.readOnly && !req.dryRun) throw new PullRefused('read_only', h.writeRefusal);
  const profile: SiteProfile = await getProfile(req.profile).catch((e: Error) => { throw new PullRefused('not_found', e.message); });
  const window = { since: instant(req.since, '--since'), until: instant(req.until, '--until') };
  const trust = await trustFor(profile);
  const base = { caseId, profile: profile.name };
  // Resuming a pull whose files are all in the case but were never imported: import them, nothing to connect for.
  // Read before connecting: a pull that cannot be resumed (no such pull, or its state damaged) is said at once.
  const resumed = req.resume ? await readPullState(h.dir, req.resume).catch((e: unknown) => {
    throw e instanceof PullStateError ? new PullRefused(e.missing ? 'not_found' : 'invalid_input', e.message) : e;
  }) : null;
  const done = req.dryRun ? null : resumed;
  if (done?.status === 'complete' && done.bundle && !done.imported) {
    const imported = await deps.importBundles([done.bundle]);
    await markImported(h.dir, done.id);
    return {
      status: 'done', pullId: done.id, bundle: done.bundle, import: imported, denied: done.denied,
      hosts: done.hosts.map(({ host, port, fingerprint }) => ({ host, port, fingerprint })),
      plan: { files: done.plan.files.map(({ path, source, size, mtime }) => ({ path, source, size, mtime })), skipped: [], bytes: done.plan.bytes, wantedBytes: done.plan.bytes, capBytes: done.plan.capBytes, overCap: false, refused: false },
    };
  }
  try {
    const out = await runPull({
      caseDir: h.dir, profile,
      chain: { trust, ...(req.passphrase !== undefined ? { passphrase: () => req.passphrase } : {}) },
      ...(req.resume && resumed ? { resume: req.resume, resumedState: resumed } : {}),
      ...(req.root ? { root: req.root } : {}),
      window: { ...(window.since !== undefined ? { since: window.since } : {}), ...(window.until !== undefined ? { until: window.until } : {}) },
      ...(req.sources ? { sources: req.sources } : {}),
      ...(req.capBytes ? { capBytes: req.capBytes } : {}),
      ...(req.overCap ? { overCap: req.overCap } : {}),
      ...(req.dryRun ? { dryRun: true } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.jobId ? { jobId: deps.jobId } : {}),
      ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
      onConnected: (hosts) => void deps.audit('pull.connect', { ...base, hosts: hosts.map(({ host, port, user, keyType, fingerprint }) => ({ host, port, user, keyType, fingerprint })) }, { status: 'ok' }),
      onPlan: (plan, denied) => deps.audit('pull.plan', { ...base, since: req.since, until: req.until, sources: req.sources, dryRun: !!req.dryRun, denied },
        plan.refused
          ? { status: 'error', message: plan.newestOverCap
            ? `Refused: the newest file ${plan.newestOverCap.path} alone is ${plan.newestOverCap.size} bytes, over the cap of ${plan.capBytes}; older files are not pulled in its place.`
            : `Refused: the plan needs ${plan.wantedBytes} bytes, over the cap of ${plan.capBytes}.`, counts: { files: plan.files.length, bytes: plan.wantedBytes, capBytes: plan.capBytes } }
          : { status: 'ok', counts: { files: plan.files.length, bytes: plan.bytes, capBytes: plan.capBytes, skipped: plan.skipped.length } }),
      onFiles: (pullId, files: FileResult[]) => deps.audit('pull.files', { ...base, pullId, files: files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, ...(f.remoteSha256 ? { remoteSha256: f.remoteSha256 } : {}), ...(f.continues ? { continues: `${f.continues.bundle}/${f.continues.path}@${f.continues.bytes}` } : {}) })) },
        { status: 'ok', counts: { files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) } }),
    });
    const hosts = out.hosts.map(({ host, port, fingerprint }) => ({ host, port, fingerprint }));
    const common = { pullId: out.pullId, plan: summary(out.plan), denied: out.denied, hosts };
    if (out.plan.refused) return { status: 'refused', ...common };
    // Bundles pulled earlier but never imported (cancelled or failed between the hand-off and the import, or killed)
    // come in with this pull: their files count as pulled, so no plan would fetch them again.
    const pending = req.dryRun ? [] : (await unimportedBundles(h.dir)).filter((p) => p.bundle !== out.bundle?.id);
    if (!out.bundle && !pending.length) return { status: 'planned', ...common };
    if (out.bundle) await deps.audit('pull.done', { ...base, pullId: out.pullId, bundle: out.bundle.id }, { status: 'ok', counts: { files: out.files.length, bytes: out.files.reduce((n, f) => n + f.size, 0) } });
    const pulls = [...pending, ...(out.bundle ? [{ pullId: out.pullId, bundle: out.bundle.id }] : [])];
    const imported = await deps.importBundles([...new Set(pulls.map((p) => p.bundle))]);
    for (const p of pulls) await markImported(h.dir, p.pullId);
    const last = pulls.at(-1)!;
    return { status: 'done', ...common, pullId: last.pullId, bundle: last.bundle, import: imported };
  } catch (e) {
    if (e instanceof SshError && e.presented) {
      const decision = e.code === 'host-key-unknown' ? 'shown to the operator (unknown)' : `refused (${e.code.replace('host-key-', '')})`;
      await deps.audit('pull.hostkey', { ...base, host: e.presented.host, port: e.presented.port, keyType: e.presented.keyType, fingerprint: e.presented.fingerprint, decision },
        { status: e.code === 'host-key-unknown' ? 'ok' : 'error', message: e.message });
      if (e.code === 'host-key-unknown') return { status: 'host-key-unknown', hop: e.hop.index, presented: e.presented };
    }
    throw e;
  }
}
