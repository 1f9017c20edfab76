// What a handler sees of the engine, and the handler types. Electron IPC, the browser-mode bridge and the CLI all
// go through `Engine.invoke`/`Engine.call`, so every call is validated, audited and shaped the same way.
import type { AREAS, AreaName, CallInput, CallName, CallOutput, EventName, EventPayload } from '../../shared/contract';
import type { CaseHandle } from './case/caseStore';
import type { Jobs } from './jobs/runner';
import type { AuditOutcome } from './audit/policy';
import type { CryptoService } from './crypto/service';
import type { Wrapper } from './crypto/keystore';

/** What the process hosting the engine offers it: the desktop shell's safeStorage and clipboard, nothing elsewhere. */
export interface EngineHost {
  wrapper?: Wrapper | null;
  /** Puts a revealed value on the system clipboard, cleared after `clearAfterMs` if it still holds it. */
  copy?: ((value: string, clearAfterMs: number) => Promise<void>) | null;
}

export type Via = 'electron' | 'browser' | 'cli' | 'test';

export type { AuditOutcome } from './audit/policy';

export interface EngineContext {
  via: Via;
  /** The open case with this id, or a not_found EngineError. */
  getCase(caseId: string): CaseHandle;
  /** All open cases. */
  openCases(): CaseHandle[];
  /** Registers an opened case and returns its id. */
  addCase(handle: CaseHandle): string;
  removeCase(caseId: string): Promise<void>;
  emit<N extends EventName>(name: N, payload: EventPayload<N>): void;
  /**
   * Appends an engine-made entry (not a contract call: e.g. `import.files`) to the trail of params.caseId (or the
   * app's). Its params are plain: never put a secret in them.
   */
  audit(action: string, params: Record<string, unknown>, result: AuditOutcome): Promise<void>;
  /** Resolves once the marks of the calls under way on the case are written (audit/runMarks.ts): an import's or a
   * pull's job waits for its own before it changes anything, and rejects when it could not be written. */
  runMarksWritten(caseId: string): Promise<void>;
  /** Long work: one job at a time per case, cancellable, with progress (see jobs/runner.ts). */
  jobs: Jobs;
  /** Keys, unlock timer and open sealed files (electron/engine/crypto/service.ts). */
  crypto: CryptoService;
  /** The desktop shell's clipboard, or null (browser mode and the CLI cannot clear a clipboard safely). */
  copy: EngineHost['copy'];
  /** Another contract call, with its own validation and audit (e.g. the demo case creating and importing). */
  call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>>;
}

export type Handler<N extends CallName> = (ctx: EngineContext, input: CallInput<N>) => Promise<CallOutput<N>>;
export type Handlers<K extends CallName> = { [N in K]: Handler<N> };
/** The calls of one or more contract areas. */
export type AreaCallName<A extends AreaName> = A extends AreaName ? keyof (typeof AREAS)[A]['calls'] & CallName : never;
/** Handlers for whole areas: leaving one of their calls out is a compile error. */
export type AreaHandlers<A extends AreaName> = Handlers<AreaCallName<A>>;
export type HandlerMap = Handlers<CallName>;

export { EngineError } from './util/errors';
