// The engine: one object that holds the open cases and answers every contract call. The Electron utility process,
// the browser bridge and the CLI each create one; `invoke` validates, runs, audits and shapes errors identically.
import { EventEmitter } from 'node:events';
import { ZodError } from 'zod';
import { calls, type CallName, type ContractError, type EventName, type EventPayload } from '../../shared/contract';
import { EngineError, isCallName, type EngineContext, type HandlerMap, type Via } from './api';
import { CaseError, type CaseHandle } from './case/caseStore';
import { caseHandlers, openOrCreateDemo } from './case/handlers';
import { queryHandlers } from './query/handlers';
import { auditHandlers } from './audit/handlers';
import { correlateHandlers } from './correlate/handlers';
import { appendAudit } from './audit/trail';
import { sanitizeParams } from './audit/sanitize';
import { appFiles } from './case/paths';

const HANDLERS: HandlerMap = { ...caseHandlers, ...queryHandlers, ...auditHandlers, ...correlateHandlers };

/**
 * Calls that only read what the operator already sees, or repeat a query already audited (scrolling a result,
 * redrawing its histogram), are not written to the audit trail: it records actions, not frames.
 */
function isAudited(name: CallName, input: Record<string, unknown>): boolean {
  if (['app.info', 'formats.list', 'cases.list', 'cases.get', 'events.histogram', 'events.fieldNames', 'events.sources', 'audit.list'].includes(name)) return false;
  if (name === 'events.page' && (input.after || input.before)) return false;
  return true;
}

function toContractError(e: unknown): ContractError {
  if (e instanceof EngineError) return { code: e.code, message: e.message };
  if (e instanceof CaseError) return { code: e.code, message: e.message };
  if (e instanceof ZodError) return { code: 'invalid_input', message: e.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ') };
  // DuckDB and Node errors: keep the first line (what went wrong), never the stack.
  const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  return { code: 'internal', message: msg.slice(0, 500) };
}

export class ContractFailure extends Error {
  constructor(readonly error: ContractError) { super(error.message); }
}

export class Engine {
  private readonly cases = new Map<string, CaseHandle>();
  private readonly bus = new EventEmitter();
  private readonly ctx: EngineContext;
  private constructor(readonly via: Via) {
    this.bus.setMaxListeners(100);
    this.ctx = this.makeContext();
  }

  static async create(opts: { via: Via }): Promise<Engine> {
    // Everything a case holds is client data: files the engine (and DuckDB, for its database and WAL) creates are
    // owner-only, whoever creates them.
    process.umask(0o077);
    return new Engine(opts.via);
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
    audit: (action, params, result) => this.audit(action, params, result),
    };
  }

  get context(): EngineContext { return this.ctx; }

  on<N extends EventName>(name: N, cb: (payload: EventPayload<N>) => void): () => void {
    this.bus.on(name, cb);
    return () => this.bus.off(name, cb);
  }

  /** Validates the call and its input, runs it, audits it, validates the output. Throws ContractFailure. */
  async invoke(name: string, input: unknown): Promise<unknown> {
    if (!isCallName(name)) throw new ContractFailure({ code: 'unknown_call', message: `Unknown call "${String(name).slice(0, 100)}".` });
    const spec = calls[name];
    const parsed = spec.input.safeParse(input ?? {});
    if (!parsed.success) throw new ContractFailure(toContractError(parsed.error));
    const args = parsed.data as Record<string, unknown>;
    const handler = HANDLERS[name] as ((ctx: EngineContext, i: unknown) => Promise<unknown>) | undefined;
    if (!handler) throw new ContractFailure({ code: 'unknown_call', message: `"${name}" is not available in this version.` });
    let output: unknown;
    try {
      output = await handler(this.ctx, args);
      output = spec.output.parse(output);
    } catch (e) {
      const err = toContractError(e);
      if (isAudited(name, args)) await this.audit(name, args, { status: 'error', message: err.message });
      throw new ContractFailure(err);
    }
    if (isAudited(name, args)) await this.audit(name, args, { status: 'ok', counts: countsOf(output) }, output);
    return output;
  }

  /** The audit file for a call: the case's own when the call names an open case, else the app's. */
  private auditFileFor(args: Record<string, unknown>, output?: unknown): string {
    const id = typeof args.caseId === 'string' ? args.caseId : (output as { id?: string } | undefined)?.id;
    const h = id ? this.cases.get(id) : undefined;
    return h ? h.files.audit : appFiles().audit;
  }

  async audit(action: string, params: Record<string, unknown>, result: { status: 'ok' | 'error'; message?: string; counts?: Record<string, number> }, output?: unknown): Promise<void> {
    try {
      await appendAudit(this.auditFileFor(params, output), { action, params: sanitizeParams(params), result, via: this.via, ...(typeof params.caseId === 'string' ? { caseId: params.caseId } : {}) });
    } catch (e) {
      if (this.auditFileFor(params, output) === appFiles().audit) throw e;
      // A read-only case (another instance writes it) cannot take entries; the app trail records the action instead.
      {
        await appendAudit(appFiles().audit, { action, params: sanitizeParams(params), result: { ...result, message: `${result.message ?? ''} (case audit unavailable: ${(e as Error).message.split('\n')[0]})`.trim() }, via: this.via });
      }
    }
  }

  /** Opens the case in `dir`, or the bundled demo case when none is given; returns its id. */
  async openDefaultCase(dir?: string): Promise<string> {
    if (dir) {
      const info = (await this.invoke('cases.open', { dir })) as { id: string };
      return info.id;
    }
    const handle = await openOrCreateDemo(this.ctx, this);
    return handle.meta.id;
  }

  defaultCaseId(): string | null {
    return [...this.cases.keys()][0] ?? null;
  }

  async close(): Promise<void> {
    for (const id of [...this.cases.keys()]) await this.ctx.removeCase(id);
  }
}

/** Numbers worth keeping in the audit trail from a call's output (never the data itself). */
function countsOf(output: unknown): Record<string, number> | undefined {
  if (!output || typeof output !== 'object') return undefined;
  const o = output as Record<string, unknown>;
  const counts: Record<string, number> = {};
  if (Array.isArray(o.rows)) counts.rows = o.rows.length;
  if (typeof o.total === 'number') counts.total = o.total;
  if (Array.isArray(o.files)) counts.files = o.files.length;
  if (Array.isArray(o.events)) counts.events = o.events.length;
  if (typeof o.eventCount === 'number') counts.events = o.eventCount;
  return Object.keys(counts).length ? counts : undefined;
}
