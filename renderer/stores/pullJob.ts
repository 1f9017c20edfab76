// One pull at a time for the open case: plan (pull.plan), an unknown host key turned into a prompt (hostkeys.accept),
// then the pull job (pull.run) with `pull.progress`, cancel (jobs.cancel) and the resumable pulls (pull.list).
// The passphrase lives only in this store (the page's memory, never persisted) for one pull: typed once, it serves the
// plan, a host-key prompt's retry and the pull, and is cleared when the pull ends, is refused, or the view is left.
import { create } from 'zustand';
import type { PullAnswer, PullProgress, PullSummary, PresentedHostKey } from '../../shared/contract/pull';
import { PULL_SOURCES } from '../../shared/contract/pull';
import { call, getClient } from '../api/client';
import { useApp, errorText } from './app';
import { followJob } from './followJob';

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
  pulls: PullSummary[];
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

function input(f: PullForm, passphrase: string) {
  return {
    profile: f.profile,
    ...(f.since ? { since: f.since } : {}), ...(f.until ? { until: f.until } : {}),
    ...(f.sources.length && f.sources.length < PULL_SOURCES.length ? { sources: f.sources } : {}),
    ...(Number(f.capMB) > 0 ? { capBytes: Math.round(Number(f.capMB) * 1e6) } : {}),
    ...(f.trim ? { overCap: 'trim' as const } : {}),
    ...(passphrase ? { passphrase } : {}),
  };
}

export const usePull = create<PullState>((set, get) => {
  /** After an accepted host key, the call that met it is made again. */
  let retry: (() => Promise<void>) | null = null;
  const answered = (a: PullAnswer, again: () => Promise<void>) => {
    if (a.status === 'host-key-unknown') { retry = again; set({ hostKey: a.presented }); } else set({ answer: a, hostKey: null });
  };
  return {
    form: { profile: '', since: '', until: '', sources: [...PULL_SOURCES], capMB: '', trim: false },
    passphrase: '', busy: null, hostKey: null, answer: null, progress: null, jobId: null, pulls: [], error: null, outcome: null,
    setForm: (p) => set({ form: { ...get().form, ...p } }),
    setPassphrase: (passphrase) => set({ passphrase }),
    forgetPassphrase: () => set({ passphrase: '' }),

    async plan() {
      const caseId = useApp.getState().current?.id;
      if (!caseId || !get().form.profile) return;
      set({ busy: 'plan', error: null, answer: null, progress: null, outcome: null });
      try {
        answered(await call('pull.plan', { caseId, ...input(get().form, get().passphrase) }), () => get().plan());
      } catch (e) {
        // A wrong passphrase is typed again; any other failure keeps it for the next Plan or the Pull.
        set({ error: errorText(e), ...(/wrong passphrase/i.test(errorText(e)) ? { passphrase: '' } : {}) });
      } finally { set({ busy: null }); }
    },

    async run(resume) {
      const app = useApp.getState();
      const caseId = app.current?.id;
      if (!caseId || !get().form.profile) return;
      const jobId = crypto.randomUUID();
      set({ busy: 'pull', error: null, progress: null, jobId, outcome: null });
      const off = getClient().on('pull.progress', (p) => { if (p.jobId === jobId) set({ progress: p }); });
      try {
        answered(await call('pull.run', { caseId, jobId, ...input(get().form, get().passphrase), ...(resume ? { resume } : {}) }), () => get().run(resume));
        await app.refreshCurrent();
        app.bumpData();
      } catch (e) { set({ error: errorText(e) }); } finally {
        off();
        // The pull is over unless it stopped at a host-key prompt, whose retry needs the passphrase again.
        set({ busy: null, jobId: null, ...(get().hostKey ? {} : { passphrase: '' }) });
        void get().loadPulls();
      }
    },

    async acceptHostKey() {
      const k = get().hostKey;
      if (!k) return;
      try {
        await call('hostkeys.accept', k);
        set({ hostKey: null });
        const again = retry;
        retry = null;
        await again?.();
      } catch (e) { set({ error: errorText(e) }); }
    },
    rejectHostKey: () => { retry = null; set({ hostKey: null, passphrase: '', error: 'Host key not accepted: nothing was pulled.' }); },

    async cancel() {
      const jobId = get().jobId;
      if (jobId) await call('jobs.cancel', { jobId }).catch(() => undefined);
    },

    async attach(caseId) {
      await followJob(caseId, 'pull', {
        busy: () => !!get().busy,
        start: (job) => set({ busy: 'pull', jobId: job.jobId, progress: null, answer: null, error: null, outcome: null }),
        events: (jobId) => [getClient().on('pull.progress', (p) => { if (p.jobId === jobId) set({ progress: p }); })],
        end: (j) => {
          set({ busy: null, jobId: null, ...(j.state === 'done' ? { outcome: j.outcome ?? 'The pull finished.' } : { error: j.error ?? `The pull ${j.state === 'cancelled' ? 'was cancelled' : 'failed'}.` }) });
          const app = useApp.getState();
          void app.refreshCurrent().then(() => app.bumpData());
          void get().loadPulls();
        },
      });
    },

    async loadPulls() {
      const caseId = useApp.getState().current?.id;
      if (!caseId) return;
      try { set({ pulls: await call('pull.list', { caseId }) }); } catch (e) { set({ error: errorText(e) }); }
    },
  };
});
