// The engine behind the contract. Electron IPC, the browser-mode bridge and the CLI all call `invoke`, so every
// call is validated the same way and leaves the same audit entry whichever door it came through.
import { calls, type CallInput, type CallName, type CallOutput, type ContractError, type EventName, type EventPayload } from '../../shared/contract';
import type { CaseHandle } from './case/caseStore';

export type Via = 'electron' | 'browser' | 'cli' | 'test';

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
  /** Appends to the audit trail of the case named in params.caseId (or the app's). */
  audit(action: string, params: Record<string, unknown>, result: { status: 'ok' | 'error'; message?: string; counts?: Record<string, number> }): Promise<void>;
}

export type Handler<N extends CallName> = (ctx: EngineContext, input: CallInput<N>) => Promise<CallOutput<N>>;
export type HandlerMap = { [N in CallName]?: Handler<N> };

export class EngineError extends Error {
  constructor(readonly code: ContractError['code'], message: string) { super(message); }
}

export function isCallName(name: string): name is CallName {
  return Object.prototype.hasOwnProperty.call(calls, name);
}
