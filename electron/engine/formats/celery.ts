import { UUID } from './correlation';
import type { FormatDefinition } from './types';

/** Celery worker log. Lines without the `[stamp: LEVEL/Process]` header (SQL, tracebacks) belong to the record above. */
export const celery: FormatDefinition = {
  id: 'celery',
  name: 'Celery worker log',
  description: 'Background task worker: task received/succeeded/raised with task name and UUID; multi-line SQL and tracebacks.',
  kind: 'text',
  paths: ['**/logs/celery/*.log*', '**/celery*.log*', '**/logs/*celery*/*.log*'],
  // A record starts at a `[stamp: LEVEL/Process]` header, or at the first line of the worker's start-up banner.
  recordStart: '^(?:\\[\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3}: [A-Z]+/[^\\]]+\\]| -------------- celery@)',
  pattern: {
    // The banner's third line ends with the start time (Celery 4+): `-- ******* ---- Linux-5.10-x86_64 2022-08-10 13:23:19`.
    regex: '^(?:\\[(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3}): ([A-Z]+)/([^\\]]+)\\] (.*)|( -------------- (celery@\\S+) (v[\\w.]+)[^\\n]*\\n[^\\n]*\\n[^\\n]*?(?: (\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}))?\\n.*))',
    groups: ['ts', 'level', 'process', 'message', 'banner', 'node', 'version', 'banner_ts'],
    alternatives: true,
  },
  extras: [
    { regex: `^Task ([\\w.]+)\\[(${UUID})\\] (received|succeeded|raised|retry|failed|revoked)(?: in ([0-9.]+)s)?`, groups: ['task', 'task_id', 'task_event', 'runtime_s'] },
    { regex: `^TaskPool: Apply .*?\\('([\\w.]+)', '(${UUID})'.*?'root_id': (?:None|'([0-9a-fA-F-]{36})'), 'parent_id': (?:None|'([0-9a-fA-F-]{36})')`, groups: ['task', 'task_id', 'root_id', 'parent_id'] },
    { regex: `^([\\w.]+)\\[(${UUID})\\]: `, groups: ['task', 'task_id'] },
  ],
  time: { fields: ['ts', 'banner_ts'], naive: ['%Y-%m-%d %H:%M:%S,%g', '%Y-%m-%d %H:%M:%S'] },
  level: ['level'],
  logger: ['process'],
  message: ['message', 'banner'],
  priority: 20,
  correlation: {
    fields: [
      { field: 'task_id', kind: 'celery_task', role: 'key' },
      { field: 'task', kind: 'celery_task_name', role: 'name' },
      // A child names its root and parent: links, not members of their chains.
      { field: 'root_id', kind: 'celery_task', role: 'link' },
      { field: 'parent_id', kind: 'celery_task', role: 'link' },
    ],
    chains: [{ kind: 'celery_task', labelFrom: 'celery_task_name' }],
    status: [{ on: 'task_event', values: { succeeded: 'success', raised: 'failure', failed: 'failure', revoked: 'failure', received: 'running', retry: 'running' } }],
    links: [{ type: 'record', relation: 'parent_of', rule: 'celery-parent-id', from: { kind: 'celery_task', foundIn: 'parent_id' },
      to: { kind: 'celery_task', foundIn: 'task_id' }, detail: 'Task {to} was applied with parent_id {from}' }],
  },
  samples: [
    {
      title: 'seed: received, multi-line SQL, succeeded (naive stamps in the site zone)',
      path: 'enrich/logs/celery/celery-worker.log',
      timezone: 'Asia/Kolkata',
      text: [
        '[2023-07-06 12:07:36,774: INFO/MainProcess] Task search_transactions[320bbda6-e758-49fc-8a26-e8dc29f88f75] received',
        "[2023-07-06 12:07:36,776: INFO/ForkPoolWorker-1] search_transactions[320bbda6-e758-49fc-8a26-e8dc29f88f75]: [0] Chunk running SQL: SELECT *",
        '            FROM transactions',
        "            where ((DATE(modified_on) >= '2023-04-06'))",
        '',
        '[2023-07-06 12:07:36,834: INFO/ForkPoolWorker-1] Task search_transactions[320bbda6-e758-49fc-8a26-e8dc29f88f75] succeeded in 0.05865555256605148s: {\'records\': []}',
      ].join('\n') + '\n',
      records: [
        { ts: '2023-07-06T06:37:36.774Z', level: 'INFO', logger: 'MainProcess', fields: { task: 'search_transactions', task_id: '320bbda6-e758-49fc-8a26-e8dc29f88f75', task_event: 'received' },
          identifiers: ['celery_task=320bbda6-e758-49fc-8a26-e8dc29f88f75@task_id', 'celery_task_name=search_transactions@task'] },
        { ts: '2023-07-06T06:37:36.776Z', lineCount: 4, logger: 'ForkPoolWorker-1', fields: { task: 'search_transactions', task_id: '320bbda6-e758-49fc-8a26-e8dc29f88f75' } },
        { ts: '2023-07-06T06:37:36.834Z', fields: { task_event: 'succeeded', runtime_s: '0.05865555256605148' } },
      ],
    },
    {
      title: 'TaskPool apply carries the root id (parent None is no id); a traceback stays with the raised record',
      path: 'enrich/logs/celery/celery-worker.log',
      text: [
        "[2023-07-06 11:21:29,357: DEBUG/MainProcess] TaskPool: Apply <function fast_trace_task at 0x7f55e1ada820> (args:('search_timeline', '9080c216-f7ac-4672-8678-fd3d8f598bcf', {'lang': 'py', 'root_id': '9080c216-f7ac-4672-8678-fd3d8f598bcf', 'parent_id': None, 'argsrepr': '()'}) kwargs:{})",
        "[2023-07-06 11:29:32,723: ERROR/ForkPoolWorker-4] Task search_timeline[9080c216-f7ac-4672-8678-fd3d8f598bcf] raised unexpected: ValueError('bad')",
        'Traceback (most recent call last):',
        '  File "/app/tasks.py", line 10, in run',
        "ValueError: bad",
      ].join('\n') + '\n',
      records: [
        { ts: '2023-07-06T11:21:29.357Z', level: 'DEBUG', fields: { task: 'search_timeline', root_id: '9080c216-f7ac-4672-8678-fd3d8f598bcf', parent_id: undefined },
          identifiers: ['celery_task=9080c216-f7ac-4672-8678-fd3d8f598bcf@task_id', 'celery_task=9080c216-f7ac-4672-8678-fd3d8f598bcf@root_id'] },
        { ts: '2023-07-06T11:29:32.723Z', level: 'ERROR', lineCount: 4, fields: { task_event: 'raised' } },
      ],
    },
    {
      title: 'the start-up banner is one record, timed by its stamp (weibospider issue #203)',
      path: 'logs/celery/worker.log',
      text: [
        ' -------------- celery@LAPTOP-QD49LR5G v4.4.2 (cliffs)',
        '--- ***** -----',
        '-- ******* ---- Windows-10-10.0.18362-SP0 2020-04-02 11:52:27',
        '- *** --- * ---',
        '- ** ---------- [config]',
        '- ** ---------- .> transport:   redis://127.0.0.1:6379/5',
        '',
        '[tasks]',
        '  . tasks.login.login_task',
        '',
        '[2020-04-02 11:52:28,120: INFO/MainProcess] Connected to redis://127.0.0.1:6379/5',
      ].join('\n') + '\n',
      records: [
        { ts: '2020-04-02T11:52:27.000Z', level: null, lineCount: 10, fields: { node: 'celery@LAPTOP-QD49LR5G', version: 'v4.4.2' } },
        { ts: '2020-04-02T11:52:28.120Z', level: 'INFO', logger: 'MainProcess', message: 'Connected to redis://127.0.0.1:6379/5' },
      ],
    },
    {
      title: 'a Celery 3 banner has no stamp: untimed, the records after it keep theirs (sketchy issue #28)',
      path: 'logs/celery/worker.log',
      text: [
        ' -------------- celery@host01 v3.1.13 (Cipater)',
        '---- **** -----',
        '--- * ***  * -- Linux-3.2.0-4-amd64-x86_64-with-debian-7.9',
        '-- * - **** ---',
        '',
        "[2015-11-20 18:18:08,590: ERROR/MainProcess] consumer: Cannot connect to redis://localhost:6379//: Error while reading from socket: (104, 'Connection reset by peer').",
        'Trying again in 2.00 seconds...',
      ].join('\n') + '\n',
      records: [
        { ts: null, fields: { version: 'v3.1.13' } },
        { ts: '2015-11-20T18:18:08.590Z', level: 'ERROR', lineCount: 2 },
      ],
    },
  ],
};
