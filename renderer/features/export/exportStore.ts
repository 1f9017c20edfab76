// The export dialog's state: what is selected (the table's filter, a chain, chosen rows), the preview of what the
// client would get, the run as an `export` job (progress, cancel) and its report, or why it was blocked.
// An export belongs to its case: what it was opened on and its job are the open case's (stores/perCase.ts), so another
// case's dialog never shows (or cancels) it, and coming back shows it again.
import { create } from 'zustand';
import type { CallInput, CallOutput } from '../../../shared/contract';
import type { ExportResultT } from '../../../shared/contract/export';
import { call, getClient, ApiError } from '../../api/client';
import { useApp, errorText } from '../../stores/app';
import { followJob } from '../../stores/liveJobs';
import { perCase, refreshIfOpen } from '../../stores/perCase';

export type ExportSelection = CallInput<'export.preview'>['selection'];
export type ExportFormat = CallInput<'export.run'>['format'];
export type Preview = CallOutput<'export.preview'>;
export type JobStep = NonNullable<CallOutput<'jobs.list'>[number]['step']>;

/** What the dialog was opened on, in the operator's words, and the selection the engine gets. `followed`: an export
 * this page did not start (it ran on through a reload, or another window started it), shown until it ends. */
export interface ExportSource { label: string; selection: ExportSelection; followed?: true }

export type ExportPane = 'export' | 'rules' | 'exports';

/** "plaintext" is an explicit choice; anything else is a client key's fingerprint. */
export const PLAINTEXT = 'plaintext';

export type PseudonymScope = NonNullable<CallInput<'export.run'>['pseudonymScope']>;

interface ExportState {
  open: boolean;
  pane: ExportPane;
  source: ExportSource | null;
  format: ExportFormat;
  recipient: string;
  plaintextConfirmed: boolean;
  /** Per export (a fresh key) or per client (the client's kept key: tokens match across its extracts). */
  scope: PseudonymScope;
  /** Who the client is for a per-client key; empty: the engine's default (the profile, else the client key). */
  clientName: string;
  preview: Preview | null;
  previewing: boolean;
  previewError: string | null;
  running: boolean;
  jobId: string | null;
  step: JobStep | null;
  /** queued (behind another job of the case) or running. */
  jobState: string | null;
  /** Cancel asked and accepted; the call ends when the job stops (a queued job: at once). */
  cancelling: boolean;
  result: ExportResultT | null;
  /** The fail-closed check's refusal: where it hit (event and column, or a file) and which check, never a value. */
  blocked: { message: string; where: string[] } | null;
  runError: string | null;
  /** How a run ended that is not a failure: cancelled by the operator, or refused because its selection held no events
   * when it ran (code `nothing_selected`, said in the engine's words; the count is then asked again). */
  notice: string | null;
  /** How a followed export ended, in the engine's words (its report is in the case's exports folder). */
  outcome: string | null;
  /** Opens on a pane: the export itself (its preview is asked for), the client rules, or the case's exports. */
  show(source: ExportSource, pane?: ExportPane): void;
  close(): void;
  setPane(p: ExportPane): void;
  setFormat(f: ExportFormat): void;
  setRecipient(r: string): void;
  confirmPlaintext(ok: boolean): void;
  setScope(scope: PseudonymScope): void;
  setClientName(name: string): void;
  loadPreview(): Promise<void>;
  run(): Promise<void>;
  cancel(): Promise<void>;
  /** After a run: back to the preview of the same selection, to run it again (another format, another client); a
   * plaintext run is confirmed again. */
  again(): void;
  /** Follows the case's export that runs without this page's call: the dialog opens on its progress and Cancel. */
  attach(caseId: string): Promise<void>;
}

const idle = {
  preview: null, previewing: false, previewError: null, running: false, jobId: null, step: null, jobState: null, cancelling: false, result: null, blocked: null, runError: null, notice: null, outcome: null,
} satisfies Partial<ExportState>;

// A dialog opened on one case's events closes when another case opens (a running job still ends and is audited).
useApp.subscribe((s, prev) => {
  if (s.current?.id !== prev.current?.id && useExport.getState().open) useExport.getState().close();
});

/** A cancelled export leaves nothing in exports/ (its staging folder is removed; run.ts), whatever phase it was in. */
const CANCELLED = 'The export was cancelled: nothing was written.';

/** How a run that did not finish is shown, by its error code (the run's own call, or a followed job's): a cancel or
 * a selection that held nothing as a notice, the fail-closed check's refusal with its places, anything else a failure. */
function stopped(code: string | undefined, message: string, places: readonly string[] = []): Partial<ExportState> {
  if (code === 'cancelled') return { notice: CANCELLED };
  if (code === 'nothing_selected') return { notice: message };
  // the places come as the contract's list ("event 12 message", "manifest.json"), never read out of the sentence
  if (code === 'blocked') return { blocked: { message, where: [...places] } };
  return { runError: message };
}

/** The preview call in flight: closing the dialog or asking again drops it, and the engine stops its reads (the
 * preview runs the export's whole setup: seconds of both cores on a 1 GB case). */
let previewCall: AbortController | null = null;

export const useExport = create<ExportState>((set, get) => ({
  open: false, pane: 'export', source: null, format: 'jsonl', recipient: '', plaintextConfirmed: false, scope: 'per-export', clientName: '', ...idle,

  show(source, pane = 'export') {
    if (get().running) { set({ open: true }); return; }
    set({ open: true, pane, source, plaintextConfirmed: false, ...idle });
    if (pane === 'export') void get().loadPreview();
  },
  close() {
    previewCall?.abort();
    set({ open: false });
  },
  setPane(pane) { set({ pane }); if (pane === 'export' && !get().running) void get().loadPreview(); },
  setFormat(format) { set({ format }); },
  setRecipient(recipient) { set({ recipient, plaintextConfirmed: false }); },
  confirmPlaintext(ok) { set({ plaintextConfirmed: ok }); },
  setScope(scope) { set({ scope }); },
  setClientName(clientName) { set({ clientName }); },

  async loadPreview() {
    const caseId = useApp.getState().current?.id;
    const source = get().source;
    if (!caseId || !source) return;
    previewCall?.abort();
    const asked = new AbortController();
    previewCall = asked;
    set({ previewing: true, previewError: null });
    try {
      const preview = await call('export.preview', { caseId, selection: source.selection, limit: 50 }, { signal: asked.signal });
      if (get().source === source) set({ preview, previewing: false });
    } catch (e) {
      // dropped on purpose (closed, or asked again): nothing to say; the next opening asks again
      if (asked.signal.aborted) return;
      if (get().source === source) set({ previewing: false, previewError: errorText(e) });
    } finally {
      if (previewCall === asked) previewCall = null;
    }
  },

  async run() {
    const caseId = useApp.getState().current?.id;
    const { source, format, recipient, plaintextConfirmed, running, scope, clientName } = get();
    if (!caseId || !source || source.followed || running || !recipient) return;
    const plaintext = recipient === PLAINTEXT;
    if (plaintext && !plaintextConfirmed) return;
    const jobId = `export-${crypto.randomUUID()}`;
    jobs.set(caseId, { running: true, jobId, step: null, jobState: null, cancelling: false, result: null, blocked: null, runError: null, notice: null });
    const off = getClient().on('job.progress', (p) => { if (p.jobId === jobId) jobs.set(caseId, { jobState: p.state, ...(p.step ? { step: p.step } : {}) }); });
    try {
      const client = scope === 'per-client' ? clientName.trim() : '';
      const result = await call('export.run', {
        caseId, selection: source.selection, format, jobId, ...(plaintext ? { plaintext: true } : { to: recipient }),
        pseudonymScope: scope, ...(client ? { client } : {}),
      });
      jobs.set(caseId, { result, running: false, cancelling: false });
      void refreshIfOpen(caseId);
    } catch (e) {
      const message = errorText(e);
      const code = e instanceof ApiError ? e.code : undefined;
      jobs.set(caseId, { running: false, cancelling: false, ...stopped(code, message, e instanceof ApiError ? e.places : []) });
      // the preview counted events that are no longer selected: its count is asked again
      if (code === 'nothing_selected' && useApp.getState().current?.id === caseId) void get().loadPreview();
    } finally { off(); }
  },

  async cancel() {
    const caseId = useApp.getState().current?.id;
    const jobId = get().jobId;
    if (!caseId || !jobId || !get().running || get().cancelling) return;
    try {
      if ((await call('jobs.cancel', { jobId })).cancelled) jobs.set(caseId, { cancelling: true });
    } catch (e) { jobs.set(caseId, { runError: errorText(e) }); }
  },

  again() {
    const caseId = useApp.getState().current?.id;
    if (!caseId || get().running || !get().source || get().source?.followed) return;
    set({ plaintextConfirmed: false });
    jobs.set(caseId, { result: null, blocked: null, runError: null, notice: null, outcome: null, step: null, jobId: null, jobState: null });
    void get().loadPreview();
  },

  async attach(caseId) {
    await followJob(caseId, 'export', {
      busy: () => jobs.get(caseId).running,
      start: (job) => {
        // followJob starts only for the open case
        set({ open: true, pane: 'export' });
        jobs.set(caseId, {
          source: { label: 'an export already running in this case (started before this page was loaded)', selection: {}, followed: true },
          ...idle, running: true, jobId: job.jobId, jobState: job.state, step: job.step,
        });
      },
      progress: (j) => jobs.set(caseId, { jobState: j.state, ...(j.step ? { step: j.step } : {}) }),
      end: (j) => {
        const message = j.error ?? 'The export failed.';
        jobs.set(caseId, {
          running: false, cancelling: false,
          ...(j.state === 'done' ? { outcome: j.outcome ?? 'The export finished.' } : stopped(j.state === 'cancelled' ? 'cancelled' : j.code, message, j.places)),
        });
        if (j.state === 'done') void refreshIfOpen(caseId);
      },
    });
  },
}));

/** What the dialog was opened on and its export, per case (perCase.ts). */
const jobs = perCase(useExport, { source: null, ...idle });
