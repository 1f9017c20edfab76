import type { FormatDefinition } from './types';

const LEVEL = 'DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL';
const STAMP = '\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?';
/** Between fields: spaces, or ` - ` / ` | ` (the cookbook's `%(asctime)s - %(name)s - %(levelname)s - %(message)s`). */
const SEP = ' +(?:[-|] +)?';

/**
 * Python logging with a stamp, a logger name and a level, in the layouts people configure most:
 * `%(asctime)s %(name)s %(levelname)s %(message)s` with spaces, dashes or bars between the fields.
 */
export const pythonLogging: FormatDefinition = {
  id: 'python-logging',
  name: 'Python logging (asctime, name, level)',
  description: 'Any Python service logging `asctime name levelname message` (spaces, ` - ` or ` | ` between); tracebacks stay with their record.',
  kind: 'text',
  paths: [],
  recordStart: `^${STAMP}${SEP}[\\w.\\-]+${SEP}(?:${LEVEL})\\b`,
  pattern: {
    regex: `^(${STAMP})${SEP}([\\w.\\-]+)${SEP}(${LEVEL})\\b:? *(?:[-|] +)?(.*)`,
    groups: ['ts', 'logger', 'level', 'message'],
  },
  time: { fields: ['ts'], normalize: true, naive: ['%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M:%S'] },
  level: ['level'],
  logger: ['logger'],
  message: ['message'],
  priority: 60,
  samples: [
    {
      title: 'a task error with its traceback (arches pull request #12214)',
      path: 'logs/worker.log',
      text: [
        "2025-06-11 12:11:16,328 arches.app.tasks ERROR    'child_date'",
        "2025-06-11 12:13:47,000 arches.app.tasks ERROR    'child_date'",
        'Traceback (most recent call last):',
        '  File "/srv/arches/arches/app/tasks.py", line 319, in export_excel_data',
        "KeyError: 'child_date'",
      ].join('\n') + '\n',
      records: [
        { ts: '2025-06-11T12:11:16.328Z', level: 'ERROR', logger: 'arches.app.tasks', message: "'child_date'" },
        { ts: '2025-06-11T12:13:47.000Z', level: 'ERROR', logger: 'arches.app.tasks', lineCount: 4 },
      ],
    },
    {
      title: 'dashes between the fields, gunicorn through a logging config (fractal-server issue #1492)',
      path: 'logs/server.log',
      text: [
        '2024-05-15 10:31:56,3   - gunicorn.error - INFO - [pid 107148] - Starting gunicorn 22.0.0',
        '2024-05-15 10:31:57,3   - gunicorn.error - INFO - [pid 107152] - Booting worker with pid: 107152',
      ].join('\n') + '\n',
      records: [
        { ts: '2024-05-15T10:31:56.300Z', level: 'INFO', logger: 'gunicorn.error', message: '[pid 107148] - Starting gunicorn 22.0.0' },
        { ts: '2024-05-15T10:31:57.300Z' },
      ],
    },
  ],
};

/**
 * Python logging's default (`logging.basicConfig()`): `LEVEL:logger:message`, no time. An access line inside one
 * (aiohttp's `host [14/Feb/2014:06:13:34 +0000] "GET …"`) gives that record its time.
 */
export const pythonBasic: FormatDefinition = {
  id: 'python-basic',
  name: 'Python logging default (LEVEL:logger:message)',
  description: 'Records from logging.basicConfig(): no stamp of their own (placed by file order), except access lines that carry one.',
  kind: 'text',
  paths: [],
  recordStart: `^(?:${LEVEL}):[\\w.\\-]*:`,
  pattern: {
    regex: `^(${LEVEL}):([\\w.\\-]*):(?:(\\S+) \\[(\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4})\\] )?(.*)`,
    groups: ['level', 'logger', 'client', 'ts', 'message'],
  },
  time: { fields: ['ts'], inline: ['%d/%b/%Y:%H:%M:%S %z'] },
  level: ['level'],
  logger: ['logger'],
  message: ['message'],
  priority: 61,
  samples: [
    {
      title: 'records without a time, and an access line with one (educates issue #718)',
      path: 'logs/lookup.log',
      text: [
        "INFO:educates:Registering workshop session <redacted> for environment <redacted>",
        'INFO:aiohttp.access:10.0.2.238 [22/Apr/2025:20:54:48 +0000] "POST /api/v1/workshops HTTP/1.1" 200 644 "-" "ReactorNetty/1.1.18"',
        'ERROR:root:something failed',
        'Traceback (most recent call last):',
      ].join('\n') + '\n',
      records: [
        { ts: null, level: 'INFO', logger: 'educates', message: 'Registering workshop session <redacted> for environment <redacted>' },
        { ts: '2025-04-22T20:54:48.000Z', logger: 'aiohttp.access', fields: { client: '10.0.2.238' } },
        { level: 'ERROR', logger: 'root', lineCount: 2 },
      ],
    },
  ],
};
