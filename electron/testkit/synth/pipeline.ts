// Prefect workflow logs (enrich/logs/workflows/<flow>-<stamp>.log) and the pipeline runs their tasks launch
// (enrich/data/<owner>/<org>/outputs/<name>/<run-id>/log.json), with metadata registrations echoed by Doodle.
import { DOODLE_LOG, DOODLE_PIDS, doodleLine } from './services';
import type { Sink } from './sink';
import { isoUtc } from './time';
import { HELPER_TASKS, OWNER, PIPELINE_APPS, type PipelineApp, TRANSFORMS, WORKFLOWS } from './vocab';
import type { World } from './world';

const q = JSON.stringify;

interface RunCtx { w: World; app: PipelineApp; runid: string; sink: Sink; logid: number }

function pipelineLine(c: RunCtx, ts: number, level: string, message: string, transform: string, data: string): string {
  const z = c.w.zone;
  const tail = `"runid": "${c.runid}", "conf": "${c.app.conf}", "usecase": "${c.app.usecase}", "customer": "${c.app.usecase}", "application": "${c.app.application}", "ts": "${z.isoColon(ts)}"`;
  const head = `{"asctime": "${z.isoCompact(ts)}", "name": "app", "levelname": "${level}", "message": ${q(message)}, "transform": "${transform}", `;
  const id = c.logid++;
  // The seed shows both key orders: data last for most records, data before runid for "Completed" ones.
  return message.endsWith('Completed')
    ? `${head}"data": ${q(data)}, ${tail}, "logid": ${id}}\n`
    : `${head}${tail}, "data": ${q(data)}, "logid": ${id}}\n`;
}

export interface RunResult { runid: string; start: number; end: number; status: 'success' | 'failure'; file: string }

/** One pipeline run; returns when it ended so the Prefect task can report after it. */
export function pipelineRun(
  w: World, app: PipelineApp, t0: number, schedule: string, prefect: { task: string; file: string } | null,
  opts: { fail?: boolean; metadata?: boolean } = {},
): RunResult {
  const rng = w.rng;
  let stampTs = t0;
  let runid = `${schedule}-${w.zone.stamp(stampTs)}`;
  while (w.runIds.has(runid)) runid = `${schedule}-${w.zone.stamp((stampTs += 1000))}`;
  w.runIds.add(runid);
  const file = `enrich/data/${OWNER}/${app.usecase}/outputs/${app.application}/${runid}/log.json`;
  const sink = w.sinks.get(file, 'pipeline');
  const c: RunCtx = { w, app, runid, sink, logid: 1 };
  const fail = opts.fail ?? rng.chance(0.05);
  const withMeta = opts.metadata ?? rng.chance(0.5);
  const shared = `scribble/${app.usecase}/shared/${app.application.toLowerCase()}`;
  const out = `scribble/${app.usecase}/output/${app.application}/${runid}`;

  const transforms = TRANSFORMS.filter(() => rng.chance(0.6));
  if (transforms.length === 0) transforms.push('FileOperations');
  const steps: string[] = [...transforms];
  if (withMeta) steps.splice(steps.length - 1, 0, 'MetadataRegister');
  const failAt = fail ? rng.int(0, steps.length - 1) : -1;
  let tearAt = -1;
  if (w.tearNextPipeline) {
    tearAt = 2;
    w.tearNextPipeline = false;
  }

  let ts = t0 + rng.int(1000, 15000);
  let n = 0;
  const emit = (level: string, message: string, transform: string, data = '', refs: number | number[] = -1): void => {
    const text = pipelineLine(c, ts, level, message, transform, data);
    if (n++ === tearAt) w.em.emit(sink, ts, text.slice(0, Math.floor(text.length * 0.6)) + '\n', -1, 'torn_json');
    else w.em.emit(sink, ts, text, refs);
  };
  const metadata: string[] = [];
  emit('INFO', 'Starting run', '', `\nconf=${app.conf} schedule=${schedule}`);
  let status: 'success' | 'failure' = 'success';
  for (let i = 0; i < steps.length; i++) {
    const tr = steps[i]!;
    ts += rng.int(0, 1500);
    emit('DEBUG', `${tr} - process`, tr);
    if (tr === 'MetadataRegister') {
      const chains: number[] = [];
      let data = '';
      for (let k = rng.int(1, 3); k > 0; k--) {
        const uuid = rng.uuid();
        const entity = rng.chance(0.7) ? 'features' : 'sources';
        const chain = w.em.newChain();
        chains.push(chain);
        metadata.push(uuid);
        data += `\nRegistered ${entity} ${uuid} => ${app.application.toLowerCase()}.${rng.pick(['score', 'total', 'flag', 'segment', 'count'])}_${k}`;
        w.truth.metadata.push({ uuid, entity, runid, chain });
        const pid = rng.pick(DOODLE_PIDS);
        const posted = ts + rng.int(20, 400);
        w.em.emit(w.sinks.get(DOODLE_LOG, 'doodle'), posted, doodleLine(posted, pid, 'POST', `/metadata/api/v1/${entity}/${uuid}`), chain);
        for (let g = rng.int(0, 3); g > 0; g--) {
          const later = ts + rng.int(60_000, 3 * 3600_000);
          w.em.emit(w.sinks.get(DOODLE_LOG, 'doodle'), later, doodleLine(later, rng.pick(DOODLE_PIDS), 'GET', `/metadata/api/v1/${entity}/${uuid}`), chain);
        }
      }
      ts += rng.int(100, 900);
      emit('DEBUG', `${tr} - Registered`, tr, data, chains);
    } else {
      for (let k = rng.int(2, 14); k > 0; k--) {
        ts += Math.floor(rng.logNormal(400, 1.2));
        emit('DEBUG', `${tr} - ${rng.pick(['Loaded', 'Processed', 'Wrote', 'Checked'])} chunk`, tr,
          `\nrows=${rng.int(0, 250000)} file=${out}/${tr.toLowerCase()}-${k}.csv elapsed=${(rng.next() * 3).toFixed(3)}s`);
      }
    }
    ts += rng.int(50, 3000);
    if (i === failAt) {
      emit('ERROR', `${tr} - Failed`, tr, `\nTraceback (most recent call last):\n  File "/app/scribble/enrich/transforms/${tr.toLowerCase()}.py", line ${rng.int(50, 400)}, in process\n    df = self.read_input(spec)\nKeyError: 'customer_id'\n`);
      emit('ERROR', 'Process failed', tr, `\nfailed transform=${tr}`);
      status = 'failure';
      break;
    }
    emit('DEBUG', `${tr} - Completed`, tr, tr === 'FileOperations' ? `\nCopy: ${out}/output.csv => ${shared}/output.csv\n` : '');
  }
  if (status === 'success') {
    emit('DEBUG', 'Process completed', steps[steps.length - 1]!);
    emit('DEBUG', 'Validated results', steps[steps.length - 1]!);
  }
  sink.sealed = true;
  w.truth.pipelines.push({
    runid, application: app.application, file, prefectTask: prefect?.task ?? null, prefectFile: prefect?.file ?? null, status,
    startUtc: isoUtc(t0 + 1000), endUtc: isoUtc(ts), records: n, metadata,
  });
  return { runid, start: t0, end: ts, status, file };
}


function prefectLine(w: World, ts: number, level: string, logger: string, msg: string): string {
  return `[${w.zone.prefect(ts)}] ${level} - prefect.${logger} | ${msg}\n`;
}

/** One Prefect flow run: tasks in sequence, each launching a pipeline run (or a helper), and the flow's final state. */
export function prefectFlow(w: World, t0: number, opts: { fail?: boolean; metadata?: boolean } = {}): void {
  const rng = w.rng;
  const wf = rng.pick(WORKFLOWS);
  let name = `enrich/logs/workflows/${wf.name}-${w.zone.stamp(t0)}.log`;
  for (let k = 1; w.sinks.has(name); k++) name = `enrich/logs/workflows/${wf.name}-${w.zone.stamp(t0)}-${k}.log`;
  const sink = w.sinks.get(name, 'prefect');
  const line = (ts: number, level: string, logger: string, msg: string): void => w.em.emit(sink, ts, prefectLine(w, ts, level, logger, msg));

  const apps = PIPELINE_APPS.filter((a) => a.usecase === wf.usecase && rng.chance(0.75));
  if (apps.length === 0) apps.push(PIPELINE_APPS.find((a) => a.usecase === wf.usecase)!);
  const tasks: ({ app: PipelineApp } | { helper: (typeof HELPER_TASKS)[number] })[] = apps.map((app) => ({ app }));
  if (rng.chance(0.4)) tasks.push({ helper: rng.pick(HELPER_TASKS) });

  let ts = t0;
  line(ts, 'INFO', 'FlowRunner', `Beginning Flow run for '${wf.name}'`);
  line(ts, 'DEBUG', 'FlowRunner', 'Using executor type LocalExecutor');
  line(ts, 'DEBUG', 'FlowRunner', `Flow '${wf.name}': Handling state change from Scheduled to Running`);
  const truthTasks: { task: string; status: 'success' | 'failure'; startUtc: string; endUtc: string; runid: string | null }[] = [];
  let flowFailed = false;
  for (let i = 0; i < tasks.length; i++) {
    const t = tasks[i]!;
    const app = 'app' in t ? t.app : null;
    const task = `run_${app ? app.application.toLowerCase() : 'helper' in t ? t.helper.task : ''}`;
    const desc = app ? app.desc : 'helper' in t ? t.helper.desc : '';
    ts += rng.int(5, 900);
    const start = ts;
    line(ts, 'INFO', 'TaskRunner', `Task '${task}': Starting task run...`);
    line(ts, 'DEBUG', 'TaskRunner', `Task '${task}': Handling state change from Pending to Running`);
    line(ts, 'DEBUG', 'TaskRunner', `Task '${task}': Calling task.run() method...`);
    line(ts, 'DEBUG', task, `Starting: ${desc}`);
    let ok = true;
    let runid: string | null = null;
    if (app) {
      const forceFail = opts.fail === true && i === 0;
      const run = pipelineRun(w, app, ts + rng.int(300, 3000), wf.schedule, { task, file: name },
        { fail: forceFail ? true : opts.fail === undefined ? undefined : false, metadata: opts.metadata && i === 0 ? true : undefined });
      runid = run.runid;
      ok = run.status === 'success';
      ts = run.end + rng.int(200, 4000);
    } else {
      ts += rng.int(500, 30_000);
    }
    const stdout = ok
      ? `Successfully read secure siteconf\\nOverriding credentials from sitecred\\nSuccessfully read secure siteconf\\n....warnings ${'/app/scribble/enrich/.virtualenvs/scribble3.8/lib/python3.8/site-packages'}/statsmodels/tsa/base/tsa_model.py:7: FutureWarning: pandas.Float64Index is deprecated and will be removed from pandas in a future version. Use pandas.Index with the appropriate dtype instead.\\n  from pandas import (to_datetime, Int64Index, DatetimeIndex, Period,\\n\\nEXIT CODE: 0\\n`
      : `Successfully read secure siteconf\\nOverriding credentials from sitecred\\n\\nEXIT CODE: 1\\n`;
    line(ts, 'DEBUG', task, `Output: b'${stdout}'`);
    line(ts, 'DEBUG', task, ok ? "Error: b''" : `Error: b'Traceback (most recent call last):\\n  File "/app/scribble/enrich/bin/run_pipeline.py", line 88, in <module>\\n    run(spec)\\nKeyError: customer_id\\n'`);
    line(ts, 'DEBUG', task, `Completed: ${desc}`);
    line(ts, 'DEBUG', 'TaskRunner', `Task '${task}': Handling state change from Running to ${ok ? 'Success' : 'Failed'}`);
    line(ts, 'INFO', 'TaskRunner', `Task '${task}': Finished task run for task with final state: '${ok ? 'Success' : 'Failed'}'`);
    truthTasks.push({ task, status: ok ? 'success' : 'failure', startUtc: isoUtc(start), endUtc: isoUtc(ts), runid });
    flowFailed ||= !ok;
  }
  ts += rng.int(5, 500);
  line(ts, 'INFO', 'FlowRunner', flowFailed ? 'Flow run FAILED: some reference tasks failed.' : 'Flow run SUCCESS: all reference tasks succeeded');
  line(ts, 'DEBUG', 'FlowRunner', `Flow '${wf.name}': Handling state change from Running to ${flowFailed ? 'Failed' : 'Success'}`);
  sink.sealed = true;
  w.truth.prefectFlows.push({ file: name, flow: wf.name, status: flowFailed ? 'failure' : 'success', startUtc: isoUtc(t0), endUtc: isoUtc(ts), tasks: truthTasks });
}

/** A run started by hand (no Prefect task), as operators do when re-running a failed day. */
export function adhocRun(w: World, t0: number): void {
  pipelineRun(w, w.rng.pick(PIPELINE_APPS), t0, 'adhoc', null);
}
