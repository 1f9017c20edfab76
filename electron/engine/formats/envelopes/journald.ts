import { stampShape } from '../stamps';
import type { EnvelopeDefinition } from './types';

/** `host unit[pid]: ` after the stamp: what journald and syslog write before each message. */
const SOURCE = '(\\S+) ([^\\s\\[\\]:]+)(?:\\[(\\d+)\\])?: ?(.*)';
const UUID = '320bbda6-e758-49fc-8a26-e8dc29f88f75';

/** `journalctl` short and short-precise, and classic syslog: `Jul  5 09:13:44 web01 gunicorn[812]: …` (no year). */
export const journald: EnvelopeDefinition = {
  id: 'journald',
  name: 'journald / syslog (short)',
  description: '`journalctl -u …` (short, short-precise) and /var/log/syslog lines: stamp without a year, host, unit[pid].',
  kind: 'regex',
  line: { regex: `^(${stampShape('syslog').regex}) ${SOURCE}$`, groups: ['ts', 'host', 'unit', 'pid', 'inner'] },
  fields: { host: 'host', unit: 'unit', pid: 'pid' },
  time: { field: 'ts', shapes: ['syslog'] },
  // "-- Boot … --" and "-- Logs begin at … --" are journalctl's own lines: they match no record and stay kept.
  priority: 10,
  samples: [
    {
      title: 'a Celery worker under systemd: the inner stamps win, the traceback stays with its record',
      text: [
        `Jul  5 09:13:44 web01 celery[812]: [2024-07-05 09:13:44,774: INFO/MainProcess] Task search_transactions[${UUID}] received`,
        `Jul  5 09:13:45 web01 celery[812]: [2024-07-05 09:13:45,001: ERROR/ForkPoolWorker-1] Task search_transactions[${UUID}] raised unexpected: ValueError('bad')`,
        'Jul  5 09:13:45 web01 celery[812]: Traceback (most recent call last):',
        'Jul  5 09:13:45 web01 celery[812]: ValueError: bad',
      ].join('\n') + '\n',
      streams: [{ name: '', format: 'celery' }],
      records: [
        { ts: '2024-07-05T09:13:44.774Z', tsFlag: 'naive', level: 'INFO', fields: { host: 'web01', unit: 'celery', pid: '812', task_event: 'received' } },
        { ts: '2024-07-05T09:13:45.001Z', level: 'ERROR', lineCount: 3, fields: { task_event: 'raised', host: 'web01' } },
      ],
    },
    {
      title: 'plain messages take the envelope stamp, its year from the operator (short-precise too)',
      date: '2024-07-05',
      text: [
        '-- Logs begin at Fri 2024-07-05 00:00:01 UTC. --',
        'Jul  5 09:13:44 web01 sshd[1023]: Accepted publickey for ops from 10.0.0.5 port 52144',
        'Jul 05 09:13:45.123456 web01 systemd[1]: Started Session 12 of user ops.',
      ].join('\n') + '\n',
      streams: [{ name: '', format: 'raw' }],
      records: [
        { ts: null, parseStatus: 'unparsed', lineCount: 1 },
        { ts: '2024-07-05T09:13:44.000Z', tsFlag: 'year-inferred', parseStatus: 'unparsed', message: 'Accepted publickey for ops from 10.0.0.5 port 52144', fields: { host: 'web01', unit: 'sshd', pid: '1023' } },
        { ts: '2024-07-05T09:13:45.123Z', tsFlag: 'year-inferred', parseStatus: 'unparsed', fields: { unit: 'systemd' } },
      ],
    },
  ],
};

/** `journalctl -o short-iso` / `short-iso-precise`, rsyslog's RFC 3339 template. */
export const journaldIso: EnvelopeDefinition = {
  id: 'journald-iso',
  name: 'journald / syslog (ISO stamps)',
  description: '`journalctl -o short-iso` or `short-iso-precise`, rsyslog RFC 3339: `2024-07-05T09:13:44+0000 web01 unit[pid]: …`.',
  kind: 'regex',
  line: { regex: `^(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?(?:Z|[+-]\\d{2}:?\\d{2})) ${SOURCE}$`, groups: ['ts', 'host', 'unit', 'pid', 'inner'] },
  fields: { host: 'host', unit: 'unit', pid: 'pid' },
  time: { field: 'ts', shapes: ['iso'] },
  priority: 11,
  samples: [
    {
      title: 'short-iso-precise around plain text; offsets read',
      text: ' 2024-07-05T09:13:44.250000+0530 web01 kernel: eth0: link up\n'.trimStart() + '2024-07-05T09:13:45+0530 web01 nginx[77]: reload\n',
      streams: [{ name: '', format: 'raw' }],
      records: [
        { ts: '2024-07-05T03:43:44.250Z', tsFlag: 'envelope', message: 'eth0: link up', parseStatus: 'unparsed', fields: { host: 'web01', unit: 'kernel' } },
        { ts: '2024-07-05T03:43:45.000Z', fields: { unit: 'nginx', pid: '77' }, parseStatus: 'unparsed' },
      ],
    },
  ],
};

/** RFC 5424 syslog: `<165>1 2003-10-11T22:14:15.003Z host app procid msgid [sd] msg`. */
export const rfc5424: EnvelopeDefinition = {
  id: 'rfc5424',
  name: 'syslog RFC 5424',
  description: '`<PRI>1 stamp host app procid msgid [structured data] message`; `-` for a missing part.',
  kind: 'regex',
  line: { regex: '^<(\\d{1,3})>1 (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) (-|(?:\\[[^\\]]*\\])+) ?(.*)$', groups: ['pri', 'ts', 'host', 'app', 'pid', 'msgid', 'sd', 'inner'] },
  fields: { pri: 'syslog_pri', host: 'host', app: 'unit', pid: 'pid', msgid: 'msgid', sd: 'structured_data' },
  time: { field: 'ts', shapes: ['iso'] },
  priority: 12,
  samples: [
    {
      title: 'the RFC\'s own example, and a line with a nil stamp',
      text: '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"] An application event log entry\n<34>1 - host2 su - - - \'su root\' failed for lonvick\n',
      streams: [{ name: '', format: 'raw' }],
      records: [
        { ts: '2003-10-11T22:14:15.003Z', tsFlag: 'envelope', message: 'An application event log entry', fields: { host: 'mymachine.example.com', unit: 'evntslog', msgid: 'ID47', syslog_pri: '165' } },
        { ts: '2003-10-11T22:14:15.003Z', tsFlag: 'inherited', message: "'su root' failed for lonvick", fields: { host: 'host2' } },
      ],
    },
  ],
};
