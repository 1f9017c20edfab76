// How a contract call is declared: its schemas, and the policy the engine applies to it whatever door it came
// through (read or write access, whether it is audited, which input fields are secret or sensitive, its timeout).
import type { z } from 'zod';

export type Access = 'read' | 'write';

/** When a call leaves an audit entry: always, never, or when a predicate on its (validated) input holds. */
/** `handler`: the call's handler records its own entry with facts known only once it runs (a file's sha256, which
 * field was revealed) through `ctx.audit`; its secret fields are still never handed to it. */
export type AuditRule<I> = 'always' | 'never' | 'handler' | { when: (input: I) => boolean; describe: string };

type Depth = [never, 0, 1, 2, 3];
/** Dot paths into an input type ("auth.passphrase"); arrays are walked through ("hosts.password"). Any string for
 * a spec seen without its types. */
export type FieldPath<T, D extends number = 4> = unknown extends T ? string : [D] extends [never] ? never
  : T extends readonly (infer U)[] ? FieldPath<U, D>
  : T extends object ? { [K in keyof T & string]-?: K | `${K}.${FieldPath<NonNullable<T[K]>, Depth[D]>}` }[keyof T & string]
  : never;

export interface CallSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** read: never changes the case or the app's state; write: may. */
  access: Access;
  audit: AuditRule<z.output<I>>;
  /** Dropped before auditing, never hashed, and scrubbed from the entry's error message (passphrases, session keys). */
  secret?: readonly FieldPath<z.output<I>>[];
  /** Stored in the trail as an HMAC-SHA-256 under a per-case (or per-app) salt: equal values still match. */
  sensitive?: readonly FieldPath<z.output<I>>[];
  /** Numbers the entry keeps in plain beside hashed inputs (how many words a hashed list held), in `result.counts`. */
  auditCounts?: (input: z.output<I>) => Record<string, number>;
  /** The numbers the entry of a call that succeeded keeps from its output, instead of those the engine reads from any
   *  output (a case's eventCount is not what a call on it changed). */
  auditOutputCounts?: (output: z.output<O>) => Record<string, number>;
  /** The call runs as a job of this kind (queued per case, cancellable, progress as `job.progress`). */
  job?: string;
  /** A relayed call fails with `timeout` after this long (for a job: this long without a `job.progress`). */
  timeoutMs?: number;
}

/** Declares a call; keeps the exact schema types so inputs and outputs are typed end to end. */
export function defineCall<I extends z.ZodType, O extends z.ZodType>(spec: CallSpec<I, O>): CallSpec<I, O> {
  return spec;
}

/** One feature area of the contract: its calls and the events it pushes. */
export interface Area {
  calls: Record<string, CallSpec<z.ZodType, z.ZodType>>;
  events: Record<string, z.ZodType>;
}
export function defineArea<C extends Record<string, CallSpec<z.ZodType, z.ZodType>>, E extends Record<string, z.ZodType> = Record<never, never>>(
  area: { calls: C; events?: E },
): { calls: C; events: E } {
  return { calls: area.calls, events: (area.events ?? {}) as E };
}

/** Largest serialized input a door (IPC, the HTTP bridge) takes for one call. Every limit a call's schema sets on
 * a field sits below it, so an input over that limit gets the contract's sentence, not the door's. Files go by path
 * or as an upload, not inside a call. */
export const MAX_CALL_INPUT_BYTES = 1_000_000;

/** Default relay timeout of a call that declares none. */
export const DEFAULT_TIMEOUT_MS = 120_000;
