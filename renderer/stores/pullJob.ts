// One pull at a time for the open case: plan (pull.plan), an unknown host key turned into a prompt (hostkeys.accept),
// then the pull job (pull.run) with `pull.progress`, cancel (jobs.cancel) and the resumable pulls (pull.list).
// The passphrase lives only in this store (the page's memory, never persisted) for one pull: typed once, it serves the
// plan, a host-key prompt's retry and the pull, and is cleared when the pull ends, is refused, or the view is left.
// A pull belongs to its case: the job fields are the open case's (perCase.ts); the form and the passphrase are the page's.
import { create } from 'zustand';
import type { DamagedPullSummary, PullAnswer, PullListEntry, PullProgress, PullSummary, PresentedHostKey } from '../../shared/contract/pull';
import { PULL_SOURCES } from '../../shared/contract/pull';
import { parseSize } from '../../shared/size';
import { call, getClient } from '../api/client';
import { useApp, errorText } from './app';
import { followJob } from './liveJobs';
import { perCase, refreshIfOpen } from './perCase';
import { followQueue } from './jobQueue';

export type Source = (typeof PULL_SOURCES)[number];
export interface PullForm { profile: string; since: string; until: string; sources: Source[]; capMB: string; trim: boolean }
type Done = Extract<PullAnswer, { pullId: string }>;

interface PullState {
  form: PullForm;
  passphrase: string;
  busy: 'plan' | 'pull' | null;
  hostKey: PresentedHostKey | null;
  answer: Done | null;
  progress: PullProgress | null;
  jobId: string | null;
  pulls: PullListEntry[];
  /** The pull the job runs or ran last (known from its progress, or the one resumed): listed once, as running. */
  pullId: string | null;
  /** What the pull waits for while the case runs another job (jobQueue.ts). */
  waiting: string | null;
  error: string | null;
  /** How a pull this page followed (started before a reload, or in another window) ended, in the engine's words. */
  outcome: string | null;
  setForm(p: Partial<PullForm>): void;
  setPassphrase(p: string): void;
  /** Forgets the passphrase (the pull ended, or the operator left the pull view). */
  forgetPassphrase(): void;
  plan(): Promise<void>;
  run(resume?: string): Promise<void>;
  acceptHostKey(): Promise<void>;
  rejectHostKey(): void;
  cancel(): Promise<void>;
  loadPulls(): Promise<void>;
  /** Follows the case's pull that runs without this page's call: its progress, Cancel, and how it ended. */
  attach(caseId: string): Promise<void>;
}

/** The form's cap: a plain number is MB (the field's unit), else a size as the CLI reads it (500MB, 2GB); empty is the
 *  profile's. A cap that cannot be read stops the plan with a sentence: ignored, it let the profile's cap decide. */
export function capBytesOf(text: string): number | undefined {
  const t = text.trim();
  if (!t) return undefined;
  let bytes = NaN;
  try { bytes = /^\d+(\.\d+)?$/.test(t) ? Math.round(Number(t) * 1e6) : parseSize(t); } catch { /* said below */ }
  if (!(bytes > 0)) throw new Error(`The cap “${t}” is not a size: give MB (500), or 500MB, 2GB; or leave it empty for the profile's.`);
  return bytes;
}

function input(f: PullForm, passphrase: string) {
  const capBytes = capBytesOf(f.capMB);
  return {
    profile: f.profile,
    ...(f.since ? { since: f.since } : {}), ...(f.until ? { until: f.until } : {}),
    ...(f.sources.length && f.sources.length < PULL_SOURCES.length ? { sources: f.sources } : {}),
    ...(capBytes !== undefined ? { capBytes } : {}),
    ...(f.trim ? { overCap: 'trim' as const } : {}),
    ...(passphrase ? { passphrase } : {}),
  };
}

/** The fields of the case's pull (perCase.ts): another case shows its own. */
const IDLE = {
  busy: null, hostKey: null, answer: null, progress: null, jobId: null, pulls: [], pullId: null, waiting: null, error: null, outcome: null,
} satisfies Partial<PullState>;

export const usePull = create<PullState>((set, get) => {
  /** After an accepted host key, the call that met it is made again (per case: each case has its own prompt). */
  const retry = new Map<string, () => Promise<void>>();
  const answered = (caseId: string, a: PullAnswer, again: () => Promise<void>) => {
    if (a.status === 'host-key-unknown') { retry.set(caseId, again); jobs.set(caseId, { hostKey: a.presented }); } else jobs.set(caseId, { answer: a, hostKey: null });
  };
  /** Progress of the case's pull job (its pull id noted), and what it waits for while queued; returns the unsubscribes. */
  const follow = (caseId: string, jobId: string) => [
    getClient().on('pull.progress', (p) => { if (p.jobId === jobId) jobs.set(caseId, { progress: p, pullId: p.pullId }); }),
    followQueue(caseId, jobId, (waiting) => jobs.set(caseId, { waiting })),
  ];
  return {
    form: { profile: '', since: '', until: '', sources: [...PULL_SOURCES], capMB: '', trim: false },
    passphrase: '', ...IDLE,
    setForm: (p) => set({ form: { ...get().form, ...p } }),
    setPassphrase: (passphrase) => set({ passphrase }),
    forgetPassphrase: () => set({ passphrase: '' }),

    async plan() {
      const caseId = useApp.getState().current?.id;
      if (!caseId || !get().form.profile) return;
      jobs.set(caseId, { busy: 'plan', error: null, answer: null, progress: null, outcome: null });
      try {
        answered(caseId, await call('pull.plan', { caseId, ...input(get().form, get().passphrase) }), () => get().plan());
      } catch (e) {
        // A wrong passphrase is typed again; any other failure keeps it for the next Plan or the Pull.
        jobs.set(caseId, { error: errorText(e) });
        if (/wrong passphrase/i.test(errorText(e))) set({ passphrase: '' });
      } finally { jobs.set(caseId, { busy: null }); }
    },

    async run(resume) {
      const caseId = useApp.getState().current?.id;
      if (!caseId || !get().form.profile) return;
      const jobId = crypto.randomUUID();
      jobs.set(caseId, { busy: 'pull', error: null, progress: null, jobId, pullId: resume ?? null, outcome: null });
      const offs = follow(caseId, jobId);
      try {
        answered(caseId, await call('pull.run', { caseId, jobId, ...input(get().form, get().passphrase), ...(resume ? { resume } : {}) }), () => get().run(resume));
        await refreshIfOpen(caseId);
      } catch (e) { jobs.set(caseId, { error: errorText(e) }); } finally {
        for (const off of offs) off();
        // The pull is over unless it stopped at a host-key prompt, whose retry needs the passphrase again.
        if (!jobs.get(caseId).hostKey) set({ passphrase: '' });
        jobs.set(caseId, { busy: null, jobId: null, waiting: null });
        void loadPulls(caseId);
      }
    },

    async acceptHostKey() {
      const k = get().hostKey;
      const caseId = useApp.getState().current?.id;
      if (!k || !caseId) return;
      try {
        await call('hostkeys.accept', k);
        jobs.set(caseId, { hostKey: null });
        const again = retry.get(caseId);
        retry.delete(caseId);
        await again?.();
      } catch (e) { jobs.set(caseId, { error: errorText(e) }); }
    },
    rejectHostKey: () => {
      const caseId = useApp.getState().current?.id;
      if (caseId) retry.delete(caseId);
      set({ hostKey: null, passphrase: '', error: 'Host key not accepted: nothing was pulled.' });
    },

    async cancel() {
      const jobId = get().jobId;
      if (jobId) await call('jobs.cancel', { jobId }).catch(() => undefined);
    },

    async attach(caseId) {
      await followJob(caseId, 'pull', {
        busy: () => !!jobs.get(caseId).busy,
        start: (job) => jobs.set(caseId, { busy: 'pull', jobId: job.jobId, progress: null, pullId: null, answer: null, error: null, outcome: null }),
        events: (jobId) => follow(caseId, jobId),
        end: (j) => {
          jobs.set(caseId, { busy: null, jobId: null, waiting: null, ...(j.state === 'done' ? { outcome: j.outcome ?? 'The pull finished.' } : { error: j.error ?? `The pull ${j.state === 'cancelled' ? 'was cancelled' : 'failed'}.` }) });
          void refreshIfOpen(caseId);
          void loadPulls(caseId);
        },
      });
    },

    async loadPulls() {
      const caseId = useApp.getState().current?.id;
      if (caseId) await loadPulls(caseId);
    },
  };
});

const jobs = perCase(usePull, IDLE);

async function loadPulls(caseId: string): Promise<void> {
  try { jobs.set(caseId, { pulls: await call('pull.list', { caseId }) }); } catch (e) { jobs.set(caseId, { error: errorText(e) }); }
}

/**
 * The case's pulls that can be resumed: not complete, or complete with a bundle not imported. The pull the case's job
 * runs is shown as running, not offered too: once its id is known it is left out; before (the job still queued, or no
 * progress yet after a reload), the pulls marked running are, as Resume is disabled while a pull runs anyway.
 */
export function resumablePulls(s: Pick<PullState, 'pulls' | 'busy' | 'pullId'>): PullSummary[] {
  const running = s.busy === 'pull';
  return s.pulls.filter((x): x is PullSummary => x.status !== 'damaged').filter((x) => (x.status !== 'complete' || (x.bundle && !x.imported))
    && !(running && (s.pullId ? x.id === s.pullId : x.status === 'running')));
}

/** The case's pulls whose state cannot be read: shown with the engine's words, never offered for resuming. */
export function damagedPulls(s: Pick<PullState, 'pulls'>): DamagedPullSummary[] {
  return s.pulls.filter((x): x is DamagedPullSummary => x.status === 'damaged');
}
