import type { FormatDefinition } from './types';
import { pythonLogging } from './system';

/** TaskBlade (LLM microservice) request log: the system JSON layout plus request_id, user, dataset, source. */
export const taskblade: FormatDefinition = {
  id: 'taskblade',
  name: 'TaskBlade service log (JSON)',
  description: 'enrich/llm-agents/logs/<name>/app.json.log: request-level log with request_id, user, dataset, source.',
  kind: 'json',
  paths: ['**/llm-agents/logs/*/app.json.log', '**/llm-agents/logs/*/app.json.log.*', '**/llm-agents/logs/**/*.log*'],
  sniffKeys: ['levelname', 'asctime', 'source'],
  ...pythonLogging,
  priority: 8,
  correlation: {
    fields: [
      { field: 'request_id', kind: 'taskblade_request', role: 'key' },
      { field: 'user', kind: 'user', role: 'facet' },
      { field: 'dataset', kind: 'dataset', role: 'facet' },
    ],
    chains: [{ kind: 'taskblade_request', labelPath: 'llm-agents/logs/([^/]+)/' }],
    status: [
      { on: 'level', values: { ERROR: 'failure', CRITICAL: 'failure' } },
      { on: 'message', regex: '^(?:Query Status|Updated Result): (\\w+)', ignoreCase: true, hints: ['Query Status: ', 'Updated Result: '],
        values: { success: 'success', failure: 'failure', failed: 'failure', error: 'failure', pending: 'running', running: 'running' } },
    ],
  },
  samples: [
    {
      title: 'seed: a request status step with JSON-in-string data',
      path: 'enrich/llm-agents/logs/datagpt/app.json.log',
      text: '{"message": "Query Status: pending", "levelname": "DEBUG", "name": "app", "asctime": "2023-07-28 16:54:53,351", "funcName": "qna_status", "lineno": 301, "pathname": "/home/pingali/Code/scribble-llmsdk/llmsdk/services/datagpt.py", "module": "datagpt", "created": 1690543493.3518183, "source": "service", "request_id": "7386fcfe-273e-4a1d-80e8-8b1848114362", "dataset": "acme-retail", "user": "venkata", "data": "{\\n    \\"query\\": \\"how many rows are there?\\",\\n    \\"status\\": \\"pending\\"\\n}"}\n',
      records: [{ ts: '2023-07-28T11:24:53.351Z', level: 'DEBUG', message: 'Query Status: pending', fields: { request_id: '7386fcfe-273e-4a1d-80e8-8b1848114362', user: 'venkata', dataset: 'acme-retail', source: 'service' },
        identifiers: ['taskblade_request=7386fcfe-273e-4a1d-80e8-8b1848114362@request_id', 'user=venkata@user', 'dataset=acme-retail@dataset'] }],
    },
  ],
};
