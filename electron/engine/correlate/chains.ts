// Chains and links (issue 4), rebuilt after every import from the identifiers and status evidence read at ingest.
// A client id or a metadata entity has no outcome of its own: its status stays unknown.
// Membership is evidence only: a record belongs to a chain when it names the chain's key in the place that
// defines it (a Celery record's own task_id, a dashboard poll of that id, a request_id, a runid...). A record
// that only mentions a key (a child's parent_id) does not join that chain; the relation becomes a link instead.
import type { CaseDb } from '../store/db';
import { STATUS_DDL } from './extract';

/** Identifier kinds that are attributes (or typed keys), not generic chain keys: plain uuids and client ids are. */
const NOT_GENERIC = ['celery_task', 'celery_task_name', 'taskblade_request', 'pipeline_run', 'application', 'metadata_entity',
  'prefect_task', 'prefect_flow', 'user', 'dataset', 'ip', 'host'].map((k) => `'${k}'`).join(', ');

/** Typed chains first: a key claimed by two kinds goes to the lower priority number. */
const MEMBERS = `
  SELECT value AS key, 'celery_task' AS kind, event_id, 1 AS prio FROM identifiers WHERE kind = 'celery_task' AND found_in IN ('task_id', 'data')
  UNION ALL SELECT value, 'taskblade_request', event_id, 2 FROM identifiers WHERE kind = 'taskblade_request'
  UNION ALL SELECT value, 'pipeline_run', event_id, 3 FROM identifiers WHERE kind = 'pipeline_run'
  UNION ALL SELECT value, 'metadata_entity', event_id, 4 FROM identifiers WHERE kind = 'metadata_entity'
  UNION ALL SELECT 'flow:' || f.path, 'prefect_flow', s.id, 5 FROM event_store s JOIN files f USING (file_id) WHERE s.source = 'prefect'
  UNION ALL SELECT value, 'generic', event_id, 9 FROM identifiers WHERE kind NOT IN (${NOT_GENERIC})`;

export const CHAIN_TABLES = ['chains', 'chain_events', 'chain_links'] as const;

/** Seconds per step of the last build (bench:correlate reports them). */
export const lastBuildTimings: Record<string, number> = {};

export async function buildChains(db: CaseDb): Promise<void> {
  const step = async (name: string, sql: string) => {
    const t = performance.now();
    await db.run(sql);
    lastBuildTimings[name] = Math.round(performance.now() - t) / 1000;
  };
  await db.run(STATUS_DDL);
  // Sorted by key so a trace reads one narrow range (DuckDB zone maps), not the whole table.
  await step('chain_events', `CREATE OR REPLACE TABLE chain_events AS
    WITH m AS (${MEMBERS}),
    k AS (SELECT key, arg_min(kind, prio) AS kind FROM m GROUP BY key)
    SELECT DISTINCT m.key, m.kind, m.event_id FROM m JOIN k USING (key, kind)
    ORDER BY m.key, m.event_id`);

  // `search`: what the list's text filter looks in, lower-cased once here rather than per query.
  await step('chains', `CREATE OR REPLACE TABLE chains AS
    SELECT *, lower(concat_ws(' ', key, label, "user", dataset)) AS search FROM (
    WITH ev AS (
      SELECT ce.key, ce.kind, ce.event_id, s.ts, s.source, s.file_id FROM chain_events ce JOIN event_store s ON s.id = ce.event_id),
    st AS (
      SELECT ce.key,
        bool_or(es.status = 'failure') AS failed, bool_or(es.status = 'success' AND es.final) AS succeeded,
        bool_or(es.status = 'running') AS started
      FROM chain_events ce JOIN event_status es ON es.event_id = ce.event_id GROUP BY ce.key),
    ids AS (
      SELECT ce.key,
        min(i.value) FILTER (WHERE i.kind = 'user') AS "user", min(i.value) FILTER (WHERE i.kind = 'dataset') AS dataset,
        min(i.value) FILTER (WHERE i.kind = CASE ce.kind WHEN 'celery_task' THEN 'celery_task_name'
          WHEN 'pipeline_run' THEN 'application' WHEN 'prefect_flow' THEN 'prefect_flow' END) AS label
      FROM chain_events ce JOIN identifiers i ON i.event_id = ce.event_id
      WHERE i.kind IN ('user', 'dataset', 'celery_task_name', 'application', 'prefect_flow') AND ce.kind <> 'generic'
      GROUP BY ce.key),
    gen AS (SELECT value AS key, min(kind) AS ikind FROM identifiers WHERE kind NOT IN (${NOT_GENERIC}) GROUP BY value),
    agg AS (
      SELECT key, any_value(kind) AS kind, min(ts) AS first_ts, max(ts) AS last_ts, count(*) AS events,
             list(DISTINCT source ORDER BY source) AS sources, min(file_id) AS file_id
      FROM ev GROUP BY key)
    SELECT c.key, c.kind,
      coalesce(ids.label,
               CASE WHEN c.kind = 'taskblade_request' THEN nullif(regexp_extract(f.path, 'llm-agents/logs/([^/]+)/', 1), '') END,
               CASE WHEN c.kind = 'generic' THEN gen.ikind END,
               c.kind) AS label,
      CASE WHEN c.kind IN ('generic', 'metadata_entity') THEN 'unknown' WHEN st.failed THEN 'failure' WHEN st.succeeded THEN 'success' WHEN st.started THEN 'running' ELSE 'unknown' END AS status,
      c.first_ts, c.last_ts,
      CASE WHEN c.first_ts IS NOT NULL THEN (epoch_ms(c.last_ts) - epoch_ms(c.first_ts)) END AS duration_ms,
      c.sources, c.events,
      ids."user", ids.dataset
    FROM agg c LEFT JOIN st USING (key) LEFT JOIN ids USING (key) LEFT JOIN files f ON f.file_id = c.file_id
      LEFT JOIN gen ON gen.key = c.key
    ) ORDER BY key`);


  await db.run(`CREATE OR REPLACE TABLE chain_links (from_key VARCHAR, to_key VARCHAR, relation VARCHAR, inferred BOOLEAN, rule VARCHAR, detail VARCHAR)`);
  // Evidence: a Celery record names its own task_id and its parent_id (TaskPool: Apply).
  await step('links_parent', `INSERT INTO chain_links
    SELECT DISTINCT p.value, c.value, 'parent_of', false, 'celery-parent-id',
      'Task ' || c.value || ' was applied with parent_id ' || p.value
    FROM identifiers c JOIN identifiers p ON p.event_id = c.event_id
    WHERE c.kind = 'celery_task' AND c.found_in = 'task_id' AND p.kind = 'celery_task' AND p.found_in = 'parent_id' AND p.value <> c.value`);
  // Evidence: a pipeline record registers a metadata entity by UUID (Doodle then serves it).
  await step('links_metadata', `INSERT INTO chain_links
    SELECT DISTINCT r.value, m.value, 'registered', false, 'pipeline-metadata-register',
      'Run ' || r.value || ' logged the registration of ' || m.value
    FROM identifiers m JOIN identifiers r ON r.event_id = m.event_id
    WHERE m.kind = 'metadata_entity' AND m.found_in = 'data' AND r.kind = 'pipeline_run'`);
  await step('links_prefect', `INSERT INTO chain_links ${PREFECT_LINKS}`);
}

/**
 * Inference: Prefect task `run_<app>` launched the pipeline run of `<app>` whose first record falls inside the
 * task's window (its first to last record in that flow log). Among several candidates the task takes the run that
 * starts first; a run claimed by several tasks goes to the task that started last before it.
 */
const PREFECT_LINKS = `
  WITH tasks AS (
    SELECT s.file_id, i.value AS task, min(s.ts) AS t0, max(s.ts) AS t1
    FROM identifiers i JOIN event_store s ON s.id = i.event_id
    WHERE i.kind = 'prefect_task' AND s.source = 'prefect' AND starts_with(i.value, 'run_')
    GROUP BY s.file_id, i.value),
  runs AS (
    SELECT c.key AS runid, c.first_ts, lower(i.value) AS app
    FROM chains c JOIN chain_events e ON e.key = c.key JOIN identifiers i ON i.event_id = e.event_id
    WHERE c.kind = 'pipeline_run' AND i.kind = 'application'
    GROUP BY ALL),
  cand AS (
    SELECT t.file_id, t.task, t.t0, t.t1, r.runid, r.first_ts, r.app,
      row_number() OVER (PARTITION BY t.file_id, t.task ORDER BY r.first_ts, r.runid) AS by_task,
      row_number() OVER (PARTITION BY r.runid ORDER BY t.t0 DESC, t.file_id) AS by_run
    FROM tasks t JOIN runs r ON r.app = substr(t.task, 5) AND r.first_ts BETWEEN t.t0 AND t.t1)
  SELECT 'flow:' || f.path, cand.runid, 'launched', true, 'prefect-task-window',
    'Task ''' || cand.task || ''' ran ' || strftime(cand.t0, '%Y-%m-%dT%H:%M:%SZ') || ' to ' || strftime(cand.t1, '%Y-%m-%dT%H:%M:%SZ')
      || '; the ' || cand.app || ' run ' || cand.runid || ' started inside it at ' || strftime(cand.first_ts, '%Y-%m-%dT%H:%M:%SZ')
  FROM cand JOIN files f USING (file_id) WHERE by_task = 1 AND by_run = 1`;
