// What may enter the audit log: references, field names and hashes — never secrets or bulk content.
// Values under secret-looking keys become a short hash (enough to tell "the same secret as before"), long strings
// and big collections are cut, binary data is replaced by its size and hash.
import { canonicalJson, sha256Hex } from './canonical';

export const SECRET_KEY = /password|passphrase|secret|token|key|credential|private/i;
const MAX_STRING = 500;
const KEEP_STRING = 200;
const MAX_ITEMS = 100;
const MAX_DEPTH = 8;

export interface Redacted { redacted: true; sha256: string }

export function redact(value: unknown): Redacted {
  if (isRedacted(value)) return value; // already done (sanitizing twice must not hash the hash)
  const text = typeof value === 'string' ? value : value instanceof Uint8Array ? value : canonicalJson(value);
  return { redacted: true, sha256: sha256Hex(text).slice(0, 16) };
}

function isRedacted(v: unknown): v is Redacted {
  if (!v || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return r.redacted === true && typeof r.sha256 === 'string' && Object.keys(r).length === 2;
}

export function sanitizeParams(params: Record<string, unknown>): Record<string, unknown> {
  return sanitizeObject(params, 0);
}

function sanitizeObject(obj: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(obj);
  for (const k of keys.slice(0, MAX_ITEMS)) {
    const v = obj[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    out[k] = SECRET_KEY.test(k) ? redact(v) : sanitizeValue(v, depth + 1);
  }
  if (keys.length > MAX_ITEMS) out['…'] = `${keys.length - MAX_ITEMS} more keys not logged`;
  return out;
}

function sanitizeValue(v: unknown, depth: number): unknown {
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return truncate(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  if (v instanceof Uint8Array) return { bytes: v.byteLength, sha256: sha256Hex(v).slice(0, 16) };
  if (v instanceof Error) return { error: truncate(scrubText(v.message)) };
  if (typeof v !== 'object') return undefined;
  if (depth > MAX_DEPTH) return '[nested too deep: not logged]';
  if (Array.isArray(v)) {
    const items = v.slice(0, MAX_ITEMS).map((x) => sanitizeValue(x, depth + 1) ?? null);
    if (v.length > MAX_ITEMS) items.push(`… ${v.length - MAX_ITEMS} more items not logged`);
    return items;
  }
  return sanitizeObject(v as Record<string, unknown>, depth);
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

/** The result part of an entry, with the same discipline as params. */
export function sanitizeMessage(message: string | undefined): string | undefined {
  return message === undefined ? undefined : truncate(scrubText(message));
}
