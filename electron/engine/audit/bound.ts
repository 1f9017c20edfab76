// Keeps audit entries small and JSON-clean: long strings and big collections are cut (with a digest of what was
// cut), binary data becomes its size and digest, free-text messages lose obvious `password=…` shapes. What is secret
// or sensitive is decided per call by the contract (see policy.ts), never here by guessing from names.
import { canonicalJson, sha256Hex } from './canonical';

const MAX_STRING = 500;
const KEEP_STRING = 200;
const MAX_ITEMS = 100;
const MAX_DEPTH = 8;

export function sanitizeParams(params: Record<string, unknown>): Record<string, unknown> {
  return boundObject(params, 0);
}

function boundObject(obj: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(obj);
  for (const k of keys.slice(0, MAX_ITEMS)) {
    const v = boundValue(obj[k], depth + 1);
    if (v !== undefined) out[k] = v;
  }
  if (keys.length > MAX_ITEMS) out['…'] = `${keys.length - MAX_ITEMS} more keys not logged`;
  return out;
}

function boundValue(v: unknown, depth: number): unknown {
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return truncate(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  if (v instanceof Uint8Array) return { bytes: v.byteLength, sha256: sha256Hex(v).slice(0, 16) };
  if (v instanceof Error) return { error: truncate(scrubText(v.message)) };
  if (typeof v !== 'object') return undefined;
  if (depth > MAX_DEPTH) return `[nested too deep: not logged, sha256 ${sha256Hex(canonicalJson(v)).slice(0, 16)}]`;
  if (Array.isArray(v)) {
    const items = v.slice(0, MAX_ITEMS).map((x) => boundValue(x, depth + 1) ?? null);
    if (v.length > MAX_ITEMS) items.push(`… ${v.length - MAX_ITEMS} more items not logged`);
    return items;
  }
  return boundObject(v as Record<string, unknown>, depth);
}

function truncate(s: string): string {
  if (s.length <= MAX_STRING) return s;
  return `${s.slice(0, KEEP_STRING)}…[${s.length - KEEP_STRING} more chars not logged, sha256 ${sha256Hex(s).slice(0, 16)}]`;
}

/** Free text (error messages) cannot be parsed for secrets; mask the obvious `password=…` / `token: …` shapes. */
export function scrubText(s: string): string {
  return s.replace(/\b([\w-]*(?:password|passphrase|secret|token|key|credential|private)[\w-]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi,
    (_m, k: string, sep: string) => `${k}${sep}[redacted]`);
}

/** The result message of an entry, with the same bounds as params. */
export function sanitizeMessage(message: string | undefined): string | undefined {
  return message === undefined ? undefined : truncate(scrubText(message));
}
