// Errors crossing the contract: a code and a sentence for the operator, never a stack trace. One mapper for every
// door (engine, IPC, relay, HTTP), so the same failure reads the same whichever way it came.
import { z, ZodError } from 'zod';

export const ERROR_CODES = [
  'invalid_input', 'not_found', 'read_only', 'forbidden', 'conflict', 'busy', 'timeout', 'internal', 'unknown_call', 'cancelled',
  // the request was valid but selected nothing to act on (an export of an empty selection): nothing was done, and a
  // caller tells it from a failure by this code, never by the sentence
  'nothing_selected',
  // an export whose output the fail-closed check refused: nothing was delivered, and the sentence names where it hit
  // (event and column, or a file), never a value
  'blocked',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
/** Where a blocked export's check hit ("event 12 message", "manifest.json"), never a value: the dialog lists them. */
export const ErrorPlaces = z.array(z.string().max(300)).max(20);
export const ContractError = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  /** `blocked`: the places the sentence names, as a list (the first few; the sentence says how many hits). */
  places: ErrorPlaces.optional(),
});
export type ContractError = z.infer<typeof ContractError>;

/** Thrown by the engine's typed door; carries a contract error. */
export class ContractFailure extends Error {
  constructor(readonly error: ContractError) { super(error.message); }
}

const CODES = new Set<string>(ERROR_CODES);

export function zodMessage(e: ZodError): string {
  return e.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`).join('; ');
}

/**
 * Anything thrown → a contract error. Errors that carry a contract code (the engine's own, a ContractFailure, a
 * relayed plain `{ code, message }`) keep it; anything else (DuckDB, Node) keeps one short line as `internal`.
 */
export function toContractError(e: unknown): ContractError {
  if (e instanceof ContractFailure) return e.error;
  if (e instanceof ZodError) return { code: 'invalid_input', message: zodMessage(e) };
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CODES.has(code)) {
      const places = ErrorPlaces.safeParse((e as { places?: unknown }).places);
      return { code: code as ErrorCode, message: e.message, ...(places.success ? { places: places.data } : {}) };
    }
  }
  const carried = ContractError.safeParse(e);
  if (carried.success) return carried.data;
  const raw = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message: raw.split('\n', 1)[0]!.slice(0, 500) || 'Internal error.' };
}
