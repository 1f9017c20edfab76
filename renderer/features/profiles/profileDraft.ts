// A site profile as the form edits it: every field a string or a flag, so a half-typed value stays on screen.
// `checkDraft` turns it into the profile the engine will store, or says which field is wrong, in the schema's own
// words (shared/profile.ts is the one rule; the engine checks again when it saves).
import { SiteProfile, type SiteProfileInput } from '../../../shared/profile';
import { formatSize, parseSize } from '../../../shared/size';

export interface HopDraft { user: string; host: string; port: string; auth: 'agent' | 'key'; keyPath: string; hostKeys: string; knownHostsFile: string }
export interface ProfileDraft {
  name: string;
  jumps: HopDraft[];
  target: HopDraft;
  logRoot: string;
  cap: string;
  timezone: string;
  allowExec: boolean;
  notes: string;
  /** Parts of a stored profile the form does not edit: its client rules and the client's export key. */
  kept: Pick<SiteProfileInput, 'redaction' | 'exportKey'>;
}

export const emptyHop = (): HopDraft => ({ user: '', host: '', port: '22', auth: 'agent', keyPath: '', hostKeys: '', knownHostsFile: '' });

export const emptyDraft = (): ProfileDraft => ({
  name: '', jumps: [], target: emptyHop(), logRoot: '/home/scribble/enrich', cap: '1GB', timezone: 'UTC',
  allowExec: false, notes: '', kept: {},
});

const hopDraft = (h: SiteProfile['target']): HopDraft => ({
  user: h.user, host: h.host, port: String(h.port), auth: h.auth.kind, keyPath: h.auth.kind === 'key' ? h.auth.path : '',
  hostKeys: h.hostKeys.join('\n'), knownHostsFile: h.knownHostsFile ?? '',
});

export function draftOf(p: SiteProfile): ProfileDraft {
  return {
    name: p.name, jumps: p.jumps.map(hopDraft), target: hopDraft(p.target), logRoot: p.logRoot, cap: formatSize(p.capBytes),
    timezone: p.timezone, allowExec: p.allowExec, notes: p.notes ?? '',
    kept: { ...(p.redaction ? { redaction: p.redaction } : {}), ...(p.exportKey ? { exportKey: p.exportKey } : {}) },
  };
}

/** Field keys as the form names them: `name`, `cap`, `target.host`, `jumps.0.port`, … */
export type DraftErrors = Record<string, string>;

const hopInput = (h: HopDraft): SiteProfileInput['target'] => ({
  user: h.user.trim(), host: h.host.trim(), port: Number(h.port.trim()),
  hostKeys: h.hostKeys.split(/[\s,]+/).filter(Boolean),
  auth: h.auth === 'key' ? { kind: 'key', path: h.keyPath.trim() } : { kind: 'agent' },
  ...(h.knownHostsFile.trim() ? { knownHostsFile: h.knownHostsFile.trim() } : {}),
});

const FIELD: Record<string, string> = {
  user: 'user', host: 'host', port: 'port', keyPath: 'key file', hostKeys: 'host keys', knownHostsFile: 'known_hosts file',
  name: 'name', logRoot: 'log root', cap: 'cap', timezone: 'site timezone', notes: 'notes',
};

/** A field key as the operator reads it: `jumps.0.port` is "jump host 1: port". */
export function fieldLabel(key: string): string {
  const parts = key.split('.');
  const field = FIELD[parts[parts.length - 1]!] ?? parts[parts.length - 1]!;
  if (parts[0] === 'jumps' && parts.length === 3) return `jump host ${Number(parts[1]) + 1}: ${field}`;
  if (parts[0] === 'target' && parts.length === 2) return `target: ${field}`;
  return field;
}

export function isTimeZone(zone: string): boolean {
  try { new Intl.DateTimeFormat('en', { timeZone: zone }); return true; } catch { return false; }
}

export function checkDraft(d: ProfileDraft): { profile: SiteProfile; errors?: undefined } | { profile?: undefined; errors: DraftErrors } {
  const errors: DraftErrors = {};
  let capBytes = NaN;
  try { capBytes = parseSize(d.cap); } catch { errors.cap = 'a size, e.g. 500MB or 2GB'; }
  if (d.timezone.trim() && !isTimeZone(d.timezone.trim())) errors.timezone = 'not a time zone this computer knows (e.g. Asia/Kolkata, UTC)';
  const hop = (h: HopDraft, key: string): SiteProfileInput['target'] => {
    if (!/^\d{1,5}$/.test(h.port.trim())) errors[`${key}.port`] = 'a port number, 1 to 65535';
    return hopInput(h);
  };

  const input: SiteProfileInput = {
    name: d.name.trim(),
    jumps: d.jumps.map((h, i) => hop(h, `jumps.${i}`)),
    target: hop(d.target, 'target'),
    logRoot: d.logRoot.trim(),
    timezone: d.timezone.trim() || 'UTC',
    capBytes,
    allowExec: d.allowExec,
    ...(d.notes.trim() ? { notes: d.notes } : {}),
    ...(d.kept.redaction ? { redaction: d.kept.redaction } : {}),
    ...(d.kept.exportKey ? { exportKey: d.kept.exportKey } : {}),
  };
  const parsed = SiteProfile.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [head, ...rest] = issue.path.map(String);
      // A hop's auth path is the form's key path field; its host keys are one field.
      let key = [head, ...rest].join('.').replace(/\.auth\.path$/, '.keyPath').replace(/\.hostKeys\.\d+$/, '.hostKeys');
      if (key === 'capBytes') key = 'cap';
      // An empty required field reads as such, not as the schema's "expected string to have >=1 characters".
      errors[key] ??= issue.code === 'too_small' && issue.minimum === 1 ? 'required' : issue.message;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { errors };
  return { profile: parsed.data };
}
