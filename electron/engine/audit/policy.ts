// What a contract call leaves in the audit trail, as its contract declares: whether it is recorded at all, its
// secret fields dropped (never hashed), its sensitive fields replaced by an HMAC under the trail's salt (equal
// values match; guesses cannot be tested without the salt), everything else as given (then bounded by the trail).
import type { CallSpec } from '../../../shared/contract';

/** How a call or an engine-made entry ended, as its audit entry records it. */
export interface AuditOutcome { status: 'ok' | 'error'; message?: string; counts?: Record<string, number> }
import { canonicalJson } from './canonical';

export interface SensitiveValue { hmac: string }

export function isAudited(spec: CallSpec, input: unknown): boolean {
  const rule = spec.audit;
  return rule === 'always' ? true : rule === 'never' || rule === 'handler' ? false : rule.when(input);
}

/** The params to record for a call's validated input. `hmac` is keyed by the salt of the trail they go to. */
export function auditParams(spec: CallSpec, input: Record<string, unknown>, hmac: (text: string) => string): Record<string, unknown> {
  let out: unknown = input;
  for (const p of spec.secret ?? []) out = rewrite(out, p.split('.'), () => undefined);
  for (const p of spec.sensitive ?? []) {
    out = rewrite(out, p.split('.'), (v) => ({ hmac: hmac(typeof v === 'string' ? v : canonicalJson(v)) } satisfies SensitiveValue));
  }
  return out as Record<string, unknown>;
}

/** What a call's entry records: its params by policy, and its result with any secret value scrubbed from the message
 * (and any sensitive value: an error quoting the search text or the SQL would otherwise undo its HMAC). */
export function auditEntry(spec: CallSpec, input: Record<string, unknown>, result: AuditOutcome, hmac: (text: string) => string): { params: Record<string, unknown>; result: AuditOutcome } {
  const message = scrubSecrets(scrubSecrets(result.message, secretValues(spec, input)), fieldValues(spec.sensitive, input).filter((s) => s.length >= MIN_SCRUB), '[sensitive]');
  return { params: auditParams(spec, input, hmac), result: message === undefined ? result : { ...result, message } };
}

/** The string values found in a call's secret fields (so an error message quoting one can be scrubbed). */
export function secretValues(spec: CallSpec, input: unknown): string[] {
  return fieldValues(spec.secret, input);
}

/** Whether the input holds a value in any of the call's sensitive fields (only then does its trail need a salt). */
export function hasSensitiveValues(spec: CallSpec, input: unknown): boolean {
  const found: string[] = [];
  for (const p of spec.sensitive ?? []) collect(input, p.split('.'), found);
  return found.length > 0;
}

/** Sensitive values shorter than this stay in a message: scrubbing "a" or "id" would garble it and hide nothing. */
const MIN_SCRUB = 4;

function fieldValues(paths: readonly string[] | undefined, input: unknown): string[] {
  const found: string[] = [];
  for (const p of paths ?? []) collect(input, p.split('.'), found);
  return found.filter((s) => s.length > 0);
}

/** Replaces every occurrence of the given secret values in a message. */
export function scrubSecrets(message: string | undefined, secrets: string[], mark = '[secret]'): string | undefined {
  if (message === undefined) return undefined;
  let out = message;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(mark);
  return out;
}

/** A copy of `value` with the field at `path` (walking through arrays) replaced by fn(old); undefined removes it. */
function rewrite(value: unknown, path: string[], fn: (v: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => rewrite(v, path, fn));
  if (!value || typeof value !== 'object' || path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (!Object.prototype.hasOwnProperty.call(value, head)) return value;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const next = rest.length ? rewrite(copy[head], rest, fn) : (copy[head] === undefined ? undefined : fn(copy[head]));
  if (next === undefined) delete copy[head];
  else copy[head] = next;
  return copy;
}

function collect(value: unknown, path: string[], out: string[]): void {
  if (Array.isArray(value)) { for (const v of value) collect(v, path, out); return; }
  if (!value || typeof value !== 'object') return;
  const [head, ...rest] = path as [string, ...string[]];
  const v = (value as Record<string, unknown>)[head];
  if (rest.length) collect(v, rest, out);
  else if (typeof v === 'string') out.push(v);
  else if (v !== undefined && v !== null) out.push(typeof v === 'object' ? canonicalJson(v) : String(v));
}
