import { stampAlternation, type StampShapeId } from './stamps';
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

/** The stamp shapes a generic text log may start with, longest first (`11:16:30 AM` before `11:16:30`). */
const LEADING: StampShapeId[] = ['iso', 'apache', 'clf', 'django', 'syslog', 'time-12h', 'time'];
const LEVEL_WORDS = 'TRACE|DEBUG|INFO|NOTICE|WARNING|WARN|ERROR|CRITICAL|FATAL';

/** Pretty-printed JSON objects (`json.dumps(record, indent=2)`, `jq .`), one object per record across its lines. */
export const prettyJson: FormatDefinition = {
  ...genericJson,
  id: 'json-pretty',
  name: 'Pretty-printed JSON objects',
  description: 'JSON objects written over several lines, each starting with `{` at the start of a line; keys as in JSON lines.',
  recordStart: '^\\{',
  priority: 92,
  samples: [
    {
      title: 'shaped like python-json-logger with json_indent=2 (its issue #126) and structlog with an indent (its issue #284)',
      path: 'var/log/service.json',
      text: [
        '{',
        '  "asctime": "2021-12-31 10:00:00,123",',
        '  "levelname": "ERROR",',
        '  "message": "upload failed",',
        '  "lineno": 42',
        '}',
        '{',
        '  "event": "retrying",',
        '  "level": "warning",',
        '  "timestamp": "2020-11-14T09:30:00.250000Z"',
        '}',
      ].join('\n') + '\n',
      records: [
        { ts: '2021-12-31T10:00:00.123Z', level: 'ERROR', message: 'upload failed', lineCount: 6, fields: { lineno: 42 } },
        { ts: '2020-11-14T09:30:00.250Z', level: 'WARNING', message: 'retrying', lineCount: 5 },
      ],
    },
  ],
};

/** Any line log that starts with a stamp from the stamps library; lines without one continue the record above. */
export const genericText: FormatDefinition = {
  id: 'generic-text',
  name: 'Timestamped text (generic)',
  description: 'Any line-oriented log whose records start with a timestamp (ISO, Apache, access-log, Django, syslog or time of day), optionally bracketed, then an optional level.',
  kind: 'text',
  paths: [],
  recordStart: `^\\[?${stampAlternation(LEADING)}(?:[\\]\\s|,:;-]|$)`,
  pattern: {
    regex: `^\\[?(${stampAlternation(LEADING)})\\]?[ :|\\-]*(?:\\[?(${LEVEL_WORDS})\\]?)?[ :|\\-]*(.*)`,
    groups: ['ts', 'level', 'message'],
  },
  time: { fields: ['ts'], shapes: LEADING },
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
    {
      title: 'time-of-day stamps take the operator\'s date and roll over midnight',
      path: 'misc/console.txt',
      date: '2024-05-01',
      timezone: 'Asia/Kolkata',
      text: '23:59:58.100 [INFO] engine - late\n00:00:01.500 [ERROR] engine - after midnight\nTraceback (most recent call last):\n',
      records: [
        { ts: '2024-05-01T18:29:58.100Z', level: 'INFO', message: 'engine - late' },
        { ts: '2024-05-01T18:30:01.500Z', level: 'ERROR', lineCount: 2 },
      ],
    },
    {
      title: 'syslog stamps without a year take the operator\'s year',
      path: 'misc/messages',
      date: '2024-07-05',
      text: 'Jul  5 09:13:44.120 WARNING disk almost full\n',
      records: [{ ts: '2024-07-05T09:13:44.120Z', level: 'WARNING', message: 'disk almost full' }],
    },
    {
      title: 'Apache, access-log and Django stamps',
      path: 'misc/mixed.log',
      text: '[Tue Sep 03 09:53:18.703332 2024] wsgi:error boom\n[14/Feb/2014:06:13:34 +0100] GET /\n[14/Feb/2014 06:13:35] "GET / HTTP/1.1" 200\n',
      records: [
        { ts: '2024-09-03T09:53:18.703Z', message: 'wsgi:error boom' },
        { ts: '2014-02-14T05:13:34.000Z' },
        { ts: '2014-02-14T06:13:35.000Z' },
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
