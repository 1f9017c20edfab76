// Turns a format definition into the one SQL statement that moves a file's staged records into event_store.
// DuckDB does the per-record work (JSON, regex, strptime) vectorised and in parallel; JavaScript only splits lines.
import { LEVELS, type Level } from '../../../shared/domain';
import { sqlString } from '../store/db';
import type { FormatDefinition, TextPattern } from '../formats/types';
import { zoneSql } from './timezone';

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
void LEVELS;

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
  fileId: number;
  baseId: number;
  source: string;
  /** Zone for naive stamps: IANA name or fixed offset "+05:30". */
  zone: string;
}

/** Time columns shared by JSON and text formats, given expressions for the stamp text and epoch seconds. */
function timeColumns(def: FormatDefinition, tsText: string, epoch: string | null, zone: string): string {
  const t = def.time;
  const norm = t.normalize ? normalizeSql(tsText) : tsText;
  const parts: string[] = [];
  if (epoch) parts.push(`to_timestamp(${epoch})`);
  if (t.inline?.length) parts.push(`try_strptime(${norm}, ${list(t.inline)})`);
  if (t.naive?.length) parts.push(zoneSql(zone, `try_strptime(${norm}, ${list(t.naive)})`));
  const flagWhens = [
    epoch ? `WHEN ${epoch} IS NOT NULL THEN 'epoch'` : '',
    t.inline?.length ? `WHEN try_strptime(${norm}, ${list(t.inline)}) IS NOT NULL THEN 'inline'` : '',
    t.naive?.length ? `WHEN try_strptime(${norm}, ${list(t.naive)}) IS NOT NULL THEN 'naive'` : '',
  ].join(' ');
  const ts0 = parts.length ? `coalesce(${parts.join(', ')})` : 'NULL::TIMESTAMPTZ';
  const flag = flagWhens.trim() ? `CASE ${flagWhens} ELSE NULL END` : 'NULL::VARCHAR';
  return `${ts0} AS ts0, ${flag} AS flag0`;
}

/** Final projection shared by every kind: inherits a time for records without one, assigns ids. */
function finalSelect(p: TransformParams, inner: string): string {
  return `INSERT INTO event_store
    SELECT ${p.baseId} + line AS id, ${p.fileId} AS file_id, ${sqlString(p.source)} AS source, line, line_count,
      coalesce(ts0, last_value(ts0 IGNORE NULLS) OVER (ORDER BY line ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) AS ts,
      ts_text,
      CASE WHEN ts0 IS NOT NULL THEN flag0
           WHEN last_value(ts0 IGNORE NULLS) OVER (ORDER BY line ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) IS NOT NULL THEN 'inherited'
           ELSE 'none' END AS ts_flag,
      level, logger, message, fields, raw, parse_status
    FROM (${inner}) t`;
}

function jsonPath(key: string): string {
  return `$.${JSON.stringify(key)}`;
}

function jsonTransform(def: FormatDefinition, p: TransformParams): string {
  const keys = [...new Set([...def.time.fields, ...(def.time.epoch ?? []), ...(def.level ?? []), ...(def.logger ?? []), ...(def.message ?? [])])];
  const idx = (k: string) => `v[${keys.indexOf(k) + 1}]`;
  // Malformed lines: salvage the stamp and level by regex, so a torn record still lands in the right place.
  const salvage = (k: string) => `regexp_extract(raw, ${sqlString(`"${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:\\s*"([^"]*)"`)}, 1)`;
  const pick = (fields: string[] | undefined) => firstNonEmpty((fields ?? []).map(idx));
  const pickSalvaged = (fields: string[] | undefined) => firstNonEmpty((fields ?? []).map(salvage));
  const epoch = def.time.epoch?.length ? `try_cast(${firstNonEmpty(def.time.epoch.map(idx))} AS DOUBLE)` : null;
  const parsed = `SELECT line, line_count, raw, ok,
      CASE WHEN ok THEN json_extract_string(raw, ${list(keys.map(jsonPath))}) ELSE NULL END AS v
    FROM (SELECT line, line_count, raw, CASE WHEN json_valid(raw) THEN json_type(raw) = 'OBJECT' ELSE false END AS ok FROM stage) s`;
  const fields = `SELECT line, line_count, raw, ok,
      CASE WHEN ok THEN ${pick(def.time.fields)} ELSE ${pickSalvaged(def.time.fields)} END AS ts_text,
      ${epoch ? `CASE WHEN ok THEN ${epoch} END` : 'NULL::DOUBLE'} AS epoch,
      CASE WHEN ok THEN ${pick(def.level)} ELSE ${pickSalvaged(def.level)} END AS level_text,
      CASE WHEN ok THEN ${pick(def.logger)} ELSE ${pickSalvaged(def.logger)} END AS logger,
      CASE WHEN ok THEN ${pick(def.message)} ELSE ${pickSalvaged(def.message)} END AS message
    FROM (${parsed}) q`;
  return finalSelect(p, `SELECT line, line_count, raw, ts_text, logger, message,
      ${levelSql('level_text', def.levelMap)} AS level,
      CASE WHEN ok THEN raw::JSON ELSE '{}'::JSON END AS fields,
      CASE WHEN ok THEN 'ok' ELSE 'malformed' END AS parse_status,
      ${timeColumns(def, 'ts_text', 'epoch', p.zone)}
    FROM (${fields}) f`);
}

function extrasJson(extras: TextPattern[], on: string): string {
  if (!extras.length) return `'{}'::JSON`;
  const whens = extras.map((x) => {
    const obj = x.groups.map((g, i) => `${sqlString(g)}, nullif(regexp_extract(${on}, ${sqlString(x.regex)}, ${i + 1}, 's'), '')`).join(', ');
    return `WHEN regexp_matches(${on}, ${sqlString(x.regex)}, 's') THEN json_object(${obj})`;
  });
  return `(CASE ${whens.join(' ')} ELSE '{}'::JSON END)`;
}

function textTransform(def: FormatDefinition, p: TransformParams): string {
  const pat = def.pattern;
  if (!pat) throw new Error(`format ${def.id}: a text format needs a pattern`);
  const g = (name: string) => `g.${JSON.stringify(name)}`;
  const pickG = (fields: string[] | undefined) => firstNonEmpty((fields ?? []).filter((f) => pat.groups.includes(f)).map(g));
  const messageGroup = def.message?.find((m) => pat.groups.includes(m));
  const keep = pat.groups.filter((x) => x !== messageGroup);
  const groupJson = keep.length ? `json_object(${keep.map((k) => `${sqlString(k)}, nullif(${g(k)}, '')`).join(', ')})` : `'{}'::JSON`;
  const inner = `SELECT line, line_count, raw,
      regexp_extract(raw, ${sqlString(pat.regex)}, ${list(pat.groups)}, 's') AS g
    FROM stage`;
  const cols = `SELECT line, line_count, raw, g,
      ${g(pat.groups[0]!)} <> '' AS ok,
      ${pickG(def.time.fields)} AS ts_text,
      ${pickG(def.level)} AS level_text,
      ${pickG(def.logger)} AS logger,
      CASE WHEN ${g(pat.groups[0]!)} <> '' THEN ${messageGroup ? g(messageGroup) : 'raw'} ELSE raw END AS message
    FROM (${inner}) i`;
  return finalSelect(p, `SELECT line, line_count, raw, ts_text, logger, message,
      ${levelSql('level_text', def.levelMap)} AS level,
      CASE WHEN ok THEN json_merge_patch(json_merge_patch('{}', ${groupJson}), ${extrasJson(def.extras ?? [], 'message')}) ELSE '{}'::JSON END AS fields,
      CASE WHEN ok THEN 'ok' ELSE 'malformed' END AS parse_status,
      ${timeColumns(def, 'ts_text', null, p.zone)}
    FROM (${cols}) c`);
}

function rawTransform(p: TransformParams): string {
  return finalSelect(p, `SELECT line, line_count, raw, NULL::VARCHAR AS ts_text, NULL::VARCHAR AS logger, raw AS message,
      NULL::VARCHAR AS level, '{}'::JSON AS fields, 'unparsed' AS parse_status,
      NULL::TIMESTAMPTZ AS ts0, NULL::VARCHAR AS flag0
    FROM stage`);
}

export function transformSql(def: FormatDefinition, p: TransformParams): string {
  if (def.kind === 'json') return jsonTransform(def, p);
  if (def.kind === 'text') return textTransform(def, p);
  return rawTransform(p);
}
