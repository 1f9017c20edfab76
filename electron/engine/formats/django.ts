import type { FormatDefinition } from './types';

/** What django.request logs before a request line when it answers with an error (`Not Found: /favicon.ico`). */
const PROBLEMS = 'Not Found|Internal Server Error|Bad Request|Forbidden|Unauthorized|Method Not Allowed|Gone|Service Unavailable|Bad Gateway|Gateway Timeout';
const CLF = '\\d{2}/\\w{3}/\\d{4} \\d{2}:\\d{2}:\\d{2}';
const VERBOSE = '(DEBUG|INFO|WARNING|ERROR|CRITICAL) (\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3}) ([\\w.]+) (.*)';

/**
 * Django's development server (`manage.py runserver`): request lines `[14/Feb/2014 06:13:34] "GET / HTTP/1.1" 200 1234`,
 * the untimed `Not Found: /path` / `Internal Server Error: /path` (with its traceback) that django.request prints, and
 * Django's documented verbose layout `LEVEL asctime module message`.
 */
export const djangoRunserver: FormatDefinition = {
  id: 'django-runserver',
  name: 'Django development server',
  description: 'manage.py runserver output: request lines, django.request problems with their tracebacks, the verbose log layout.',
  kind: 'text',
  paths: [],
  recordStart: `^(?:\\[${CLF}\\]|(?:${PROBLEMS})[^:]*: |(?:DEBUG|INFO|WARNING|ERROR|CRITICAL) \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3} )`,
  pattern: {
    regex: `^(?:\\[(${CLF})\\] ?((?:"(\\w+) (\\S+)[^"]*" (\\d{3}) (\\S+))?.*)|(((${PROBLEMS}))[^:\\n]*: (\\S*).*)|${VERBOSE})`,
    groups: ['ts', 'request', 'method', 'url', 'status', 'size', 'problem_text', 'problem', 'problem_level', 'path', 'level', 'ts_verbose', 'logger', 'message'],
    alternatives: true,
  },
  time: { fields: ['ts', 'ts_verbose'], naive: ['%d/%b/%Y %H:%M:%S', '%Y-%m-%d %H:%M:%S,%g'] },
  level: ['level', 'problem_level'],
  logger: ['logger'],
  message: ['request', 'problem_text', 'message'],
  levelMap: {
    'NOT FOUND': 'WARNING', 'BAD REQUEST': 'WARNING', FORBIDDEN: 'WARNING', UNAUTHORIZED: 'WARNING', 'METHOD NOT ALLOWED': 'WARNING', GONE: 'WARNING',
    'INTERNAL SERVER ERROR': 'ERROR', 'SERVICE UNAVAILABLE': 'ERROR', 'BAD GATEWAY': 'ERROR', 'GATEWAY TIMEOUT': 'ERROR',
  },
  priority: 55,
  samples: [
    {
      title: 'a 404 and its request lines (noteshrinker-django issue #6)',
      path: 'runserver.log',
      text: [
        'Not Found: /',
        '[05/Oct/2018 23:26:01] "GET / HTTP/1.1" 302 0',
        '[05/Oct/2018 23:26:01] "GET /en/ HTTP/1.1" 200 21316',
      ].join('\n') + '\n',
      records: [
        { ts: null, level: 'WARNING', message: 'Not Found: /', fields: { problem: 'Not Found', path: '/' } },
        { ts: '2018-10-05T23:26:01.000Z', level: null, message: '"GET / HTTP/1.1" 302 0', fields: { method: 'GET', url: '/', status: '302', size: '0' } },
        { ts: '2018-10-05T23:26:01.000Z', fields: { url: '/en/', status: '200' } },
      ],
    },
    {
      title: 'verbose layout and an old request line without a space (pretix issue #80)',
      path: 'runserver.log',
      text: [
        'WARNING 2015-07-17 22:31:07,704 django.request base Not Found: /',
        '[17/Jul/2015 22:31:07]"GET / HTTP/1.1" 404 74',
        'Internal Server Error: /admin/',
        'Traceback (most recent call last):',
        '  File "/srv/app/django/core/handlers/exception.py", line 34, in inner',
      ].join('\n') + '\n',
      records: [
        { ts: '2015-07-17T22:31:07.704Z', level: 'WARNING', logger: 'django.request', message: 'base Not Found: /' },
        { ts: '2015-07-17T22:31:07.000Z', fields: { status: '404' } },
        { level: 'ERROR', lineCount: 3, fields: { path: '/admin/' } },
      ],
    },
  ],
};
