// One door into the engine for every transport (Electron IPC, the utility-process relay, the HTTP bridge): check
// the call name and payload size, call the engine, and answer with an envelope whose error is a code and a
// sentence, never a stack trace. The engine validates every input against the contract; a door in front of an
// engine in another process (IPC in main) validates too, so malformed input never crosses to it.
import { isCallName, MAX_CALL_INPUT_BYTES, parseInput, toContractError, type ContractError, type EventName, type EventPayload } from '../../shared/contract';

export { EVENT_NAMES, isEventName } from '../../shared/contract';

/** Largest serialized call input accepted from a UI (IPC or HTTP): the contract's, which its field limits sit below. */
export const MAX_PAYLOAD_BYTES = MAX_CALL_INPUT_BYTES;

/** The door's sentence for an input past its cap; `size` null when the reading stopped at the cap (HTTP). */
export function tooLarge(name: string, size: number | null, maxBytes: number): string {
  return `Input to ${name} is too large (${size === null ? `over ${maxBytes}` : size} bytes; a call takes at most ${maxBytes}).`;
}

export type WireError = ContractError;
/** The one envelope every transport answers with. */
export type WireResult = { ok: true; value: unknown } | { ok: false; error: WireError };

/** What the transports need from the engine (the real `Engine` and the relay's proxy satisfy it). */
export interface EngineLike {
  /** `signal`: the caller went away (a closed request, a cancel over IPC); the engine stops the call's reads. */
  invoke(name: string, input: unknown, opts?: InvokeOptions): Promise<unknown>;
  on<N extends EventName>(name: N, cb: (payload: EventPayload<N>) => void): () => void;
}

export interface InvokeOptions { signal?: AbortSignal }

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

export interface DispatchOptions {
  maxBytes?: number;
  /** Validate the input here too: for a door whose engine runs in another process. */
  validate?: boolean;
  /** Aborted when the caller is gone: passed to the engine, which stops the call's reads. */
  signal?: AbortSignal;
}

/** Check, then invoke; always resolves to an envelope. */
export async function dispatch(engine: EngineLike, name: unknown, input: unknown, opts: DispatchOptions = {}): Promise<WireResult> {
  const maxBytes = opts.maxBytes ?? MAX_PAYLOAD_BYTES;
  if (!isCallName(name)) return wireError('unknown_call', `Unknown call: ${typeof name === 'string' ? name.slice(0, 100) : typeof name}.`);
  const size = serializedSize(input);
  if (size === null) return wireError('invalid_input', `Input to ${name} cannot be serialized.`);
  if (size > maxBytes) return wireError('invalid_input', tooLarge(name, size, maxBytes));
  let value = input;
  if (opts.validate) {
    const parsed = parseInput(name, input);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    value = parsed.data;
  }
  try {
    return { ok: true, value: await engine.invoke(name, value, opts.signal ? { signal: opts.signal } : undefined) };
  } catch (err) {
    return { ok: false, error: toContractError(err) };
  }
}
