import type { FormatDefinition } from './types';

/**
 * Jupyter server log (tornado style): `[I 2021-04-09 11:01:43.064 ServerApp] text`, JSON blocks and tracebacks continue
 * below. The classic Notebook writes a time of day only (`[I 22:23:10.709 NotebookApp]`); JupyterHub adds the source
 * location (`[I … SingleUserNotebookApp log:122]`).
 */
export const jupyter: FormatDefinition = {
  id: 'jupyter',
  name: 'Jupyter server log',
  description: 'enrich/logs/jupyterlab: [L stamp App] lines; continuation lines (config JSON) belong to the record above.',
  kind: 'text',
  paths: ['**/logs/jupyterlab/**', '**/logs/jupyter*/**'],
  recordStart: '^\\[[DIWEC] (?:\\d{4}-\\d{2}-\\d{2} )?\\d{2}:\\d{2}:\\d{2}\\.\\d{3} ',
  pattern: {
    regex: '^\\[([DIWEC]) ((?:\\d{4}-\\d{2}-\\d{2} )?\\d{2}:\\d{2}:\\d{2}\\.\\d{3}) ([\\w.\\-]+)(?: [\\w.\\-]+:\\d+)?\\] ?(.*)',
    groups: ['level', 'ts', 'logger', 'message'],
  },
  // A dated stamp is read as it was; a time of day takes its day from the file's context (flagged date-inferred).
  time: { fields: ['ts'], naive: ['%Y-%m-%d %H:%M:%S.%g'], shapes: ['time'] },
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
    {
      title: 'JupyterHub single-user server with the source location (pangeo issue #124)',
      path: 'jupyterhub/singleuser.log',
      text: '[I 2018-02-22 14:30:24.612 SingleUserNotebookApp build_handler:43] Build is up to date\n',
      records: [{ ts: '2018-02-22T14:30:24.612Z', level: 'INFO', logger: 'SingleUserNotebookApp', message: 'Build is up to date' }],
    },
    {
      title: 'classic Notebook: a time of day only (the day from --date, then rolling over midnight), an uncaught exception with its request and traceback (notebook issue #5334)',
      path: 'jupyter/notebook.log',
      date: '2020-04-05',
      text: [
        '[E 20:12:10.596 NotebookApp] Uncaught exception GET /api/contents/phg_bike.ipynb?type=notebook&_=1586045529162 (::1)',
        "    HTTPServerRequest(protocol='http', host='localhost:8888', method='GET', uri='/api/contents/phg_bike.ipynb', version='HTTP/1.1', remote_ip='::1')",
        '    Traceback (most recent call last):',
        '[D 13:42:46.544 NotebookApp] 200 GET /api/kernelspecs (::1) 14.22ms',
      ].join('\n') + '\n',
      records: [
        { ts: '2020-04-05T20:12:10.596Z', level: 'ERROR', logger: 'NotebookApp', lineCount: 3 },
        { ts: '2020-04-06T13:42:46.544Z', level: 'DEBUG', message: '200 GET /api/kernelspecs (::1) 14.22ms' },
      ],
    },
  ],
};
