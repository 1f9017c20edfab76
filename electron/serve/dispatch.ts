// One door into the engine for every transport (Electron IPC, the utility-process relay, the HTTP bridge):
// check the call name and input against the contract, call the engine, and answer with an envelope whose
// error is a code and a sentence, never a stack trace.
import { calls, ContractError, events, type CallName, type EventName, type EventPayload } from '../../shared/contract';
import { EngineError, isCallName } from '../engine/api';

/** Largest serialized call input accepted from a UI (IPC or HTTP). */
export const MAX_PAYLOAD_BYTES = 1_000_000;

export type WireError = ContractError;
export type WireResult = { ok: true; value: unknown } | { ok: false; error: WireError };

/** What the transports need from the engine (the real `Engine` satisfies it). */
export interface EngineLike {
  invoke(name: string, input: unknown): Promise<unknown>;
  on<N extends EventName>(name: N, cb: (payload: EventPayload<N>) => void): () => void;
}

export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

export function wireError(code: WireError['code'], message: string): { ok: false; error: WireError } {
  return { ok: false, error: { code, message } };
}

/** Serialized size in bytes, or null when the value cannot be serialized (cycles, BigInt). */
export function serializedSize(value: unknown): number | null {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? 0 : Buffer.byteLength(json, 'utf8');
  } catch {
    return null;
  }
}

export type CheckedCall = { ok: true; name: CallName; input: unknown } | { ok: false; error: WireError };

/** Validates a call's name, size and input against the contract without calling anything. */
export function checkCall(name: unknown, input: unknown, maxBytes = MAX_PAYLOAD_BYTES): CheckedCall {
  if (typeof name !== 'string' || !isCallName(name)) {
    return wireError('unknown_call', `Unknown call: ${typeof name === 'string' ? name.slice(0, 100) : typeof name}.`);
  }
  const size = serializedSize(input);
  if (size === null) return wireError('invalid_input', `Input to ${name} cannot be serialized.`);
  if (size > maxBytes) return wireError('invalid_input', `Input to ${name} is too large (${size} bytes, limit ${maxBytes}).`);
  const parsed = calls[name].input.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`);
    return wireError('invalid_input', `Invalid input to ${name}: ${issues.join('; ')}.`);
  }
  return { ok: true, name, input: parsed.data };
}

const CODES = new Set<string>(ContractError.shape.code.options);

/** Any thrown value → a contract error. Engine errors keep their code and sentence; others keep one short line. */
export function toWireError(err: unknown): WireError {
  if (err instanceof EngineError && CODES.has(err.code)) return { code: err.code, message: err.message };
  // The Engine throws ContractFailure { error: { code, message } }; relayed errors arrive as plain { code, message }.
  const carried = err instanceof Error ? ContractError.safeParse((err as { error?: unknown }).error) : ContractError.safeParse(err);
  if (carried.success) return { code: carried.data.code, message: carried.data.message };
  const raw = err instanceof Error ? err.message : String(err);
  const firstLine = raw.split('\n', 1)[0]?.slice(0, 300) ?? '';
  return { code: 'internal', message: firstLine ? `Internal error: ${firstLine}` : 'Internal error.' };
}

/** Check, then invoke; always resolves to an envelope. */
export async function dispatch(engine: EngineLike, name: unknown, input: unknown, maxBytes = MAX_PAYLOAD_BYTES): Promise<WireResult> {
  const checked = checkCall(name, input, maxBytes);
  if (!checked.ok) return checked;
  try {
    return { ok: true, value: await engine.invoke(checked.name, checked.input) };
  } catch (err) {
    return { ok: false, error: toWireError(err) };
  }
}
