import type { FormatDefinition, TextPattern } from './types';

/** Task and flow state changes in Prefect's own messages (the same words in Prefect 1 and the Enrich workflows). */
export const prefectExtras: TextPattern[] = [
  { regex: "^Task '([\\w.\\-]+)': (?:Finished task run for task with final state: '(\\w+)'|Handling state change from (\\w+) to (\\w+)|(Starting task run)|(Calling task\\.run))", groups: ['task', 'final_state', 'state_from', 'state_to', 'task_start', 'task_call'] },
  { regex: "^Flow run (\\w+): (.*)", groups: ['flow_state', 'flow_text'] },
];

/** Prefect (1.x) workflow log: `[stamp+0530] LEVEL - logger | text`, one file per workflow run from cron. */
export const prefect: FormatDefinition = {
  id: 'prefect',
  name: 'Prefect workflow log',
  description: 'enrich/logs/workflows/*.log: flow and task runs (run_<app> tasks launch pipelines), state changes.',
  kind: 'text',
  paths: ['**/logs/workflows/*.log*', '**/logs/workflows/**/*.log*'],
  recordStart: '^\\[\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?[+-]\\d{4}\\] [A-Z]+ - ',
  pattern: {
    regex: '^\\[(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?[+-]\\d{4})\\] ([A-Z]+) - ([\\w.\\-]+) \\| (.*)',
    groups: ['ts', 'level', 'logger', 'message'],
  },
  extras: prefectExtras,
  time: { fields: ['ts'], normalize: true, inline: ['%Y-%m-%d %H:%M:%S%z', '%Y-%m-%d %H:%M:%S.%f%z'] },
  level: ['level'],
  logger: ['logger'],
  message: ['message'],
  tzEvidence: { kind: 'offset' },
  priority: 25,
  correlation: {
    fields: [{ field: 'task', kind: 'prefect_task', role: 'name' }],
    text: [
      { regex: "\\| (?:Beginning Flow run for |Flow )'(?<prefect_flow>[^']+)'", role: 'name', foundIn: 'text', hints: ['Flow '] },
      // Task output lines are logged by `prefect.<task>`.
      { regex: '^\\[[^\\]]+\\] [A-Z]+ - prefect\\.(?<prefect_task>run_[\\w.-]+) \\|', role: 'name', foundIn: 'logger', hints: ['prefect.run_'] },
    ],
    fileChain: { kind: 'prefect_flow', prefix: 'flow:' },
    chains: [{ kind: 'prefect_flow', labelFrom: 'prefect_flow' }],
    status: [
      { on: 'flow_state', values: { SUCCESS: 'success', Success: 'success', FAILED: 'failure', Failed: 'failure' } },
      { on: 'final_state', values: { Failed: 'failure', TriggerFailed: 'failure', TimedOut: 'failure' } },
      { on: 'message', regex: '^Beginning Flow run', status: 'running', hints: ['Beginning Flow run'] },
    ],
    links: [{ type: 'window', relation: 'launched', rule: 'prefect-task-window', task: { kind: 'prefect_task', prefix: 'run_' },
      target: { chain: 'pipeline_run', name: 'application' } }],
  },
  samples: [
    {
      title: 'seed: task state changes',
      path: 'enrich/logs/workflows/daily_routeopt20221208.log',
      text: [
        "[2022-12-08 08:12:53+0530] INFO - prefect.TaskRunner | Task 'run_routeopt': Starting task run...",
        "[2022-12-08 08:12:53+0530] DEBUG - prefect.TaskRunner | Task 'run_routeopt': Handling state change from Pending to Running",
        "[2022-12-08 08:13:19+0530] DEBUG - prefect.run_routeopt | Output: b'Successfully read secure siteconf\\n\\nEXIT CODE: 0\\n'",
        "[2022-12-08 08:13:19+0530] INFO - prefect.TaskRunner | Task 'run_routeopt': Finished task run for task with final state: 'Success'",
      ].join('\n') + '\n',
      records: [
        { ts: '2022-12-08T02:42:53.000Z', level: 'INFO', logger: 'prefect.TaskRunner', fields: { task: 'run_routeopt' }, identifiers: ['prefect_task=run_routeopt@task'] },
        { fields: { state_from: 'Pending', state_to: 'Running' } },
        { ts: '2022-12-08T02:43:19.000Z', logger: 'prefect.run_routeopt', identifiers: ['prefect_task=run_routeopt@logger'] },
        { fields: { task: 'run_routeopt', final_state: 'Success' } },
      ],
    },
  ],
};
