// The import call: runs as an `import` job on the case (one at a time per case, so two imports never share the
// writer or the bundle staging), cancellable between progress points.
import os from 'node:os';
import path from 'node:path';
import type { ImportProgress, ImportResult } from '../../../shared/domain';
import type { JobStep } from '../../../shared/contract';
import type { AreaHandlers, EngineContext } from '../api';
import { IMPORT_ALIAS_ACTION, IMPORT_FILES_ACTION, IMPORT_FILES_PER_ENTRY } from '../audit/custody';
import { afterBatchImported, afterImportFinished } from '../correlate/ingestHooks';
import { importPaths, type ImportOptions } from './importer';
import { checkIncoming } from './check';
import { resolveLimits } from './limits';

/** The importer stops where it reports progress: before copying, before detection and per parsed chunk. */
const CANCELLABLE: ReadonlySet<ImportProgress['phase']> = new Set(['copy', 'detect', 'parse']);

function stepOf(p: ImportProgress): JobStep {
  return p.bytesTotal > 0
    ? { phase: p.phase, done: p.bytesDone, total: p.bytesTotal, unit: 'bytes', ...(p.file ? { message: p.file } : {}) }
    : { phase: p.phase, done: p.filesDone, total: p.filesTotal, unit: 'files', ...(p.message ? { message: p.message } : {}) };
}

/**
 * Runs an import inside a job with what every import needs: progress (`import.progress` and the job's steps),
 * cancellation between progress points, identifier extraction and chains, and `import.files` custody entries.
 * `run` picks what is imported (paths given by the operator, or a bundle a pull moved into the case).
 */
export async function runImportJob(ctx: EngineContext, caseId: string, signal: AbortSignal, progress: (s: JobStep) => void, jobId: string,
  run: (opts: ImportOptions) => Promise<ImportResult>): Promise<ImportResult> {
  const h = ctx.getCase(caseId);
  const correlate = { ...(h.meta.idPatterns ? { idPatterns: h.meta.idPatterns } : {}) };
  try {
    return await run({
      jobId,
      onProgress: (p) => {
        if (CANCELLABLE.has(p.phase)) signal.throwIfAborted();
        ctx.emit('import.progress', p);
        progress(stepOf(p));
      },
      hooks: {
        remember: (learned) => h.rememberImport(learned),
        afterBatch: (db, ids) => afterBatchImported(db, ids, correlate),
        afterImport: (db) => afterImportFinished(db, correlate),
        auditFiles: async (bundle, files) => {
          for (let i = 0; i < files.length; i += IMPORT_FILES_PER_ENTRY) {
            const part = files.slice(i, i + IMPORT_FILES_PER_ENTRY);
            await ctx.audit(IMPORT_FILES_ACTION, { caseId, bundle: bundle.id, manifestSha256: bundle.manifestSha256, files: part },
              { status: 'ok', counts: { files: part.length, records: part.reduce((n, f) => n + f.records, 0) } });
          }
        },
        auditAliases: async (bundle, files) => {
          for (let i = 0; i < files.length; i += IMPORT_FILES_PER_ENTRY) {
            const part = files.slice(i, i + IMPORT_FILES_PER_ENTRY);
            await ctx.audit(IMPORT_ALIAS_ACTION, { caseId, bundle, files: part }, { status: 'ok', counts: { files: part.length } });
          }
        },
      },
    });
  } catch (e) {
    // Batches committed before the cancel stay (a re-run imports the rest); chains are rebuilt so they cover them.
    if (signal.aborted && !h.readOnly) await h.withWriter((db) => afterImportFinished(db, correlate));
    throw e;
  }
}

/** Paths as the operator typed them: `~/` means their home, as in a shell. */
const expandHome = (paths: string[]) => paths.map((p) => (p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p));

export const importHandlers: AreaHandlers<'import'> = {
  'import.check': async (ctx, input) => {
    const h = ctx.getCase(input.caseId);
    return checkIncoming(h.db, expandHome(input.paths), resolveLimits(h.meta.limits));
  },
  'import.paths': async (ctx, input) => ctx.jobs.run(input.caseId, 'import', async (signal, progress, jobId) => {
    const h = ctx.getCase(input.caseId);
    const paths = expandHome(input.paths);
    return runImportJob(ctx, input.caseId, signal, progress, jobId, (opts) =>
      importPaths(h, paths, { ...opts, ...(input.formatOverrides ? { formatOverrides: input.formatOverrides } : {}), ...(input.date ? { date: input.date } : {}) }));
  }, input.jobId ? { jobId: input.jobId } : {}),
};
