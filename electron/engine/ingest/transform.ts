// Turns a format definition into the one SQL statement that moves a file's staged records into event_store.
// DuckDB does the per-record work (JSON, regex, strptime) vectorised and in parallel; JavaScript only splits lines.
import type { Level } from '../../../shared/domain';
import { sqlString } from '../store/db';
import { EVENT_COLUMNS, tsTextSql } from '../store/schema';
import type { FormatDefinition, TextPattern } from '../formats/types';
import { completePartials, needsContext, shapeIndexSql, shapeLocalSql, stampColumns } from './stampSql';
import { zoneSql } from './timezone';
import { patternRelation } from './patternSql';

/** Level words seen in the wild, mapped onto the normalised six. Formats can add their own (`levelMap`). */
const COMMON_LEVELS: Record<string, Level> = {
  TRACE: 'TRACE', FINEST: 'TRACE', DEBUG: 'DEBUG', FINE: 'DEBUG', D: 'DEBUG',
  INFO: 'INFO', NOTICE: 'INFO', I: 'INFO', WARN: 'WARNING', WARNING: 'WARNING', W: 'WARNING',
  ERROR: 'ERROR', ERR: 'ERROR', EXCEPTION: 'ERROR', E: 'ERROR', SEVERE: 'ERROR',
  CRITICAL: 'CRITICAL', CRIT: 'CRITICAL', FATAL: 'CRITICAL', EMERG: 'CRITICAL', ALERT: 'CRITICAL', C: 'CRITICAL', F: 'CRITICAL',
};

export function levelSql(expr: string, extra: Record<string, Level> = {}): string {
  const map = { ...COMMON_LEVELS, ...extra };
  const whens = Object.entries(map).map(([k, v]) => `WHEN ${sqlString(k)} THEN ${sqlString(v)}`).join(' ');
  return `(CASE upper(trim(${expr})) ${whens} ELSE NULL END)`;
}

function list(items: string[]): string {
  return `[${items.map(sqlString).join(', ')}]`;
}

/** Normalises ISO-ish spellings so a handful of strptime formats cover them. */
function normalizeSql(expr: string): string {
  return `regexp_replace(replace(replace(regexp_replace(${expr}, 'Z$', '+00:00'), 'T', ' '), ',', '.'), '(\\.[0-9]{6})[0-9]+', '\\1')`;
}

function firstNonEmpty(exprs: string[]): string {
  if (exprs.length === 0) return 'NULL::VARCHAR';
  if (exprs.length === 1) return `nullif(${exprs[0]}, '')`;
  return `coalesce(${exprs.map((e) => `nullif(${e}, '')`).join(', ')})`;
}

export interface TransformParams {
  source: string;
  /** Zone for naive stamps: IANA name or fixed offset "+05:30". */
  zone: string;
  /**
   * Some files of the batch came inside an envelope: temp table stage_env (envelopeStage.ts) holds, per record, its
   * stream, the envelope's stamp (env_iso) and fields and the original wrapped text (stage.raw is the inner text).
   */
  envelope?: boolean;
  /** Only the records of this stream (a file holding several services is transformed once per stream). */
  stream?: string;
  /** Only the records of streams not in this list. */
  otherStreams?: string[];
  /**
   * Only the staged records whose rowid is in [from, to): a large batch is transformed in several statements (each
   * record's row depends on that record alone), so one statement's working set stays bounded (transformCuts).
   */
  rows?: { from: number; to: number };
  /** Only the records that got a time: the others are inserted apart (untimed.ts), never updated in event_store. */
  timed?: boolean;
  /** Only the staged records whose (file_id, line) is in temp table stage_missing, into temp table stage_deferred. */
  missing?: boolean;
  /** Into temp table stage_deferred (all the records: the call's are mostly untimed, untimed.ts). */
  deferred?: boolean;
  /** Not an INSERT: how many records, and how many of them untimed (a sample's, untimed.ts). */
  countOnly?: boolean;
}

/** The envelope columns every layer carries (NULL without an envelope). */
const ENV = 'env_ts, env_ts_text, env_flag, env_fields, orig';

/** The staged records, with their envelope columns. */
function stageRelation(p: TransformParams): string {
  const rows = [...(p.rows ? [`s.rowid >= ${Math.trunc(p.rows.from)} AND s.rowid < ${Math.trunc(p.rows.to)}`] : []),
    ...(p.missing ? ['EXISTS (SELECT 1 FROM stage_missing m WHERE m.file_id = s.file_id AND m.line = s.line)'] : [])];
  const where = (conds: string[]) => (conds.length ? `WHERE ${conds.join(' AND ')}` : '');
  return p.envelope
    ? `(SELECT s.file_id, s.line, s.line_count, s.raw, e.env_iso::TIMESTAMPTZ AS env_ts, e.env_ts_text, e.env_flag, e.env_fields::JSON AS env_fields, e.orig
        FROM stage s LEFT JOIN stage_env e ON e.file_id = s.file_id AND e.line = s.line
        ${where([...rows,
          ...(p.stream !== undefined ? [`e.stream = ${sqlString(p.stream)}`] : []),
          ...(p.otherStreams ? [`e.stream NOT IN (${p.otherStreams.map(sqlString).join(', ') || 'NULL'})`] : [])])})`
    : `(SELECT file_id, line, line_count, raw, NULL::TIMESTAMPTZ AS env_ts, NULL::VARCHAR AS env_ts_text, NULL::VARCHAR AS env_flag,
          NULL::JSON AS env_fields, NULL::VARCHAR AS orig FROM stage s ${where(rows)})`;
}

/**
 * CASEFILE_TRANSFORM_CUT_BYTES: the input one transform statement takes at most (tests inject a tiny one). The size
 * of a DuckDB reader batch, so only a file larger than a batch is cut: each statement costs time of its own (the 1 GB
 * tree: 10 % less CPU than 64 MB cuts). It costs memory on many small files: the 10 GB tree's pipeline runs peaked
 * at 1229 MB against 1117 MB at 64 MB cuts (docs/BENCHMARKS.md).
 */
export const transformCutBytes = () => Number(process.env.CASEFILE_TRANSFORM_CUT_BYTES) || 256 * 1024 * 1024;

/**
 * The rowid ranges a batch's transform is cut into: about `cutBytes` of the batch's `bytes` each, over the staged
 * rowids [0, end). One range (the whole stage) when the batch is small.
 */
export function transformCuts(end: number, bytes: number, cutBytes = transformCutBytes()): { from: number; to: number }[] {
  const n = Math.max(1, Math.min(end, Math.ceil(bytes / cutBytes)));
  const step = Math.ceil(end / n);
  const out: { from: number; to: number }[] = [];
  for (let from = 0; from < end || !out.length; from += step) out.push({ from, to: Math.min(end, from + step) });
  return out;
}

/**
 * Time columns shared by JSON and text formats. DuckDB's own ISO cast is ~10x faster than strptime, so it reads the
 * common spellings first; the format's strptime layouts catch the rest. A stamp with an offset is never read as
 * naive and vice versa, so a cast cannot quietly drop an offset or invent one.
 */
function timeColumns(def: FormatDefinition, tsText: string, epoch: string | null, zone: string): string {
  const t = def.time;
  const norm = 'ts_norm';
  const hasOffset = 'ts_has_offset';
  const inline = t.inline?.length
    ? `CASE WHEN ${hasOffset} THEN try(coalesce(try_cast(${norm} AS TIMESTAMPTZ), try_strptime(${tsText}, ${list(t.inline)}))) END`
    : 'NULL::TIMESTAMPTZ';
  const naive = t.naive?.length
    ? `CASE WHEN NOT ${hasOffset} THEN try(${zoneSql(zone, naiveLocal(def, tsText)!)}) END`
    : 'NULL::TIMESTAMPTZ';
  // try(): an epoch out of range, NaN or infinite is a value that does not convert, never an error for the import.
  const shapes = t.shapes?.length ? stampColumns(t.shapes, tsText, zone, 's', 's_shape')
    : 'NULL::TIMESTAMPTZ AS s_abs, NULL::TIMESTAMPTZ AS s_naive, NULL::TIMESTAMP AS s_part, NULL::VARCHAR AS s_need';
  return `${epoch ? `try(to_timestamp(${epoch}))` : 'NULL::TIMESTAMPTZ'} AS t_epoch, ${inline} AS t_inline, ${naive} AS t_naive, ${shapes}`;
}

/** The naive wall-clock TIMESTAMP of the format's naive layouts (over ts_norm), before the site zone places it. */
function naiveLocal(def: FormatDefinition, tsText: string): string | null {
  return def.time.naive?.length ? `coalesce(try_cast(ts_norm AS TIMESTAMP), try_strptime(${tsText}, ${list(def.time.naive)}))` : null;
}

/**
 * A relation's `naive`-flagged records (columns id, ts_text) with their new instant `ts_new` under `zone`: the very
 * expressions the transform placed them with (t_naive, else s_naive), so a case re-timed to a zone holds what an
 * import under that zone would have stored (ingest/retime.ts).
 */
export function naiveRetimeSql(def: FormatDefinition, relation: string, zone: string): string {
  const local = naiveLocal(def, 'ts_text');
  const t = local ? `CASE WHEN NOT ts_has_offset THEN try(${zoneSql(zone, local)}) END` : 'NULL::TIMESTAMPTZ';
  const s = def.time.shapes?.length ? zoneSql(zone, shapeLocalSql(def.time.shapes, 'ts_text', 's_shape')) : 'NULL::TIMESTAMPTZ';
  return `SELECT id, coalesce(${t}, ${s}) AS ts_new FROM ${withNorm(def, relation)} n`;
}

/** Adds ts_norm (the stamp in ISO spelling) and ts_has_offset to a relation that has ts_text, computed once. */
function withNorm(def: FormatDefinition, relation: string): string {
  // ISO spelling for DuckDB's fast cast: comma millis to dot, no space before an offset. A failing try_cast is
  // expensive (it builds an error per row), so the common spellings must succeed.
  const base = `replace(replace(replace(ts_text, ',', '.'), ' +', '+'), ' -', '-')`;
  const norm = def.time.normalize ? normalizeSql(base) : base;
  return `(SELECT *, (position('+' IN substr(ts_norm, 12)) > 0 OR position('-' IN substr(ts_norm, 12)) > 0) AS ts_has_offset
    FROM (SELECT *, ${norm} AS ts_norm${def.time.shapes?.length ? `, ${shapeIndexSql(def.time.shapes, 'ts_text')} AS s_shape` : ''} FROM ${relation} r0) r1)`;
}

/**
 * CASEFILE_STORE_TEXT=1: store message and ts_text as text beside raw, as cases made before did (the reference the
 * tests compare the derived text with, and the A/B switch of the bench).
 */
const storeText = () => process.env.CASEFILE_STORE_TEXT === '1';

/**
 * The rows of `select` with message and ts_text NULL where they are verbatim in raw, and where (msg_at/ts_at,
 * msg_len/ts_len): the first occurrence (any is the same text), kept only when that substring is the very value
 * (schema.ts messageSql/tsTextSql read it back), so an escaped, trimmed or joined text is stored as it is.
 */
function storedSpans(select: string): string {
  const cols = [['message', 'msg'], ['ts_text', 'ts']] as const;
  const span = cols.map(([c, k]) => `position(${c} IN raw) AS ${k}_at0, length(${c}) AS ${k}_len0`).join(', ');
  // Found is enough: position() counts characters as substr() does, and a valid UTF-8 text found in raw starts and ends
  // on character boundaries, so substr(raw, at, len) is the very value (comparing it cost a copy of every message).
  const kept = cols.map(([, k]) => `(${k}_at0 > 0) AS ${k}_kept`).join(', ');
  const work = cols.flatMap(([, k]) => [`${k}_at0`, `${k}_len0`, `${k}_kept`]).join(', ');
  return `SELECT * EXCLUDE (${work}) REPLACE (${cols.map(([c, k]) => `CASE WHEN ${k}_kept THEN NULL ELSE ${c} END AS ${c}`).join(', ')}),
      ${cols.map(([, k]) => `CASE WHEN ${k}_kept THEN ${k}_at0 END, CASE WHEN ${k}_kept THEN ${k}_len0 END`).join(', ')}
    FROM (SELECT *, ${kept} FROM (SELECT *, ${span} FROM (${select}) r0) r1) r2`;
}

/**
 * Final projection shared by every kind: ids are the file's base + line (stage_files), so a file's ids follow its
 * lines. Records without a readable time get one from the record before them afterwards (untimed.ts).
 * A parsed record with an epoch that does not convert keeps its text and fields but is flagged `malformed`
 * (its fields stay NULL = its raw JSON, which is how the import counts these apart from unparseable lines).
 */
function finalSelect(p: TransformParams, inner: string): string {
  // The record's own complete stamp wins; then its partial stamp (no time yet: flagged here, completed from the
  // envelope or the file's context by completeTimesSql); then the envelope's stamp.
  const select = `SELECT b.base + t.line AS id, t.file_id, ${sqlString(p.source)} AS source, t.line, t.line_count,
      coalesce(t_epoch, t_inline, t_naive, s_abs, s_naive, CASE WHEN s_part IS NULL THEN env_ts END) AS ts,
      CASE WHEN coalesce(t_epoch, t_inline, t_naive, s_abs, s_naive, s_part) IS NULL AND env_ts IS NOT NULL THEN env_ts_text ELSE ts_text END AS ts_text,
      CASE WHEN t_epoch IS NOT NULL THEN 'epoch' WHEN t_inline IS NOT NULL OR s_abs IS NOT NULL THEN 'inline'
        WHEN t_naive IS NOT NULL OR s_naive IS NOT NULL THEN 'naive'
        WHEN s_part IS NOT NULL THEN CASE s_need WHEN 'date' THEN 'date-inferred' ELSE 'year-inferred' END
        WHEN env_ts IS NOT NULL THEN coalesce(env_flag, 'envelope') ELSE 'none' END AS ts_flag,
      level, logger, message,
      CASE WHEN env_fields IS NULL THEN fields ELSE json_merge_patch(env_fields, coalesce(fields, try_cast(raw AS JSON))) END AS fields,
      coalesce(orig, raw) AS raw,
      CASE WHEN parse_status = 'ok' AND epoch_text IS NOT NULL AND t_epoch IS NULL THEN 'malformed' ELSE parse_status END AS parse_status
    FROM (${inner}) t JOIN stage_files b ON b.file_id = t.file_id`;
  if (p.countOnly) return `SELECT count(*)::INTEGER AS n, count_if(ts IS NULL)::INTEGER AS untimed FROM (${select}) t0`;
  const rows = p.timed ? `SELECT * FROM (${select}) t0 WHERE ts IS NOT NULL` : select;
  return `INSERT INTO ${p.missing || p.deferred ? 'stage_deferred' : 'event_store'} (${insertedColumns().join(', ')}) ${storeText() ? rows : storedSpans(rows)}`;
}

/** The event_store columns a transform writes. */
export const insertedColumns = (): string[] => [...EVENT_COLUMNS, ...(storeText() ? [] : ['msg_at', 'msg_len', 'ts_at', 'ts_len'])];

/** How many staged records one transform call takes (all its cuts). */
export function stagedCountSql(p: TransformParams): string {
  return `SELECT count(*)::VARCHAR AS n FROM ${stageRelation({ ...p, rows: undefined, missing: false })} s`;
}

function jsonTransform(def: FormatDefinition, p: TransformParams): string {
  const keys = [...new Set([...def.time.fields, ...(def.time.epoch ?? []), ...(def.level ?? []), ...(def.logger ?? []), ...(def.message ?? [])])];
  const col = (k: string) => `v.${JSON.stringify(k)}`;
  // Malformed lines: salvage the stamp and level by regex, so a torn record still lands in the right place.
  const salvage = (k: string) => `regexp_extract(raw, ${sqlString(`"${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:\\s*"([^"]*)"`)}, 1)`;
  const pick = (fields: string[] | undefined) => firstNonEmpty((fields ?? []).map(col));
  const pickSalvaged = (fields: string[] | undefined) => firstNonEmpty((fields ?? []).map(salvage));
  const epochText = def.time.epoch?.length ? firstNonEmpty(def.time.epoch.map(col)) : null;
  // One JSON parse per record, into a struct of just the keys we need; try() makes invalid JSON a NULL, not an error.
  const shape = sqlString(JSON.stringify(Object.fromEntries(keys.map((k) => [k, 'VARCHAR']))));
  const parsed = `SELECT file_id, line, line_count, raw, ${ENV}, v, v IS NOT NULL AND starts_with(ltrim(raw), '{') AS ok
    FROM (SELECT file_id, line, line_count, raw, ${ENV}, try(json_transform(raw, ${shape})) AS v FROM ${stageRelation(p)} s0) s`;
  const fields = `SELECT file_id, line, line_count, raw, ${ENV}, ok,
      CASE WHEN ok THEN ${pick(def.time.fields)} ELSE ${pickSalvaged(def.time.fields)} END AS ts_text,
      ${epochText ? `CASE WHEN ok THEN ${epochText} END` : 'NULL::VARCHAR'} AS epoch_text,
      CASE WHEN ok THEN ${pick(def.level)} ELSE ${pickSalvaged(def.level)} END AS level_text,
      CASE WHEN ok THEN ${pick(def.logger)} ELSE ${pickSalvaged(def.logger)} END AS logger,
      CASE WHEN ok THEN ${pick(def.message)} ELSE ${pickSalvaged(def.message)} END AS message
    FROM (${parsed}) q`;
  // A parsed JSON record's fields are its raw text: stored once (fields NULL), exposed by the events view.
  return finalSelect(p, `SELECT file_id, line, line_count, raw, ${ENV}, ts_text, logger, message, epoch_text,
      ${levelSql('level_text', def.levelMap)} AS level,
      CASE WHEN ok THEN NULL ELSE '{}'::JSON END AS fields,
      CASE WHEN ok THEN 'ok' ELSE 'malformed' END AS parse_status,
      ${timeColumns(def, 'ts_text', epochText ? 'try_cast(epoch_text AS DOUBLE)' : null, p.zone)}
    FROM ${withNorm(def, `(${fields})`)} f`);
}

/**
 * The extras a parsed record's fields take, found once: x_which is the first extra whose regex matches `on`, and x<i>
 * that extra's groups as a struct (one regex pass for all of them, only on the records it matched).
 */
export function extrasLayers(extras: TextPattern[], on: string, relation: string): string {
  if (!extras.length) return relation;
  const which = `(CASE WHEN ok THEN CASE ${extras.map((x, i) => `WHEN regexp_matches(${on}, ${sqlString(x.regex)}, 's') THEN ${i}`).join(' ')} END END)`;
  const structs = extras.flatMap((x, i) => (x.groups.length
    ? [`CASE WHEN x_which = ${i} THEN regexp_extract(${on}, ${sqlString(x.regex)}, ${list(x.groups)}, 's') END AS x${i}`] : []));
  return `(SELECT *${structs.map((c) => `, ${c}`).join('')} FROM (SELECT *, ${which} AS x_which FROM ${relation} x_0) x_1)`;
}

/**
 * A text record's fields built as text over extrasLayers: the members `"name":"value"` whose value is non-empty,
 * the pattern's groups first, then the matching extra's. The same bytes as
 * json_merge_patch(json_merge_patch('{}', json_object(groups)), extrasJson(...)) (yyjson's minified object, nulls
 * dropped, a patch's new names appended) without parsing or writing JSON per record. Null when the names would make
 * the merge do more than append (a name twice, or in both): the caller keeps the merge then.
 */
export function fieldsText(groups: string[], g: (name: string) => string, extras: TextPattern[]): string | null {
  const extraNames = extras.flatMap((x) => x.groups);
  if (new Set(groups).size !== groups.length || extras.some((x) => new Set(x.groups).size !== x.groups.length)
    || extraNames.some((n) => groups.includes(n)) || [...groups, ...extraNames].some((n) => !/^[\w.-]+$/.test(n))) return null;
  // to_json writes a string as json_object does (the same yyjson writer, the same escapes).
  const member = (name: string, value: string) => `CASE WHEN ${value} <> '' THEN ${sqlString(`${JSON.stringify(name)}:`)} || to_json(${value})::VARCHAR END`;
  const extra = extras.some((x) => x.groups.length) ? [`(CASE x_which ${extras.flatMap((x, i) => (x.groups.length
    ? [`WHEN ${i} THEN nullif(concat_ws(',', ${x.groups.map((n) => member(n, `x${i}.${JSON.stringify(n)}`)).join(', ')}), '')`] : [])).join(' ')} END)`] : [];
  const members = [...groups.map((n) => member(n, g(n))), ...extra];
  return `('{' || concat_ws(',', ${members.length ? members.join(', ') : "''"}) || '}')`;
}

export function extrasJson(extras: TextPattern[], on: string): string {
  if (!extras.length) return `'{}'::JSON`;
  const whens = extras.map((x) => {
    const obj = x.groups.map((g, i) => `${sqlString(g)}, nullif(regexp_extract(${on}, ${sqlString(x.regex)}, ${i + 1}, 's'), '')`).join(', ');
    return `WHEN regexp_matches(${on}, ${sqlString(x.regex)}, 's') THEN json_object(${obj})`;
  });
  return `(CASE ${whens.join(' ')} ELSE '{}'::JSON END)`;
}

/**
 * logfmt: `key=value` pairs (quoted values unquoted) as a JSON object; the first of a repeated key wins. Only the first
 * MAX_PAIRS pairs become fields (finding repeats is quadratic; a line of 50 000 pairs must not stall the import); the
 * record's text keeps them all.
 */
const PAIR = '(?:^|\\s)([A-Za-z_][\\w.\\-]*)=("(?:[^"\\\\]|\\\\.)*"|\\S*)';
const MAX_PAIRS = 256;
function keyValueJson(text: string): string {
  const keys = `regexp_extract_all(${text}, ${sqlString(PAIR)}, 1)[1:${MAX_PAIRS}]`;
  const values = `list_transform(regexp_extract_all(${text}, ${sqlString(PAIR)}, 2)[1:${MAX_PAIRS}], lambda v: replace(regexp_replace(v, '^"(.*)"$', '\\1', 's'), '\\"', '"'))`;
  return `try(to_json(map_from_entries(list_filter(list_zip(${keys}, ${values}), lambda x, i: list_position(${keys}, x[1]) = i))))`;
}

function textTransform(def: FormatDefinition, p: TransformParams): string {
  const pat = def.pattern;
  if (!pat) throw new Error(`format ${def.id}: a text format needs a pattern`);
  const g = (name: string) => `g.${JSON.stringify(name)}`;
  // A name is a group of the pattern, or with keyValues a key of the record's pairs.
  const named = (f: string) => (pat.groups.includes(f) ? [g(f)] : def.keyValues ? [`(kv->>${sqlString(`$.${JSON.stringify(f)}`)})`] : []);
  const pickG = (fields: string[] | undefined) => firstNonEmpty((fields ?? []).flatMap(named));
  // A pattern with alternatives (one layout or another in the same log) names a message group per alternative.
  const messageGroups = (def.message ?? []).filter((m) => pat.groups.includes(m));
  const keep = pat.groups.filter((x) => !messageGroups.includes(x));
  const groupJson = keep.length ? `json_object(${keep.map((k) => `${sqlString(k)}, nullif(${g(k)}, '')`).join(', ')})` : `'{}'::JSON`;
  const inner = `SELECT file_id, line, line_count, raw, ${ENV}, g,
      ${def.keyValues ? keyValueJson('raw') : 'NULL::JSON'} AS kv
    FROM ${patternRelation(pat, 'raw', stageRelation(p))} s0`;
  // The record parsed when the pattern matched: its first group, or with alternatives any group, is non-empty; a
  // key=value record when it has pairs.
  const groupsMatched = pat.alternatives ? `(${pat.groups.map((x) => `${g(x)} <> ''`).join(' OR ')})` : `${g(pat.groups[0]!)} <> ''`;
  const matched = def.keyValues ? `(${groupsMatched} OR coalesce(kv::VARCHAR, '{}') <> '{}')` : groupsMatched;
  const message = def.keyValues ? `coalesce(${pickG(def.message)}, raw)`
    : messageGroups.length > 1 ? `coalesce(${firstNonEmpty(messageGroups.map(g))}, '')` : messageGroups.length ? g(messageGroups[0]!) : 'raw';
  const fieldsJson = def.keyValues ? `json_merge_patch(coalesce(kv, '{}'::JSON), ${groupJson})` : `json_merge_patch('{}', ${groupJson})`;
  const cols = `SELECT file_id, line, line_count, raw, ${ENV}, g, kv,
      ${matched} AS ok,
      ${pickG(def.time.fields)} AS ts_text,
      ${pickG(def.level)} AS level_text,
      ${pickG(def.logger)} AS logger,
      CASE WHEN ${matched} THEN ${message} ELSE raw END AS message
    FROM (${inner}) i`;
  const extras = def.extras ?? [];
  const asText = def.keyValues ? null : fieldsText(keep, g, extras);
  const fields = asText ? `${asText}::JSON` : `json_merge_patch(${fieldsJson}, ${extrasJson(extras, 'message')})`;
  return finalSelect(p, `SELECT file_id, line, line_count, raw, ${ENV}, ts_text, logger, message, NULL::VARCHAR AS epoch_text,
      ${levelSql('level_text', def.levelMap)} AS level,
      CASE WHEN ok THEN ${fields} ELSE '{}'::JSON END AS fields,
      CASE WHEN ok THEN 'ok' ELSE 'malformed' END AS parse_status,
      ${timeColumns(def, 'ts_text', null, p.zone)}
    FROM ${withNorm(def, asText ? extrasLayers(extras, 'message', `(${cols})`) : `(${cols})`)} c`);
}

function rawTransform(def: FormatDefinition, p: TransformParams): string {
  return finalSelect(p, `SELECT file_id, line, line_count, raw, ${ENV}, NULL::VARCHAR AS ts_text, NULL::VARCHAR AS logger, raw AS message, NULL::VARCHAR AS epoch_text,
      NULL::VARCHAR AS level, '{}'::JSON AS fields, 'unparsed' AS parse_status,
      NULL::TIMESTAMPTZ AS t_epoch, NULL::TIMESTAMPTZ AS t_inline, NULL::TIMESTAMPTZ AS t_naive,
      NULL::TIMESTAMPTZ AS s_abs, NULL::TIMESTAMPTZ AS s_naive, NULL::TIMESTAMP AS s_part, NULL::VARCHAR AS s_need
    FROM ${stageRelation(p)} s0`);
}

export function transformSql(def: FormatDefinition, p: TransformParams): string {
  if (def.kind === 'json') return jsonTransform(def, p);
  if (def.kind === 'text') return textTransform(def, p);
  return rawTransform(def, p);
}

/**
 * Completes the stamps a transform left without a date or year (ts NULL, flagged date-/year-inferred) in one UPDATE
 * over just those events: re-read from ts_text, dated from their envelope (stage_env) or the file's context
 * (stage_ctx), rolled over midnight in line order. Null when the format has no such shapes. The import runs it on the
 * records it set apart (untimed.ts: `stage_deferred`), not on event_store.
 */
export function completeTimesSql(def: FormatDefinition, p: TransformParams, idList: string, table = 'event_store'): string | null {
  const shapes = def.time.shapes;
  if (!needsContext(shapes)) return null;
  const env = p.envelope
    ? `LEFT JOIN stage_env e ON e.file_id = x.file_id AND e.line = x.line`
    : `LEFT JOIN (SELECT NULL::INTEGER AS file_id, NULL::INTEGER AS line, NULL::VARCHAR AS env_iso) e ON false`;
  const partial = `SELECT x.id, x.file_id, x.line, x.s_part, x.s_need, e.env_iso::TIMESTAMPTZ AS env_ts, c.ctx_anchor, c.ctx_date, c.ctx_mtime
    FROM (SELECT id, file_id, line, ${stampColumns(shapes!, 'ts_text', p.zone, 's')} FROM (SELECT id, file_id, line, ${tsTextSql('e')} AS ts_text
          FROM ${table} e WHERE file_id IN (${idList}) AND source = ${sqlString(p.source)} AND ts IS NULL AND ts_flag IN ('date-inferred', 'year-inferred')) e) x
    ${env} LEFT JOIN stage_ctx c ON c.file_id = x.file_id`;
  return `UPDATE ${table} SET ts = r.s_inferred FROM ${completePartials(`(${partial})`, p.zone)} r WHERE ${table}.id = r.id`;
}
