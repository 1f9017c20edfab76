import { UUID } from './correlation';
import type { FormatDefinition } from './types';

/**
 * Python logging's JSON layout (the 'app' logger config the Enrich services share): naive local `asctime` with comma
 * millis, epoch `created` (the absolute truth), levelname/name/message. The pair is also the site-timezone evidence.
 */
export const pythonLogging = {
  time: { fields: ['asctime'], naive: ['%Y-%m-%d %H:%M:%S,%g', '%Y-%m-%d %H:%M:%S'], epoch: ['created'] },
  level: ['levelname'],
  logger: ['name'],
  message: ['message'],
  tzEvidence: { kind: 'pair', local: 'asctime', epoch: 'created' },
} satisfies Partial<FormatDefinition>;

/** The Enrich system log: Python logging JSON lines, naive asctime with comma millis, epoch `created`. */
export const system: FormatDefinition = {
  id: 'system',
  name: 'Enrich system log (JSON)',
  description: 'enrich/logs/app/app.json.log and rotations: JSON lines from the dashboard and services (logid, funcName, data, exc_info).',
  kind: 'json',
  paths: ['**/logs/app/app.json.log', '**/logs/app/app.json.log.*', '**/logs/app/*.json.log*'],
  sniffKeys: ['levelname', 'asctime', 'logid'],
  ...pythonLogging,
  priority: 10,
  correlation: {
    // The dashboard's polls and submits of Celery tasks: "<task-uuid> -> PENDING", "<task-uuid> <- task_name ids".
    text: [{ regex: `(?<celery_task>${UUID}) (?:->|<-) `, role: 'key', foundIn: 'data', hints: [' -> ', ' <- '] }],
    status: [{ on: 'raw', regex: ' -> ([A-Z]+)', hints: [' -> '],
      values: { SUCCESS: 'success', FAILURE: 'failure', REVOKED: 'failure', PENDING: 'running', STARTED: 'running', RETRY: 'running' } }],
  },
  samples: [
    {
      title: 'seed: dashboard polling a Celery task (created wins over naive asctime)',
      path: 'enrich/logs/app/app.json.log',
      text: '{"message": "Task result", "levelname": "DEBUG", "name": "app", "asctime": "2023-07-30 00:13:45,400", "funcName": "txnsearch_result", "lineno": 407, "pathname": "/home/scribble/enrich/customers/acme/Compliance/dashboard/compapp/views.py", "module": "views", "created": 1690656225.4009845, "data": "\\ne3be563f-57fa-4240-924b-27b43f2e0e0b -> PENDING [{}]", "transform": "", "logid": "1690654664.21"}\n',
      records: [{ ts: '2023-07-29T18:43:45.400Z', level: 'DEBUG', logger: 'app', message: 'Task result', parseStatus: 'ok', fields: { funcName: 'txnsearch_result', lineno: 407, logid: '1690654664.21' },
        identifiers: ['celery_task=e3be563f-57fa-4240-924b-27b43f2e0e0b@data'] }],
    },
    {
      title: 'naive asctime without created uses the site timezone',
      path: 'enrich/logs/app/app.json.log.1',
      timezone: 'Asia/Kolkata',
      text: '{"message": "Login", "levelname": "WARNING", "name": "app", "asctime": "2023-07-30 00:13:45,400", "logid": "1"}\n',
      records: [{ ts: '2023-07-29T18:43:45.400Z', level: 'WARNING', message: 'Login' }],
    },
    {
      title: 'a torn last line is kept as a malformed record, its time salvaged',
      path: 'enrich/logs/app/app.json.log',
      timezone: 'Asia/Kolkata',
      text: '{"message": "ok", "levelname": "INFO", "name": "app", "asctime": "2023-07-30 00:13:45,400", "created": 1690656225.4, "logid": "1"}\n{"message": "Task res", "levelname": "ERROR", "name": "app", "asctime": "2023-07-30 00:13:46,100", "crea',
      records: [
        { ts: '2023-07-29T18:43:45.400Z', level: 'INFO', parseStatus: 'ok' },
        { ts: '2023-07-29T18:43:46.100Z', level: 'ERROR', message: 'Task res', parseStatus: 'malformed' },
      ],
    },
  ],
};
