import { UUID } from './correlation';
import type { FormatDefinition, TextPattern } from './types';

/**
 * `[2023-04-06 02:25:01 +0000] [31917] [DEBUG] POST /url` — gunicorn's layout, used by Doodle and the dashboard.
 * Early gunicorn (0.x) wrote the stamp bare and without an offset: `2010-07-28 23:01:19 [5869] [CRITICAL] …`.
 */
export const gunicornPattern: TextPattern = {
  regex: '^\\[?(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?: [+-]\\d{4})?)\\]? \\[(\\d+)\\] \\[([A-Z]+)\\] (.*)',
  groups: ['ts', 'pid', 'level', 'message'],
};
const recordStart = '^\\[?\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?: [+-]\\d{4})?\\]? \\[\\d+\\] \\[[A-Z]+\\]';
const http: TextPattern = { regex: '^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\\S+)', groups: ['method', 'url'] };
const time = { fields: ['ts'], inline: ['%Y-%m-%d %H:%M:%S %z'], naive: ['%Y-%m-%d %H:%M:%S'] };

/** What Doodle and the dashboard share: gunicorn's record layout, HTTP lines, offset stamps. */
const gunicornLayout = {
  kind: 'text', recordStart, pattern: gunicornPattern, extras: [http], time,
  level: ['level'], logger: ['pid'], message: ['message'],
} satisfies Partial<FormatDefinition>;

export const doodle: FormatDefinition = {
  id: 'doodle',
  name: 'Doodle metadata server log',
  description: 'enrich/logs/doodle/doodle.log: [stamp] [pid] [LEVEL] METHOD URL; UUIDs in URLs are metadata entities.',
  ...gunicornLayout,
  paths: ['**/logs/doodle/*.log*'],
  priority: 30,
  correlation: {
    text: [
      { regex: `/metadata/api/v[0-9]+/\\w+/(?<metadata_entity>${UUID})`, role: 'key', foundIn: 'url', hints: ['/metadata/api/'] },
      // The API's resource (features, sources): what the entity is, its chain's label (one URL per record).
      { regex: `/metadata/api/v[0-9]+/(?<metadata_type>\\w+)/${UUID}`, role: 'name', foundIn: 'url', hints: ['/metadata/api/'] },
    ],
  },
  samples: [
    {
      title: 'seed: +0000 stamps',
      path: 'enrich/logs/doodle/doodle.log',
      text: '[2023-04-06 02:25:01 +0000] [31917] [DEBUG] POST /metadata/api/v1/features/1cae096e-1b0d-4cac-bc5c-dd2e811908ad\n[2023-04-06 02:25:01 +0000] [31917] [DEBUG] GET /metadata/api/v1/features\n',
      records: [
        { ts: '2023-04-06T02:25:01.000Z', level: 'DEBUG', logger: '31917', fields: { method: 'POST', url: '/metadata/api/v1/features/1cae096e-1b0d-4cac-bc5c-dd2e811908ad' },
          identifiers: ['metadata_entity=1cae096e-1b0d-4cac-bc5c-dd2e811908ad@url', 'metadata_type=features@url'] },
        { ts: '2023-04-06T02:25:01.000Z', fields: { method: 'GET' } },
      ],
    },
  ],
};

export const gunicorn: FormatDefinition = {
  id: 'gunicorn',
  name: 'Dashboard (gunicorn) log',
  description: 'enrich/logs/gunicorn/gunicorn_supervisor.log: accesses and the exceptions that miss the system log.',
  ...gunicornLayout,
  paths: ['**/logs/gunicorn/*.log*', '**/gunicorn*.log*'],
  tzEvidence: { kind: 'offset' },
  // Same layout as Doodle's: outside both folders, a file named gunicorn*.log is gunicorn's, any other Doodle's.
  priority: 31,
  samples: [
    {
      title: 'seed: +0530 stamps; a traceback belongs to the ERROR line',
      path: 'enrich/logs/gunicorn/gunicorn_supervisor.log',
      text: [
        '[2023-07-20 10:27:01 +0530] [2501] [DEBUG] GET /accounts/login/',
        '[2023-07-20 10:27:20 +0530] [2501] [ERROR] Exception in worker process',
        'Traceback (most recent call last):',
        '  File "/app/gunicorn/arbiter.py", line 589, in spawn_worker',
        'ImportError: No module named compapp',
      ].join('\n') + '\n',
      records: [
        { ts: '2023-07-20T04:57:01.000Z', level: 'DEBUG', fields: { method: 'GET', url: '/accounts/login/' } },
        { ts: '2023-07-20T04:57:20.000Z', level: 'ERROR', lineCount: 4 },
      ],
    },
    {
      title: 'worker timeouts, and gunicorn 0.x stamps without brackets or offset (gunicorn issues #3136, #76)',
      path: 'var/log/gunicorn-error.log',
      text: [
        '[2024-01-09 13:24:39 +0000] [1637] [CRITICAL] WORKER TIMEOUT (pid:7214)',
        '[2024-01-09 13:24:40 +0000] [1637] [WARNING] Worker with pid 7214 was terminated due to signal 6',
        '2010-07-28 23:01:19 [5869] [CRITICAL] WORKER TIMEOUT (pid:5870)',
      ].join('\n') + '\n',
      records: [
        { ts: '2024-01-09T13:24:39.000Z', level: 'CRITICAL', logger: '1637', message: 'WORKER TIMEOUT (pid:7214)' },
        { ts: '2024-01-09T13:24:40.000Z', level: 'WARNING' },
        { ts: '2010-07-28T23:01:19.000Z', level: 'CRITICAL', logger: '5869' },
      ],
    },
  ],
};
