// Pulling log bundles from a site over SFTP through its jump hosts. `pull.run` is a `pull` job (queued per case,
// cancellable with `jobs.cancel`, a partial pull resumes with `resume`); progress as `job.progress` and, in more
// detail, `pull.progress`. An unknown host key is an answer (`host-key-unknown`) the UI turns into a prompt.
import { z } from 'zod';
import { HostKeyFingerprint } from '../profile';
import { ImportResult, IsoInstant } from '../domain';
import { CaseRef, JobId } from './common';
import { defineArea, defineCall } from './define';

export const PULL_SOURCES = ['system', 'pipeline', 'taskblade', 'workflows', 'celery', 'doodle', 'gunicorn', 'jupyter', 'netdata'] as const;

/** Files discovery found and set aside, by the plan's skip reason: what the CLI and the pull view say of each. */
export const SET_ASIDE_REASONS: Record<string, string> = {
  'name-not-utf8': 'its name is not UTF-8 (SFTP cannot open it)',
  'name-unsafe': 'its name is not a plain file name here (a backslash or a path separator)',
  symlink: 'a symbolic link (not followed)',
};

const RemoteFile = z.object({ path: z.string(), source: z.string(), size: z.number(), mtime: z.number(), grown: z.boolean().optional() });
export const PullPlan = z.object({
  files: z.array(RemoteFile),
  skipped: z.array(RemoteFile.extend({ reason: z.string() })),
  bytes: z.number(), wantedBytes: z.number(), capBytes: z.number(), overCap: z.boolean(), refused: z.boolean(),
  /** Refused although trimming was asked: the newest file alone is over the cap (raise the cap to at least its size). */
  newestOverCap: z.object({ path: z.string(), size: z.number() }).optional(),
});
export type PullPlan = z.infer<typeof PullPlan>;

export const PresentedHostKey = z.object({ host: z.string(), port: z.number(), keyType: z.string(), fingerprint: HostKeyFingerprint, key: z.string() });
export type PresentedHostKey = z.infer<typeof PresentedHostKey>;

export const PullAnswer = z.discriminatedUnion('status', [
  z.object({ status: z.literal('host-key-unknown'), hop: z.number(), presented: PresentedHostKey }),
  z.object({
    status: z.enum(['planned', 'refused', 'done']),
    pullId: z.string(), plan: PullPlan, denied: z.array(z.string()),
    hosts: z.array(z.object({ host: z.string(), port: z.number(), fingerprint: z.string() })),
    bundle: z.string().optional(),
    import: ImportResult.optional(),
  }),
]);
export type PullAnswer = z.infer<typeof PullAnswer>;

export const PullProgress = z.object({
  /** The pull job's id (a page following the job after a reload takes only its progress). */
  jobId: z.string().optional(),
  pullId: z.string(), bytesDone: z.number(), bytesTotal: z.number(), filesDone: z.number(), filesTotal: z.number(),
  rate: z.number(), etaSeconds: z.number().nullable(),
  active: z.array(z.object({ path: z.string(), bytes: z.number(), size: z.number() })),
});
export type PullProgress = z.infer<typeof PullProgress>;

export const PullSummary = z.object({
  id: z.string(), profile: z.string(), root: z.string(), created: IsoInstant, status: z.enum(['running', 'interrupted', 'complete']),
  files: z.number(), filesDone: z.number(), bytes: z.number(), bundle: z.string().optional(), error: z.string().optional(),
  /** Its bundle is in the case's records (a complete pull without it is resumed to import it). */
  imported: z.boolean().optional(),
});
export type PullSummary = z.infer<typeof PullSummary>;
/** A pull whose state cannot be read (error: why, and that its folder is left as it is): shown, never resumed. */
export const DamagedPullSummary = z.object({ id: z.string(), status: z.literal('damaged'), created: IsoInstant, error: z.string() });
export type DamagedPullSummary = z.infer<typeof DamagedPullSummary>;
export type PullListEntry = PullSummary | DamagedPullSummary;

const PullInput = CaseRef.extend({
  profile: z.string().min(1).max(64),
  /** Absolute, like a profile's log root: a relative one would be read from the account's home. */
  root: z.string().max(4096).refine((p) => p.startsWith('/'), 'an absolute path on the server').optional(),
  since: z.string().max(40).optional(),
  until: z.string().max(40).optional(),
  sources: z.array(z.enum(PULL_SOURCES)).max(PULL_SOURCES.length).optional(),
  capBytes: z.number().int().positive().optional(),
  overCap: z.enum(['refuse', 'trim']).optional(),
  /** Resume this interrupted pull (its plan stands). */
  resume: z.string().max(64).optional(),
  /** For a passphrase-protected key file of the profile; used for this connect only, never stored or audited. */
  passphrase: z.string().max(1024).optional(),
});

export const pullArea = defineArea({
  calls: {
    /** Connects, discovers and plans; fetches nothing. */
    'pull.plan': defineCall({ input: PullInput.omit({ resume: true }), output: PullAnswer, access: 'read', audit: 'handler', secret: ['passphrase'], timeoutMs: 120_000 }),
    /** Plans (or resumes) and fetches into an immutable bundle, then imports it. */
    'pull.run': defineCall({ input: PullInput.extend({ jobId: JobId.optional() }), output: PullAnswer, access: 'write', audit: 'always', secret: ['passphrase'], job: 'pull' }),
    /** The case's pulls, unfinished ones first: they can be resumed. */
    'pull.list': defineCall({ input: CaseRef, output: z.array(z.union([PullSummary, DamagedPullSummary])), access: 'read', audit: 'never' }),
  },
  events: {
    'pull.progress': PullProgress,
  },
});
