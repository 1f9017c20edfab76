// A case: a folder with case.json, the DuckDB file, evidence bundles, the audit log and exports.
// The DuckDB file is opened read-only at rest and read-write only while writing, so that a second Casefile
// instance (which does not get the advisory lock) can still open the case read-only beside us.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { z, ZodError } from 'zod';
import { TimeZoneRule } from '../../../shared/domain';
import { IdPattern } from '../../../shared/correlation';
import { RedactionRules } from '../../../shared/redaction';
import { zodMessage } from '../../../shared/contract/errors';
import { CaseDb } from '../store/db';
import { mirrorAuditHead } from '../audit/headMirror';
import { deferred, ReadPath } from '../store/readPath';
import { mkdirPrivate, writeJsonAtomic } from '../util/atomic';
import { EngineError } from '../util/errors';
import { acquireCaseLock, type CaseLock, duckdbHolder, lockHolder } from './lock';
import { caseFiles } from './paths';
import { readOwnFile } from '../util/smallFile';

export const CaseMeta = z.object({
  format: z.literal('casefile/case@1'),
  id: z.string(),
  name: z.string(),
  created: z.string(),
  timezone: TimeZoneRule,
  formatOverrides: z.array(z.object({ format: z.string(), glob: z.string() })).default([]),
  savedViews: z.array(z.unknown()).default([]),
  isDemo: z.boolean().optional(),
  /** Operator identifier patterns for correlation (issue 4); absent = the KYC-like default. */
  idPatterns: z.array(IdPattern).max(50).optional(),
  /** Client redaction rules for exports (issue 12); absent = defaults. */
  redaction: RedactionRules.optional(),
  /** Import limits raised or lowered for this case (ingest/limits.ts: names and defaults). */
  limits: z.record(z.string(), z.number()).optional(),
});
export type CaseMeta = z.infer<typeof CaseMeta>;

export class CaseError extends EngineError {
  constructor(code: 'not_found' | 'read_only' | 'conflict' | 'invalid_input', message: string) { super(code, message); }
}



function readOnlyReason(lock: CaseLock): string | undefined {
  if (lock.unwritable) return `The case folder cannot be written (${lock.unwritable}): it is open read-only; reading and verifying work, nothing is recorded in its audit log.`;
  return lock.acquired ? undefined : `This case is open for writing in ${lock.holder}; it is open here read-only.`;
}

function writeRefusal(lock: CaseLock): string {
  if (lock.unwritable || lock.requested || !lock.holder) return readOnlyReason(lock) ?? 'This case is read-only.';
  return `This case is held for writing by ${lock.holder}: nothing can be written to it here. Wait for that to finish (or close the case there), then run this again.`;
}

export class CaseHandle {
  private constructor(
    readonly dir: string,
    public meta: CaseMeta,
    private reads: ReadPath,
    private readonly lock: CaseLock,
  ) {}

  get files() { return caseFiles(this.dir); }
  get readOnly(): boolean { return !this.lock.acquired; }
  get readOnlyReason(): string | undefined { return readOnlyReason(this.lock); }
  /** Why nothing can be written here, said to a command that came to write (import, pull, export, a note). */
  get writeRefusal(): string { return writeRefusal(this.lock); }
  /**
   * The read path: a locked read-only instance at rest; during a write, connections of the writer's instance
   * (never the writer's own connection), so reads keep working in this process.
   */
  get db(): ReadPath { return this.reads; }

  static async create(dir: string, opts: { name: string; timezone?: string; isDemo?: boolean }): Promise<CaseHandle> {
    const f = caseFiles(dir);
    if (existsSync(f.caseJson)) throw new CaseError('conflict', `A case already exists in ${dir}.`);
    await mkdirPrivate(dir);
    await mkdirPrivate(f.bundles);
    await mkdirPrivate(f.exports);
    const meta: CaseMeta = {
      format: 'casefile/case@1',
      id: randomUUID(),
      name: opts.name,
      created: new Date().toISOString(),
      timezone: opts.timezone
        ? { zone: opts.timezone, how: 'operator', evidence: 'set by the operator when the case was created' }
        : { zone: 'UTC', how: 'default', evidence: 'no evidence yet: UTC assumed until logs show the site timezone' },
      formatOverrides: [],
      savedViews: [],
      ...(opts.isDemo ? { isDemo: true } : {}),
    };
    await writeJsonAtomic(f.caseJson, meta);
    return CaseHandle.open(dir);
  }

  /**
   * `writing`: the caller came to write (a CLI import or pull). Without the lock it is refused here, before the
   * database is opened: a reader's open DuckDB file stops the holder's next writer (its import), and a command that
   * will be refused anyway must not fail the holder's work meanwhile.
   */
  static async open(dir: string, opts: { via?: string; readOnly?: boolean; writing?: boolean } = {}): Promise<CaseHandle> {
    const f = caseFiles(dir);
    // The case's own file: not through a link, never waiting on a pipe, at most 1 MB (a case.json is some 1 KB).
    const read = await readOwnFile(f.caseJson, 1 << 20, 'a case description');
    if (!('bytes' in read)) {
      if (read.missing) throw new CaseError('not_found', `No case at ${dir} (case.json is missing).`);
      throw new CaseError('invalid_input', `${f.caseJson} is not a readable case description (${read.why}). Restore it from a backup, or import the evidence into a new case.`);
    }
    let meta: CaseMeta;
    try { meta = CaseMeta.parse(JSON.parse(read.bytes.toString('utf8'))); } catch (e) {
      // Hand-edited, truncated or another program's file: say which file, not the parser's position alone.
      const why = e instanceof ZodError ? zodMessage(e) : (e as Error).message;
      throw new CaseError('invalid_input', `${f.caseJson} is not a readable case description (${why.split('\n')[0]}). Restore it from a backup, or import the evidence into a new case.`);
    }
    const lock = opts.readOnly
      ? { acquired: false, requested: true, holder: 'this session (opened read-only on request)', release: async () => undefined }
      : await acquireCaseLock(f.lock, opts.via);
    if (opts.writing && !lock.acquired) throw new CaseError('read_only', writeRefusal(lock));
    try {
      if (lock.acquired) {
        // Recover from a crash (replays the WAL) and bring the schema up to date, then rest read-only.
        const w = await CaseDb.open(f.db);
        await mirrorAuditHead(w, f.audit).catch(() => undefined); // a failure leaves the older anchor: verify reports
        await w.run('CHECKPOINT');
        w.close();
      }
      const ro = existsSync(f.db) ? await CaseDb.open(f.db, { readOnly: true }) : await CaseDb.open(':memory:', { lockdown: true });
      return new CaseHandle(path.resolve(dir), meta, new ReadPath(ro, true), lock);
    } catch (e) {
      await lock.release();
      const msg = (e as Error).message;
      if (/lock/i.test(msg)) {
        // DuckDB's "Conflicting lock is held in /usr/bin/node (PID 1453)" said as the operator knows that process
        const who = await lockHolder(f.lock) ?? duckdbHolder(msg);
        throw new CaseError('conflict', `This case is in use by ${who}, which is writing to it: it cannot be opened until that ends. Wait for it to finish (or close the case there), then run this again.`);
      }
      throw e;
    }
  }

  /** The writer while one is open (during a write, or kept open for the job that follows: withWriter's `keepOpen`). */
  private writer: CaseDb | null = null;
  /** withWriter calls run one after another: they share one writer and its connection. */
  private writing: Promise<unknown> = Promise.resolve();

  /**
   * Runs fn with a read-write database. A DuckDB file takes one writer or many readers, so the read-only instance
   * is closed first, once the reads running on it have finished; reads meanwhile run beside the writer.
   * `keepOpen`: the writer stays open for the next call (the job after an import): no checkpoint and no reopening
   * between the two, and reads keep running on the writer's instance, which sees every commit at once. A crash
   * meanwhile is a crash of a writer (the next open replays its WAL). `rest()` or `close()` ends it.
   */
  withWriter<T>(fn: (db: CaseDb) => Promise<T>, opts: { keepOpen?: boolean } = {}): Promise<T> {
    const turn = this.writing.then(async () => {
      const writer = this.writer ?? await this.openWriter();
      try {
        return await fn(writer);
      } finally {
        if (!opts.keepOpen) await this.closeWriter(true);
      }
    });
    this.writing = turn.catch(() => undefined);
    return turn;
  }

  /** Closes a writer kept open (withWriter's `keepOpen`) and returns the case to rest; nothing to do without one. */
  rest(): Promise<void> {
    const turn = this.writing.then(() => this.closeWriter(true));
    this.writing = turn.catch(() => undefined);
    return turn;
  }

  private async openWriter(): Promise<CaseDb> {
    if (this.readOnly) throw new CaseError('read_only', this.writeRefusal);
    const beside = deferred<ReadPath>();
    await this.reads.retire(beside.promise);
    let writer: CaseDb;
    try {
      writer = await CaseDb.open(this.files.db);
    } catch (e) {
      await this.reopenReadOnly(beside);
      const msg = (e as Error).message;
      if (!/lock/i.test(msg)) throw e;
      throw new CaseError('conflict', `Cannot write to this case while ${duckdbHolder(msg)} has it open (reading it). Close the case there, then run this again.`);
    }
    this.writer = writer;
    this.reads = new ReadPath(writer, false);
    beside.resolve(this.reads);
    return writer;
  }

  /** Checkpoints and closes the writer (its audit head mirrored first), then reopens read-only when `reopen`. */
  private async closeWriter(reopen: boolean): Promise<void> {
    const writer = this.writer;
    if (!writer) return;
    this.writer = null;
    const after = deferred<ReadPath>();
    await this.reads.retire(after.promise);
    await mirrorAuditHead(writer, this.files.audit).catch(() => undefined);
    await writer.run('CHECKPOINT').catch(() => undefined);
    writer.close();
    if (reopen) await this.reopenReadOnly(after);
    else after.reject(new CaseError('not_found', 'The case was closed.'));
  }

  private async reopenReadOnly(next: ReturnType<typeof deferred<ReadPath>>): Promise<void> {
    try {
      this.reads = new ReadPath(await CaseDb.open(this.files.db, { readOnly: true }), true);
      next.resolve(this.reads);
    } catch (e) {
      next.reject(e);
      throw e;
    }
  }

  async saveMeta(patch: Partial<CaseMeta>): Promise<void> {
    if (this.readOnly) throw new CaseError('read_only', this.writeRefusal);
    this.meta = CaseMeta.parse({ ...this.meta, ...patch });
    await writeJsonAtomic(this.files.caseJson, this.meta);
  }

  /**
   * Keeps what an import learned, before its first events commit: the events are placed in that zone, so case.json
   * names it even if the import stops midway. Overrides already kept are not added twice.
   */
  async rememberImport(learned: { timezone?: TimeZoneRule; formatOverrides?: CaseMeta['formatOverrides'] }): Promise<void> {
    const known = new Set(this.meta.formatOverrides.map((o) => `${o.format}=${o.glob}`));
    const added: CaseMeta['formatOverrides'] = [];
    for (const o of learned.formatOverrides ?? []) {
      if (known.has(`${o.format}=${o.glob}`)) continue;
      known.add(`${o.format}=${o.glob}`);
      added.push(o);
    }
    const patch: Partial<CaseMeta> = {
      ...(added.length ? { formatOverrides: [...this.meta.formatOverrides, ...added] } : {}),
      ...(learned.timezone ? { timezone: learned.timezone } : {}),
    };
    if (Object.keys(patch).length) await this.saveMeta(patch);
  }

  async close(): Promise<void> {
    // A writer kept open is checkpointed and closed like any other (after the call using it, if one is running).
    const turn = this.writing.then(() => this.closeWriter(false));
    this.writing = turn.catch(() => undefined);
    await turn.catch(() => undefined);
    await this.reads.retire(Promise.reject(new CaseError('not_found', 'The case was closed.')));
    await this.lock.release();
  }
}
