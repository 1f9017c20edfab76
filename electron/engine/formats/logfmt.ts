import type { FormatDefinition } from './types';

const KEY = '[A-Za-z_][\\w.\\-]*';

/**
 * logfmt (`level=error ts=2022-07-02T14:20:41.495Z caller=main.go:87 msg="…" err="…"`), as Go services (go-kit,
 * logrus) and some Python loggers write it: keys in any order, every pair a field. A line that is not pairs (a Go
 * panic and its goroutine dump) continues the record above.
 */
export const logfmt: FormatDefinition = {
  id: 'logfmt',
  name: 'logfmt (key=value)',
  description: 'key=value records in any order: time from ts/time/timestamp, level from level/lvl/severity, message from msg/message; every pair a field.',
  kind: 'text',
  paths: [],
  recordStart: `^${KEY}=(?:"[^"]*"|\\S*) +${KEY}=`,
  // The stamp alone, wherever it sits: the transform reads every other pair itself (keyValues).
  pattern: { regex: '(?:^|\\s)(?:ts|time|timestamp|t)="?(\\d[^"\\s]*)', groups: ['ts'] },
  keyValues: true,
  time: { fields: ['ts'], shapes: ['iso', 'epoch'] },
  level: ['level', 'lvl', 'severity'],
  logger: ['logger', 'component', 'module'],
  message: ['msg', 'message'],
  priority: 50,
  samples: [
    {
      title: 'Prometheus start-up, a quoted value with spaces, and a panic that continues the error (prometheus issue #10965)',
      path: 'logs/prometheus.log',
      text: [
        'level=info ts=2022-07-02T14:20:41.494Z caller=main.go:355 msg="Starting Prometheus" version="(version=2.24.1+ds, branch=debian/sid, revision=2.24.1+ds-1ubuntu1)"',
        'level=error ts=2022-07-02T14:20:41.495Z caller=query_logger.go:87 component=activeQueryTracker msg="Error opening query log file" file=/var/lib/prometheus/metrics2/queries.active err="open /var/lib/prometheus/metrics2/queries.active: permission denied"',
        'panic: Unable to create mmap-ed active query log',
        '',
        'goroutine 1 [running]:',
      ].join('\n') + '\n',
      records: [
        { ts: '2022-07-02T14:20:41.494Z', level: 'INFO', message: 'Starting Prometheus', fields: { caller: 'main.go:355', version: '(version=2.24.1+ds, branch=debian/sid, revision=2.24.1+ds-1ubuntu1)' } },
        { ts: '2022-07-02T14:20:41.495Z', level: 'ERROR', logger: 'activeQueryTracker', message: 'Error opening query log file', lineCount: 4,
          fields: { err: 'open /var/lib/prometheus/metrics2/queries.active: permission denied' } },
      ],
    },
    {
      title: 'logrus layout: time first and quoted, source last (prometheus issue #2858)',
      path: 'logs/prometheus.log',
      text: [
        'time="2017-06-16T08:47:51Z" level=info msg="Indexing metrics in memory." source="crashrecovery.go:502"',
        'time="2017-06-16T08:47:51Z" level=info msg="10000 metrics queued for indexing." source="crashrecovery.go:507"',
      ].join('\n') + '\n',
      records: [
        { ts: '2017-06-16T08:47:51.000Z', level: 'INFO', message: 'Indexing metrics in memory.', fields: { source: 'crashrecovery.go:502' } },
        { message: '10000 metrics queued for indexing.' },
      ],
    },
    {
      title: 'a repeated key keeps its first value; an escaped quote inside a value',
      path: 'logs/prometheus.log',
      text: 'ts=2024-04-25T10:03:33.050Z caller=head.go:1338 level=info component=tsdb msg="Head GC \\"completed\\"" caller=truncateMemory duration=13.563177ms\nlevel=warn ts=1714039200.5 msg=epoch\n',
      records: [
        { ts: '2024-04-25T10:03:33.050Z', logger: 'tsdb', message: 'Head GC "completed"', fields: { caller: 'head.go:1338', duration: '13.563177ms' } },
        { ts: '2024-04-25T10:00:00.500Z', level: 'WARNING', message: 'epoch' },
      ],
    },
  ],
};
