// The engine: one object that holds the open cases and answers every contract call. The Electron utility process,
// the browser bridge and the CLI each create one; `invoke` validates, runs, audits and shapes errors identically,
// following each call's policy from the contract (shared/contract/*).
import { EventEmitter } from 'node:events';
import { ContractFailure, isCallName, parseInput, specOf, toContractError, type CallInput, type CallName, type CallOutput, type CallSpec, type EventName, type EventPayload, type JobInfo } from '../../shared/contract';
import type { AuditOutcome, EngineContext, EngineHost, Via } from './api';
import { CryptoService } from './crypto/service';
import type { Door } from './crypto/keystore';
import type { CaseHandle } from './case/caseStore';
import { openOrCreateDemo } from './case/handlers';
import { appFiles } from './case/paths';
import { appendAudit } from './audit/trail';
import { auditEntry, hasSensitiveValues, isAudited } from './audit/policy';
import { auditSalt, hmacHex } from './audit/salt';
import { verificationOutcome } from './audit/findings';
import { MARKED_CALLS, MARK_PARAM, removeRunMark, writeRunMark, type RunMark } from './audit/runMarks';
import { faultPoint } from './ingest/fault';
import { HANDLERS } from './handlers';
import { JobRunner } from './jobs/runner';
import { warmSecretsOnScreen } from './redact/onScreen';
import { EngineError } from './api';
import { detached, withSignal } from './util/cancel';
import { phase } from './util/phases';

export { ContractFailure } from '../../shared/contract';

const DOOR_OF: Record<Via, Door> = { electron: 'desktop', browser: 'browser', cli: 'cli', test: 'cli' };

/** Where an entry goes: the trail of the case a call names (or created/opened), else the app's. */
interface Trail { file: string; salt: string; caseId?: string }

export class Engine {
  private readonly cases = new Map<string, CaseHandle>();
  private readonly bus = new EventEmitter();
  private readonly ctx: EngineContext;
  private readonly jobs: JobRunner;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing: Promise<void> | null = null;
  /** Marks being written, by case (runMarksWritten). */
  private readonly marking = new Map<string, Set<Promise<unknown>>>();

  private readonly crypto: CryptoService;

  private constructor(readonly via: Via, private readonly host: EngineHost) {
    this.bus.setMaxListeners(100);
    this.crypto = new CryptoService(DOOR_OF[via], host.wrapper ?? null);
    this.crypto.unlocker.onState((s) => this.bus.emit('keys.state', s));
    this.crypto.sessions.onExpire((e) => this.bus.emit('sealed.closed', e));
    this.jobs = new JobRunner((info) => this.bus.emit('job.progress', info));
    this.ctx = this.makeContext();
  }

  static async create(opts: { via: Via; host?: EngineHost }): Promise<Engine> {
    // Everything a case holds is client data: files the engine (and DuckDB, for its database and WAL) creates are
    // owner-only, whoever creates them.
    process.umask(0o077);
    const engine = new Engine(opts.via, opts.host ?? {});
    await engine.crypto.loadSettings();
    // Rows are masked for the screen (redact/onScreen.ts): compile its detectors off the first page's path.
    if (opts.via === 'browser' || opts.via === 'electron') setTimeout(warmSecretsOnScreen, 0).unref();
    return engine;
  }

  private makeContext(): EngineContext {
    return {
      via: this.via,
      getCase: (caseId) => {
        const h = this.cases.get(caseId);
        if (!h) throw new EngineError('not_found', `Case ${caseId} is not open. Open it first.`);
        return h;
      },
      openCases: () => [...this.cases.values()],
      addCase: (handle) => {
        const existing = this.cases.get(handle.meta.id);
        if (existing && existing !== handle) void existing.close();
        this.cases.set(handle.meta.id, handle);
        return handle.meta.id;
      },
      removeCase: async (caseId) => {
        const h = this.cases.get(caseId);
        this.cases.delete(caseId);
        await h?.close();
      },
      emit: (name, payload) => { this.bus.emit(name, payload); },
      audit: (action, params, result) => this.record(action, async () => ({ params, result }), this.trailFor(params)),
      runMarksWritten: async (caseId) => { await Promise.all(this.marking.get(caseId) ?? []); },
      jobs: this.jobs,
      crypto: this.crypto,
      copy: this.host.copy ?? null,
      call: (name, input) => this.call(name, input),
    };
  }

  get context(): EngineContext { return this.ctx; }

  on<N extends EventName>(name: N, cb: (payload: EventPayload<N>) => void): () => void {
    this.bus.on(name, cb);
    return () => this.bus.off(name, cb);
  }

  /** A typed call (CLI, tests, the engine itself). Throws ContractFailure. */
  call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
    return this.invoke(name, input) as Promise<CallOutput<N>>;
  }

  /**
   * The untyped door (IPC, HTTP): validates the name and input, runs, audits per policy, validates the output.
   * `signal` is the caller's: once it aborts, the call's reads stop (util/cancel.ts).
   */
  invoke(name: string, input: unknown, opts?: { signal?: AbortSignal }): Promise<unknown> {
    if (this.closing) return Promise.reject(new ContractFailure({ code: 'internal', message: 'The engine is shutting down.' }));
    const run = opts?.signal ? withSignal(opts.signal, () => this.run(name, input)) : this.run(name, input);
    this.inFlight.add(run);
    void run.catch(() => undefined).finally(() => this.inFlight.delete(run));
    return run;
  }

  private async run(name: string, input: unknown): Promise<unknown> {
    if (!isCallName(name)) throw new ContractFailure({ code: 'unknown_call', message: `Unknown call "${String(name).slice(0, 100)}".` });
    const spec = specOf(name);
    const parsed = phase('in', () => parseInput(name, input));
    if (!parsed.ok) throw new ContractFailure(parsed.error);
    const args = parsed.data as Record<string, unknown>;
    const handler = HANDLERS[name] as unknown as (ctx: EngineContext, i: unknown) => Promise<unknown>;
    const audited = isAudited(spec, args);
    let output: unknown;
    // An import's or a pull's entry comes at its end: until then a mark says it started (audit/runMarks.ts), for a kill to leave.
    // Written beside the handler's start (its job waits for it: runMarksWritten), so calls still queue in call order.
    const marking = audited ? this.markRun(name, spec, args) : null;
    // The call's entry names its mark; the mark goes once the entry is written.
    const recordMarked = async (result: AuditOutcome, out?: unknown) => {
      const m = await marking?.catch(() => null);
      await this.recordCall(name, spec, args, result, out, m?.mark.id);
      if (!m) return;
      faultPoint('before-run-unmark');
      await removeRunMark(m.h, m.mark.id);
    };
    try {
      // Only reads may be cancelled by a caller that went away (util/cancel.ts): a change runs to its end.
      const ran = phase('run', () => (spec.access === 'read' ? handler(this.ctx, args) : detached(() => handler(this.ctx, args))));
      const value = await ran;
      output = phase('out', () => spec.output.parse(value));
    } catch (e) {
      const err = toContractError(e);
      if (audited && !(e instanceof EngineError && e.opts.question)) await recordMarked({ status: 'error', message: err.message });
      else await marking?.then((m) => m && removeRunMark(m.h, m.mark.id)).catch(() => undefined); // a question is no entry, nor a run
      throw new ContractFailure(err);
    }
    // The answer waits for its entry (locked, appended and synced): timed apart, as it can outlast the read itself.
    // A verification that found the trail broken or the evidence changed answers in full but is recorded as failed.
    if (audited) await phase('audit', () => recordMarked({ ...verificationOutcome(name, output), ...(spec.auditOutputCounts ? { counts: spec.auditOutputCounts(output) } : countsOf(output)) }, output));
    return output;
  }

  /** The mark of a call that leaves one (MARKED_CALLS) on a case open for writing, its params as its entry's. */
  private markRun(name: CallName, spec: CallSpec, args: Record<string, unknown>): Promise<{ h: CaseHandle; mark: RunMark } | null> | null {
    const h = MARKED_CALLS.has(name) && typeof args.caseId === 'string' ? this.cases.get(args.caseId) : undefined;
    if (!h || h.readOnly) return null;
    const written = (async () => {
      const { params } = await this.entryOf(spec, args, { status: 'ok' })(this.trailFor(args));
      return { h, mark: await writeRunMark(h, name, params, this.via) };
    })();
    const pending = this.marking.get(h.meta.id) ?? new Set();
    this.marking.set(h.meta.id, pending.add(written));
    void written.catch(() => undefined).finally(() => { pending.delete(written); if (!pending.size && this.marking.get(h.meta.id) === pending) this.marking.delete(h.meta.id); });
    return written;
  }

  /** A call's entry for a trail: its params by policy (sensitive ones keyed by the trail's salt), its result scrubbed. */
  private entryOf(spec: CallSpec, args: Record<string, unknown>, result: AuditOutcome) {
    return async (t: Trail) => {
      // The salt is made on first use: only calls given a value in a sensitive field need it.
      const salt = hasSensitiveValues(spec, args) ? await auditSalt(t.salt) : null;
      return auditEntry(spec, args, result, (text) => hmacHex(salt!, text));
    };
  }

  private async recordCall(name: CallName, spec: CallSpec, args: Record<string, unknown>, result: AuditOutcome, output?: unknown, markId?: string): Promise<void> {
    const plain = spec.auditCounts?.(args);
    if (plain && Object.keys(plain).length) result = { ...result, counts: { ...result.counts, ...plain } };
    const entryOf = this.entryOf(spec, args, result);
    // The mark's id: an open that finds the mark left (a kill before its removal) sees the call was recorded.
    const entryFor = markId ? async (t: Trail) => { const e = await entryOf(t); return { ...e, params: { ...e.params, [MARK_PARAM]: markId } }; } : entryOf;
    await this.record(name, entryFor, this.trailFor(args, output));
  }

  /** The trail of the case a call names (or the case its output is), else the app's. */
  private trailFor(args: Record<string, unknown>, output?: unknown): Trail {
    const id = typeof args.caseId === 'string' ? args.caseId : (output as { id?: unknown } | undefined)?.id;
    const h = typeof id === 'string' ? this.cases.get(id) : undefined;
    return h ? { file: h.files.audit, salt: h.files.auditSalt, caseId: h.meta.id } : { file: appFiles().audit, salt: appFiles().auditSalt };
  }

  /** Appends an entry to the trail; a case trail that cannot take it (read-only case) hands it to the app's. */
  private async record(action: string, entryFor: (t: Trail) => Promise<{ params: Record<string, unknown>; result: AuditOutcome }>, trail: Trail): Promise<void> {
    try {
      const { params, result } = await entryFor(trail);
      await appendAudit(trail.file, { action, params, result, via: this.via, ...(trail.caseId ? { caseId: trail.caseId } : {}) },
        { folder: trail.caseId ? 'must-exist' : 'make' });
    } catch (e) {
      if (!trail.caseId) throw e;
      // Sensitive fields are then keyed with the app's salt.
      const { params, result } = await entryFor({ file: appFiles().audit, salt: appFiles().auditSalt });
      await appendAudit(appFiles().audit, {
        action, params, via: this.via,
        // Why first: a long message is cut to its bound (bound.ts), and the why must survive.
        result: { ...result, message: `(case audit unavailable: ${(e as Error).message.split('\n')[0]}) ${result.message ?? ''}`.trim() },
      });
    }
  }

  /** Opens the case in `dir`, or the bundled demo case when none is given; returns its id. */
  async openDefaultCase(dir?: string): Promise<string> {
    if (dir) return (await this.call('cases.open', { dir })).id;
    return (await openOrCreateDemo(this.ctx)).meta.id;
  }

  /** The queued and running jobs the operator asked for (background ones aside), for a shutdown that names them. */
  runningWork(): JobInfo[] {
    return this.jobs.work();
  }

  defaultCaseId(): string | null {
    return [...this.cases.keys()][0] ?? null;
  }

  /**
   * Quitting (the app's window, `casefile serve`'s Ctrl-C): the running jobs are cancelled rather than waited for (an
   * export of a large case ran on for a minute), each cleaning up as a cancel does, then the cases close.
   */
  quit(): Promise<void> {
    return this.close({ cancelJobs: true });
  }

  /**
   * Refuses new calls, cancels queued jobs (and running ones with `cancelJobs`), waits for running calls and jobs, then
   * closes the cases.
   */
  close(opts: { cancelJobs?: boolean } = {}): Promise<void> {
    this.closing ??= (async () => {
      await this.jobs.drain(opts.cancelJobs);
      await Promise.all([...this.inFlight].map((p) => p.catch(() => undefined)));
      for (const id of [...this.cases.keys()]) await this.ctx.removeCase(id);
      this.crypto.dispose(); // quit locks every key and drops every open sealed file
    })();
    return this.closing;
  }
}

/** Numbers worth keeping in the audit trail from a call's output (never the data itself). */
function countsOf(output: unknown): { counts?: Record<string, number> } {
  if (!output || typeof output !== 'object') return {};
  const o = output as Record<string, unknown>;
  const counts: Record<string, number> = {};
  if (Array.isArray(o.rows)) counts.rows = o.rows.length;
  if (typeof o.total === 'number' && !o.totalPending) counts.total = o.total;
  if (Array.isArray(o.files)) counts.files = o.files.length;
  if (typeof o.filesChecked === 'number') counts.files = o.filesChecked;
  if (Array.isArray(o.problems)) counts.problems = o.problems.length;
  if (Array.isArray(o.events)) counts.events = o.events.length;
  if (typeof o.eventCount === 'number') counts.events = o.eventCount;
  return Object.keys(counts).length ? { counts } : {};
}
