// Links to a place in a case: the case, the view, the filter, a trace and a record. One format for the address bar
// in browser mode (`http://127.0.0.1:<port>/?case=…&event=…`) and for the desktop app's deep links
// (`casefile://open?case=…&event=…`); one parser behind both, so a copied link opens the same thing either way.
// A link never carries the bridge token or any secret: only the members below are read or written.
import { z } from 'zod';
import { EventFilter } from './domain';
import { ChainKind, ChainStatus } from './correlation';

export const LINK_SCHEME = 'casefile';
export const LINK_HOST = 'open';
/** Longer than any link the app writes (a full filter is well under this); past it a link is refused unread. */
export const MAX_LINK_CHARS = 8192;

export const LINK_VIEWS = ['timeline', 'chains', 'trace', 'audit', 'pull', 'cases'] as const;
/** Case ids are UUIDs, or a folder-safe name in cases made elsewhere: letters, digits, `.`, `_`, `-`. */
export const LinkCaseId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/);
/** A chain or identifier key as `chains.trace` takes it, without control characters. */
// eslint-disable-next-line no-control-regex
export const LinkTraceKey = z.string().min(1).max(500).regex(/^[^\u0000-\u001f\u007f]+$/);
export const LinkEventId = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** The Chains view's own filters and sort, so a link can say "the failed pipeline runs, slowest first". */
export const ChainsLink = z.object({
  kinds: z.array(ChainKind).max(ChainKind.options.length).optional(),
  statuses: z.array(ChainStatus).max(ChainStatus.options.length).optional(),
  text: z.string().max(500).optional(),
  /** Minimum duration in seconds, as typed. */
  minDur: z.string().max(32).optional(),
  sort: z.enum(['first', 'duration', 'events']).optional(),
  /** false: list every chain even when the timeline is zoomed. */
  followWindow: z.boolean().optional(),
}).strict();
export type ChainsLink = z.infer<typeof ChainsLink>;

/** A place in the app, every member checked. Also the payload of the shell's `app.openLink` push. */
export const ViewLink = z.object({
  caseId: LinkCaseId.optional(),
  view: z.enum(LINK_VIEWS).optional(),
  filter: EventFilter.strict().optional(),
  trace: LinkTraceKey.optional(),
  event: LinkEventId.optional(),
  chains: ChainsLink.optional(),
}).strict();
export type ViewLink = z.infer<typeof ViewLink>;
export type LinkView = ViewLink['view'];

/**
 * Reads a place from a query string, member by member: whatever is malformed or unknown (a bad filter, a token, a
 * parameter of some other app) is left out rather than trusted, and the rest still opens.
 */
export function parseViewQuery(search: string): ViewLink {
  if (search.length > MAX_LINK_CHARS) return {};
  const q = new URLSearchParams(search);
  const out: ViewLink = {};
  const pick = <T>(schema: z.ZodType<T>, raw: unknown): T | undefined => {
    const r = schema.safeParse(raw);
    return r.success ? r.data : undefined;
  };
  const caseId = pick(LinkCaseId, q.get('case'));
  if (caseId) out.caseId = caseId;
  const view = pick(z.enum(LINK_VIEWS), q.get('view'));
  if (view) out.view = view;
  const f = q.get('filter');
  if (f) {
    let json: unknown;
    try { json = JSON.parse(f); } catch { json = undefined; }
    const filter = pick(EventFilter.strict(), json);
    if (filter) out.filter = filter;
  }
  const chains = q.get('chains');
  if (chains) {
    let json: unknown;
    try { json = JSON.parse(chains); } catch { json = undefined; }
    const c = pick(ChainsLink, json);
    if (c) out.chains = c;
  }
  const trace = pick(LinkTraceKey, q.get('trace'));
  if (trace) out.trace = trace;
  const ev = q.get('event');
  // Digits only: `1e3`, `0x10`, ` 7` and `-1` are not record ids.
  const event = ev && /^\d{1,16}$/.test(ev) ? pick(LinkEventId, Number(ev)) : undefined;
  if (event !== undefined) out.event = event;
  return out;
}

/** The query string of a place (`?case=…&event=…`, or '' for none). A trace is written only with the trace view, the
 * Chains view's filters only with that view. */
export function formatViewQuery(s: ViewLink): string {
  const q = new URLSearchParams();
  if (s.caseId) q.set('case', s.caseId);
  if (s.view) q.set('view', s.view);
  if (s.filter && Object.keys(s.filter).length) q.set('filter', JSON.stringify(s.filter));
  if (s.view === 'trace' && s.trace) q.set('trace', s.trace);
  if (s.view === 'chains' && s.chains && Object.keys(s.chains).length) q.set('chains', JSON.stringify(s.chains));
  if (s.event != null) q.set('event', String(s.event));
  const str = q.toString();
  return str ? `?${str}` : '';
}

/** The desktop app's deep link to a place. */
export function deepLink(s: ViewLink): string {
  return `${LINK_SCHEME}://${LINK_HOST}${formatViewQuery(s)}`;
}

export type ParsedDeepLink = { ok: true; link: ViewLink } | { ok: false; reason: string };

/**
 * Checks a `casefile://open?…` link as it arrives from the OS (argv, open-url). The envelope is strict (our scheme,
 * the `open` host, no path, user, port or fragment, bounded length); the query is read by parseViewQuery.
 */
export function parseDeepLink(raw: unknown): ParsedDeepLink {
  if (typeof raw !== 'string') return { ok: false, reason: 'not a string' };
  if (raw.length > MAX_LINK_CHARS) return { ok: false, reason: `longer than ${MAX_LINK_CHARS} characters` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return { ok: false, reason: 'control characters or backslashes' };
  // The text itself, not a normalised URL: `open/%2e%2e/` or `open/../x` must not become `open/`.
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(\/?)([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(raw);
  if (!m) return { ok: false, reason: 'not a casefile://open link' };
  const [, scheme, authority, , path, search, hash] = m;
  if (scheme!.toLowerCase() !== LINK_SCHEME) return { ok: false, reason: 'not a casefile: link' };
  if (authority!.toLowerCase() !== LINK_HOST) return { ok: false, reason: `not casefile://${LINK_HOST} (a user, port or other host)` };
  if (path) return { ok: false, reason: 'a path in the link' };
  if (hash !== undefined) return { ok: false, reason: 'a fragment in the link' };
  const link = parseViewQuery(search ?? '');
  if (!link.caseId) return { ok: false, reason: 'no valid case in the link' };
  return { ok: true, link };
}

/** A parsed link is opened only for a case this installation knows. */
export function checkLinkCase(link: ViewLink, knownCaseIds: readonly string[]): ParsedDeepLink {
  if (!link.caseId || !knownCaseIds.includes(link.caseId)) return { ok: false, reason: 'the case is not in this installation' };
  return { ok: true, link };
}
