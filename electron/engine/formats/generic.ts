import type { FormatDefinition } from './types';

const ISO_INLINE = ['%Y-%m-%d %H:%M:%S.%f%z', '%Y-%m-%d %H:%M:%S%z'];
const ISO_NAIVE = ['%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M:%S'];

/** Any JSON-lines log: common key names for time, level and message. */
export const genericJson: FormatDefinition = {
  id: 'generic-json',
  name: 'JSON lines (generic)',
  description: 'Any log with one JSON object per line; time from ts/time/timestamp/@timestamp/asctime, epoch from created.',
  kind: 'json',
  paths: [],
  sniffKeys: [],
  time: {
    fields: ['ts', 'time', 'timestamp', '@timestamp', 'asctime', 'datetime', 'date'],
    normalize: true,
    inline: ISO_INLINE,
    naive: ISO_NAIVE,
    epoch: ['created', 'epoch'],
  },
  level: ['level', 'levelname', 'severity', 'lvl'],
  logger: ['logger', 'name', 'logger_name'],
  message: ['message', 'msg', 'event', 'text'],
  priority: 90,
  samples: [
    {
      title: 'ISO stamp with Z and a dot fraction',
      path: 'var/log/service.jsonl',
      text: '{"time": "2023-05-01T10:00:00.123Z", "level": "warn", "msg": "disk almost full", "host": "db1"}\n',
      records: [{ ts: '2023-05-01T10:00:00.123Z', level: 'WARNING', message: 'disk almost full', fields: { host: 'db1' } }],
    },
  ],
};

/** Any line log that starts with a recognisable timestamp; lines without one continue the record above. */
export const genericText: FormatDefinition = {
  id: 'generic-text',
  name: 'Timestamped text (generic)',
  description: 'Any line-oriented log whose records start with an ISO-like timestamp, optionally bracketed, then an optional level.',
  kind: 'text',
  paths: [],
  recordStart: '^\\[?\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}',
  pattern: {
    regex: '^\\[?(\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?(?: ?(?:Z|[+-]\\d{2}:?\\d{2}))?)\\]?[ :]*(?:\\[?(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|CRITICAL|FATAL)\\]?)?[ :\\-]*(.*)',
    groups: ['ts', 'level', 'message'],
  },
  time: { fields: ['ts'], normalize: true, inline: ISO_INLINE, naive: ISO_NAIVE },
  level: ['level'],
  message: ['message'],
  priority: 91,
  samples: [
    {
      title: 'naive stamp, comma millis, level word',
      path: 'var/log/other.log',
      text: '2023-05-01 10:00:00,250 ERROR something broke\n  at line 2\n2023-05-01T10:00:01Z INFO fine\n',
      records: [
        { ts: '2023-05-01T10:00:00.250Z', level: 'ERROR', message: 'something broke\n  at line 2', lineCount: 2 },
        { ts: '2023-05-01T10:00:01.000Z', level: 'INFO', message: 'fine' },
      ],
    },
  ],
};

/** The last resort: every line is kept as an unparsed event, so no file is ever refused. */
export const raw: FormatDefinition = {
  id: 'raw',
  name: 'Raw text',
  description: 'Anything else: one event per line, unparsed, no time (placed by file order).',
  kind: 'raw',
  paths: [],
  time: { fields: [] },
  priority: 99,
  samples: [
    {
      title: 'binary-ish text is kept line by line',
      path: 'misc/blob.bin',
      text: 'hello\nworld\n',
      records: [{ parseStatus: 'unparsed', message: 'hello', ts: null }, { parseStatus: 'unparsed', message: 'world' }],
    },
  ],
};
