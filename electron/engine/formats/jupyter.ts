import type { FormatDefinition } from './types';

/** Jupyter server log (tornado style): `[I 2021-04-09 11:01:43.064 ServerApp] text`, JSON blocks continue below. */
export const jupyter: FormatDefinition = {
  id: 'jupyter',
  name: 'Jupyter server log',
  description: 'enrich/logs/jupyterlab: [L stamp App] lines; continuation lines (config JSON) belong to the record above.',
  kind: 'text',
  paths: ['**/logs/jupyterlab/**', '**/logs/jupyter*/**'],
  recordStart: '^\\[[DIWEC] (?:\\d{4}-\\d{2}-\\d{2} )?\\d{2}:\\d{2}:\\d{2}\\.\\d{3} ',
  pattern: {
    regex: '^\\[([DIWEC]) (\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}) ([\\w.]+)\\] (.*)',
    groups: ['level', 'ts', 'logger', 'message'],
  },
  time: { fields: ['ts'], naive: ['%Y-%m-%d %H:%M:%S.%g'] },
  level: ['level'],
  logger: ['logger'],
  message: ['message'],
  levelMap: { D: 'DEBUG', I: 'INFO', W: 'WARNING', E: 'ERROR', C: 'CRITICAL' },
  priority: 40,
  samples: [
    {
      title: 'seed: a warning with a JSON block',
      path: 'enrich/logs/jupyterlab/jupyterlab.log',
      text: [
        '[I 2021-04-09 11:01:43.064 ServerApp] jupyterlab | extension was successfully linked.',
        '[W 2021-04-09 11:01:43.068 NotebookApp] Collisions detected in /home/scribble/.jupyter/jupyter_notebook_config.py: {',
        '      "NotebookApp": {',
        '        "nbserver_extensions": "{}"',
        '      }',
        '    }',
      ].join('\n') + '\n',
      records: [
        { ts: '2021-04-09T11:01:43.064Z', level: 'INFO', logger: 'ServerApp', message: 'jupyterlab | extension was successfully linked.' },
        { level: 'WARNING', logger: 'NotebookApp', lineCount: 5 },
      ],
    },
  ],
};
