import type { EnvelopeDefinition } from './types';
import { RFC3339 } from './docker';

/** `kubectl logs --prefix` (with or without `--timestamps`): `[pod/api-7f9c/web] …`, one stream per pod/container. */
export const kubectlPrefix: EnvelopeDefinition = {
  id: 'kubectl-prefix',
  name: 'kubectl logs --prefix',
  description: '`[pod/<pod>/<container>] text`, optionally with `--timestamps`: one stream per pod and container.',
  kind: 'regex',
  line: { regex: `^\\[pod/([^/\\]\\s]+)/([^\\]\\s]+)\\] (?:(${RFC3339}) )?(.*)$`, groups: ['pod', 'container', 'ts', 'inner'] },
  fields: { pod: 'pod', container: 'container' },
  time: { field: 'ts', shapes: ['iso'] },
  stream: ['pod', 'container'],
  priority: 21,
  samples: [
    {
      title: 'two pods of one deployment, with --timestamps',
      text: [
        '[pod/api-7f9c-abcde/web] 2024-05-01T10:00:00.100000000Z 2024-05-01 10:00:00,100 INFO api started',
        '[pod/api-7f9c-fghij/web] 2024-05-01T10:00:00.200000000Z 2024-05-01 10:00:00,200 INFO api started',
        '[pod/api-7f9c-abcde/web] 2024-05-01T10:00:05.000000000Z 2024-05-01 10:00:05,000 ERROR boom',
        '[pod/api-7f9c-abcde/web] 2024-05-01T10:00:05.000100000Z   File "x.py", line 1',
      ].join('\n') + '\n',
      streams: [{ name: 'api-7f9c-abcde/web', format: 'generic-text' }, { name: 'api-7f9c-fghij/web', format: 'generic-text' }],
      records: [
        { ts: '2024-05-01T10:00:00.100Z', fields: { pod: 'api-7f9c-abcde', container: 'web' } },
        { ts: '2024-05-01T10:00:00.200Z', fields: { pod: 'api-7f9c-fghij' } },
        { ts: '2024-05-01T10:00:05.000Z', level: 'ERROR', lineCount: 2, fields: { pod: 'api-7f9c-abcde' } },
      ],
    },
  ],
};
