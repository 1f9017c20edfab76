import type { EnvelopeDefinition } from './types';

/** An excerpt pasted into a ticket or mail: `> ` quote marks, code fences around the log. */
export const quoted: EnvelopeDefinition = {
  id: 'quoted',
  name: 'Quoted excerpt (ticket, mail)',
  description: 'Lines quoted with `> ` and code fences (```) from a pasted ticket: the marks are stripped, fences kept as wrapper lines.',
  kind: 'regex',
  line: { regex: '^> ?(.*)$', groups: ['inner'] },
  fields: {},
  wrapperOnly: '^(?:> ?)?\\s*(?:```|~~~)[\\w-]*\\s*$',
  priority: 50,
  samples: [
    {
      title: 'a Jupyter log quoted inside a fence',
      text: [
        '> ```',
        '> [I 2021-04-09 11:01:43.064 ServerApp] jupyterlab | extension was successfully linked.',
        '> [W 2021-04-09 11:01:43.068 NotebookApp] Collisions detected in /home/u/.jupyter/jupyter_notebook_config.py: {',
        '>       "NotebookApp": {}',
        '>     }',
        '> ```',
      ].join('\n') + '\n',
      streams: [{ name: '', format: 'jupyter' }],
      records: [
        { ts: '2021-04-09T11:01:43.064Z', level: 'INFO', lineCount: 2, message: 'jupyterlab | extension was successfully linked.' },
        { ts: '2021-04-09T11:01:43.068Z', level: 'WARNING', lineCount: 4 },
      ],
    },
  ],
};
