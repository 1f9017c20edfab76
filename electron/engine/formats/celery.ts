import { UUID } from './correlation';
import type { FormatDefinition } from './types';

/** Celery worker log. Lines without the `[stamp: LEVEL/Process]` header (SQL, tracebacks) belong to the record above. */
export const celery: FormatDefinition = {
  id: 'celery',
  name: 'Celery worker log',
  description: 'Background task worker: task received/succeeded/raised with task name and UUID; multi-line SQL and tracebacks.',
  kind: 'text',
  paths: ['**/logs/celery/*.log*', '**/celery*.log*', '**/logs/*celery*/*.log*'],
  recordStart: '^\\[\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3}: [A-Z]+/[^\\]]+\\]',
  pattern: {
    regex: '^\\[(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3}): ([A-Z]+)/([^\\]]+)\\] (.*)',
    groups: ['ts', 'level', 'process', 'message'],
  },
  extras: [
    { regex: `^Task ([\\w.]+)\\[(${UUID})\\] (received|succeeded|raised|retry|failed|revoked)(?: in ([0-9.]+)s)?`, groups: ['task', 'task_id', 'task_event', 'runtime_s'] },
    { regex: `^TaskPool: Apply .*?\\('([\\w.]+)', '(${UUID})'.*?'root_id': (?:None|'([0-9a-fA-F-]{36})'), 'parent_id': (?:None|'([0-9a-fA-F-]{36})')`, groups: ['task', 'task_id', 'root_id', 'parent_id'] },
    { regex: `^([\\w.]+)\\[(${UUID})\\]: `, groups: ['task', 'task_id'] },
  ],
  time: { fields: ['ts'], naive: ['%Y-%m-%d %H:%M:%S,%g'] },
  level: ['level'],
  logger: ['process'],
  message: ['message'],
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
  ],
};
