// Contract calls of the profiles and pull areas. A pull runs as a `pull` job on its case and imports what it
// fetched in the same job (a nested import job would wait behind the pull forever).
import os from 'node:os';
import path from 'node:path';
import type { JobStep } from '../../../shared/contract';
import { EngineError, type AreaHandlers, type EngineContext } from '../api';
import type { ErrorCode } from '../../../shared/contract/errors';
import { importBundles } from '../ingest/importer';
import { runImportJob } from '../ingest/handlers';
import { scrubSecrets } from '../audit/policy';
import { getProfile, listProfiles, ProfileError, removeProfile, saveProfile } from './profileStore';
import { acceptHostKey, HostKeyError } from './hostKeyStore';
import { importSshConfigHost } from './sshConfig';
import { readSmallText } from '../util/smallFile';
import { listPullFolders } from './pull';
import { pullIntoCase, PullRefused, type PullAnswer, type PullRequest } from './service';
import { SshError } from './sshChain';

const SSH_CODES: Record<SshError['code'], ErrorCode> = {
  'host-key-unknown': 'forbidden', 'host-key-changed': 'forbidden', 'host-key-revoked': 'forbidden',
  'passphrase-needed': 'invalid_input', 'wrong-passphrase': 'invalid_input', 'key-unreadable': 'invalid_input', 'agent-missing': 'invalid_input',
  'auth-failed': 'forbidden', 'forward-refused': 'forbidden', timeout: 'timeout', 'connect-failed': 'internal', dropped: 'internal',
};

/** Errors of this area as contract errors: a code the UI can act on and the sentence for the operator. */
function contractError(e: unknown): unknown {
  // a key wanting its passphrase is asked, not failed: no pull.run/pull.plan entry naming the key (the call asked
  // again with it is the entry)
  if (e instanceof SshError) return new EngineError(SSH_CODES[e.code], e.message, { question: e.code === 'passphrase-needed' });
  if (e instanceof PullRefused) return new EngineError(e.code, e.message);
  if (e instanceof ProfileError || e instanceof HostKeyError) return new EngineError(/No profile/.test(e.message) ? 'not_found' : 'invalid_input', e.message);
  return e;
}
const mapped = <T>(p: Promise<T>): Promise<T> => p.catch((e: unknown) => { throw contractError(e); });

async function pull(ctx: EngineContext, caseId: string, req: PullRequest, job?: { signal: AbortSignal; progress: (s: JobStep) => void; jobId: string }): Promise<PullAnswer> {
  const h = ctx.getCase(caseId);
  let planned = false;
  // Nothing is fetched before the mark saying this pull started is on disk (audit/runMarks.ts): a kill leaves word.
  if (job) await ctx.runMarksWritten(caseId);
  const answer = pullIntoCase(h, caseId, req, {
    audit: (action, params, result) => {
      if (action === 'pull.plan') planned = true;
      return ctx.audit(action, params, result);
    },
    ...(job ? { signal: job.signal, jobId: job.jobId } : {}),
    onProgress: (p) => {
      ctx.emit('pull.progress', job ? { ...p, jobId: job.jobId } : p);
      job?.progress({ phase: 'pull', done: p.bytesDone, total: p.bytesTotal, unit: 'bytes', message: `${p.filesDone}/${p.filesTotal} files` });
    },
    importBundles: (ids) => {
      if (!job) throw new Error('A plan imports nothing.');
      return runImportJob(ctx, caseId, job.signal, job.progress, job.jobId, (opts) => importBundles(h, ids, opts));
    },
  });
  if (job) return mapped(answer);
  // A plan (audit rule 'handler') leaves one entry: the plan step's, with its counts; or, when it never got that far
  // (no connection, a wrong passphrase), this one with the failure. A host-key prompt is its own entry (pull.hostkey)
  // and a key asking for its passphrase is a question, not an outcome: the plan asked again with it is the entry.
  return mapped(answer.catch(async (e: unknown) => {
    if (!planned && !(e instanceof SshError && e.code === 'passphrase-needed')) {
      const message = e instanceof Error ? e.message : String(e);
      await ctx.audit('pull.plan', { caseId, profile: req.profile, since: req.since, until: req.until, sources: req.sources, dryRun: true },
        { status: 'error', message: scrubSecrets(message, req.passphrase ? [req.passphrase] : [])! });
    }
    throw e;
  }));
}

/** A finished pull job in one sentence (JobInfo.outcome), for a page that followed it after a reload. */
export function pullOutcome(a: PullAnswer): string {
  if (a.status === 'host-key-unknown') return `Stopped at the unknown host key of ${a.presented.host}:${a.presented.port} (${a.presented.fingerprint}); nothing was pulled. Plan again to compare and accept it.`;
  if (a.status === 'refused') return 'Refused: the plan is over the cap; nothing was pulled.';
  if (a.status === 'planned') return 'Nothing new to pull: no planned file was fetched.';
  const events = a.import?.files.reduce((n, f) => n + f.records, 0) ?? 0;
  return `Pulled ${a.plan.files.length} files into bundle ${a.bundle ?? '?'}: ${events} events imported.`;
}

/** An OpenSSH client config is a few KiB; a path to a device or a huge file is refused before it is read. */
const MAX_SSH_CONFIG_BYTES = 1024 * 1024;

export const pullHandlers: AreaHandlers<'profiles' | 'pull'> = {
  'profiles.list': async () => listProfiles(),
  'profiles.get': async (_ctx, input) => mapped(getProfile(input.name)),
  'profiles.save': async (_ctx, input) => mapped(saveProfile(input.profile, { replace: !!input.replace })),
  'profiles.remove': async (_ctx, input) => ({ removed: await mapped(removeProfile(input.name)) }),
  'profiles.importSshConfig': async (_ctx, input) => {
    // `~/…` as the operator types it in the app (no shell expands it there).
    const file = input.file ? input.file.replace(/^~(?=\/|$)/, os.homedir()) : path.join(os.homedir(), '.ssh', 'config');
    const text = await readSmallText(file, MAX_SSH_CONFIG_BYTES, 'an OpenSSH client config');
    const profile = await mapped(Promise.resolve().then(() => importSshConfigHost(text, input.host, { logRoot: input.logRoot, capBytes: input.capBytes, ...(input.timezone ? { timezone: input.timezone } : {}) })));
    return input.save ? mapped(saveProfile(profile)) : profile;
  },
  'hostkeys.accept': async (_ctx, input) => mapped(acceptHostKey(input)),

  'pull.plan': async (ctx, input) => pull(ctx, input.caseId, { ...input, dryRun: true }),
  'pull.run': async (ctx, input) => ctx.jobs.run(input.caseId, 'pull', (signal, progress, jobId) => pull(ctx, input.caseId, input, { signal, progress, jobId }),
    { ...(input.jobId ? { jobId: input.jobId } : {}), outcome: pullOutcome }),
  'pull.list': async (ctx, input) => {
    const { pulls, damaged } = await listPullFolders(ctx.getCase(input.caseId).dir);
    return [...pulls.map((s) => ({
      id: s.id, profile: s.profile, root: s.root, created: s.created, status: s.status, files: s.plan.files.length, filesDone: s.done.length,
      bytes: s.plan.bytes, ...(s.bundle ? { bundle: s.bundle } : {}), ...(s.error ? { error: s.error } : {}), ...(s.imported ? { imported: true } : {}),
    })), ...damaged.map((d) => ({ ...d, status: 'damaged' as const }))];
  },
};
