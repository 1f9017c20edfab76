import type { FormatDefinition } from './types';

/**
 * Apache httpd error log, where mod_wsgi writes what a Python app prints and its tracebacks, one line each:
 * 2.4 `[Thu May 21 16:17:44.258381 2020] [wsgi:error] [pid 1:tid 2] [client 1.2.3.4:5] text`, 2.2 `[Sun Jun 02 03:18:02 2019] [notice] text`.
 */
export const apacheError: FormatDefinition = {
  id: 'apache-error',
  name: 'Apache / mod_wsgi error log',
  description: 'httpd error_log: module and level, pid and thread, client address; mod_wsgi tracebacks line by line. Local time.',
  kind: 'text',
  paths: ['**/apache2/*error*.log*', '**/httpd/*error_log*', '**/error_log*'],
  recordStart: '^\\[\\w{3} \\w{3} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)? \\d{4}\\] \\[',
  pattern: {
    regex: '^\\[(\\w{3} \\w{3} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)? \\d{4})\\] \\[(?:([\\w_]+):)?(\\w+)\\](?: \\[pid (\\d+)(?::tid (\\d+))?\\])?(?: \\[(?:client|remote) ([^\\]]+)\\])? ?(.*)',
    groups: ['ts', 'module', 'level', 'pid', 'tid', 'client', 'message'],
  },
  time: { fields: ['ts'], naive: ['%a %b %d %H:%M:%S.%f %Y', '%a %b %d %H:%M:%S %Y'] },
  level: ['level'],
  message: ['message'],
  levelMap: Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((n) => [`TRACE${n}`, 'TRACE'])),
  priority: 45,
  samples: [
    {
      title: 'mod_wsgi traceback lines (mod_wsgi issue #850)',
      path: 'var/log/apache2/error.log',
      text: [
        "[Fri Aug 04 05:52:07.137397 2023] [wsgi:error] [pid 31401:tid 140424949622528] [client 203.0.113.10:49493] mod_wsgi (pid=31401): Exception occurred processing WSGI script '/srv/site/web/wsgi.py'.",
        '[Fri Aug 04 05:52:07.140596 2023] [wsgi:error] [pid 31401:tid 140424949622528] [client 203.0.113.10:49493] Traceback (most recent call last):',
      ].join('\n') + '\n',
      records: [
        { ts: '2023-08-04T05:52:07.137Z', level: 'ERROR', fields: { module: 'wsgi', pid: '31401', tid: '140424949622528', client: '203.0.113.10:49493' } },
        { ts: '2023-08-04T05:52:07.140Z', message: 'Traceback (most recent call last):' },
      ],
    },
    {
      title: 'Apache 2.2 lines without module or pid (mod_wsgi issue #430)',
      path: 'var/log/httpd/error_log',
      text: '[Sun Jun 02 03:18:02 2019] [notice] Digest: done\n[Tue Jun 04 14:34:26 2019] [notice] caught SIGTERM, shutting down\n',
      records: [
        { ts: '2019-06-02T03:18:02.000Z', level: 'INFO', message: 'Digest: done' },
        { ts: '2019-06-04T14:34:26.000Z' },
      ],
    },
  ],
};

/** Common / combined access log, as gunicorn's `--access-logfile`, Apache and nginx write it. */
export const accessLog: FormatDefinition = {
  id: 'access-log',
  name: 'Access log (common / combined)',
  description: 'gunicorn, Apache or nginx access lines: client, user, [stamp +zone], request, status, size, referer, agent.',
  kind: 'text',
  paths: ['**/access.log*', '**/access_log*', '**/*[-_.]access.log*'],
  recordStart: '^\\S+ \\S+ \\S+ \\[\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\\] "',
  pattern: {
    regex: '^(\\S+) (\\S+) (\\S+) \\[(\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4})\\] "((\\S+) (\\S+)[^"]*)" (\\d{3}) (\\S+)(?: "([^"]*)" "([^"]*)")?',
    groups: ['client', 'ident', 'user', 'ts', 'request', 'method', 'url', 'status', 'size', 'referer', 'agent'],
  },
  time: { fields: ['ts'], inline: ['%d/%b/%Y:%H:%M:%S %z'] },
  message: ['request'],
  priority: 46,
  samples: [
    {
      title: 'gunicorn access log in the combined layout (heroku python-getting-started pull request #246)',
      path: 'logs/gunicorn-access.log',
      text: '::ffff:10.1.50.245 - - [08/Dec/2024:16:23:33 +0000] "GET / HTTP/1.1" 200 9585 "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:134.0) Gecko/20100101 Firefox/134.0"\n',
      records: [{ ts: '2024-12-08T16:23:33.000Z', message: 'GET / HTTP/1.1', fields: { client: '::ffff:10.1.50.245', method: 'GET', url: '/', status: '200', size: '9585', referer: '-' } }],
    },
  ],
};
