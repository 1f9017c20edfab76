import { prefectExtras } from './prefect';
import type { FormatDefinition } from './types';

const STAMP = '(?:\\d{4}-\\d{2}-\\d{2} )?\\d{2}:\\d{2}:\\d{2}\\.\\d{3}';

/**
 * Prefect 2 and 3 console log: `10:41:07.311 | INFO    | prefect.engine - text`. The default stamp is a time of day
 * only (the day comes from the file's context); with debug logging a thread column sits before the logger.
 */
export const prefect2: FormatDefinition = {
  id: 'prefect2',
  name: 'Prefect 2/3 console log',
  description: 'Flow and task runs, workers and agents: `time | LEVEL | logger - text`; a time of day, or a date and time.',
  kind: 'text',
  paths: [],
  recordStart: `^${STAMP} \\| [A-Z]+ *\\| `,
  pattern: {
    regex: `^(${STAMP}) \\| ([A-Z]+) *\\| (?:(\\w+) \\| )?(.+?) - (.*)`,
    groups: ['ts', 'level', 'thread', 'logger', 'message'],
  },
  extras: [
    { regex: "^Created (flow|task) run '([^']+)' for (?:flow|task) '([^']+)'", groups: ['run_kind', 'run_name', 'flow_or_task'] },
    { regex: '^Finished in state (\\w+)', groups: ['final_state'] },
    ...prefectExtras,
  ],
  // Usually a time of day: the day comes from the file's context (flagged date-inferred).
  time: { fields: ['ts'], shapes: ['iso', 'time'] },
  level: ['level'],
  logger: ['logger'],
  message: ['message'],
  priority: 26,
  samples: [
    {
      title: 'a flow run created and finished (Prefect 2 issue #8948); a print continues the record above',
      path: 'runs/prefect-worker.log',
      date: '2023-03-27',
      text: [
        "11:48:33.097 | INFO    | prefect.engine - Created flow run 'shrewd-chihuahua' for flow 'test'",
        'test',
        "11:48:33.202 | INFO    | Flow run 'shrewd-chihuahua' - Finished in state Completed()",
      ].join('\n') + '\n',
      records: [
        { ts: '2023-03-27T11:48:33.097Z', level: 'INFO', logger: 'prefect.engine', lineCount: 2, fields: { run_kind: 'flow', run_name: 'shrewd-chihuahua', flow_or_task: 'test' } },
        { ts: '2023-03-27T11:48:33.202Z', level: 'INFO', logger: "Flow run 'shrewd-chihuahua'", message: 'Finished in state Completed()', fields: { final_state: 'Completed' } },
      ],
    },
    {
      title: 'debug logging puts the thread before the logger; a traceback stays with its record (Prefect issues #10826, #12804)',
      path: 'runs/prefect-worker.log',
      date: '2023-09-26',
      text: [
        '17:46:22.308 | DEBUG   | GlobalEventLoopThread | prefect._internal.concurrency - <function _get_state_result at 0x7f9e5dd01040> --> return coroutine for internal await',
        "16:13:50.670 | ERROR | Task run 'my_first_task-0' - Encountered exception during execution:",
        'Traceback (most recent call last):',
        'File "/home/user/testenv/lib/python3.8/site-packages/prefect/engine.py", line 2148, in orchestrate_task_run',
      ].join('\n') + '\n',
      records: [
        { ts: '2023-09-26T17:46:22.308Z', level: 'DEBUG', logger: 'prefect._internal.concurrency', fields: { thread: 'GlobalEventLoopThread' } },
        { ts: '2023-09-26T16:13:50.670Z', level: 'ERROR', logger: "Task run 'my_first_task-0'", lineCount: 3 },
      ],
    },
    {
      title: 'a date before the time places the record on its own',
      path: 'runs/prefect-worker.log',
      text: "2024-07-18 15:13:59.576 | INFO    | prefect.flow_runs.worker - Opening process...\n",
      records: [{ ts: '2024-07-18T15:13:59.576Z', level: 'INFO', logger: 'prefect.flow_runs.worker', message: 'Opening process...' }],
    },
  ],
};

/** Prefect 1 default log: `[2019-06-27 02:22:00,692] INFO - prefect.FlowRunner | text`, naive stamps. */
export const prefect1: FormatDefinition = {
  id: 'prefect1',
  name: 'Prefect 1 log',
  description: 'Prefect 0.x/1.x flow and task runners: `[stamp] LEVEL - logger | text`, stamps in local time without a zone.',
  kind: 'text',
  paths: [],
  recordStart: '^\\[\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?\\] [A-Z]+ - ',
  pattern: {
    regex: '^\\[(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?)\\] ([A-Z]+) - ([\\w.\\-]+) \\| (.*)',
    groups: ['ts', 'level', 'logger', 'message'],
  },
  extras: prefectExtras,
  time: { fields: ['ts'], naive: ['%Y-%m-%d %H:%M:%S.%g', '%Y-%m-%d %H:%M:%S'] },
  level: ['level'],
  logger: ['logger'],
  message: ['message'],
  priority: 27,
  samples: [
    {
      title: 'a retrying task between prints of the flow script (Prefect issue #1184)',
      path: 'runs/demo_flow.log',
      text: [
        "[2019-06-27 02:22:00,692] INFO - prefect.TaskRunner | Task 'demo_task_0': Starting task run...",
        'current work flow running state is <Failed: "None">',
        "[2019-06-27 02:22:00,708] INFO - prefect.TaskRunner | Task 'demo_task_0': finished task run for task with final state: 'Retrying'",
        '[2019-06-27 02:22:00,708] INFO - prefect.FlowRunner | Flow run RUNNING: terminal tasks are incomplete.',
      ].join('\n') + '\n',
      records: [
        { ts: '2019-06-27T02:22:00.692Z', level: 'INFO', logger: 'prefect.TaskRunner', lineCount: 2, fields: { task: 'demo_task_0', task_start: 'Starting task run' } },
        { ts: '2019-06-27T02:22:00.708Z' },
        { logger: 'prefect.FlowRunner', fields: { flow_state: 'RUNNING' } },
      ],
    },
  ],
};
