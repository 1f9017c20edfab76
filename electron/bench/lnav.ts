// lnav baseline: format definitions for the Enrich logs, written into a private config dir passed with -I.
// lnav 0.11 reads "<dir>/formats/<name>/*.json"; each format lists samples that `lnav -C` checks.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const JSON_COMMON = {
  json: true,
  'level-field': 'levelname',
  'body-field': 'message',
  level: { critical: 'CRITICAL', error: 'ERROR', warning: 'WARNING', info: 'INFO', debug: 'DEBUG' },
};

/** Format files by name; system and TaskBlade logs share one (same naive asctime), pipelines carry offsets. */
export const LNAV_FORMATS: Record<string, unknown> = {
  enrich_app_json: {
    title: 'Enrich system / TaskBlade JSON log',
    description: 'enrich/logs/app/app.json.log* and enrich/llm-agents/logs/*/app.json.log',
    ...JSON_COMMON,
    'file-pattern': '.*app\\.json\\.log.*',
    'timestamp-field': 'asctime',
    'timestamp-format': ['%Y-%m-%d %H:%M:%S,%L'],
    'opid-field': 'request_id',
    value: {
      funcName: { kind: 'string' }, module: { kind: 'string' }, pathname: { kind: 'string', hidden: true },
      lineno: { kind: 'integer', hidden: true }, created: { kind: 'float', hidden: true }, logid: { kind: 'string', hidden: true },
      data: { kind: 'string' }, exc_info: { kind: 'string' }, request_id: { kind: 'string', identifier: true },
      user: { kind: 'string', identifier: true }, dataset: { kind: 'string', identifier: true }, source: { kind: 'string' },
    },
  },
  enrich_pipeline_json: {
    title: 'Enrich pipeline run log',
    description: 'enrich/data/<owner>/<org>/outputs/<name>/<run-id>/log.json',
    ...JSON_COMMON,
    'file-pattern': '.*/log\\.json$',
    'timestamp-field': 'asctime',
    'timestamp-format': ['%Y-%m-%dT%H:%M:%S%z'],
    'opid-field': 'runid',
    value: {
      runid: { kind: 'string', identifier: true }, application: { kind: 'string', identifier: true },
      transform: { kind: 'string' }, conf: { kind: 'string' }, usecase: { kind: 'string' }, customer: { kind: 'string' },
      data: { kind: 'string' }, ts: { kind: 'string', hidden: true }, logid: { kind: 'integer', hidden: true },
    },
  },
  enrich_celery: {
    title: 'Celery worker log',
    regex: { std: { pattern: '^\\[(?<timestamp>\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3}): (?<level>[A-Z]+)/(?<process>[\\w-]+)\\] (?<body>.*)$' } },
    'timestamp-format': ['%Y-%m-%d %H:%M:%S,%L'],
    level: { critical: 'CRITICAL', error: 'ERROR', warning: 'WARNING', info: 'INFO', debug: 'DEBUG' },
    value: { process: { kind: 'string', identifier: true } },
    sample: [{ line: '[2023-07-06 11:21:29,357: INFO/MainProcess] Task search_timeline[9080c216-f7ac-4672-8678-fd3d8f598bcf] received' }],
  },
  enrich_prefect: {
    title: 'Prefect workflow log',
    regex: { std: { pattern: '^\\[(?<timestamp>\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}[+-]\\d{4})\\] (?<level>[A-Z]+) - (?<logger>[\\w.]+) \\| (?<body>.*)$' } },
    'timestamp-format': ['%Y-%m-%d %H:%M:%S%z'],
    level: { critical: 'CRITICAL', error: 'ERROR', warning: 'WARNING', info: 'INFO', debug: 'DEBUG' },
    value: { logger: { kind: 'string', identifier: true } },
    sample: [{ line: "[2022-12-08 08:12:53+0530] DEBUG - prefect.TaskRunner | Task 'run_log_dumper': Handling state change from Running to Success" }],
  },
  enrich_gunicorn: {
    title: 'Gunicorn (dashboard) / Doodle log',
    regex: { std: { pattern: '^\\[(?<timestamp>\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4})\\] \\[(?<pid>\\d+)\\] \\[(?<level>[A-Z]+)\\] (?<body>.*)$' } },
    'timestamp-format': ['%Y-%m-%d %H:%M:%S %z'],
    level: { critical: 'CRITICAL', error: 'ERROR', warning: 'WARNING', info: 'INFO', debug: 'DEBUG' },
    value: { pid: { kind: 'integer', identifier: true } },
    sample: [
      { line: '[2023-04-06 02:25:01 +0000] [31917] [DEBUG] POST /metadata/api/v1/features/1cae096e-1b0d-4cac-bc5c-dd2e811908ad' },
      { line: '[2023-07-20 10:27:01 +0530] [2501] [DEBUG] GET /accounts/login/' },
    ],
  },
  enrich_jupyter: {
    title: 'JupyterLab server log',
    regex: { std: { pattern: '^\\[(?<level>[DIWEC]) (?<timestamp>\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}) (?<app>\\w+)\\] (?<body>.*)$' } },
    'timestamp-format': ['%Y-%m-%d %H:%M:%S.%L'],
    level: { critical: '^C$', error: '^E$', warning: '^W$', info: '^I$', debug: '^D$' },
    value: { app: { kind: 'string', identifier: true } },
    sample: [{ line: '[I 2021-04-09 11:01:43.064 ServerApp] jupyterlab | extension was successfully linked.' }],
  },
};

/** Writes the format files under `dir` (created owner-only) and returns it, ready for `lnav -I dir`. */
export function writeLnavConfig(dir: string): string {
  for (const [name, def] of Object.entries(LNAV_FORMATS)) {
    const d = path.join(dir, 'formats', 'enrich');
    fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(d, `${name}.json`), JSON.stringify({
      $schema: 'https://lnav.org/schemas/format-v1.schema.json', [name]: def,
    }, null, 2), { mode: 0o600 });
  }
  return dir;
}

export function lnavVersion(): string | null {
  const r = spawnSync('lnav', ['-V'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Headless indexing run: every file recursively (-r; rotated files included), then one count query. */
export function lnavArgs(configDir: string, root: string): string[] {
  return ['-n', '-N', '-I', configDir, '-r', '-c', ';SELECT count(*) AS n FROM all_logs', root];
}
