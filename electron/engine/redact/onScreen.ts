// Secrets on screen (issue 16): the parts of a displayed value that the redaction detectors call secrets
// (gitleaks rules, values under secret key names, URL passwords, Bearer/Basic credentials, JWTs, private keys)
// are masked by the engine before a row leaves it, so the renderer never holds one unless the operator reveals
// that one field (events.reveal, audited). Personal data stays visible: the operator investigates people.
import type { EventDetail, EventRow } from '../../../shared/domain';
import { gitleaksDetector } from './detect';
import { classifyKey } from './keys';
import { structuralFindings } from './structural';
import { EMPTY_VALUE } from './types';

/** What a secret becomes on screen; the rule that found it follows in the masked list, never the value. */
export const SECRET_MASK = '••••••••';

/** Secret spans of one value, merged where they overlap, in order. */
export function secretSpans(text: string): { start: number; end: number }[] {
  if (text.length < 6) return [];
  const found = [...gitleaksDetector().detect(text), ...structuralFindings(text)]
    .filter((f) => f.kind === 'secret' && f.end > f.start && !EMPTY_VALUE.test(text.slice(f.start, f.end)))
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const out: { start: number; end: number }[] = [];
  for (const f of found) {
    const last = out[out.length - 1];
    if (last && f.start <= last.end) last.end = Math.max(last.end, f.end);
    else out.push({ start: f.start, end: f.end });
  }
  return out;
}

/** The value with its secrets masked, or null when it has none. */
export function maskText(text: string): string | null {
  const spans = secretSpans(text);
  if (!spans.length) return null;
  let out = '';
  let at = 0;
  for (const s of spans) { out += text.slice(at, s.start) + SECRET_MASK; at = s.end; }
  return out + text.slice(at);
}

const isSecretKey = (key: string) => classifyKey(key)?.kind === 'secret';

/** A value under a secret name (`password`, `api_key`…) is masked whole, whatever it looks like. */
export function maskValue(key: string | null, v: string): string | null {
  if (key !== null && isSecretKey(key) && !EMPTY_VALUE.test(v)) return SECRET_MASK;
  return maskText(v);
}

/** The names the masked list and events.reveal use: `message`, `raw`, `extra:<name>`, `fields:<JSON pointer>`. */
export type ScreenField = 'message' | 'raw' | `extra:${string}` | `fields:${string}`;

export function maskRow<R extends EventRow>(row: R): R {
  const masked: string[] = [];
  const out: R = { ...row };
  if (row.message) {
    const m = maskText(row.message);
    if (m !== null) { out.message = m; masked.push('message'); }
  }
  if (row.extra) {
    const extra = { ...row.extra };
    for (const [name, v] of Object.entries(row.extra)) {
      const m = v === null ? null : maskValue(name, v);
      if (m !== null) { extra[name] = m; masked.push(`extra:${name}`); }
    }
    out.extra = extra;
  }
  if (masked.length) out.masked = [...(row.masked ?? []), ...masked];
  return out;
}

const pointer = (parts: string[]) => parts.map((p) => '/' + p.replace(/~/g, '~0').replace(/\//g, '~1')).join('');

/** Walks parsed fields: strings masked by their own key's name and by the detectors; the masked paths collected. */
function maskFields(v: unknown, path: string[], masked: string[]): unknown {
  if (typeof v === 'string') {
    const m = maskValue(path[path.length - 1] ?? null, v);
    if (m === null) return v;
    masked.push(`fields:${pointer(path)}`);
    return m;
  }
  if (Array.isArray(v)) return v.map((x, i) => maskFields(x, [...path, String(i)], masked));
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, maskFields(x, [...path, k], masked)]));
  }
  // A number or boolean under a secret name (a numeric PIN): masked whole.
  const key = path[path.length - 1];
  if ((typeof v === 'number' || typeof v === 'bigint') && key !== undefined && isSecretKey(key)) {
    masked.push(`fields:${pointer(path)}`);
    return SECRET_MASK;
  }
  return v;
}

/**
 * A row of the SQL door (events.sql): each cell masked by its column's name (a column `password` whole) and by the
 * detectors, nested values by their own keys, as the detail panel masks fields. Returns how many values it masked.
 */
export function maskSqlRow(row: Record<string, unknown>): { row: Record<string, unknown>; masked: number } {
  const masked: string[] = [];
  const out = maskFields(row, [], masked) as Record<string, unknown>;
  return masked.length ? { row: out, masked: masked.length } : { row, masked: 0 };
}

export function maskDetail(d: EventDetail): EventDetail {
  const out = maskRow(d);
  const masked = [...(out.masked ?? [])];
  const raw = maskText(d.raw);
  if (raw !== null) { out.raw = raw; masked.push('raw'); }
  out.fields = maskFields(d.fields, [], masked) as Record<string, unknown>;
  if (masked.length) out.masked = masked;
  return out;
}

/** The unmasked value of one field of a record (what events.reveal returns); undefined when it has no such field. */
export function fieldOf(d: EventDetail, field: string): string | null | undefined {
  if (field === 'message') return d.message;
  if (field === 'raw') return d.raw;
  if (field.startsWith('extra:')) {
    const name = field.slice(6);
    if (name === 'logger') return d.logger;
    if (name === 'file') return d.file;
    if (name === 'bundle') return d.bundle;
    if (!Object.prototype.hasOwnProperty.call(d.fields, name)) return undefined;
    const v = d.fields[name];
    return v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);
  }
  if (field.startsWith('fields:/')) {
    let v: unknown = d.fields;
    for (const part of field.slice(8).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))) {
      if (!v || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, part)) return undefined;
      v = (v as Record<string, unknown>)[part];
    }
    return v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return undefined;
}

/** Compiles the detectors (a second or so, once per process) ahead of the first page that needs them. */
export function warmSecretsOnScreen(): void {
  secretSpans('warm-up: password=example api_key=example Bearer example-token-value');
}
