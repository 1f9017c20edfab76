// A pull: connect through the profile's jump hosts, discover and plan (or take a given plan), fetch the planned files
// in parallel into `<case>/pulls/<pull-id>/files/` with a state file beside them, then hand the finished tree to the
// evidence store. A pull interrupted by a drop, a cancel or a dead process is resumed from its state file.
import { randomBytes } from 'node:crypto';
import { constants, existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import posix from 'node:path/posix';
import { z } from 'zod';
import { profileHops, type SiteProfile } from '../../../shared/profile';
import { writeJsonAtomic, mkdirPrivate } from '../util/atomic';
import { readOwnFile } from '../util/smallFile';
import { readManifest } from '../evidence/manifest';
import { acquireCaseLock } from '../case/lock';
import { connectChain, type ChainOptions, type HopInfo, type SshChain } from './sshChain';
import { discover, SOURCES, type SourceId } from './discover';
import { plan as makePlan, rotation, type OverCap, type Plan, type PlanWindow } from './planner';
import { partPath, pullFile, resumableBytes, sidecarPath, SftpOpError, type PulledFile } from './sftpReader';
import { adoptPulledTree, safeRelative, type AdoptResult, type PulledManifestFile, type SftpOrigin } from './handoff';

export const pullsDir = (caseDir: string) => path.join(caseDir, 'pulls');
const stateFile = (dir: string) => path.join(dir, 'pull.json');
/** Files finished since pull.json was last written, one JSON line each: appended as they finish. Rewriting the state
 * (the plan and every finished file) per batch made a pull of 100,000 files write its square. */
const doneLog = (dir: string) => path.join(dir, 'done.jsonl');

// What a pull's state may say, no more: it is read back from the case, where anyone with the folder can edit it. A
// path leaves no folder, a size or offset is a byte count a file can have, a time one a Date can hold.
const Bytes = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const Seconds = z.number().finite().min(-8.64e12).max(8.64e12);
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const RelPath = z.string().max(4096).refine(safeRelative, 'a relative path inside the pull');
const Continues = z.object({ bundle: z.string().regex(/^[0-9a-f]{16}$/), path: RelPath, bytes: Bytes, sha256: Sha256 });
const FileResult = z.object({ path: RelPath, size: Bytes, mtime: Seconds, sha256: Sha256, remoteSha256: Sha256.optional(), continues: Continues.optional() })
  // An earlier file continues this one only if it is shorter (pull.ts: cont.size < r.size).
  .refine((f) => !f.continues || f.continues.bytes < f.size, 'a file continuing one no shorter than itself');
export type FileResult = z.infer<typeof FileResult>;
const RemoteFileZ = z.object({ source: z.enum(SOURCES), path: RelPath, size: Bytes, mtime: Seconds, grown: z.boolean().optional() });

export const PullState = z.object({
  format: z.literal('casefile/pull@1'),
  id: z.string().regex(/^[a-z0-9-]{1,64}$/),
  profile: z.string(),
  root: z.string(),
  created: z.string(),
  status: z.enum(['running', 'interrupted', 'complete']),
  /** The job that made it: a pull.run a kill cut short is told its pull by this (audit/runMarks.ts). */
  jobId: z.string().optional(),
  window: z.object({ since: z.number().optional(), until: z.number().optional() }),
  sources: z.array(z.enum(SOURCES)),
  plan: z.object({ files: z.array(RemoteFileZ), bytes: Bytes, capBytes: Bytes }),
  /** The hops as connected, the target last (a pull's bundle names it): at least one. */
  hosts: z.array(z.object({ host: z.string(), port: z.number().int().min(1).max(65535), user: z.string(), keyType: z.string(), fingerprint: z.string() })).min(1),
  done: z.array(FileResult),
  denied: z.array(z.string()).default([]),
  bundle: z.string().optional(),
  /** The bundle was imported into the case (a pull cancelled or failed between the hand-off and the import is not). */
  imported: z.boolean().optional(),
  error: z.string().optional(),
});
export type PullState = z.infer<typeof PullState>;

export interface PullProgress {
  pullId: string;
  bytesDone: number; bytesTotal: number;
  filesDone: number; filesTotal: number;
  /** bytes/s over the last seconds */
  rate: number;
  etaSeconds: number | null;
  /** Files being fetched now with their bytes so far. */
  active: { path: string; bytes: number; size: number }[];
}

export interface PullOptions {
  caseDir: string;
  profile: SiteProfile;
  chain: Omit<ChainOptions, 'hops'>;
  /** Resume this pull (its plan stands); otherwise a new pull is planned. */
  resume?: string;
  /** The resumed pull's state when the caller has read it already (the service does, to answer before connecting). */
  resumedState?: PullState;
  /** The job running it, recorded in a new pull's state (PullState.jobId). */
  jobId?: string;
  root?: string;
  window?: PlanWindow;
  sources?: SourceId[];
  capBytes?: number;
  overCap?: OverCap;
  /** Stop after planning. */
  dryRun?: boolean;
  /** Told every new plan (also a dry run's or a refused one's), before anything is fetched. */
  onPlan?: (plan: Plan, denied: string[]) => Promise<void> | void;
  /** Decide on the plan before fetching (e.g. ask the operator); false stops without fetching. */
  confirm?: (plan: Plan, denied: string[]) => Promise<boolean> | boolean;
  parallelFiles?: number;
  inFlight?: number;
  opTimeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: PullProgress) => void;
  /** Called with files as they complete (batched), so an interrupted pull still leaves a record. */
  onFiles?: (pullId: string, files: FileResult[]) => Promise<void> | void;
  onConnected?: (hosts: HopInfo[]) => void;
}

export interface PullOutcome {
  pullId: string;
  plan: Plan;
  denied: string[];
  hosts: HopInfo[];
  /** Absent on a dry run or when the plan was refused or declined. */
  bundle?: AdoptResult;
  files: FileResult[];
}

/** Where a pull in `dir` keeps a planned file (its part file and sidecar beside it). */
const localIn = (dir: string) => (rel: string) => path.join(dir, 'files', ...rel.split('/'));

/** A pull's state (pull.json) and its record of finished files (done.jsonl) are each at most this: a plan of 1,000,000
 *  files is some 200 MB of JSON; more could not be made a string to parse (V8's bound is some 512 M characters). */
const MAX_STATE_BYTES = 256 << 20;

/** A pull whose state cannot be read: missing (no such pull), or damaged (said, and left as it is). */
export class PullStateError extends Error {
  constructor(message: string, readonly missing: boolean) { super(message); }
}

export async function readPullState(caseDir: string, id: string): Promise<PullState> {
  if (!/^[a-z0-9-]{1,64}$/.test(id)) throw new PullStateError(`"${id}" is not a pull id.`, true);
  const dir = path.join(pullsDir(caseDir), id);
  const file = stateFile(dir);
  const damaged = (why: string, which = file) => new PullStateError(`The state of pull ${id} (${which}) is damaged (${why}), so the pull cannot be resumed. `
    + 'It is left as it is, with the files it fetched; a new pull of the same profile plans again (what is in the case\'s bundles is not fetched again).', false);
  // The pull's folder is the case's own: files are fetched into it, so one that is a link is not followed either.
  const folder = await fs.lstat(dir).catch(() => null);
  if (!folder) throw new PullStateError(`No pull ${id} in this case (${dir} is missing).`, true);
  if (!folder.isDirectory()) throw damaged(folder.isSymbolicLink() ? `its folder ${dir} is a link: not followed` : `${dir} is not a folder`);
  const read = await readOwnFile(file, MAX_STATE_BYTES, 'a pull\'s state');
  if (!('bytes' in read)) throw read.missing ? new PullStateError(`No pull ${id} in this case (${file} is missing).`, true) : damaged(read.why);
  let json: unknown;
  try { json = JSON.parse(read.bytes.toString('utf8')); } catch { throw damaged(read.bytes.length ? 'not JSON: cut short or garbled' : 'empty'); }
  const parsed = PullState.safeParse(json);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw damaged(`not a pull's state: ${issue ? `${issue.path.slice(0, 6).join('.') || 'the whole'}: ${issue.message}` : 'wrong shape'}`);
  }
  const state = parsed.data;
  if (state.id !== id) throw damaged(`it names pull ${state.id}, not the pull of its folder`);
  const planned = new Set(state.plan.files.map((f) => f.path));
  const unplanned = state.done.find((d) => !planned.has(d.path));
  if (unplanned) throw damaged(`it records ${unplanned.path} as fetched, which its plan does not name`);
  // The record of finished files is the pull's own too (appended to by the resume: never through a link).
  const log = await readOwnFile(doneLog(dir), MAX_STATE_BYTES, 'a pull\'s record of finished files');
  if (!('bytes' in log)) {
    if (log.missing) return state;
    throw damaged(log.why, doneLog(dir));
  }
  const done = new Map(state.done.map((d) => [d.path, d]));
  for (const line of log.bytes.toString('utf8').split('\n')) {
    if (!line) continue;
    // A line cut short by a crash is not a finished file: the resume fetches it again.
    const f = (() => { try { return FileResult.safeParse(JSON.parse(line)); } catch { return null; } })();
    if (f?.success && planned.has(f.data.path)) done.set(f.data.path, f.data);
  }
  return { ...state, done: [...done.values()] };
}

async function appendDone(dir: string, files: FileResult[]): Promise<void> {
  // Not through a link put in its place since the pull began, nor into a pipe (the open would wait for a reader).
  const fh = await fs.open(doneLog(dir), constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
  try {
    if (!(await fh.stat()).isFile()) throw new Error(`${doneLog(dir)} is not a regular file: the pull's record of finished files is never written through one.`);
    await fh.write(files.map((f) => `${JSON.stringify(f)}\n`).join(''));
    await fh.sync();
  } finally { await fh.close(); }
}

/** A pull folder whose state cannot be read: why (readPullState's words), and when its folder last changed. */
export interface DamagedPull { id: string; created: string; error: string }

/**
 * The case's pulls, newest first, and those whose state is damaged: listed, never resumed, so the operator sees that
 * one is there and why instead of it silently missing (its folder, with what it fetched, is left as it is). A folder
 * with no state at all (a start killed before its first write) is nothing to show.
 */
export async function listPullFolders(caseDir: string): Promise<{ pulls: PullState[]; damaged: DamagedPull[] }> {
  const pulls: PullState[] = [];
  const damaged: DamagedPull[] = [];
  for (const e of await fs.readdir(pullsDir(caseDir), { withFileTypes: true }).catch(() => [])) {
    if (!e.isDirectory() && !e.isSymbolicLink()) continue;
    try {
      pulls.push(await readPullState(caseDir, e.name));
    } catch (err) {
      if (err instanceof PullStateError && err.missing) continue;
      const at = await fs.lstat(path.join(pullsDir(caseDir), e.name)).catch(() => null);
      damaged.push({ id: e.name, created: (at?.mtime ?? new Date(0)).toISOString(), error: (err as Error).message });
    }
  }
  pulls.sort((a, b) => b.created.localeCompare(a.created));
  damaged.sort((a, b) => b.created.localeCompare(a.created));
  return { pulls, damaged };
}

/** Pulls of this case whose state reads: what can be resumed, imported or planned around. */
export async function listPulls(caseDir: string): Promise<PullState[]> {
  return (await listPullFolders(caseDir)).pulls;
}

/** The pulls a `pull.run` stands for: the one it resumed, else the one its job made, else (a caller that named no job)
 *  those made since it started. What a mark left by a killed pull.run is told (audit/runMarks.ts). */
export async function pullsOfRun(caseDir: string, run: { resume?: unknown; jobId?: unknown; started: string }): Promise<PullState[]> {
  if (typeof run.resume === 'string') return [await readPullState(caseDir, run.resume).catch(() => null)].filter((s) => s !== null);
  const all = await listPulls(caseDir);
  return typeof run.jobId === 'string' ? all.filter((s) => s.jobId === run.jobId) : all.filter((s) => s.created >= run.started);
}

/** What a pull left in the case: its finished files as recorded, and its partial ones (part files) with the bytes a
 *  resume keeps of them (those synced: a part file's sidecar is written every 16 MiB, so a kill may leave more). */
export interface PullOnDisk {
  id: string; status: PullState['status']; bundle?: string; imported?: boolean;
  files: number; filesTotal: number; bytes: number; bytesTotal: number; partialFiles: number; partialBytes: number;
}

export async function pullOnDisk(caseDir: string, s: PullState): Promise<PullOnDisk> {
  const localOf = localIn(path.join(pullsDir(caseDir), s.id));
  const done = new Set(s.done.map((d) => d.path));
  let partialFiles = 0;
  let partialBytes = 0;
  if (s.status !== 'complete') {
    for (const f of s.plan.files) {
      if (done.has(f.path) || !(await fs.lstat(partPath(localOf(f.path))).catch(() => null))?.isFile()) continue;
      partialFiles++;
      partialBytes += await resumableBytes(localOf(f.path), f);
    }
  }
  return {
    id: s.id, status: s.status, ...(s.bundle ? { bundle: s.bundle } : {}), ...(s.imported ? { imported: true } : {}),
    files: s.done.length, filesTotal: s.plan.files.length, bytes: s.done.reduce((n, d) => n + d.size, 0), bytesTotal: s.plan.bytes, partialFiles, partialBytes,
  };
}

/** Notes that a complete pull's bundle is now imported into the case. */
export async function markImported(caseDir: string, id: string): Promise<void> {
  const s = await readPullState(caseDir, id);
  await writeJsonAtomic(stateFile(path.join(pullsDir(caseDir), id)), { ...s, imported: true });
}

/**
 * Bundles of complete pulls that were never imported (cancelled, failed or killed after the hand-off): their files
 * count as pulled, so no later plan fetches them again, and only importing them brings their records in.
 */
export async function unimportedBundles(caseDir: string): Promise<{ pullId: string; bundle: string }[]> {
  return (await listPulls(caseDir)).filter((s) => s.status === 'complete' && s.bundle && !s.imported).reverse()
    .map((s) => ({ pullId: s.id, bundle: s.bundle! }));
}

/** A file an earlier pull of the same profile and root brought into the case. */
export interface PreviousFile { bundle: string; path: string; size: number; mtime: number; sha256: string }

export async function previousPulls(caseDir: string, profile: string, root: string): Promise<PreviousFile[]> {
  const out: PreviousFile[] = [];
  const bundles = path.join(caseDir, 'bundles');
  for (const e of await fs.readdir(bundles, { withFileTypes: true }).catch(() => [])) {
    if (!e.isDirectory()) continue;
    const text = (await readManifest(bundles, e.name))?.text;
    const m = text ? JSON.parse(text) as { origin?: Partial<SftpOrigin>; files?: PulledManifestFile[] } : null;
    if (m?.origin?.kind !== 'sftp' || m.origin.profile !== profile || m.origin.root !== root) continue;
    for (const f of m.files ?? []) out.push({ bundle: e.name, path: f.path, size: f.remote.size, mtime: Date.parse(f.remote.mtime) / 1000, sha256: f.sha256 });
  }
  return out;
}

/** Remote path → size and mtime of the largest version pulled before (what the planner compares against). */
export function pulledIndex(prev: PreviousFile[]): Map<string, { size: number; mtime: number }> {
  const out = new Map<string, { size: number; mtime: number }>();
  for (const f of prev) if (!out.has(f.path) || f.size > out.get(f.path)!.size) out.set(f.path, { size: f.size, mtime: f.mtime });
  return out;
}

/**
 * Earlier files that this one may continue: the same path (a log that grew) or the same rotation series (a log
 * that grew, then was renamed by rotation), plain text, shorter. The pull checks which one really is a prefix.
 */
export function continuationCandidates(p: string, prev: PreviousFile[]): PreviousFile[] {
  if (/\.gz$/i.test(p)) return [];
  const base = rotation(p).base;
  return prev.filter((f) => f.size > 0 && !/\.gz$/i.test(f.path) && rotation(f.path).base === base);
}

/** A POSIX-shell single-quoted word: safe for any file name. */
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

async function remoteSha256(chain: SshChain, remotePath: string, size: number): Promise<string | undefined> {
  // Only the bytes pulled: a live log may have grown since.
  const out = await chain.exec(`head -c ${size} -- ${shellQuote(remotePath)} | sha256sum`).catch(() => undefined);
  const m = out && /^([0-9a-f]{64})\b/.exec(out);
  return m ? m[1] : undefined;
}

export async function runPull(o: PullOptions): Promise<PullOutcome> {
  const profile = o.profile;
  // A resume's state is read before connecting: one that cannot be resumed is said without a connection.
  const resumed = o.resume ? o.resumedState ?? await readPullState(o.caseDir, o.resume) : null;
  if (resumed?.status === 'complete') throw new Error(`Pull ${resumed.id} is already complete (bundle ${resumed.bundle}).`);
  if (resumed && resumed.profile !== profile.name) throw new Error(`Pull ${resumed.id} was made with profile "${resumed.profile}", not "${profile.name}".`);
  const chain = await connectChain({ ...o.chain, hops: profileHops(profile), ...(o.signal ? { signal: o.signal } : {}) });
  try {
    o.onConnected?.(chain.hops);
    const sftp = await chain.sftp(o.opTimeoutMs);
    let state: PullState;
    let thePlan: Plan;
    let denied: string[] = [];
    let dir: string;
    if (resumed) {
      state = resumed;
      dir = path.join(pullsDir(o.caseDir), state.id);
      thePlan = { files: state.plan.files, skipped: [], bytes: state.plan.bytes, capBytes: state.plan.capBytes, wantedBytes: state.plan.bytes, overCap: false, refused: false };
      denied = state.denied;
      // The host keys may only be those seen when the pull began.
      for (const [i, h] of chain.hops.entries()) {
        if (state.hosts[i] && state.hosts[i]!.fingerprint !== h.fingerprint) throw new Error(`Host ${h.host} presents a different key than when pull ${state.id} began.`);
      }
    } else {
      const root = o.root ?? profile.logRoot;
      const sources = o.sources ?? [...SOURCES];
      const found = await discover(sftp, root, { sources, opTimeoutMs: o.opTimeoutMs, signal: o.signal, dropped: chain.dropped });
      denied = found.denied;
      thePlan = makePlan({
        files: found.files.filter((f) => safeRelative(f.path)), setAside: found.setAside, sources, window: o.window,
        capBytes: o.capBytes ?? profile.capBytes, overCap: o.overCap, pulled: pulledIndex(await previousPulls(o.caseDir, profile.name, root)),
      });
      const id = `${new Date().toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`;
      dir = path.join(pullsDir(o.caseDir), id);
      state = {
        format: 'casefile/pull@1', id, profile: profile.name, root, created: new Date().toISOString(), status: 'running', ...(o.jobId ? { jobId: o.jobId } : {}),
        window: o.window ?? {}, sources, plan: { files: thePlan.files, bytes: thePlan.bytes, capBytes: thePlan.capBytes },
        hosts: chain.hops, done: [], denied,
      };
      await o.onPlan?.(thePlan, denied);
      if (o.dryRun || thePlan.refused || !thePlan.files.length || (o.confirm && !(await o.confirm(thePlan, denied)))) {
        return { pullId: id, plan: thePlan, denied, hosts: chain.hops, files: [] };
      }
      await mkdirPrivate(dir);
      await writeJsonAtomic(stateFile(dir), state);
    }
    // One process at a time per pull: a second resume of the same pull would write the same part files.
    const lock = await acquireCaseLock(path.join(dir, 'pull.lock'), 'pull');
    if (!lock.acquired) throw new Error(`Pull ${state.id} is being run by ${lock.holder}.`);
    try {
      return await fetchPlanned(o, chain, sftp, state, dir, thePlan, denied);
    } finally { await lock.release(); }
  } finally {
    chain.close();
  }
}

async function fetchPlanned(o: PullOptions, chain: SshChain, sftp: Awaited<ReturnType<SshChain['sftp']>>, state: PullState, dir: string, thePlan: Plan, denied: string[]): Promise<PullOutcome> {
  const localOf = localIn(dir);
  const done = new Map(state.done.map((d) => [d.path, d]));
  // A file recorded as done must still be there, whole; otherwise it is fetched again.
  for (const [p, d] of done) if ((await fs.stat(localOf(p)).catch(() => null))?.size !== d.size) done.delete(p);
  // A finished file not yet in the state (the process died in between) is fetched again: its remote stat is unknown.
  for (const f of thePlan.files) if (!done.has(f.path) && existsSync(localOf(f.path))) await fs.rm(localOf(f.path), { force: true });
  const todo = thePlan.files.filter((f) => !done.has(f.path));
  const bytesTotal = thePlan.files.reduce((n, f) => n + f.size, 0);
  let bytesDone = [...done.values()].reduce((n, d) => n + d.size, 0);
  const resumable = new Map<string, number>();
  for (const f of todo) { const n = await resumableBytes(localOf(f.path), f); resumable.set(f.path, n); bytesDone += n; }
  const active = new Map<string, { path: string; bytes: number; size: number }>();
  const samples: [number, number][] = [[Date.now(), bytesDone]];
  let lastEmit = 0;
  const emit = (force = false) => {
    const now = Date.now();
    if (!force && now - lastEmit < 250) return;
    lastEmit = now;
    samples.push([now, bytesDone]);
    while (samples.length > 2 && now - samples[0]![0] > 5000) samples.shift();
    const [t0, b0] = samples[0]!;
    const rate = now > t0 ? ((bytesDone - b0) * 1000) / (now - t0) : 0;
    o.onProgress?.({
      pullId: state.id, bytesDone, bytesTotal, filesDone: done.size, filesTotal: thePlan.files.length, rate,
      etaSeconds: rate > 0 ? Math.round((bytesTotal - bytesDone) / rate) : null, active: [...active.values()],
    });
  };
  // Finished files are recorded (appended) and told to the caller in batches, not once per file.
  let unsaved: FileResult[] = [];
  let flushing: Promise<void> = Promise.resolve();
  const flush = () => {
    const batch = unsaved;
    unsaved = [];
    flushing = flushing.then(async () => {
      if (!batch.length) return;
      await appendDone(dir, batch);
      await o.onFiles?.(state.id, batch);
    });
    return flushing;
  };
  // When the pull stops (finished or not): the whole list in pull.json, the appended record no longer needed.
  const saveState = async () => {
    await writeJsonAtomic(stateFile(dir), { ...state, done: [...done.values()] });
    await fs.rm(doneLog(dir), { force: true });
  };
  let lastFlush = Date.now();
  const finishFile = (f: FileResult) => {
    done.set(f.path, f);
    unsaved.push(f);
    if (unsaved.length >= 100 || Date.now() - lastFlush > 1000) { lastFlush = Date.now(); void flush(); }
  };

  let failure: unknown;
  const prev = await previousPulls(o.caseDir, state.profile, state.root);
  const queue = [...todo];
  const worker = async () => {
    while (!failure && queue.length) {
      const f = queue.shift()!;
      const remotePath = posix.join(state.root, f.path);
      active.set(f.path, { path: f.path, bytes: 0, size: f.size });
      const candidates = continuationCandidates(f.path, prev);
      try {
        const fetch = () => pullFile({
          sftp, remotePath, localPath: localOf(f.path), inFlight: o.inFlight, opTimeoutMs: o.opTimeoutMs, checkpoints: candidates.map((c) => c.size),
          maxBytes: f.size,
          signal: o.signal, dropped: chain.dropped,
          onBytes: (n) => { bytesDone += n; active.get(f.path)!.bytes += n; emit(); },
        });
        const r: PulledFile = await fetch().catch(async (e: unknown) => {
          if (!(e instanceof SftpOpError && e.code === 'changed')) throw e;
          // Truncated while read (logrotate's copytruncate): pulled again from its start, as it is now, like a file
          // that shrank before its read. What was counted of it is taken back.
          bytesDone -= active.get(f.path)!.bytes + (resumable.get(f.path) ?? 0);
          active.get(f.path)!.bytes = 0;
          resumable.set(f.path, 0);
          await fs.rm(partPath(localOf(f.path)), { force: true });
          await fs.rm(sidecarPath(localOf(f.path)), { force: true });
          return fetch();
        });
        // A file replaced or shrunk on the server since the plan was made is pulled as it is now (one that grew, only
        // up to its planned size): correct the count.
        bytesDone += r.resumedFrom - (resumable.get(f.path) ?? 0);
        const remoteSha = o.profile.allowExec ? await remoteSha256(chain, remotePath, r.size) : undefined;
        // The longest earlier file whose bytes begin this one: only what follows it is new (an equal one is the same
        // content under another name, which the import recognises by its sha256).
        const cont = candidates.filter((c) => c.size < r.size && r.prefixSha256.get(c.size) === c.sha256).sort((a, b) => b.size - a.size)[0];
        finishFile({
          path: f.path, size: r.size, mtime: r.mtime, sha256: r.sha256, ...(remoteSha ? { remoteSha256: remoteSha } : {}),
          ...(cont ? { continues: { bundle: cont.bundle, path: cont.path, bytes: cont.size, sha256: cont.sha256 } } : {}),
        });
      } catch (e) {
        failure ??= e;
      } finally {
        active.delete(f.path);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.parallelFiles ?? 4, todo.length)) }, worker));
  if (failure) {
    state.status = 'interrupted';
    state.error = (failure as Error).message;
    await flush();
    await saveState();
    emit(true);
    throw failure;
  }
  await flush();
  emit(true);
  for (const f of done.values()) {
    if (f.remoteSha256 && f.remoteSha256 !== f.sha256) throw new Error(`${f.path}: the server's sha256 (${f.remoteSha256}) differs from the bytes received (${f.sha256}).`);
  }
  const files: PulledManifestFile[] = [...done.values()].sort((a, b) => a.path.localeCompare(b.path)).map((f) => ({
    path: f.path, size: f.size, mtime: new Date(f.mtime * 1000).toISOString(), sha256: f.sha256,
    remote: { path: posix.join(state.root, f.path), size: f.size, mtime: new Date(f.mtime * 1000).toISOString(), ...(f.remoteSha256 ? { sha256: f.remoteSha256 } : {}) },
    ...(f.continues ? { continues: f.continues } : {}),
  }));
  const last = state.hosts[state.hosts.length - 1]!;
  const origin: SftpOrigin = {
    kind: 'sftp', inputs: [`sftp://${last.user}@${last.host}:${last.port}${state.root}`],
    profile: state.profile, root: state.root, pullId: state.id, hosts: state.hosts,
  };
  // Local mtimes follow the server's, so a bundle reads like the tree it came from.
  for (const f of files) await fs.utimes(localOf(f.path), new Date(f.mtime), new Date(f.mtime));
  const bundle = await adoptPulledTree(path.join(o.caseDir, 'bundles'), path.join(dir, 'files'), files, origin);
  state.status = 'complete';
  state.bundle = bundle.id;
  await saveState();
  return { pullId: state.id, plan: thePlan, denied, hosts: state.hosts, bundle, files: [...done.values()] };
}
