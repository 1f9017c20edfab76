import type { EnvelopeDefinition } from './types';

/** RFC 3339 with nanoseconds, as docker, kubectl and CRI write it. */
export const RFC3339 = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?(?:Z|[+-]\\d{2}:\\d{2})';
const UUID = 'e3be563f-57fa-4240-924b-27b43f2e0e0b';

/** `docker compose logs`: `worker-1  | …`, names padded to one width, coloured on a terminal; `-t` adds a stamp. */
export const dockerCompose: EnvelopeDefinition = {
  id: 'docker-compose',
  name: 'docker compose logs',
  description: '`service-1  | text` (padded names, ANSI colours, optional `-t` stamps): one stream per service.',
  kind: 'regex',
  line: { regex: `^([A-Za-z0-9][\\w.-]*) +\\| ?(?:(${RFC3339}) )?(.*)$`, groups: ['service', 'ts', 'inner'] },
  fields: { service: 'service' },
  time: { field: 'ts', shapes: ['iso'] },
  stream: ['service'],
  ansi: true,
  priority: 20,
  samples: [
    {
      title: 'two services interleaved, coloured: each its own stream and format; a traceback joins across the other',
      text: [
        '\u001b[36mweb-1     |\u001b[0m 2024-05-01 10:00:00,500 INFO django.server "GET /health HTTP/1.1" 200',
        `\u001b[33mworker-1  |\u001b[0m [2024-05-01 10:00:01,100: INFO/MainProcess] Task run_job[${UUID}] received`,
        `\u001b[33mworker-1  |\u001b[0m [2024-05-01 10:00:02,200: ERROR/ForkPoolWorker-1] Task run_job[${UUID}] raised unexpected: KeyError('x')`,
        '\u001b[36mweb-1     |\u001b[0m 2024-05-01 10:00:02,300 ERROR django.request Internal Server Error: /api/run',
        '\u001b[33mworker-1  |\u001b[0m Traceback (most recent call last):',
        "\u001b[33mworker-1  |\u001b[0m KeyError: 'x'",
      ].join('\n') + '\n',
      streams: [{ name: 'web-1', format: 'generic-text' }, { name: 'worker-1', format: 'celery' }],
      records: [
        { ts: '2024-05-01T10:00:00.500Z', level: 'INFO', fields: { service: 'web-1' } },
        { ts: '2024-05-01T10:00:01.100Z', level: 'INFO', fields: { service: 'worker-1', task_event: 'received' } },
        { ts: '2024-05-01T10:00:02.200Z', level: 'ERROR', lineCount: 3, fields: { service: 'worker-1', task_event: 'raised' } },
        { ts: '2024-05-01T10:00:02.300Z', level: 'ERROR', fields: { service: 'web-1' } },
      ],
    },
  ],
};

/** `docker logs --timestamps`, `kubectl logs --timestamps`: an RFC 3339 nanosecond stamp, a space, the line. */
export const timestamps: EnvelopeDefinition = {
  id: 'timestamps',
  name: 'docker / kubectl --timestamps',
  description: '`docker logs -t` and `kubectl logs --timestamps`: `2024-05-01T10:00:00.123456789Z text`.',
  kind: 'regex',
  line: { regex: `^(${RFC3339}) (.*)$`, groups: ['ts', 'inner'] },
  fields: {},
  time: { field: 'ts', shapes: ['iso'] },
  priority: 30,
  samples: [
    {
      title: 'time-of-day stamps inside take their date from the envelope',
      text: '2024-05-01T10:41:07.311123456Z 10:41:07.311 | INFO    | prefect.engine - Created flow run \'olive-fox\'\n2024-05-01T10:41:08.002000000Z 10:41:08.001 | ERROR   | Flow run \'olive-fox\' - Finished in state Failed\n',
      streams: [{ name: '', format: 'prefect2' }],
      records: [
        { ts: '2024-05-01T10:41:07.311Z', tsFlag: 'date-inferred', level: 'INFO', fields: { envelope_ts: '2024-05-01T10:41:07.311123456Z' } },
        { ts: '2024-05-01T10:41:08.001Z', tsFlag: 'date-inferred', level: 'ERROR' },
      ],
    },
  ],
};

/** Docker's json-file driver: `{"log":"…\n","stream":"stderr","time":"…"}`; a line without `\n` continues. */
export const dockerJson: EnvelopeDefinition = {
  id: 'docker-json',
  name: 'docker json-file',
  description: '/var/lib/docker/containers/<id>/<id>-json.log: one JSON object per line with log, stream, time.',
  kind: 'json',
  inner: 'log',
  fields: { stream: 'stream' },
  time: { field: 'time', shapes: ['iso'] },
  partial: { endsWithNewline: 'log' },
  priority: 40,
  samples: [
    {
      title: 'a Celery traceback on stderr; a long line split by the driver is joined',
      text: [
        JSON.stringify({ log: `[2024-05-01 10:00:02,200: ERROR/ForkPoolWorker-1] Task run_job[${UUID}] raised unexpected: KeyError('x')\n`, stream: 'stderr', time: '2024-05-01T10:00:02.200345678Z' }),
        JSON.stringify({ log: 'Traceback (most recent call last):\n', stream: 'stderr', time: '2024-05-01T10:00:02.200400000Z' }),
        JSON.stringify({ log: '[2024-05-01 10:00:03,000: INFO/MainProcess] a very long ', stream: 'stdout', time: '2024-05-01T10:00:03.000100000Z' }),
        JSON.stringify({ log: 'line, split in two\n', stream: 'stdout', time: '2024-05-01T10:00:03.000200000Z' }),
      ].join('\n') + '\n',
      streams: [{ name: '', format: 'celery' }],
      records: [
        { ts: '2024-05-01T10:00:02.200Z', level: 'ERROR', lineCount: 2, fields: { stream: 'stderr', task_event: 'raised' } },
        { ts: '2024-05-01T10:00:03.000Z', level: 'INFO', lineCount: 2, message: 'a very long line, split in two', fields: { stream: 'stdout' } },
      ],
    },
  ],
};

/** The container runtime's own files (/var/log/pods/…): `stamp stream F|P text`; P lines continue. */
export const cri: EnvelopeDefinition = {
  id: 'cri',
  name: 'CRI container log',
  description: 'containerd / CRI-O: `2024-05-01T10:00:00.123Z stderr F text`; partial (P) lines are joined.',
  kind: 'regex',
  line: { regex: `^(${RFC3339}) (stdout|stderr) ([FP]) ?(.*)$`, groups: ['ts', 'stream', 'tag', 'inner'] },
  fields: { stream: 'stream' },
  time: { field: 'ts', shapes: ['iso'] },
  partial: { field: 'tag', value: 'P' },
  priority: 15,
  samples: [
    {
      title: 'a partial line joined with its end; plain text takes the envelope stamp',
      text: '2024-05-01T10:00:00.123456789Z stderr P this line was cut \n2024-05-01T10:00:00.123500000Z stderr F by the runtime\n2024-05-01T10:00:01.000000000+02:00 stdout F ready\n',
      streams: [{ name: '', format: 'raw' }],
      records: [
        { ts: '2024-05-01T10:00:00.123Z', tsFlag: 'envelope', lineCount: 2, message: 'this line was cut by the runtime', fields: { stream: 'stderr' } },
        { ts: '2024-05-01T08:00:01.000Z', message: 'ready', fields: { stream: 'stdout' } },
      ],
    },
  ],
};
