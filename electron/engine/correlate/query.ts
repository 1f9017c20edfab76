// Reading chains: the filtered, sorted list and the trace of one key (a chain key or any identifier value).
import type { ChainKind, ChainLink, ChainStatus, ChainSummary, EventIdentifier, IdentifierRole, TraceResult } from '../../../shared/correlation';
import type { EventRow } from '../../../shared/domain';
import { hasTables, type SqlRead } from '../store/db';
import { FILE_COLUMNS, ROW_COLUMNS, toEventRow, type RawRow } from '../store/rows';
import { checkInstant, elapsedMs, Params } from '../store/sql';
import { CHAIN_OFFSET_MAX, CHAIN_PAGE_MAX } from '../../../shared/contract/chains';
import { UUID_RE } from './extract';
import { rules } from './rules';

export interface ChainListRequest {
  kinds?: ChainKind[];
  statuses?: ChainStatus[];
  minDurationMs?: number;
  text?: string;
  /** Chains with any time inside [from, to] (the timeline's window); chains without times are left out then. */
  from?: string;
  to?: string;
  sort?: 'first' | 'duration' | 'events';
  limit: number;
  /** Chains to skip in the sort order (the next page). The order ends in `key` (unique), so pages never overlap. */
  offset?: number;
}

/** Most events a trace returns; a generic identifier (a user, a host) can be named by a large part of the case. */
export const TRACE_EVENT_LIMIT = 20_000;

const ISO = (col: string) => `strftime(${col}, '%Y-%m-%dT%H:%M:%S.%gZ')`;
export const SUMMARY_COLUMNS = `key, kind, label, status, ${ISO('first_ts')} AS first, ${ISO('last_ts')} AS last, duration_ms, sources, events, "user", dataset, failure_reason`;

export interface SummaryRow {
  key: string; kind: string; label: string; status: string; first: string | null; last: string | null;
  duration_ms: string | number | null; sources: string[] | null; events: string | number; user: string | null; dataset: string | null;
  failure_reason: string | null;
}

export function toSummary(r: SummaryRow): ChainSummary {
  return {
    key: r.key, kind: r.kind as ChainKind, label: r.label, status: r.status as ChainStatus,
    first: r.first, last: r.last, durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    sources: r.sources ?? [], events: Number(r.events), user: r.user, dataset: r.dataset, failureReason: r.failure_reason,
  };
}

/** A whole number in [min, max]: limit and offset are written into the SQL, so whatever reaches here is clamped. */
const bounded = (n: number, min: number, max: number): number => Math.max(min, Math.min(max, Math.trunc(Number.isFinite(n) ? n : min)));

/** Whether this case has chains yet (a case imported before correlation existed, or an empty one, does not). */
export async function hasChains(db: SqlRead): Promise<boolean> {
  return hasTables(db, ['chains', 'chain_events', 'chain_links'], true);
}

export async function listChains(db: SqlRead, req: ChainListRequest): Promise<{ chains: ChainSummary[]; total: number; queryMs: number }> {
  const t0 = performance.now();
  if (!(await hasChains(db))) return { chains: [], total: 0, queryMs: elapsedMs(t0) };
  const p = new Params();
  const where: string[] = [];
  if (req.kinds?.length) where.push(`kind IN (${p.list(req.kinds)})`);
  if (req.statuses?.length) where.push(`status IN (${p.list(req.statuses)})`);
  if (req.minDurationMs !== undefined) where.push(`duration_ms >= ${p.add(req.minDurationMs)}`);
  // `search` is key, label, user and dataset lower-cased at build time: one substring test per chain.
  if (req.text?.trim()) where.push(`contains(search, ${p.add(req.text.trim().toLowerCase())})`);
  if (req.from) where.push(`last_ts >= ${p.instant(checkInstant(req.from, 'Range start'))}`);
  if (req.to) where.push(`first_ts <= ${p.instant(checkInstant(req.to, 'Range end'))}`);
  const order = req.sort === 'duration' ? 'duration_ms DESC NULLS LAST, key'
    : req.sort === 'events' ? 'events DESC, key'
      : 'first_ts DESC NULLS LAST, key';
  // The page (a top-N) and the count run side by side: a window count would make DuckDB materialise every match.
  const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [rows, count] = await Promise.all([
    // Top-N first, formatting after: only the page's rows get their instants printed.
    db.read<SummaryRow>(`SELECT ${SUMMARY_COLUMNS} FROM (
        SELECT * FROM chains ${cond} ORDER BY ${order} LIMIT ${bounded(req.limit, 1, CHAIN_PAGE_MAX)} OFFSET ${bounded(req.offset ?? 0, 0, CHAIN_OFFSET_MAX)}) c
      ORDER BY ${order}`, p.values),
    db.read<{ n: string | number }>(`SELECT count(*) AS n FROM chains ${cond}`, p.values),
  ]);
  const total = Number(count[0]?.n ?? 0);
  return { chains: rows.map(toSummary), total, queryMs: elapsedMs(t0) };
}

/** Ids further apart than this are read by separate range scans (a chain spans a few files, each a tight id range). */
const CLUSTER_GAP = 20_000;

/**
 * The events of these ids in time order. Event ids follow the files' lines and the store is written in id order, so
 * a `BETWEEN` per cluster of nearby ids lets DuckDB skip every row group outside them instead of scanning the case.
 */
async function eventsByIds(db: SqlRead, idsIn: number[]): Promise<EventRow[]> {
  const ids = [...new Set(idsIn)].sort((a, b) => a - b).slice(0, TRACE_EVENT_LIMIT);
  if (!ids.length) return [];
  const clusters: number[][] = [];
  for (const id of ids) {
    const cur = clusters[clusters.length - 1];
    if (cur && id - cur[cur.length - 1]! <= CLUSTER_GAP) cur.push(id);
    else clusters.push([id]);
  }
  const parts = clusters.map((c) => `SELECT ${ROW_COLUMNS} FROM event_store s
    WHERE s.id BETWEEN ${c[0]} AND ${c[c.length - 1]} AND s.id IN (${c.join(', ')})`);
  const rows = await db.read<RawRow>(
    `SELECT q.*, ${FILE_COLUMNS} FROM (${parts.join('\n UNION ALL ')}) q JOIN files f USING (file_id)
     ORDER BY q.ts_us NULLS LAST, q.id`);
  return rows.map((r) => toEventRow(r));
}

async function linksOf(db: SqlRead, keys: string[]): Promise<ChainLink[]> {
  if (!keys.length) return [];
  const p = new Params();
  const list = p.list(keys);
  const rows = await db.read<{ from_key: string; to_key: string; relation: string; inferred: boolean; rule: string; detail: string | null }>(
    `SELECT * FROM chain_links WHERE from_key IN (${list}) OR to_key IN (${list}) ORDER BY inferred, relation, from_key, to_key`, p.values);
  return rows.map((r) => ({ from: r.from_key, to: r.to_key, relation: r.relation, inferred: r.inferred, rule: r.rule, ...(r.detail ? { detail: r.detail } : {}) }));
}

/**
 * A chain key gives its chain. Any other identifier value gives the records that name it, with a summary computed
 * on the spot (kind generic) and the links of the chains those records belong to.
 */
export async function traceKey(db: SqlRead, rawKey: string): Promise<TraceResult> {
  const t0 = performance.now();
  const key = new RegExp(`^${UUID_RE}$`).test(rawKey.trim()) ? rawKey.trim().toLowerCase() : rawKey.trim();
  if (!(await hasChains(db))) return { chain: null, events: [], links: [], queryMs: elapsedMs(t0) };
  const p = new Params();
  const k = p.add(key);
  const [chain] = await db.read<SummaryRow>(`SELECT ${SUMMARY_COLUMNS} FROM chains WHERE key = ${k}`, p.values);
  if (chain) {
    const members = await db.read<{ id: string | number; mentioned: boolean; found_in: string | null }>(
      `SELECT event_id AS id, mentioned, found_in FROM chain_events WHERE key = ${k} LIMIT ${TRACE_EVENT_LIMIT + 1}`, p.values);
    const [events, links] = await Promise.all([eventsByIds(db, members.map((m) => Number(m.id))), linksOf(db, [key])]);
    const mentions = members.filter((m) => m.mentioned).map((m) => ({ eventId: Number(m.id), foundIn: m.found_in ?? 'text' }))
      .sort((a, b) => a.eventId - b.eventId);
    return { chain: toSummary(chain), events, links, mentions, queryMs: elapsedMs(t0) };
  }
  // Not a chain key: the records that name this value anywhere (one scan of the identifiers' value column).
  const found = await db.read<{ id: string | number; kind: string }>(
    `SELECT DISTINCT event_id AS id, kind FROM identifiers WHERE value = ${k} ORDER BY id LIMIT ${TRACE_EVENT_LIMIT}`, p.values);
  if (!found.length) return { chain: null, events: [], links: [], queryMs: elapsedMs(t0) };
  const events = await eventsByIds(db, found.map((r) => Number(r.id)));
  const timed = events.filter((e) => e.ts !== null).map((e) => e.ts!);
  const first = timed[0] ?? null;
  const last = timed[timed.length - 1] ?? null;
  const summary: ChainSummary = {
    key, kind: 'generic', label: [...new Set(found.map((r) => r.kind))].sort()[0]!, status: 'unknown', first, last,
    durationMs: first && last ? Date.parse(last) - Date.parse(first) : null,
    sources: [...new Set(events.map((e) => e.source))].sort(), events: new Set(found.map((r) => r.id)).size, user: null, dataset: null,
    failureReason: null,
  };
  const ids = [...new Set(found.map((r) => Number(r.id)))];
  const owners = await db.read<{ key: string }>(
    `SELECT DISTINCT key FROM chain_events WHERE kind <> 'generic' AND event_id IN (${ids.slice(0, 5000).join(', ')}) LIMIT 50`);
  return { chain: summary, events, links: await linksOf(db, owners.map((o) => o.key)), queryMs: elapsedMs(t0) };
}

/**
 * Every identifier of one record and what it is: where its format puts a key (key) or a link, a value that is some
 * chain's key written elsewhere (mention), a facet (user, dataset, host, ip, operator client ids, a UUID over the facet
 * limit), a name, or any other value (a UUID keying a generic chain); plus the file chain the record belongs to. Each
 * with the chain it keys, if any.
 */
export async function identifiersOf(db: SqlRead, eventId: number): Promise<EventIdentifier[]> {
  const id = Math.trunc(eventId);
  if (!(await hasChains(db))) return [];
  const rows = await db.read<{ kind: string; value: string; found_in: string; ckind: string | null }>(
    `SELECT DISTINCT i.kind, i.value, i.found_in, c.kind AS ckind FROM identifiers i LEFT JOIN chains c ON c.key = i.value
     WHERE i.event_id = ${id} ORDER BY i.kind, i.value, i.found_in`);
  const files = await db.read<{ key: string; kind: string }>(
    `SELECT key, kind FROM chain_events WHERE event_id = ${id} AND found_in = 'file' ORDER BY key`);
  const r = rules();
  const has = (list: { kind: string; foundIn: string }[], kind: string, foundIn: string) => list.some((p) => p.kind === kind && p.foundIn === foundIn);
  const known = new Set(['uuid', ...r.keys.map((k) => k.kind), ...r.links.map((k) => k.kind), ...r.nameKinds, ...r.facetKinds]);
  const roleOf = (x: { kind: string; found_in: string; ckind: string | null }): IdentifierRole =>
    has(r.keys, x.kind, x.found_in) ? 'key' : has(r.links, x.kind, x.found_in) ? 'link'
      : x.ckind && x.ckind !== 'generic' ? 'mention'
        // Operator id patterns (client ids) are kinds no format declares: facets too; so is a UUID that makes no
        // chain (named across more chains than the facet limit).
        : r.facetKinds.has(x.kind) || !known.has(x.kind) || (x.kind === 'uuid' && !x.ckind) ? 'facet'
          : r.nameKinds.has(x.kind) ? 'name' : 'value';
  return [
    ...files.map((f) => ({ kind: f.kind, value: f.key, foundIn: 'file', role: 'key' as const, chain: { key: f.key, kind: f.kind as ChainKind } })),
    ...rows.map((x) => ({ kind: x.kind, value: x.value, foundIn: x.found_in, role: roleOf(x), chain: x.ckind ? { key: x.value, kind: x.ckind as ChainKind } : null })),
  ];
}
