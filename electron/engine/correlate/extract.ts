// Identifier extraction at ingest (issue 4): one set-based INSERT per import batch, over just that batch's rows.
// What is read where is data (RULES below): field values per source, regexes over the record text, the operator's
// id patterns. Each identifier keeps where it was found: the field name, or `text` for free text.
import { DEFAULT_ID_PATTERNS, type IdPattern } from '../../../shared/correlation';
import type { CaseDb } from '../store/db';
import { sqlString } from '../store/db';
import { fieldsSql } from '../store/schema';

export const UUID_RE = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** Status evidence per event (success/failure/running, final or not), read once at ingest so chains need no raw text. */
export const STATUS_DDL = `CREATE TABLE IF NOT EXISTS event_status (event_id BIGINT, status VARCHAR, final BOOLEAN)`;

interface FieldRule { field: string; kind: string; uuid?: boolean }
/** `hints`: literal strings one of which a record must contain for the regex to run (a cheap test that skips most rows). */
interface TextRule { kind: string; regex: string; foundIn: string; uuid?: boolean; hints?: string[] }
/** `statusWhere`: a cheap condition a record must meet to carry status evidence at all (most records carry none). */
interface SourceRules { fields?: FieldRule[]; text?: TextRule[]; status?: string; statusWhere?: string }

/**
 * Per source (the format id). `status` is a SQL expression over columns level, message, f (fields JSON), raw giving
 * a STRUCT(status, final) or NULL: the event's evidence for the status of the chain it belongs to.
 */
const RULES: Record<string, SourceRules> = {
  celery: {
    fields: [
      { field: 'task_id', kind: 'celery_task', uuid: true },
      { field: 'task', kind: 'celery_task_name' },
      { field: 'root_id', kind: 'celery_task', uuid: true },
      { field: 'parent_id', kind: 'celery_task', uuid: true },
    ],
    status: `CASE json_extract_string(f, '$.task_event')
      WHEN 'succeeded' THEN {'status': 'success', 'final': true}
      WHEN 'raised' THEN {'status': 'failure', 'final': true} WHEN 'failed' THEN {'status': 'failure', 'final': true}
      WHEN 'revoked' THEN {'status': 'failure', 'final': true}
      WHEN 'received' THEN {'status': 'running', 'final': false} WHEN 'retry' THEN {'status': 'running', 'final': false} END`,
    statusWhere: `contains(f, '"task_event"')`,
  },
  system: {
    // The dashboard's polls and submits: "<task-uuid> -> PENDING", "<task-uuid> <- task_name ids".
    text: [{ kind: 'celery_task', regex: `(${UUID_RE}) (?:->|<-) `, foundIn: 'data', uuid: true, hints: [' -> ', ' <- '] }],
    statusWhere: `contains(raw, ' -> ')`,
    status: `CASE regexp_extract(raw, ' -> ([A-Z]+)', 1)
      WHEN 'SUCCESS' THEN {'status': 'success', 'final': true}
      WHEN 'FAILURE' THEN {'status': 'failure', 'final': true} WHEN 'REVOKED' THEN {'status': 'failure', 'final': true}
      WHEN 'PENDING' THEN {'status': 'running', 'final': false} WHEN 'STARTED' THEN {'status': 'running', 'final': false}
      WHEN 'RETRY' THEN {'status': 'running', 'final': false} END`,
  },
  taskblade: {
    fields: [
      { field: 'request_id', kind: 'taskblade_request', uuid: true },
      { field: 'user', kind: 'user' },
      { field: 'dataset', kind: 'dataset' },
    ],
    status: `CASE WHEN level IN ('ERROR', 'CRITICAL') THEN {'status': 'failure', 'final': true}
      ELSE CASE lower(regexp_extract(message, '^(?:Query Status|Updated Result): (\\w+)', 1))
        WHEN 'success' THEN {'status': 'success', 'final': true} WHEN 'failure' THEN {'status': 'failure', 'final': true}
        WHEN 'failed' THEN {'status': 'failure', 'final': true} WHEN 'error' THEN {'status': 'failure', 'final': true}
        WHEN 'pending' THEN {'status': 'running', 'final': false} WHEN 'running' THEN {'status': 'running', 'final': false} END END`,
    statusWhere: `level IN ('ERROR', 'CRITICAL') OR starts_with(message, 'Query Status: ') OR starts_with(message, 'Updated Result: ')`,
  },
  pipeline: {
    fields: [
      { field: 'runid', kind: 'pipeline_run' },
      { field: 'application', kind: 'application' },
    ],
    text: [{ kind: 'metadata_entity', regex: `Registered \\w+ (${UUID_RE})`, foundIn: 'data', uuid: true, hints: ['Registered '] }],
    statusWhere: `level IN ('ERROR', 'CRITICAL') OR message IN ('Process completed', 'Starting run')`,
    status: `CASE WHEN level IN ('ERROR', 'CRITICAL') THEN {'status': 'failure', 'final': true}
      WHEN message = 'Process completed' THEN {'status': 'success', 'final': true}
      WHEN message = 'Starting run' THEN {'status': 'running', 'final': false} END`,
  },
  prefect: {
    fields: [{ field: 'task', kind: 'prefect_task' }],
    text: [
      { kind: 'prefect_flow', regex: `\\| (?:Beginning Flow run for |Flow )'([^']+)'`, foundIn: 'text', hints: ['Flow '] },
      // Task output lines are logged by `prefect.<task>`.
      { kind: 'prefect_task', regex: `^\\[[^\\]]+\\] [A-Z]+ - prefect\\.(run_[\\w.-]+) \\|`, foundIn: 'logger', hints: ['prefect.run_'] },
    ],
    status: `CASE WHEN json_extract_string(f, '$.flow_state') IN ('SUCCESS', 'Success') THEN {'status': 'success', 'final': true}
      WHEN json_extract_string(f, '$.flow_state') IN ('FAILED', 'Failed') THEN {'status': 'failure', 'final': true}
      WHEN json_extract_string(f, '$.final_state') IN ('Failed', 'TriggerFailed', 'TimedOut') THEN {'status': 'failure', 'final': false}
      WHEN message LIKE 'Beginning Flow run%' THEN {'status': 'running', 'final': false} END`,
    statusWhere: `contains(f, '_state"') OR starts_with(message, 'Beginning Flow run')`,
  },
  doodle: {
    text: [{ kind: 'metadata_entity', regex: `/metadata/api/v[0-9]+/\\w+/(${UUID_RE})`, foundIn: 'url', uuid: true, hints: ['/metadata/api/'] }],
  },
};

// Everywhere: UUIDs, host names, `user=`/`dataset=` values, IPv4 addresses and the operator's id patterns, found in
// ONE regex pass over the record (an alternation; RE2 runs it as one automaton) and told apart afterwards on the short
// matches. A pass per kind costs a full read of the text each; on a 1 GB case that was most of the extraction time.
const HOST_RE = '(?:@|https?://)[a-z0-9][a-z0-9-]*(?:\\.[a-z0-9-]+)*\\.[a-z]{2,}';
const KV_RE = '\\b(?:user|dataset)=[A-Za-z][\\w.@-]{0,63}';
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])';
const IP_RE = `\\b${OCTET}(?:\\.${OCTET}){3}\\b`;
/** A JSON escape (`\n` written as backslash-n) before an id counts as a word boundary. */
const ESCAPE_RE = '\\\\[nrt]';

function commonSql(patterns: IdPattern[]): string {
  const alts = [UUID_RE, HOST_RE, KV_RE, IP_RE, ...patterns.map(patternRegex)];
  const combined = alts.map((x) => `(?:${x})`).join('|');
  const unescaped = `regexp_replace(m_, ${sqlString(`^${ESCAPE_RE}`)}, '')`;
  const kinds = [
    `WHEN regexp_full_match(m_, ${sqlString(UUID_RE)}) THEN ${entry('uuid', 'lower(m_)', 'text')}`,
    `WHEN starts_with(m_, '@') OR starts_with(m_, 'http') THEN ${entry('host', "regexp_replace(m_, '^(?:@|https?://)', '')", 'text')}`,
    `WHEN starts_with(m_, 'user=') OR starts_with(m_, 'dataset=') THEN {'kind': split_part(m_, '=', 1), 'value': substr(m_, strpos(m_, '=') + 1), 'found_in': 'text'}`,
    `WHEN regexp_full_match(m_, ${sqlString(IP_RE)}) THEN ${entry('ip', 'm_', 'text')}`,
    ...patterns.map((p) => `WHEN regexp_full_match(${unescaped}, ${sqlString(p.regex)}) THEN ${entry(p.kind, unescaped, 'text')}`),
  ];
  return `list_filter(list_transform(regexp_extract_all(raw, ${sqlString(combined)}), lambda m_: CASE ${kinds.join(' ')} END), lambda e_: e_ IS NOT NULL)`;
}

const entry = (kind: string, value: string, foundIn: string) => `{'kind': ${sqlString(kind)}, 'value': ${value}, 'found_in': ${sqlString(foundIn)}}`;
const fromText = (r: TextRule, on: string) => {
  const all = `list_transform(regexp_extract_all(${on}, ${sqlString(r.regex)}, 1), lambda m_: ${entry(r.kind, r.uuid ? 'lower(m_)' : 'm_', r.foundIn)})`;
  if (!r.hints?.length) return all;
  return `CASE WHEN ${r.hints.map((h) => `contains(${on}, ${sqlString(h)})`).join(' OR ')} THEN ${all} ELSE [] END`;
};

/**
 * Whole-word match of an operator pattern. JSON escapes (`\n` before a value inside a string) count as a boundary,
 * so an id right after an escaped newline is still found; a longer word containing the pattern is not.
 */
export function patternRegex(p: IdPattern): string {
  return `(?:${ESCAPE_RE}|\\b)(${p.regex})\\b`;
}

/**
 * Operator patterns that can run in both engines: they must compile in JavaScript and use nothing RE2 lacks
 * (lookaround, backreferences). A pattern that cannot is skipped rather than failing the import.
 */
export function usablePatterns(patterns: IdPattern[]): IdPattern[] {
  return patterns.filter((p) => {
    if (/\(\?[=!<]|\\[1-9]/.test(p.regex)) return false;
    try { new RegExp(p.regex); return true; } catch { return false; }
  });
}

/** The INSERT that extracts one batch's identifiers. `source` is the batch's format (import batches are one format). */
export function extractSql(source: string, where: string, patterns: IdPattern[]): string {
  const rules = RULES[source] ?? {};
  const fields = rules.fields ?? [];
  const fv = fields.length ? `json_extract_string(f, [${fields.map((r) => sqlString(`$.${r.field}`)).join(', ')}])` : 'NULL';
  const specific = [
    ...fields.map((r, i) => `[${entry(r.kind, r.uuid ? `lower(fv[${i + 1}])` : `fv[${i + 1}]`, r.field)}]`),
    ...(rules.text ?? []).map((r) => fromText(r, 'raw')),
  ];
  const specList = specific.length ? `list_concat(${specific.join(', ')})` : `[]::STRUCT(kind VARCHAR, value VARCHAR, found_in VARCHAR)[]`;
  // A UUID that a rule above already named in this record (a task_id, a request_id) is not kept again as plain `uuid`.
  return `INSERT INTO identifiers
    SELECT id, e.kind, e.value, e.found_in FROM (
      SELECT id, unnest(list_distinct(list_concat(spec,
        list_filter(${commonSql(patterns)},
                    lambda c_: c_.kind <> 'uuid' OR NOT list_contains(list_transform(spec, lambda s: s.value), c_.value))))) AS e
      FROM (
        SELECT id, raw, list_filter(${specList}, lambda s: s.value IS NOT NULL AND s.value <> '' AND s.value <> 'None') AS spec
        FROM (SELECT id, raw, ${fv} AS fv FROM (SELECT id, raw, ${fieldsSql('s')} AS f FROM event_store s WHERE ${where}) b1) v1
      ) x1
    ) y1`;
}

export function statusSql(source: string, where: string): string | null {
  const expr = RULES[source]?.status;
  if (!expr) return null;
  const only = RULES[source]?.statusWhere;
  return `INSERT INTO event_status SELECT id, st.status, st.final FROM (
      SELECT id, ${expr} AS st FROM (SELECT id, level, message, raw, ${fieldsSql('s')} AS f FROM event_store s WHERE ${where}) b
      ${only ? `WHERE ${only}` : ''}
    ) WHERE st IS NOT NULL`;
}

/**
 * The batch's rows. A batch's file ids are consecutive, and the BETWEEN lets DuckDB skip the rest of the case by zone
 * maps (a long IN list alone becomes a join that scans every row of the case, once per batch).
 */
export function batchWhere(fileIds: number[]): string {
  const ids = fileIds.map((n) => Math.trunc(n));
  return `file_id BETWEEN ${Math.min(...ids)} AND ${Math.max(...ids)} AND file_id IN (${ids.join(', ')})`;
}

/** Extracts identifiers and status evidence for the events of these files (all of one format). */
export async function extractBatch(db: CaseDb, fileIds: number[], patterns: IdPattern[] = DEFAULT_ID_PATTERNS): Promise<void> {
  if (!fileIds.length) return;
  const where = batchWhere(fileIds);
  await db.run(STATUS_DDL);
  const src = await db.one<{ source: string | null }>(`SELECT any_value(source) AS source FROM event_store WHERE ${where}`);
  if (!src?.source) return;
  await db.run(extractSql(src.source, where, usablePatterns(patterns)));
  const st = statusSql(src.source, where);
  if (st) await db.run(st);
}
