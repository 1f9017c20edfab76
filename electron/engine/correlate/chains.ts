// Chains and links (issues 4, 15), from the identifiers and status evidence read at ingest and the formats' rules.
// A full build makes every chain; an update after an import recomputes only the chains whose keys the new records
// name (membership of a key depends only on the records naming it, so the rest stay as they were, row for row).
import type { CaseDb } from '../store/db';
import { sqlString } from '../store/db';
import { memoryLimitBytes } from '../store/memoryRetry';
import { STATUS_DDL } from './extract';
import { failureReasonSql, hasReasons } from './failureReasons';
import { fileChainSql, membersSteps, partOf, partStep, type Part, type Step } from './members';
import { rules, type CompiledRules } from './rules';

export const CHAIN_TABLES = ['chains', 'chain_events', 'chain_links'] as const;

export interface BuildOptions { facetLimit?: number }

/** Seconds per step of the last build or update (bench:correlate reports them). */
export const lastBuildTimings: Record<string, number> = {};

const LINKS_DDL = `CREATE TABLE IF NOT EXISTS chain_links (from_key VARCHAR, to_key VARCHAR, relation VARCHAR, inferred BOOLEAN, rule VARCHAR, detail VARCHAR)`;

function stepper(db: CaseDb) {
  for (const k of Object.keys(lastBuildTimings)) delete lastBuildTimings[k];
  const made: string[] = [];
  const timedRun = async (name: string, run: () => Promise<void>) => {
    const t = performance.now();
    await run();
    lastBuildTimings[name] = Math.round(performance.now() - t) / 1000;
  };
  /**
   * A statement; or `table` filled from a step's SELECT (made as a temp table or a case table, or appended to), one
   * part of the keys at a time, in key order, when there are parts and the step can be cut.
   */
  function step(name: string, sql: string): Promise<void>;
  function step(name: string, table: string, s: Step, parts: Part[], how: 'temp' | 'table' | 'insert', order?: string): Promise<void>;
  function step(name: string, a: string, s?: Step, parts: Part[] = [], how = 'temp', order = ''): Promise<void> {
    if (!s) return timedRun(name, () => db.run(a));
    const make = how === 'insert' ? `INSERT INTO ${a}` : `CREATE OR REPLACE ${how === 'temp' ? 'TEMP ' : ''}TABLE ${a} AS`;
    const sel = (sql: string) => (order ? `SELECT * FROM (${sql}) ORDER BY ${order}` : sql);
    return timedRun(name, async () => {
      if (!s.part || parts.length <= 1) return db.run(`${make} ${sel(s.sql)}`);
      await db.run(`${make} ${sel(s.part(parts[0]!))}`);
      for (const p of parts.slice(1)) await db.run(`INSERT INTO ${a} ${sel(s.part(p))}`);
    });
  }
  return {
    step,
    /**
     * Runs the steps into their temp tables, a step that can be cut one part of the keys at a time, so; returns the
     * last step (its SELECT, or its parts', is the caller's to write).
     */
    async steps(prefix: string, list: Step[], parts: Part[] = []): Promise<Step> {
      for (const s of list.slice(0, -1)) {
        made.push(s.table);
        await step(`${prefix}${s.name}`, s.table, s, parts, 'temp');
      }
      return list[list.length - 1]!;
    },
    async cleanup(): Promise<void> {
      for (const t of made.splice(0)) await db.run(`DROP TABLE IF EXISTS temp.${t}`);
    },
  };
}

/**
 * Bytes of DuckDB memory per identifier row that the membership and chain steps need at most to run as one statement:
 * a 1 GB case (4.2 M identifiers) built at 320 MB and at 256 MB but not at 160 MB; cut into 3 parts, it built at
 * 160 MB (identical tables). Parts of memory / 60 rows at the import's chain limit of 256 MB (ingestHooks.ts) ran out
 * of memory once on the 10 GB tree (~42 M rows, 10 parts of 4.47 M; the retry at 1 GB took 1.8 GB of RSS) and not
 * another time: parts get at most memory / 90 rows (2.98 M), so a 1 GB case is two parts and a 10 GB case ~15.
 * CASEFILE_CORRELATE_PART_ROWS: smaller parts (tests).
 */
const BYTES_PER_ROW = 90;

/**
 * The key ranges the membership and chain steps are cut into, by the identifiers they read and the memory they may
 * use: none (one statement each) when they fit, else parts of about equal size, bounded by the values of a sample of
 * the identifiers (uneven ranges only cost time; every key falls in exactly one).
 */
export async function keyParts(db: CaseDb): Promise<Part[]> {
  const n = Number((await db.one<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM identifiers`))!.n);
  const perPart = Number(process.env.CASEFILE_CORRELATE_PART_ROWS) || (await memoryLimitBytes(db)) / BYTES_PER_ROW;
  const count = Math.ceil(n / perPart);
  if (count <= 1) return [];
  // Sorted by DuckDB, whose string order the ranges are read in (JavaScript's differs past the BMP).
  const sample = (await db.all<{ v: string }>(`SELECT DISTINCT v FROM (SELECT value AS v FROM identifiers WHERE value IS NOT NULL
    USING SAMPLE reservoir(${SAMPLE_ROWS} ROWS) REPEATABLE (13)) ORDER BY v`)).map((r) => r.v);
  const bounds = [...new Set(Array.from({ length: count - 1 }, (_, i) => sample[Math.floor(((i + 1) * sample.length) / count)]!))];
  return [null, ...bounds].map((lo, i) => ({ lo, hi: bounds[i] ?? null }));
}
const SAMPLE_ROWS = 10_000;

/** Every chain of the case, rebuilt. */
export async function buildChains(db: CaseDb, opts: BuildOptions = {}): Promise<void> {
  const r = rules();
  const { step, steps, cleanup } = stepper(db);
  await db.run(STATUS_DDL);
  // Temp tables are dropped as each phase ends; a failed build leaves them to its transaction's rollback.
  const parts = await keyParts(db);
  const members = await steps('members.', membersSteps(r, { ...(opts.facetLimit !== undefined ? { facetLimit: opts.facetLimit } : {}) }), parts);
  // Sorted by key so a trace reads one narrow range (DuckDB zone maps), not the whole table.
  await step('chain_events', 'chain_events', members, parts, 'table', 'key, event_id');
  await cleanup();
  const rows = await steps('chains.', chainRowsSteps(r, 'chain_events', await hasReasons(db)), parts);
  await step('chains', 'chains', rows, parts, 'table', 'key');
  await cleanup();
  await db.run(`DROP TABLE IF EXISTS chain_links`);
  await db.run(LINKS_DDL);
  await step('links_record', `INSERT INTO chain_links ${recordLinksSql(r, 'true')}`);
  await step('links_window', `INSERT INTO chain_links ${windowLinksSql(r)}`);
}

/** Whether the chain tables exist in the current shape (a case correlated by an older version gets a full build). */
async function currentShape(db: CaseDb): Promise<boolean> {
  const rows = await db.all<{ t: string; c: string }>(`SELECT table_name AS t, column_name AS c FROM information_schema.columns
    WHERE table_schema = 'main' AND table_name IN ('chains', 'chain_events', 'chain_links')`);
  const has = (t: string, c: string) => rows.some((x) => x.t === t && x.c === c);
  return has('chain_events', 'mentioned') && has('chains', 'failure_reason') && has('chain_links', 'rule');
}

/**
 * After importing these files: the chains their records touch, recomputed. The keys in scope are every value the new
 * records carry plus the file chains of the new files; for each of them membership is recomputed over the whole case
 * (old records naming it included), its rows replaced; every other chain is left untouched. Links from the new
 * records are added; window inferences (which compare across the case) are recomputed.
 */
export async function updateChains(db: CaseDb, fileIds: number[], opts: BuildOptions = {}): Promise<void> {
  if (!fileIds.length) return;
  if (!(await currentShape(db))) return buildChains(db, opts);
  const r = rules();
  const { step, steps, cleanup } = stepper(db);
  await db.run(STATUS_DDL);
  const ids = [...new Set(fileIds.map((n) => Math.trunc(n)))];
  const range = await db.one<{ lo: number | null; hi: number | null }>(
    `SELECT min(id)::BIGINT AS lo, max(id)::BIGINT AS hi FROM event_store WHERE file_id BETWEEN ${Math.min(...ids)} AND ${Math.max(...ids)} AND file_id IN (${ids.join(', ')})`);
  if (range?.lo == null || range.hi == null) return;
  const lo = Number(range.lo);
  const hi = Number(range.hi);
  const newEvents = `event_id BETWEEN ${lo} AND ${hi} AND event_id IN (SELECT id FROM event_store WHERE id BETWEEN ${lo} AND ${hi} AND file_id IN (${ids.join(', ')}))`;
  await step('scope', `CREATE OR REPLACE TEMP TABLE corr_scope AS
    SELECT DISTINCT value AS v FROM identifiers WHERE value IS NOT NULL AND ${newEvents}
    UNION SELECT DISTINCT key FROM (${fileChainSql(r, `s.file_id IN (${ids.join(', ')})`)}) fc`);
  const parts = await keyParts(db);
  const members = await steps('members.', membersSteps(r, { values: 'corr_scope', ...(opts.facetLimit !== undefined ? { facetLimit: opts.facetLimit } : {}) }), parts);
  await step('members', 'corr_new_members', members, parts, 'temp');
  await cleanup();
  await step('chain_events', `DELETE FROM chain_events WHERE key IN (SELECT v FROM corr_scope)`);
  await db.run(`INSERT INTO chain_events SELECT * FROM corr_new_members ORDER BY key, event_id`);
  await db.run(`DELETE FROM chains WHERE key IN (SELECT v FROM corr_scope)`);
  const rows = await steps('chains.', chainRowsSteps(r, 'corr_new_members', await hasReasons(db)), parts);
  await step('chains', 'chains', rows, parts, 'insert', 'key');
  await cleanup();
  await step('links_record', `INSERT INTO chain_links SELECT * FROM (${recordLinksSql(r, newEvents.replaceAll('event_id', 'c.event_id'))}) EXCEPT SELECT * FROM chain_links`);
  const windowRules = r.windowLinks.map((w) => sqlString(w.rule));
  if (windowRules.length) await db.run(`DELETE FROM chain_links WHERE rule IN (${windowRules.join(', ')})`);
  await step('links_window', `INSERT INTO chain_links ${windowLinksSql(r)}`);
  await db.run('DROP TABLE corr_new_members');
  await db.run('DROP TABLE corr_scope');
}

/**
 * Whether a member's status evidence counts for its chain: always for the chain's own records; a mention only when
 * the record is no other chain's own (a failed task's traceback naming a request does not fail the request).
 * Read from chain_events, complete by the time chain rows are computed in a build or an update.
 */
const lends = (m: string) => `(NOT ${m}.mentioned OR NOT EXISTS (SELECT 1 FROM chain_events x
  WHERE x.event_id = ${m}.event_id AND NOT x.mentioned AND x.kind <> 'generic'))`;

/**
 * One row per key of the members relation `m`: label, status, times, sources, facets, failure reason. Computed as
 * steps into temp tables (see membersSteps for why); the last step is the SELECT of the rows (`table` empty).
 */
export function chainRowsSteps(r: CompiledRules, m: string, reasons: boolean): Step[] {
  const labelKinds = [...r.labelKinds.entries()];
  const labelCase = labelKinds.length ? `CASE m.kind ${labelKinds.map(([c, k]) => `WHEN ${sqlString(c)} THEN ${sqlString(k)}`).join(' ')} END` : 'NULL';
  const labelPaths = [...r.labelPaths.entries()];
  const pathLabel = labelPaths.length
    ? `CASE c.kind ${labelPaths.map(([c, re]) => `WHEN ${sqlString(c)} THEN nullif(regexp_extract(f.path, ${sqlString(re)}, 1), '')`).join(' ')} END` : 'NULL';
  const idKinds = [...new Set(['user', 'dataset', ...r.labelKinds.values()])].map(sqlString).join(', ');
  const noOutcome = [...r.noOutcome].map(sqlString).join(', ');
  // Each step over one part of the keys: the members of those keys (chain_events is sorted by key: zone maps).
  const M = (p: Part) => partOf(m, p);
  const step = partStep;
  return [
    // Times, counts and first file per (key, source); a key's kind is the same on all its rows. Fixed-size states.
    step('times', 'corr_times', (p) => `
      SELECT m.key, m.kind, s.source, min(s.ts) AS first_ts, max(s.ts) AS last_ts, count(*) AS events,
        min(s.file_id) FILTER (WHERE NOT m.mentioned) AS own_file, min(s.file_id) AS any_file
      FROM ${M(p)} m JOIN event_store s ON s.id = m.event_id GROUP BY m.key, m.kind, s.source`),
    // Sources: a short list per key, over the few (key, source) rows above.
    step('agg', 'corr_agg', (p) => `
      SELECT key, kind, min(first_ts) AS first_ts, max(last_ts) AS last_ts, sum(events)::BIGINT AS events,
        list_sort(list(source), 'ASC', 'NULLS LAST') AS sources, coalesce(min(own_file), min(any_file)) AS file_id
      FROM ${partOf('corr_times', p)} t GROUP BY key, kind`),
    step('status', 'corr_st', (p) => `
      SELECT m.key,
        bool_or(es.status = 'failure') AS failed, bool_or(es.status = 'success' AND es.final) AS succeeded,
        bool_or(es.status = 'running') AS started
      FROM ${M(p)} m JOIN event_status es ON es.event_id = m.event_id WHERE ${lends('m')} GROUP BY m.key`),
    // The least value of each facet kind per chain: a window over small partitions (spills like a sort).
    step('facets', 'corr_ids', (p) => `
      SELECT key, any_value(value) FILTER (WHERE w = 'user') AS "user", any_value(value) FILTER (WHERE w = 'dataset') AS dataset,
        any_value(value) FILTER (WHERE w = 'label') AS label FROM (
        SELECT key, w, value, row_number() OVER (PARTITION BY key, w ORDER BY value) AS rn FROM (
          SELECT m.key, unnest(list_filter([CASE WHEN i.kind IN ('user', 'dataset') THEN i.kind END, CASE WHEN i.kind = ${labelCase} THEN 'label' END],
            lambda w_: w_ IS NOT NULL)) AS w, i.value
          FROM ${M(p)} m JOIN identifiers i ON i.event_id = m.event_id
          WHERE i.kind IN (${idKinds}) AND m.kind <> 'generic' AND NOT m.mentioned)
      ) WHERE rn = 1 GROUP BY key`),
    // The reason is read from the one record that wins per chain, not computed for every candidate.
    step('failure_reason', 'corr_why', (p) => failureReasonSql(M(p),
      `SELECT a.key FROM corr_agg a JOIN corr_st st USING (key) WHERE st.failed AND a.kind NOT IN (${noOutcome})`, lends('m'), reasons)),
    step('rows', '', (p) => `SELECT *, lower(concat_ws(' ', key, label, "user", dataset)) AS search FROM (
      SELECT c.key, c.kind,
        coalesce(ids.label, ${pathLabel}, CASE WHEN c.kind = 'generic' THEN 'uuid' END, c.kind) AS label,
        CASE WHEN c.kind IN (${noOutcome}) THEN 'unknown' WHEN st.failed THEN 'failure' WHEN st.succeeded THEN 'success' WHEN st.started THEN 'running' ELSE 'unknown' END AS status,
        c.first_ts, c.last_ts,
        CASE WHEN c.first_ts IS NOT NULL THEN (epoch_ms(c.last_ts) - epoch_ms(c.first_ts)) END AS duration_ms,
        c.sources, c.events,
        ids."user", ids.dataset, why.reason AS failure_reason
      FROM ${partOf('corr_agg', p)} c LEFT JOIN ${partOf('corr_st', p)} st USING (key) LEFT JOIN ${partOf('corr_ids', p)} ids USING (key)
        LEFT JOIN files f ON f.file_id = c.file_id LEFT JOIN ${partOf('corr_why', p)} why USING (key))`),
  ];
}

/** Evidence links: one record carries both identifiers (restricted by `where` over `c`, the "to" identifier). */
function recordLinksSql(r: CompiledRules, where: string): string {
  if (!r.recordLinks.length) return `SELECT * FROM chain_links WHERE false`;
  return r.recordLinks.map((l) => `SELECT DISTINCT p.value, c.value, ${sqlString(l.relation)}, false, ${sqlString(l.rule)},
      replace(replace(${sqlString(l.detail)}, '{from}', p.value), '{to}', c.value)
    FROM identifiers c JOIN identifiers p ON p.event_id = c.event_id
    WHERE c.kind = ${sqlString(l.to.kind)} ${l.to.foundIn ? `AND c.found_in = ${sqlString(l.to.foundIn)}` : ''}
      AND p.kind = ${sqlString(l.from.kind)} ${l.from.foundIn ? `AND p.found_in = ${sqlString(l.from.foundIn)}` : ''}
      AND p.value <> c.value AND ${where}`).join('\nUNION ');
}

/**
 * Inference: a task (`run_<app>`) spans its first to last record in one file; the target chain whose name matches
 * (case-insensitively) and whose first record falls inside that window was launched by the file's chain. Among
 * several candidates the task takes the one that starts first; one claimed by several tasks goes to the task that
 * started last before it.
 */
function windowLinksSql(r: CompiledRules): string {
  if (!r.windowLinks.length) return `SELECT * FROM chain_links WHERE false`;
  return r.windowLinks.map((w) => `
  SELECT * FROM (
  WITH tasks AS (
    SELECT s.file_id, i.value AS task, min(s.ts) AS t0, max(s.ts) AS t1
    FROM identifiers i JOIN event_store s ON s.id = i.event_id
    WHERE i.kind = ${sqlString(w.taskKind)} AND s.source = ${sqlString(w.source)} AND starts_with(i.value, ${sqlString(w.prefix)})
    GROUP BY s.file_id, i.value),
  runs AS (
    SELECT c.key AS runid, c.first_ts, lower(i.value) AS app
    FROM chains c JOIN chain_events e ON e.key = c.key JOIN identifiers i ON i.event_id = e.event_id
    WHERE c.kind = ${sqlString(w.targetChain)} AND i.kind = ${sqlString(w.targetName)} AND NOT e.mentioned
    GROUP BY ALL),
  cand AS (
    SELECT t.file_id, t.task, t.t0, t.t1, r.runid, r.first_ts, r.app,
      row_number() OVER (PARTITION BY t.file_id, t.task ORDER BY r.first_ts, r.runid) AS by_task,
      row_number() OVER (PARTITION BY r.runid ORDER BY t.t0 DESC, t.file_id) AS by_run
    FROM tasks t JOIN runs r ON r.app = lower(substr(t.task, ${w.prefix.length + 1})) AND r.first_ts BETWEEN t.t0 AND t.t1)
  SELECT ${sqlString(w.filePrefix)} || f.path, cand.runid, ${sqlString(w.relation)}, true, ${sqlString(w.rule)},
    'Task ''' || cand.task || ''' ran ' || strftime(cand.t0, '%Y-%m-%dT%H:%M:%SZ') || ' to ' || strftime(cand.t1, '%Y-%m-%dT%H:%M:%SZ')
      || '; the ' || cand.app || ' run ' || cand.runid || ' started inside it at ' || strftime(cand.first_ts, '%Y-%m-%dT%H:%M:%SZ')
  FROM cand JOIN files f USING (file_id) WHERE by_task = 1 AND by_run = 1)`).join('\nUNION ALL ');
}
