import { UUID } from './correlation';
import type { FormatDefinition } from './types';

/** A pipeline run's own log: JSON lines with offset timestamps (+0530 and +05:30), runid, application, transform. */
export const pipeline: FormatDefinition = {
  id: 'pipeline',
  name: 'Enrich pipeline run log (JSON)',
  description: 'enrich/data/<owner>/<org>/outputs/<name>/<run-id>/log.json: one per run; runid, application, transform, conf.',
  kind: 'json',
  paths: ['**/outputs/*/*/log.json', '**/outputs/**/log.json'],
  sniffKeys: ['runid', 'levelname'],
  time: {
    fields: ['ts', 'asctime'],
    inline: ['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%d %H:%M:%S%z'],
    naive: ['%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S,%g', '%Y-%m-%d %H:%M:%S'],
    epoch: ['created'],
  },
  level: ['levelname'],
  logger: ['name'],
  message: ['message'],
  tzEvidence: { kind: 'offset' },
  priority: 5,
  correlation: {
    fields: [
      { field: 'runid', kind: 'pipeline_run', role: 'key' },
      { field: 'application', kind: 'application', role: 'name' },
    ],
    text: [{ regex: `Registered \\w+ (?<metadata_entity>${UUID})`, role: 'key', foundIn: 'data', hints: ['Registered '] }],
    // A metadata entity has no outcome of its own: a failed run does not fail the entities it registered. Its label is
    // what Doodle's URL says it is (features, sources; gunicorn.ts). Not read here: one record may register entities of
    // several types, and a name on a record cannot say which key it goes with.
    chains: [{ kind: 'pipeline_run', labelFrom: 'application' }, { kind: 'metadata_entity', labelFrom: 'metadata_type', outcome: false }],
    status: [
      { on: 'level', values: { ERROR: 'failure', CRITICAL: 'failure' } },
      { on: 'message', values: { 'Process completed': 'success', 'Starting run': 'running' } },
    ],
    links: [{ type: 'record', relation: 'registered', rule: 'pipeline-metadata-register', from: { kind: 'pipeline_run' },
      to: { kind: 'metadata_entity', foundIn: 'data' }, detail: 'Run {from} logged the registration of {to}' }],
  },
  samples: [
    {
      title: 'seed: +0530 asctime and +05:30 ts',
      path: 'enrich/data/acme/Contrib/outputs/TestPy/daily-20230309-120433/log.json',
      text: [
        '{"asctime": "2023-03-09T12:04:48+0530", "name": "app", "levelname": "DEBUG", "message": "FileOperations - process", "transform": "FileOperations", "runid": "daily-20230309-120433", "conf": "test.py", "usecase": "Contrib", "customer": "Contrib", "application": "TestPy", "ts": "2023-03-09T12:04:48+05:30", "data": "", "logid": 125}',
        '{"asctime": "2023-03-09T12:04:49+0530", "name": "app", "levelname": "ERROR", "message": "Process failed", "transform": "FileOperations", "runid": "daily-20230309-120433", "application": "TestPy", "logid": 129}',
      ].join('\n') + '\n',
      records: [
        { ts: '2023-03-09T06:34:48.000Z', level: 'DEBUG', message: 'FileOperations - process', fields: { runid: 'daily-20230309-120433', application: 'TestPy', transform: 'FileOperations' },
          identifiers: ['pipeline_run=daily-20230309-120433@runid', 'application=TestPy@application'] },
        { ts: '2023-03-09T06:34:49.000Z', level: 'ERROR', message: 'Process failed' },
      ],
    },
  ],
};
