// An audit entry as a person reads it: what was done (the action in words) and each input on its own line, with the
// inputs the policy recorded as HMACs (typed text: searches, SQL, traced keys) labelled as hashed. The engine's
// text check (audit.matchText) walks the same inputs, so a match names the line the view shows. Pure TypeScript.
import { printable } from './printable';

/** A sensitive input as the trail records it (electron/engine/audit/policy.ts). */
export interface HashedValue { hmac: string }

export const isHashed = (v: unknown): v is HashedValue =>
  !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { hmac?: unknown }).hmac === 'string';

/** One input of an entry: its path in the params (`filter.fields[0].value`), a label, and its value or its HMAC. */
export interface ParamLine {
  path: string;
  label: string;
  /** The value as text (absent for a hashed input). */
  value?: string;
  /** The HMAC of a hashed input. */
  hmac?: string;
  /** A long list of records (an import's files): one line each. */
  items?: string[];
}

/** What the inputs the policy hashes are, in words (paths with list indexes as `[]`). */
const LABELS: Record<string, string> = {
  'filter.text': 'search text',
  'filter.fields[].value': 'field value',
  'filter.files': 'files',
  sql: 'SQL',
  text: 'search text',
  key: 'traced key',
  'selection.where': 'where',
  'selection.chain': 'chain',
  'selection.filter.text': 'search text',
  'selection.filter.fields[].value': 'field value',
  'selection.filter.files': 'files',
};

/** The action in words; an action not listed here shows as its name. */
const ACTIONS: Record<string, string> = {
  'cases.create': 'Created the case',
  'cases.open': 'Opened the case',
  'cases.close': 'Closed the case',
  'cases.setTimezone': 'Set the site timezone',
  'cases.timezonePlan': 'Asked what a change of the site timezone would re-time',
  'events.page': 'Searched or filtered the events',
  'events.get': 'Opened one record',
  'events.around': 'Looked around one record',
  'events.reveal': 'Revealed a masked secret of one record',
  'events.fieldValues': 'Listed the values of a field',
  'events.sql': 'Ran a SQL query',
  'chains.list': 'Listed chains',
  'chains.trace': 'Traced an identifier',
  'views.save': 'Saved a view',
  'views.delete': 'Deleted a saved view',
  'import.paths': 'Imported files',
  'import.check': 'Checked files before importing',
  'import.files': 'Recorded imported files (their digests)',
  'import.file': 'Recorded an imported file (its digest)',
  'import.alias': 'Recorded files already in the case under another name',
  'import.interrupted': 'An import did not end (the process was killed): who started it, when, and what of it is in',
  'pull.interrupted': 'A pull did not end (the process was killed): who started it, when, and what of it is in the case',
  'import.marks_skipped': 'Found things in the case\'s running folder that are not marks of an import (kept as found, not read)',
  'correlate.rederive': 'Derived identifiers and chains again (the case was derived by other rules)',
  'correlate.job': 'Stopped building identifiers and chains before the end (cancelled or failed)',
  'case.retime': 'Re-timed the events read in the old site timezone',
  'export.run': 'Exported a redacted extract',
  'export.written': 'Wrote a redacted extract',
  'export.blocked': 'Blocked an extract (the re-scan found something)',
  'export.reidentify': 'Looked up who pseudonyms stand for (re-identification maps)',
  'audit.verify': 'Verified the audit chain',
  'audit.ack': 'Acknowledged a tear in the audit log',
  'audit.tear': 'Found the log cut off or rewritten (a tear)',
  'audit.torn_tail_detected': 'Found a torn last line in the log',
  'audit.matchText': 'Checked a text against hashed inputs',
  'case.verify': 'Verified the evidence (chain of custody)',
  'jobs.cancel': 'Cancelled a job',
  'pull.plan': 'Planned a pull from a site',
  'pull.run': 'Pulled logs from a site',
  'pull.hostkey': 'Was shown a host key that is not trusted',
  'pull.connect': 'Connected to a site',
  'pull.files': 'Fetched files from a site',
  'pull.done': 'Finished a pull',
  'redact.test': 'Tested redaction rules',
  'keys.unlock': 'Unlocked a key',
  'keys.lock': 'Locked a key',
  'keys.import': 'Imported a key',
  'keys.remove': 'Removed a key',
};

export const describeAction = (action: string): string => ACTIONS[action] ?? action;

/** Every action named above: what a trail may hold beyond the entries a view has read. */
export const KNOWN_ACTIONS: readonly string[] = Object.keys(ACTIONS);

/** Lists of records longer than this are shown one line per record instead of one line per field. */
const SPREAD_ITEMS = 5;
/** The case id is the view's own case: not an input worth a line. */
const SKIP = new Set(['caseId']);

const labelOf = (path: string) => LABELS[path.replace(/\[\d+\]/g, '[]')] ?? path;
const scalar = (v: unknown) => (v === null ? 'null' : typeof v === 'string' ? v : JSON.stringify(v));
const flat = (v: unknown) => v === null || typeof v !== 'object' || isHashed(v);
/** A hashed input in one line of text (its HMAC's first characters): `‹hashed 3f2a…›`. */
export const hashedText = (hmac: string): string => `‹hashed ${hmac.slice(0, 12)}…›`;

/** What names a record comes first in its line (the stored keys are sorted: `fileSha` before `path`). */
const FIRST = ['path', 'name', 'file', 'id', 'seq'];
const rank = (k: string) => (FIRST.includes(k) ? FIRST.indexOf(k) : FIRST.length);

/** One record of a long list as a line: `path=a.log, format=celery, sql=‹hashed 3f2a…›`. */
function itemLine(v: unknown): string {
  if (isHashed(v)) return hashedText(v.hmac);
  if (flat(v)) return scalar(v);
  if (Array.isArray(v)) return v.map(itemLine).join(', ');
  return Object.entries(v as Record<string, unknown>).sort(([a], [b]) => rank(a) - rank(b)).map(([k, x]) => `${k}=${flat(x) || Array.isArray(x) ? itemLine(x) : JSON.stringify(x)}`).join(', ');
}

/** The inputs of an entry, in the params' own order, one line each. */
export function paramLines(params: Record<string, unknown>): ParamLine[] {
  const out: ParamLine[] = [];
  const walk = (v: unknown, path: string): void => {
    if (isHashed(v)) { out.push({ path, label: labelOf(path), hmac: v.hmac }); return; }
    if (flat(v)) { out.push({ path, label: labelOf(path), value: scalar(v) }); return; }
    if (Array.isArray(v)) {
      if (v.length === 0) out.push({ path, label: labelOf(path), value: 'none' });
      else if (v.every((x) => flat(x) && !isHashed(x))) out.push({ path, label: labelOf(path), value: v.map(scalar).join(', ') });
      else if (v.length <= SPREAD_ITEMS) v.forEach((x, i) => walk(x, `${path}[${i}]`));
      else out.push({ path, label: labelOf(path), value: `${v.length} items`, items: v.map(itemLine) });
      return;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) out.push({ path, label: labelOf(path), value: 'none' });
    for (const [k, x] of entries) walk(x, path ? `${path}.${k}` : k);
  };
  for (const [k, v] of Object.entries(params)) if (!SKIP.has(k)) walk(v, k);
  return out;
}

/**
 * The inputs as a view shows them: paramLines with every text through printable (file names and messages are the
 * customer's: bidi overrides, zero-width and control characters shown as escapes, as `casefile audit show` does).
 * Applied once, to the finished lines, so a value already reading `\x1b` is not escaped again.
 */
export function printableLines(params: Record<string, unknown>): ParamLine[] {
  return paramLines(params).map((l) => ({
    ...l, label: printable(l.label),
    ...(l.value !== undefined ? { value: printable(l.value) } : {}),
    ...(l.items ? { items: l.items.map(printable) } : {}),
  }));
}

/** Every hashed input of an entry with its path (what audit.matchText compares a text with). */
export function hashedInputs(params: Record<string, unknown>): { path: string; hmac: string }[] {
  const out: { path: string; hmac: string }[] = [];
  const walk = (v: unknown, path: string): void => {
    if (isHashed(v)) out.push({ path, hmac: v.hmac });
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
  };
  walk(params, '');
  return out;
}

/** The label of an input path, as paramLines gives it. */
export const inputLabel = labelOf;
