// Which records make each chain (issue 15): evidence, mentions and generic ids, as one SELECT of
// (key, kind, event_id, mentioned, found_in) over the identifiers, optionally scoped to some values (an update).
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

export function membersSql(r: CompiledRules, scope: MemberScope = {}): string {
  const inScope = (col: string) => (scope.values ? `${col} IN (SELECT v FROM ${scope.values})` : 'true');
  const limit = Math.max(0, Math.trunc(scope.facetLimit ?? FACET_CHAIN_LIMIT));
  const kinds = [...new Set([...r.keys.map((k) => k.kind), ...r.fileChains.map((c) => c.kind)])];
  const prio = kinds.length ? `CASE kind ${kinds.map((k) => `WHEN ${sqlString(k)} THEN ${kindPriority(k)}`).join(' ')} ELSE 99 END` : '99';
  return `
    WITH idn AS (SELECT event_id, kind, value, found_in FROM identifiers i WHERE value IS NOT NULL AND ${inScope('value')}),
    ev AS (
      SELECT value AS key, kind, event_id, found_in FROM idn i WHERE ${pairCond(r.keys, 'i')}
      UNION ALL SELECT key, kind, event_id, 'file' FROM (${fileChainSql(r, inScope(`${fileKeyExpr(r)}`))}) fc),
    k AS (SELECT key, arg_min(kind, ${prio}) AS kind FROM ev GROUP BY key),
    evm AS (SELECT key, kind, event_id, min(found_in) AS found_in FROM ev JOIN k USING (key, kind) GROUP BY ALL),
    -- Records naming a typed key (any kind of identifier) or a plain UUID, outside link fields: one row per record.
    cand AS (
      SELECT c.*, k.kind AS kkind FROM (
        SELECT value, event_id, min(found_in) AS found_in FROM idn i
        WHERE NOT ${pairCond(r.links, 'i')} AND (kind = 'uuid' OR value IN (SELECT key FROM k)) GROUP BY value, event_id
      ) c LEFT JOIN k ON k.key = c.value),
    -- The chains (by evidence) of the records naming each candidate: all evidence rows in a full build; in an update,
    -- those of the candidates' records read from the whole case (their other keys may be outside the scope).
    evk AS (${scope.values ? `
      SELECT i.event_id, i.value AS key FROM identifiers i WHERE ${pairCond(r.keys, 'i')} AND i.event_id IN (SELECT event_id FROM cand)
      UNION SELECT event_id, key FROM (${fileChainSql(r, 's.id IN (SELECT event_id FROM cand)')}) fc`
    : 'SELECT DISTINCT event_id, key FROM ev'}),
    seen AS (
      SELECT c.value, count(DISTINCT e.key) FILTER (WHERE e.key <> c.value) AS n
      FROM cand c LEFT JOIN evk e USING (event_id) GROUP BY c.value)
    SELECT key, kind, event_id, false AS mentioned, found_in FROM evm
    UNION ALL
    SELECT c.value, c.kkind, c.event_id, true, c.found_in
    FROM cand c JOIN seen USING (value) ANTI JOIN evm ON evm.key = c.value AND evm.event_id = c.event_id
    WHERE c.kkind IS NOT NULL AND seen.n <= ${limit}
    UNION ALL
    SELECT c.value, 'generic', c.event_id, false, c.found_in
    FROM cand c JOIN seen USING (value) WHERE c.kkind IS NULL AND seen.n <= ${limit}`;
}

/** The key of a file chain row as an expression over `s` (event_store) and `f` (files), for scoping. */
function fileKeyExpr(r: CompiledRules): string {
  if (!r.fileChains.length) return 'NULL';
  return `CASE s.source ${r.fileChains.map((c) => `WHEN ${sqlString(c.source)} THEN ${sqlString(c.prefix)} || f.path`).join(' ')} END`;
}
