// The import call: runs as an `import` job on the case (one at a time per case, so two imports never share the
// writer or the bundle staging), cancellable between progress points.
import os from 'node:os';
import path from 'node:path';
import type { ImportProgress, ImportResult } from '../../../shared/domain';
import { toContractError, type JobStep } from '../../../shared/contract';
import type { AreaHandlers, EngineContext } from '../api';
import { IMPORT_ALIAS_ACTION, IMPORT_FILES_ACTION, IMPORT_FILES_PER_ENTRY } from '../audit/custody';
import { importPaths, type ImportOptions } from './importer';
import { checkIncoming } from './check';
import { caseFolder } from './bundle';
import { resolveLimits } from './limits';
import { runCorrelationStage } from './correlationStage';
import { finishCustody, type AuditFiles } from './custodyStage';
import { withMemoryRetry } from '../store/memoryRetry';
import { settleHeap } from '../util/heap';
import { timed } from '../util/stageTimes';
import { faultPoint } from './fault';
import { currentSignal } from '../util/cancel';
import { afterBatchImported, afterImportFinished } from '../correlate/ingestHooks';
import { REDERIVE_ACTION, rederiveIfStale } from '../correlate/derivation';
import type { CaseDb } from '../store/db';
import { scheduleTextIndex, textIndexWanted } from '../query/handlers';
import { AFTER_STEPS } from '../../../shared/importProgress';

/** The importer stops where it reports progress: before copying, before detection and per parsed chunk. */
const CANCELLABLE: ReadonlySet<ImportProgress['phase']> = new Set(['copy', 'detect', 'parse']);

function stepOf(p: ImportProgress): JobStep {
  return p.bytesTotal > 0
    ? { phase: p.phase, done: p.bytesDone, total: p.bytesTotal, unit: 'bytes', ...(p.file ? { message: p.file } : {}) }
    : { phase: p.phase, done: p.filesDone, total: p.filesTotal, unit: 'files', ...(p.message ? { message: p.message } : {}) };
}

/** The `import.files` custody entries of imported files, IMPORT_FILES_PER_ENTRY files an entry. */
function auditImported(ctx: EngineContext, caseId: string): AuditFiles {
  return async (bundle, files) => {
    for (let i = 0; i < files.length; i += IMPORT_FILES_PER_ENTRY) {
      const part = files.slice(i, i + IMPORT_FILES_PER_ENTRY);
      await ctx.audit(IMPORT_FILES_ACTION, { caseId, bundle: bundle.id, manifestSha256: bundle.manifestSha256, files: part },
        { status: 'ok', counts: { files: part.length, records: part.reduce((n, f) => n + f.records, 0) } });
    }
  };
}

/** The checkpoint of what the import's last batches wrote, run by the job after it. */
export const CHECKPOINT_STAGE = 'checkpoint after the events (job)';

/**
 * Queues what follows the events as a `correlate` job of its own on the case: first the custody of the files whose
 * events are in (rows digests and audit entries: custodyStage.ts), then the correlation stage (identifiers, status,
 * chains of whatever events are pending). It runs after the job that queued it, while the case can be read.
 * Resolves when it is done.
 */
export function scheduleCorrelation(ctx: EngineContext, caseId: string): Promise<void> {
  const done = ctx.jobs.run(caseId, 'correlate', async (signal, reported, jobId) => {
    const h = ctx.getCase(caseId);
    if (h.readOnly) return;
    let phase = 'starting';
    const progress = (s: JobStep) => { phase = s.phase; reported(s); };
    try {
      await correlateCase(ctx, caseId, signal, progress);
    } catch (e) {
      // A job with no call of its own: its end is recorded as a cancelled or failed call is (an error entry with the
      // job's sentence), in the case's trail. What it left is pending and the next run finishes it.
      await ctx.audit(CORRELATE_JOB_ACTION, { caseId, jobId, phase }, { status: 'error', message: toContractError(signal.aborted ? signal.reason : e).message });
      throw e;
    }
  });
  // A writer the import kept open for this job is closed even when the job never ran (cancelled while queued).
  void done.catch(() => undefined).then(() => ctx.openCases().find((c) => c.meta.id === caseId)?.rest()).catch(() => undefined);
  return done;
}

/** The audit action of a correlate job that ended without finishing (cancelled or failed); its params: jobId, phase. */
export const CORRELATE_JOB_ACTION = 'correlate.job';

/** The work of the `correlate` job: custody, then identifiers, status and chains, each stoppable by `signal`. */
async function correlateCase(ctx: EngineContext, caseId: string, signal: AbortSignal, progress: (s: JobStep) => void): Promise<void> {
  const h = ctx.getCase(caseId);
  const correlate = { ...(h.meta.idPatterns ? { idPatterns: h.meta.idPatterns } : {}) };
  const correlator = {
    extract: (db: CaseDb, ids: number[]) => afterBatchImported(db, ids, correlate),
    build: (db: CaseDb, stop?: AbortSignal) => afterImportFinished(db, correlate, stop),
    // Recorded: verify's check of the derived tables starts again from the events (a tamperer's edit is gone too).
    prepare: async (db: CaseDb) => {
      const r = await rederiveIfStale(db, h.meta.idPatterns);
      if (r) await ctx.audit(REDERIVE_ACTION, { caseId, from: r.from, to: r.to }, { status: 'ok' });
    },
  };
  // What the import left on the Node heap (its planned files, one per file) is dead now: collected before this job's
  // own peak, not on top of it (util/heap.ts).
  settleHeap(true);
  await h.withWriter(async (db) => {
    // Its steps in the operator's words (job.progress): the Cases view and the CLI say them (shared/importProgress.ts).
    progress({ phase: 'custody', done: 0, total: 1, unit: 'items', message: AFTER_STEPS.custody });
    // What the import's last batches left in the WAL (its writer was kept open for this job: importer.ts keepWriter).
    faultPoint('before-job-checkpoint');
    // Harmless if it fails (a read holding a transaction): the next commit's automatic checkpoint does it then.
    await timed(CHECKPOINT_STAGE, () => db.run('CHECKPOINT').catch(() => undefined));
    // Both steps resume from their pending marks, so a step that ran out of memory is run again with more.
    await withMemoryRetry(db, async () => {
      await finishCustody(db, h.dir, h.files.bundles, auditImported(ctx, caseId), signal);
      // Custody's audit entries (a record per file: 99,434 on the 10 GB tree) left ~150 MB dead on the heap, which
      // stood beside the extraction's DuckDB peak (1.26 GB there).
      settleHeap(true);
      await runCorrelationStage(db, correlator, signal, (p) =>
        progress({ phase: p.phase, done: p.done, total: p.total, unit: 'files', message: AFTER_STEPS[p.phase] }));
    });
  });
}

/** A finished import in one sentence (JobInfo.outcome), for a page that followed it after a reload. */
export function importOutcome(r: ImportResult): string {
  const events = r.files.reduce((n, f) => n + f.records, 0);
  return `Imported ${r.files.length} file${r.files.length === 1 ? '' : 's'}: ${events} events.`;
}

/**
 * Runs an import inside a job with what every import needs: progress (`import.progress` and the job's steps),
 * cancellation between progress points, `import.files` custody entries, and the correlation stage queued behind it
 * (also when the import fails or is cancelled: what it committed gets its identifiers and chains). `correlated`
 * receives that stage's promise. `run` picks what is imported (paths given by the operator, or a pulled bundle).
 */
export async function runImportJob(ctx: EngineContext, caseId: string, signal: AbortSignal, progress: (s: JobStep) => void, jobId: string,
  run: (opts: ImportOptions) => Promise<ImportResult>, correlated?: (done: Promise<void>) => void): Promise<ImportResult> {
  // With a caller that follows the job queued below, the digests and audit entries are its first step and the import
  // ends when the events are in; without one (a pull, whose process may end before that job runs) the import records them.
  const custodyAfter = correlated !== undefined;
  const h = ctx.getCase(caseId);
  const queueCorrelation = () => {
    if (h.readOnly) return;
    const done = scheduleCorrelation(ctx, caseId);
    done.catch(() => undefined); // the job's own state says it failed; the marks stay for the next run
    correlated?.(done);
    // Queued behind the correlation, so an import's identifiers come first.
    if (textIndexWanted(ctx)) void scheduleTextIndex(ctx, caseId).catch(() => undefined);
  };
  try {
    // Nothing changes before the mark saying this import started is on disk (audit/runMarks.ts).
    await ctx.runMarksWritten(caseId);
    faultPoint('import-started');
    return await run({
      jobId,
      signal,
      custodyAfter,
      // The correlation job queued below takes the writer as the import leaves it.
      keepWriter: !h.readOnly,
      onProgress: (p) => {
        if (CANCELLABLE.has(p.phase)) signal.throwIfAborted();
        ctx.emit('import.progress', p);
        progress(stepOf(p));
      },
      hooks: {
        remember: (learned) => h.rememberImport(learned),
        auditFiles: auditImported(ctx, caseId),
        auditAliases: async (bundle, files) => {
          for (let i = 0; i < files.length; i += IMPORT_FILES_PER_ENTRY) {
            const part = files.slice(i, i + IMPORT_FILES_PER_ENTRY);
            await ctx.audit(IMPORT_ALIAS_ACTION, { caseId, bundle, files: part }, { status: 'ok', counts: { files: part.length } });
          }
        },
      },
    });
  } finally {
    // Batches committed before a cancel or failure stay (a re-run imports the rest): they are correlated too.
    queueCorrelation();
  }
}

/** Paths as the operator typed them: `~/` means their home, as in a shell. */
const expandHome = (paths: string[]) => paths.map((p) => (p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p));

export const importHandlers: AreaHandlers<'import'> = {
  'import.check': async (ctx, input) => {
    const h = ctx.getCase(input.caseId);
    // The overrides the import would apply, in its order (importer.ts runImport): the given ones, then the case's.
    // Its caller's signal stops it (a read: util/cancel.ts); its progress says how far the hashing is.
    const signal = currentSignal();
    return checkIncoming(h.db, expandHome(input.paths), resolveLimits(h.meta.limits), [...input.formatOverrides ?? [], ...h.meta.formatOverrides], await caseFolder(h.dir), {
      ...(signal ? { signal } : {}),
      onProgress: (p) => ctx.emit('import.checkProgress', { caseId: input.caseId, ...(input.checkId ? { checkId: input.checkId } : {}), ...p }),
    });
  },
  // Returns once identifiers and chains are built too; with `eventsFirst`, as soon as the events are in.
  'import.paths': async (ctx, input) => {
    let correlated: Promise<void> | undefined;
    const res = await ctx.jobs.run(input.caseId, 'import', async (signal, progress, jobId) => {
      const h = ctx.getCase(input.caseId);
      const paths = expandHome(input.paths);
      return runImportJob(ctx, input.caseId, signal, progress, jobId, (opts) =>
        importPaths(h, paths, { ...opts, ...(input.formatOverrides ? { formatOverrides: input.formatOverrides } : {}), ...(input.date ? { date: input.date } : {}) }),
        (p) => { correlated = p; });
    }, { ...(input.jobId ? { jobId: input.jobId } : {}), preempt: true, outcome: importOutcome }).catch(async (e: unknown) => {
      // A failed or cancelled import still settles only once what it committed is correlated (unless events first).
      if (!input.eventsFirst) await correlated?.catch(() => undefined);
      throw e;
    });
    const t0 = performance.now();
    if (input.eventsFirst || !correlated) return { ...res, eventsReadySeconds: res.seconds, correlation: correlated ? 'pending' : 'done' };
    await correlated;
    return { ...res, eventsReadySeconds: res.seconds, seconds: res.seconds + (performance.now() - t0) / 1000, correlation: 'done' };
  },
};
