// Which records make each chain (issue 15): evidence, mentions and generic ids, as rows of
// (key, kind, event_id, mentioned, found_in) computed from the identifiers in steps, optionally scoped to some values
// (an update).
//
// - Evidence: a record names the key where its format's rules say a key of that kind is (a task_id, a request_id,
//   a dashboard poll), or belongs to a file chain. A key claimed by two kinds goes to the kind listed first.
// - Mention: any other record naming the key's value, in any identifier kind and wherever it was found (a URL, a
//   `request_id=` in a string, a dict repr, a SQL literal, a traceback), except where its format says the value is a
//   link (a child's parent_id): it joins the chain marked `mentioned`, with the field it was found in.
// - Generic: a UUID that is no typed key makes a chain of the records naming it.
// - Facets: a value seen in records of more than `facetLimit` other chains joins nothing and makes no chain: it is
//   shared context (a dataset id in every task), not the story of one request. Users, datasets, hosts and client ids
//   are facets by kind and never make chains.
import { sqlString } from '../store/db';
import { kindPriority, type CompiledRules, type IdPair } from './rules';

/** A value named in records of more than this many chains (other than its own) is a facet, not a chain link. */
export const FACET_CHAIN_LIMIT = 20;

export interface MemberScope {
  /** A SQL relation with one column `v`: the values (keys) to recompute. Absent: every key. */
  values?: string;
  facetLimit?: number;
}

const pairCond = (pairs: IdPair[], a: string) =>
  pairs.length ? `(${pairs.map((p) => `(${a}.kind = ${sqlString(p.kind)} AND ${a}.found_in = ${sqlString(p.foundIn)})`).join(' OR ')})` : 'false';

/** Rows of every file chain (one chain per file of these sources): event id and key. */
export function fileChainSql(r: CompiledRules, where = 'true'): string {
  if (!r.fileChains.length) return `SELECT NULL::BIGINT AS event_id, NULL::VARCHAR AS key, NULL::VARCHAR AS kind WHERE false`;
  return r.fileChains.map((c) => `SELECT s.id AS event_id, ${sqlString(c.prefix)} || f.path AS key, ${sqlString(c.kind)} AS kind
    FROM event_store s JOIN files f USING (file_id) WHERE s.source = ${sqlString(c.source)} AND ${where}`).join('\nUNION ALL ');
}

/** A temp table a step writes, and the SELECT that fills it. */
export interface Step {
  name: string; table: string; sql: string;
  /**
   * The same SELECT over one part of the keys (a range), for a step whose every join and GROUP BY includes the key:
   * the parts' rows together are the step's rows. A whole-case GROUP BY over (key, event_id) did not fit the
   * writer's 320 MB on a 10 GB case ("could not allocate block"), and spilling did not save it.
   */
  part?: (p: Part) => string;
}

/**
 * A range of keys [lo, hi) (null: unbounded). Ranges, not hashes: parts written in order keep chain_events sorted by
 * key, which traces read by zone maps.
 */
export interface Part { lo: string | null; hi: string | null }

/** SQL: is key expression `col` in part `p`? */
export const inPart = (col: string, p: Part): string =>
  [...(p.lo !== null ? [`${col} >= ${sqlString(p.lo)}`] : []), ...(p.hi !== null ? [`${col} < ${sqlString(p.hi)}`] : [])].join(' AND ') || 'true';
/** Every key: one statement per step. */
export const WHOLE_KEYS: Part = { lo: null, hi: null };
/** SQL: the rows of `table` whose `col` is in part `p` (the table itself for every key). */
export const partOf = (table: string, p: Part, col = 'key'): string => {
  const cond = inPart(col, p);
  return cond === 'true' ? table : `(SELECT * FROM ${table} WHERE ${cond})`;
};
/** A step that can be cut by keys: its SELECT over every key, and over one part. */
export const partStep = (name: string, table: string, sql: (p: Part) => string): Step => ({ name, table, sql: sql(WHOLE_KEYS), part: sql });

/**
 * Membership as steps, each one statement into a temp table: one or two blocking operators at a time, every one of
 * them a plain hash join or a GROUP BY over fixed-size states (no CTE materialised over the whole identifiers table,
 * no string or list aggregate states), so DuckDB can spill each to its temp directory under a small memory limit.
 * The last step's table holds (key, kind, event_id, mentioned, found_in).
 */
export function membersSteps(r: CompiledRules, scope: MemberScope = {}): Step[] {
  const inScope = (col: string) => (scope.values ? `${col} IN (SELECT v FROM ${scope.values})` : 'true');
  const limit = Math.max(0, Math.trunc(scope.facetLimit ?? FACET_CHAIN_LIMIT));
  const kinds = [...new Set([...r.keys.map((k) => k.kind), ...r.fileChains.map((c) => c.kind)])];
  // A key's kind: the one of highest priority among its evidence (a small integer, so the GROUP BY keeps no strings).
  const prio = kinds.length ? `CASE kind ${kinds.map((k) => `WHEN ${sqlString(k)} THEN ${kindPriority(k)}`).join(' ')} ELSE 99 END` : '99';
  const byPrio = kinds.length ? `CASE p ${kinds.map((k) => `WHEN ${kindPriority(k)} THEN ${sqlString(k)}`).join(' ')} END` : 'NULL';
  const kinds_ = (p: Part) => `SELECT key, ${byPrio} AS kind FROM (SELECT key, min(${prio}) AS p FROM corr_ev WHERE ${inPart('key', p)} GROUP BY key)`;
  // found_in: the least of the record's places for the key (a record may name it in two fields).
  const evidenceRows = (p: Part) => `
      SELECT key, kind, event_id, min(found_in) AS found_in FROM ${partOf('corr_ev', p)} ev
      JOIN ${partOf('corr_k', p)} k USING (key, kind) GROUP BY key, kind, event_id`;
  // Records naming a typed key (any kind of identifier) or a plain UUID, outside link fields: one row per record.
  const candidates = (p: Part) => `
      SELECT c.value, c.event_id, c.found_in, k.kind AS kkind FROM (
        SELECT value, event_id, min(found_in) AS found_in FROM identifiers i
        WHERE value IS NOT NULL AND ${inScope('value')} AND ${inPart('value', p)} AND NOT ${pairCond(r.links, 'i')}
          AND (kind = 'uuid' OR value IN (SELECT key FROM corr_k WHERE ${inPart('key', p)}))
        GROUP BY value, event_id
      ) c LEFT JOIN ${partOf('corr_k', p)} k ON k.key = c.value`;
  // The chains (by evidence) of the records naming each candidate: all evidence rows in a full build; in an update,
  // those of the candidates' records read from the whole case (their other keys may be outside the scope). Counted
  // over distinct (value, chain) pairs, so no DISTINCT aggregate is needed.
  const facets = (p: Part) => `
      SELECT value, count(key) FILTER (WHERE key <> value) AS n FROM (
        SELECT DISTINCT c.value, e.key FROM ${partOf('corr_cand', p, 'value')} c LEFT JOIN (${scope.values ? `
          SELECT i.event_id, i.value AS key FROM identifiers i WHERE ${pairCond(r.keys, 'i')} AND i.event_id IN (SELECT event_id FROM corr_cand)
          UNION ALL SELECT event_id, key FROM (${fileChainSql(r, 's.id IN (SELECT event_id FROM corr_cand)')}) fc`
        : 'SELECT event_id, key FROM corr_ev'}) e USING (event_id)
      ) GROUP BY value`;
  const step = partStep;
  return [
    { name: 'evidence', table: 'corr_ev', sql: `
      SELECT value AS key, kind, event_id, found_in FROM identifiers i
      WHERE value IS NOT NULL AND ${inScope('value')} AND ${pairCond(r.keys, 'i')}
      UNION ALL SELECT key, kind, event_id, 'file' FROM (${fileChainSql(r, inScope(`${fileKeyExpr(r)}`))}) fc` },
    // A key's kind: its evidence of highest priority.
    step('kinds', 'corr_k', kinds_),
    step('evidence_rows', 'corr_evm', evidenceRows),
    step('candidates', 'corr_cand', candidates),
    step('facets', 'corr_seen', facets),
    step('members', 'corr_members', (p) => `
      SELECT key, kind, event_id, false AS mentioned, found_in FROM corr_evm WHERE ${inPart('key', p)}
      UNION ALL
      SELECT c.value, c.kkind, c.event_id, true, c.found_in
      FROM corr_cand c JOIN corr_seen USING (value) ANTI JOIN corr_evm ON corr_evm.key = c.value AND corr_evm.event_id = c.event_id
      WHERE c.kkind IS NOT NULL AND corr_seen.n <= ${limit} AND ${inPart('c.value', p)}
      UNION ALL
      SELECT c.value, 'generic', c.event_id, false, c.found_in
      FROM corr_cand c JOIN corr_seen USING (value) WHERE c.kkind IS NULL AND corr_seen.n <= ${limit} AND ${inPart('c.value', p)}`),
  ];
}

/** The key of a file chain row as an expression over `s` (event_store) and `f` (files), for scoping. */
function fileKeyExpr(r: CompiledRules): string {
  if (!r.fileChains.length) return 'NULL';
  return `CASE s.source ${r.fileChains.map((c) => `WHEN ${sqlString(c.source)} THEN ${sqlString(c.prefix)} || f.path`).join(' ')} END`;
}
