// Identifier extraction at ingest (issue 4): one set-based INSERT per import batch, over just that batch's rows.
// What is read where is data: each format's correlation rules (field values, patterns over the record text, status
// lines; see formats/correlation.ts) plus one common pass for every record (UUIDs, hosts, user=/dataset=, IPv4, the
// operator's id patterns). Each identifier keeps where it was found: the field name, or `text` for free text.
import { DEFAULT_ID_PATTERNS, type IdPattern } from '../../../shared/correlation';
import { nonCapturing, UUID } from '../formats/correlation';
import type { CaseDb } from '../store/db';
import { sqlString } from '../store/db';
import { fieldsSql, messageSql } from '../store/schema';
import { errorLevel, keepsReasons, reasonOf, tracebackIn } from './failureReasons';
import { rules, type StatusLine, type TextId } from './rules';

export const UUID_RE = UUID;

/** Status evidence per event (success/failure/running, final or not), read once at ingest so chains need no raw text. */
export const STATUS_DDL = `CREATE TABLE IF NOT EXISTS event_status (event_id BIGINT, status VARCHAR, final BOOLEAN)`;

// Everywhere: UUIDs, host names, `user=`/`dataset=` values, IPv4 addresses and the operator's id patterns, found in
// ONE regex pass over the record (an alternation; RE2 runs it as one automaton) and told apart afterwards on the short
// matches. A pass per kind costs a full read of the text each; on a 1 GB case that was most of the extraction time.
// A UUID is a mention wherever it is written; the key it is written under (`request_id=…`, `"task_id": "…"`,
// `'parent_id': '…'`, `\"id\": \"…`, SQL's `request_id = '…'`) is kept as where it was found, a URL path as `url`,
// anything else as `text`.
const UUID_MENTION = `(?:(?:\\\\[nrt])?[A-Za-z_][A-Za-z0-9_]*(?:\\s?=\\s?'?|\\\\?"\\s?:\\s?\\\\?"|'\\s?:\\s?')|/)?${UUID}`;
const HOST_RE = '(?:@|https?://)[a-z0-9][a-z0-9-]*(?:\\.[a-z0-9-]+)*\\.[a-z]{2,}';
const KV_RE = '\\b(?:user|dataset)=[A-Za-z][\\w.@-]{0,63}';
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])';
const IP_RE = `\\b${OCTET}(?:\\.${OCTET}){3}\\b`;
/** A JSON escape (`\n` written as backslash-n) before an id counts as a word boundary. */
const ESCAPE_RE = '\\\\[nrt]';

function commonSql(patterns: IdPattern[]): string {
  // No capturing group anywhere in the alternation (see nonCapturing): the kinds are told apart on the matches below.
  const alts = [UUID_MENTION, HOST_RE, KV_RE, IP_RE, ...patterns.map(patternRegex)];
  const combined = alts.map((x) => `(?:${x})`).join('|');
  // A leading JSON escape (ESCAPE_RE at the start) stripped without a regex call.
  const unescaped = `CASE WHEN starts_with(m_, '\\') AND substr(m_, 2, 1) IN ('n', 'r', 't') THEN substr(m_, 3) ELSE m_ END`;
  // Each regex test is behind a cheap test the match must pass anyway (a UUID's last dash, an address's first digit):
  // most matches are user names and client ids, which then reach their own branch without a regex call per kind.
  const kinds = [
    `WHEN length(m_) >= 36 AND substr(m_, length(m_) - 12, 1) = '-' AND regexp_full_match(right(m_, 36), ${sqlString(UUID)}) THEN ${entry('uuid', 'lower(right(m_, 36))', MENTION_FOUND_IN, true)}`,
    `WHEN starts_with(m_, '@') OR starts_with(m_, 'http') THEN ${entry('host', "regexp_replace(m_, '^(?:@|https?://)', '')", 'text')}`,
    `WHEN starts_with(m_, 'user=') OR starts_with(m_, 'dataset=') THEN {'kind': split_part(m_, '=', 1), 'value': substr(m_, strpos(m_, '=') + 1), 'found_in': 'text'}`,
    `WHEN substr(m_, 1, 1) BETWEEN '0' AND '9' AND regexp_full_match(m_, ${sqlString(IP_RE)}) THEN ${entry('ip', 'm_', 'text')}`,
    ...patterns.map((p) => `WHEN regexp_full_match(${unescaped}, ${sqlString(p.regex)}) THEN ${entry(p.kind, unescaped, 'text')}`),
  ];
  return `list_filter(list_transform(regexp_extract_all(raw, ${sqlString(combined)}), lambda m_: CASE ${kinds.join(' ')} END), lambda e_: e_ IS NOT NULL)`;
}

/** Where a UUID match was found: `url` after a slash, the key before `=`/`:`, else `text`. */
const MENTION_FOUND_IN = `CASE WHEN length(m_) = 36 THEN 'text' WHEN starts_with(m_, '/') THEN 'url'
  ELSE regexp_extract(m_, ${sqlString('^(?:\\\\[nrt])?([A-Za-z_][A-Za-z0-9_]*)')}, 1) END`;

const entry = (kind: string, value: string, foundIn: string, foundInSql = false) =>
  `{'kind': ${sqlString(kind)}, 'value': ${value}, 'found_in': ${foundInSql ? foundIn : sqlString(foundIn)}}`;
/** UUIDs are stored lower-case whatever kind they are, so a mention matches its key in any spelling. */
const norm = (v: string) => `CASE WHEN length(${v}) = 36 AND substr(${v}, 9, 1) = '-' AND regexp_full_match(${v}, ${sqlString(UUID)}) THEN lower(${v}) ELSE ${v} END`;
const fromText = (r: TextId, on: string) => {
  const all = r.groups.map((g) => `list_transform(regexp_extract_all(${on}, ${sqlString(r.regex)}, ${g.index}), lambda m_: ${entry(g.kind, norm('m_'), r.foundIn)})`);
  const list = all.length === 1 ? all[0]! : `list_concat(${all.join(', ')})`;
  if (!r.hints.length) return list;
  return `CASE WHEN ${r.hints.map((h) => `contains(${on}, ${sqlString(h)})`).join(' OR ')} THEN ${list} ELSE [] END`;
};

/**
 * Whole-word match of an operator pattern, without capturing groups. JSON escapes (`\n` before a value inside a
 * string) count as a boundary, so an id right after an escaped newline is still found (the escape is stripped from
 * the match); a longer word containing the pattern is not.
 */
export function patternRegex(p: IdPattern): string {
  return `(?:${ESCAPE_RE}|\\b)(?:${nonCapturing(p.regex)})\\b`;
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

/**
 * An expression that differs by format: `expr` of each source that has one (null: none), told apart by the row's
 * `source` when there are several. With one source it applies to every row, as a batch of one format always did.
 */
function bySource(sources: string[], expr: (source: string) => string | null, otherwise: string): string | null {
  const arms = sources.flatMap((s) => { const e = expr(s); return e === null ? [] : [[s, e] as const]; });
  if (!arms.length) return null;
  if (sources.length === 1) return arms[0]![1];
  return `CASE source ${arms.map(([s, e]) => `WHEN ${sqlString(s)} THEN ${e}`).join(' ')} ELSE ${otherwise} END`;
}

/** A format's declared fields, read at once from the record's fields (`f`). */
function fieldValuesSql(source: string): string | null {
  const fields = rules().bySource.get(source)?.fields ?? [];
  return fields.length ? `json_extract_string(f, [${fields.map((r) => sqlString(`$.${r.field}`)).join(', ')}])` : null;
}

/** A format's own identifiers of a record (its fields' values in `fv`, its patterns over the text) as one list. */
function specificSql(source: string): string | null {
  const src = rules().bySource.get(source);
  const fields = src?.fields ?? [];
  const fieldList = fields.length ? [`[${fields.map((r, i) => entry(r.kind, norm(`fv[${i + 1}]`), r.field)).join(', ')}]`] : [];
  const specific = [...fieldList, ...(src?.text ?? []).map((r) => fromText(r, 'raw'))];
  if (!specific.length) return null;
  return specific.length === 1 ? specific[0]! : `list_concat(${specific.join(', ')})`;
}

/**
 * When a record of this format can have identifiers of its own: always with declared fields or a text rule without
 * hints, else only when one of its text rules' hints is in the text; null for a format with no rules of its own.
 */
function specPossibleSql(source: string): string | null {
  const src = rules().bySource.get(source);
  if (!src || (!src.fields.length && !src.text.length)) return null;
  if (src.fields.length || src.text.some((r) => !r.hints.length)) return 'true';
  return [...new Set(src.text.flatMap((r) => r.hints))].map((h) => `contains(raw, ${sqlString(h)})`).join(' OR ');
}

/**
 * The INSERT that extracts the identifiers of the rows `where` selects, each row by the rules of its format
 * (`sources`: the formats among those rows). One statement over many formats' files keeps both cores busy: DuckDB
 * scans a row group on one thread, and a small format's files often fit in one.
 */
export function extractSql(sources: string | string[], where: string, patterns: IdPattern[]): string {
  const list = typeof sources === 'string' ? [sources] : sources;
  const fv = bySource(list, fieldValuesSql, 'NULL') ?? 'NULL';
  const specList = bySource(list, specificSql, '[]');
  const from = `SELECT id, source, raw, ${fv} AS fv FROM (SELECT id, source, raw, ${fieldsSql('s')} AS f FROM event_store s WHERE ${where}) b1`;
  if (!specList) return `INSERT INTO identifiers ${entryRows(commonSql(patterns), from)}`;
  // Most records of most formats have no identifier of their own (no field declared, no hint in the text): their
  // list is the common pass's, with no list built, filtered and merged per record (a third of the extraction's CPU on
  // the system log's records). CASE evaluates each branch only for the rows it selects.
  const possible = bySource(list, specPossibleSql, 'false')!;
  // A UUID that a rule above already named in this record (a task_id, a request_id) is not kept again as plain `uuid`.
  const merged = `CASE WHEN len(spec) = 0 THEN c_all ELSE list_concat(spec, list_filter(c_all,
      lambda c_: c_.kind <> 'uuid' OR NOT list_contains(list_transform(spec, lambda s: s.value), c_.value))) END`;
  return `INSERT INTO identifiers ${entryRows(merged, `SELECT id, spec, ${commonSql(patterns)} AS c_all FROM (
      SELECT id, raw, CASE WHEN ${possible} THEN list_filter(${specList}, lambda s: s.value IS NOT NULL AND s.value <> '' AND s.value <> 'None') ELSE [] END AS spec
      FROM (${from}) v1) x1`)}`;
}

/**
 * One row per distinct entry of each record's list (`list` over the columns of `from`). A duplicate is dropped by
 * keeping each entry's first place (list_position): cheaper than list_distinct's hash set per record, and most records
 * have one entry or none. Entries never hold a NULL (list_position would not find it).
 */
const entryRows = (list: string, from: string) => `SELECT id, e.kind, e.value, e.found_in FROM (
    SELECT id, unnest(CASE WHEN len(l_) < 2 THEN l_ ELSE list_filter(l_, lambda x_, i_: list_position(l_, x_) = i_) END) AS e
    FROM (SELECT id, ${list} AS l_ FROM (${from}) y0))`;

/** What a status line reads: a column, or a field of the record. */
const readOn = (on: string) => (['level', 'message', 'raw'].includes(on) ? on : `json_extract_string(f, ${sqlString(`$.${on}`)})`);

/** One status line as SQL: the outcome it gives a record, or NULL. */
function statusExpr(r: StatusLine): string {
  const on = readOn(r.on);
  if (r.status) return `CASE WHEN ${r.regex ? `regexp_matches(${on}, ${sqlString(r.regex)})` : `${on} IS NOT NULL`} THEN ${sqlString(r.status)} END`;
  let read = r.regex ? `regexp_extract(${on}, ${sqlString(r.regex)}, ${r.group ?? 1})` : on;
  if (r.ignoreCase) read = `lower(${read})`;
  const cases = Object.entries(r.values ?? {}).map(([k, v]) => `WHEN ${sqlString(r.ignoreCase ? k.toLowerCase() : k)} THEN ${sqlString(v)}`);
  return `CASE ${read} ${cases.join(' ')} END`;
}

/** A cheap condition a record must meet for the line to apply (most records carry no status evidence at all). */
function statusPretest(r: StatusLine): string {
  const on = readOn(r.on);
  if (r.hints.length) return r.hints.map((h) => `contains(${on === 'level' ? 'level' : on.startsWith('json') ? 'f' : on}, ${sqlString(h)})`).join(' OR ');
  if (!['level', 'message', 'raw'].includes(r.on)) return `contains(f, ${sqlString(`"${r.on}"`)})`;
  if (r.regex) return `regexp_matches(${on}, ${sqlString(r.regex)})`;
  if (r.values) return `${r.ignoreCase ? `lower(${on})` : on} IN (${Object.keys(r.values).map((k) => sqlString(r.ignoreCase ? k.toLowerCase() : k)).join(', ')})`;
  return `${on} IS NOT NULL`;
}

/** Which flagged records can give a failed chain its reason (over corr_flags' columns): read at extraction and when filling event_reasons. */
const REASON_CANDIDATE = "err OR st = 'failure' OR tb";

/**
 * One pass over the batch's rows for what only a few records carry: status evidence, and what can give a failed
 * chain its reason (failureReasons.ts). Into a temp table of just those records, from which both tables are filled.
 * Null when there is nothing to read (no status lines, no reasons kept). Each row by its own format's status lines.
 */
export function flagsSql(sources: string | string[], where: string, reasons: boolean): string | null {
  const list = typeof sources === 'string' ? [sources] : sources;
  const linesOf = (s: string) => rules().bySource.get(s)?.status ?? [];
  const pretestOf = (s: string) => (linesOf(s).length ? linesOf(s).map((l) => `(${statusPretest(l)})`).join(' OR ') : null);
  const statusOf = (s: string) => {
    const lines = linesOf(s);
    if (!lines.length) return null;
    const expr = lines.length === 1 ? statusExpr(lines[0]!) : `coalesce(${lines.map(statusExpr).join(', ')})`;
    return `CASE WHEN ${pretestOf(s)!} THEN ${expr} END`;
  };
  const pretest = bySource(list, pretestOf, 'false');
  if (!pretest && !reasons) return null;
  const st = bySource(list, statusOf, 'NULL') ?? 'NULL::VARCHAR';
  const keep = [...(pretest ? [pretest] : []), ...(reasons ? [errorLevel('s'), tracebackIn('s')] : [])].join(' OR ');
  return `CREATE OR REPLACE TEMP TABLE corr_flags AS
    SELECT id, st, ts, tb, err, CASE WHEN ${reasons ? REASON_CANDIDATE : 'false'} THEN ${reasonOf('s')} END AS reason FROM (
      SELECT *, ${st} AS st, ${tracebackIn('s')} AS tb, ${errorLevel('s')} AS err FROM (
        SELECT id, source, ts, level, ${messageSql('e')} AS message, raw, fields, ${fieldsSql('e')} AS f FROM event_store e WHERE ${where}) s
      WHERE ${keep}) s`;
}

/**
 * The batch's rows. A batch's file ids are consecutive, and the BETWEEN lets DuckDB skip the rest of the case by zone
 * maps (a long IN list alone becomes a join that scans every row of the case, once per batch).
 */
export function batchWhere(fileIds: number[]): string {
  const ids = fileIds.map((n) => Math.trunc(n));
  return `file_id BETWEEN ${Math.min(...ids)} AND ${Math.max(...ids)} AND file_id IN (${ids.join(', ')})`;
}

/** Extracts identifiers and status evidence for the events of these files (of any formats). */
export async function extractBatch(db: CaseDb, fileIds: number[], patterns: IdPattern[] = DEFAULT_ID_PATTERNS): Promise<void> {
  if (!fileIds.length) return;
  const where = batchWhere(fileIds);
  await db.run(STATUS_DDL);
  const sources = (await db.all<{ source: string }>(`SELECT DISTINCT source FROM event_store WHERE ${where} AND source IS NOT NULL ORDER BY 1`))
    .map((r) => r.source);
  if (!sources.length) return;
  await db.run(extractSql(sources, where, usablePatterns(patterns)));
  const reasons = await keepsReasons(db, fileIds);
  const flags = flagsSql(sources, where, reasons);
  if (!flags) return;
  await db.run(flags);
  // Success and failure are final; running is not (a later success still counts).
  await db.run(`INSERT INTO event_status SELECT id, st, st <> 'running' FROM corr_flags WHERE st IS NOT NULL`);
  if (reasons) await db.run(`INSERT INTO event_reasons SELECT id, ts, tb, err, reason FROM corr_flags WHERE ${REASON_CANDIDATE}`);
  await db.run('DROP TABLE temp.corr_flags');
}
