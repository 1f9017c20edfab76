// The redaction's setup for a case: its rules and every harvested value, collected in DuckDB before anything is
// redacted (pass 1). Export, preview, the tester and the efficacy bench (testkit/redaction/evaluate.ts) all run this.
import crypto from 'node:crypto';
import type { IdPattern } from '../../../shared/correlation';
import { DEFAULT_ID_PATTERNS } from '../../../shared/correlation';
import { RedactionRules, type RedactionRulesInput } from '../../../shared/redaction';
import type { CaseMeta } from '../case/caseStore';
import { caseFiles } from '../case/paths';
import { FieldHarvest, type HarvestValue } from '../redact/harvest';
import { PERSON_FIELD_SNIPPET, PERSON_KEY_HINT } from '../redact/keys';
import type { SqlRead } from '../store/db';
import { Params } from '../store/sql';
import { contentKey, type HarvestCacheEntry, kindsKey, readHarvestCache, writeHarvestCache } from './harvestCache';
import type { Selected } from './select';

/**
 * What the setup reads of a case: its `events` and `identifiers` and its idPatterns (an open CaseHandle is one).
 * With `dir` the whole-case harvest is kept in the case folder between exports (harvestCache.ts), written unless
 * `readOnly`.
 */
export interface SetupSource { db: Pick<SqlRead, 'read'>; meta: Pick<CaseMeta, 'idPatterns'>; dir?: string; readOnly?: boolean }

/** Told which step the setup is in (a short key) and what it does, in words (the export's progress before any row). */
export type SetupStep = (step: string, words: string) => void;

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** Harvest list: the case's identifiers of the harvested kinds (users, hosts, client ids…). */
async function harvestValues(h: SetupSource, kinds: readonly string[]): Promise<HarvestValue[]> {
  if (!kinds.length) return [];
  const rows = await h.db.read<{ kind: string; value: string }>(
    `SELECT DISTINCT kind, value FROM identifiers WHERE kind IN (${kinds.map((_, i) => `$${i + 1}`).join(', ')}) LIMIT 200000`, [...kinds]);
  return rows.map((r) => ({ type: r.kind, value: r.value }));
}

// What the context-bound user detectors take (pii.ts HOME, structural.ts URL_USERINFO), in DuckDB's RE2, each with
// the literals every match holds: rows without them are not given to the regex (the same values, found in a fraction
// of the time: the userinfo pattern tried at every letter of every row was most of the setup's CPU).
const CONTEXT_USERS: { re: string; literals: string[][] }[] = [
  // the slashes as written, JSON-escaped (`\/`) or URL-encoded (`%2F`): the detectors read the decoded views too
  { re: String.raw`(?:/|\\/|%2[Ff])(?:home|Users)(?:/|\\/|%2[Ff])([A-Za-z0-9._-]{1,64})`, literals: ['/', '\\/', '%2F', '%2f'].flatMap((s) => [[`${s}home${s}`], [`${s}Users${s}`]]) },
  { re: String.raw`[a-zA-Z][a-zA-Z0-9+.-]{1,20}://([^\s:/@'"<>\\]{1,256})(?::[^\s/@'"<>\\]{0,256})?@`, literals: [['://', '@']] },
];

/**
 * Pass 1 over the selection, in DuckDB: names that a detector replaces only in one context (`/home/<user>/`, URL
 * userinfo) are harvested, so the same name anywhere else (`/app/<user>/…`, `file=<user>/…`) is replaced too; else
 * the fail-closed check would rightly find the replaced original in the output and block the export.
 */
async function contextUsers(h: SetupSource, sel: Selected): Promise<HarvestValue[]> {
  const out = new Set<string>();
  for (const { re, literals } of CONTEXT_USERS) {
    const p = new Params();
    p.values.push(...sel.params.values);
    // any of the alternatives, each with all of its literals
    const holds = literals.map((all) => `(${all.map((l) => `contains(s.raw, ${p.add(l)})`).join(' AND ')})`).join(' OR ');
    const rows = await h.db.read<{ v: string }>(
      `SELECT DISTINCT v FROM (SELECT unnest(regexp_extract_all(s.raw, ${p.add(re)}, 1)) AS v FROM events s WHERE (${sel.cond}) AND (${holds})) LIMIT 100000`, p.values);
    for (const r of rows) {
      const v = r.v.replace(/[.-]+$/, '');
      if (v && !/^[0-9a-f]{32}$/i.test(v)) out.add(v); // a 32-hex userinfo is a Sentry key: a secret, not a user
    }
  }
  return [...out].map((value) => ({ type: 'user', value }));
}

/**
 * Pass 1 over the whole case (not only the selection: a name under its field in any event is replaced in every
 * extract): names and users under their fields (`sender_name`, `user`, `created_by`…), so the same name in free
 * text (a Celery `argsrepr`, a message) is replaced too. DuckDB narrows the rows with a superset of the key names
 * and extracts the distinct key-and-value snippets; the detectors' own key rules pick the values from each snippet
 * (FieldHarvest). Kept with the case while its content is unchanged (wholeCase). A JSON record's fields are its raw
 * text: searched once.
 */
async function personFields(h: SetupSource): Promise<HarvestValue[]> {
  const rows = await h.db.read<{ v: string }>(`SELECT DISTINCT v FROM (
      SELECT unnest(regexp_extract_all(s.raw, $2)) AS v FROM events s WHERE regexp_matches(s.raw, $1)
      UNION ALL SELECT unnest(regexp_extract_all(s.fields::VARCHAR, $2)) AS v FROM events s
        WHERE s.fields::VARCHAR IS DISTINCT FROM s.raw AND regexp_matches(s.fields::VARCHAR, $1)
    ) LIMIT 200000`, [PERSON_KEY_HINT, PERSON_FIELD_SNIPPET]);
  const found = new FieldHarvest();
  for (const r of rows) found.add(r.v);
  return found.values();
}

/** What the whole-case harvest is, beside the case's content: a change of its patterns is a change of the cache's key. */
const HARVEST_CODE = { version: 1, hint: PERSON_KEY_HINT, snippet: PERSON_FIELD_SNIPPET };

/** Per open case: its whole-case harvest as last read or made (the disk cache's entry, or one kept in memory only). */
const wholeCaseMemo = new WeakMap<SetupSource, HarvestCacheEntry>();

/**
 * The whole-case passes (identifiers of the kinds, names under their fields), in that order: from memory or the case's
 * cache file while the case's content key is unchanged, else made and kept. No key (the content is moving): made, not kept.
 */
async function wholeCase(h: SetupSource, kinds: readonly string[], onStep: SetupStep): Promise<HarvestValue[]> {
  const key = await contentKey(h.db, HARVEST_CODE);
  const file = key && h.dir ? caseFiles(h.dir).harvestCache : null;
  const known = wholeCaseMemo.get(h);
  const entry = key && known?.key === key ? known : key && file ? await readHarvestCache(file, key) : null;
  const kk = kindsKey(kinds);
  if (entry?.ids[kk]) {
    onStep('kept', 'names and identifiers to replace: kept from the last export (the case is unchanged)');
    wholeCaseMemo.set(h, entry);
    return [...entry.ids[kk], ...entry.fields];
  }
  onStep('identifiers', 'collecting the identifiers to replace everywhere (every event of the case)');
  const ids = await harvestValues(h, kinds);
  if (!entry) onStep('fields', 'collecting the names under their fields (every event of the case)');
  const fields = entry?.fields ?? await personFields(h);
  if (key) {
    const made: HarvestCacheEntry = { key, fields, ids: { ...entry?.ids, [kk]: ids } };
    wholeCaseMemo.set(h, made);
    if (file && !h.readOnly) await writeHarvestCache(file, made);
  }
  return [...ids, ...fields];
}

export async function redactionSetupFor(h: SetupSource, rulesInput?: RedactionRulesInput, sel?: Selected, onStep: SetupStep = () => undefined) {
  const rules = RedactionRules.parse(rulesInput ?? {});
  const idPatterns: IdPattern[] = h.meta.idPatterns ?? DEFAULT_ID_PATTERNS;
  const whole = await wholeCase(h, rules.harvestKinds, onStep);
  if (sel) onStep('selection', 'collecting the names in paths and URLs of the selected events');
  const harvest = [...whole, ...sel ? await contextUsers(h, sel) : []];
  return { rules, idPatterns, harvest, rulesSha256: sha256(JSON.stringify({ rules, idPatterns })) };
}
