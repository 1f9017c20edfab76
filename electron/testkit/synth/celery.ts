// Celery worker log (enrich/logs/celery/celery-worker.log) plus the dashboard's polls of each task in the system log.
import { gunicornAccess } from './services';
import { emitSystem, kycId, VIEWS } from './system';
import { isoUtc } from './time';
import { HOST, PY_SITE } from './vocab';
import type { World } from './world';

export const CELERY_LOG = 'enrich/logs/celery/celery-worker.log';
const TASKS_PY = '/home/scribble/enrich/dashboard/compapp/tasks.py';
const ROOT_NAMES = ['search_timeline', 'search_transactions', 'export_report', 'build_persona'] as const;

export interface CeleryOptions { slow?: boolean; fail?: boolean; children?: number }

function celeryLine(w: World, ts: number, level: string, proc: string, msg: string): string {
  return `[${w.zone.naiveComma(ts)}: ${level}/${proc}] ${msg}\n`;
}

function emitCelery(w: World, ts: number, level: string, proc: string, msg: string, chain: number): void {
  w.em.emit(w.sinks.get(CELERY_LOG, 'celery'), ts, celeryLine(w, ts, level, proc, msg), chain);
}

function searchUrl(persona: string, id: string): string {
  return `https://${HOST}/dashboard/usecases/Compliance/applications/persona/details?persona=${persona.replace(' ', '+')}&table=Search&query=${id}`;
}

/** The dict a dashboard search hands to Celery; also what the SUCCESS poll echoes. */
function searchArgs(w: World, ts: number, ids: string[]): string {
  const end = w.zone.localDate(ts);
  const start = w.zone.localDate(ts - 30 * 86400000);
  const persona = w.rng.chance(0.5) ? 'Customer KYCs' : 'Customer ACCs';
  const key = persona === 'Customer KYCs' ? 'kyc_txn_ids' : 'acc_txn_ids';
  const url = searchUrl(persona, ids[0]!);
  return `{'start_date': '${start}', 'end_date': '${end}', 'referrer': '${url}', 'source': '${url}', `
    + `'${key}': [${ids.map((i) => `'${i}'`).join(', ')}], 'name': 'txnsearch-${persona}-Search-${ids.join('_')}-${end}'}`;
}

function applyLine(w: World, name: string, id: string, root: string, parent: string | null, argsrepr: string): string {
  const trace = w.rng.hex(32);
  return `TaskPool: Apply <function fast_trace_task at 0x7f55e1ada820> (args:('${name}', '${id}', {'lang': 'py', 'task': '${name}', `
    + `'id': '${id}', 'shadow': None, 'eta': None, 'expires': None, 'group': None, 'group_index': None, 'retries': 0, `
    + `'timelimit': [None, None], 'root_id': '${root}', 'parent_id': ${parent ? `'${parent}'` : 'None'}, 'argsrepr': "(${argsrepr},)", `
    + `'kwargsrepr': '{}', 'origin': 'gen18892@${HOST}', 'ignore_result': False, 'sentry-trace': '${trace}-${w.rng.hex(16)}-0', `
    + `'baggage':... kwargs:{})`;
}

function sqlText(table: string, ts: number, w: World, ids: string[]): string {
  const end = w.zone.localDate(ts);
  const start = w.zone.localDate(ts - 90 * 86400000);
  const list = ids.map((i) => `'${i}'`).join(', ');
  return `SELECT *\n            FROM ${table}\n            where ((DATE(modified_on) >= '${start}') AND\n`
    + `                        (DATE(modified_on) <= '${end}') AND\n`
    + `                        ((sender_id_no IN (${list})) OR\n                        (receiver_id_no IN (${list}))))\n`;
}

function resultText(w: World, name: string, ts: number): string {
  if (name === 'search_timeline') {
    const day = w.zone.localDate(ts).replace(/-/g, '/');
    const files = Array.from({ length: 6 }, (_, i) =>
      `'[OK] enrich-acme/preprocessed/${HOST}/logs/${['eig_in_classifier', 'eig_out_classifier', 'terra_core_classifier'][i % 3]}/v1/${day}/transactions_TP_${i}.csv.gz'`);
    return `{'log': [${files.join(', ')}, '[OK]...', '[OK]...'], 'files': ${w.rng.int(3, 40)}, 'processed': ${w.rng.int(10000, 30000000)}, 'matched': ${w.rng.int(0, 500)}, ...}`;
  }
  if (name === 'search_chunk') return `{'chunk_rows': ${w.rng.int(0, 5000)}, 'elapsed': ${(w.rng.next() * 9).toFixed(3)}}`;
  if (name === 'export_report') return `{'path': 'exports/report-${w.rng.hex(8)}.xlsx', 'rows': ${w.rng.int(10, 90000)}}`;
  return `{'records': [['hub_transaction_id', 'qrn', 'mod_id', 'response_code', 'response_message', 'status', `
    + `'transaction_date_time_local', 'transaction_date_time_global', 'execution_time', 'source_country_code', `
    + `'destination_country_code', 'source_currency_code', 'destination_currency_code', 'quote_time', 'src_txn_...', ...]]}`;
}

const FAILURES = [
  ['ValueError', 'Invalid date range: start_date is after end_date'],
  ['OperationalError', 'server closed the connection unexpectedly'],
  ['KeyError', 'sender_id_no'],
  ['MemoryError', ''],
] as const;

/** "Task ...raised unexpected: Type('arg')" (Python repr) and its traceback ending in "Type: arg" (Python str). */
function failureText(w: World, name: string, id: string): [string, string] {
  const [type, arg] = w.rng.pick(FAILURES);
  const repr = `${type}(${arg ? `'${arg}'` : ''})`;
  const last = arg === '' ? type : type === 'KeyError' ? `${type}: '${arg}'` : `${type}: ${arg}`;
  const tb = 'Traceback (most recent call last):\n'
    + `  File "${PY_SITE}/celery/app/trace.py", line 451, in trace_task\n    R = retval = fun(*args, **kwargs)\n`
    + `  File "${PY_SITE}/celery/app/trace.py", line 734, in __protected_call__\n    return self.run(*args, **kwargs)\n`
    + `  File "${TASKS_PY}", line ${w.rng.int(40, 400)}, in ${name}\n    df = run_chunked_query(engine, sql, params)\n`
    + `${last}\n`;
  return [`Task ${name}[${id}] raised unexpected: ${repr}`, tb];
}

interface TaskRun {
  id: string; name: string; end: number; status: 'success' | 'failure'; chain: number; first: number; runtime: number;
  children: string[];
}

/** Worker-side life of one task (received, apply, SQL chunks, outcome) and, for children, nothing on the dashboard. */
function runTask(
  w: World, name: string, id: string, root: string, parent: string | null, tRecv: number, durMs: number,
  fail: boolean, argsrepr: string, ids: string[], chain: number, childCount: number,
): TaskRun {
  const rng = w.rng;
  const worker = `ForkPoolWorker-${rng.int(1, 8)}`;
  emitCelery(w, tRecv, 'INFO', 'MainProcess', `Task ${name}[${id}] received`, chain);
  emitCelery(w, tRecv, 'DEBUG', 'MainProcess', applyLine(w, name, id, root, parent, argsrepr), chain);
  const tStart = tRecv + rng.int(1, 5);
  const chunks = rng.int(1, name === 'search_chunk' ? 1 : 3);
  const table = rng.pick(['transactions', 'iox_hub_transaction', 'kyc_accounts']);
  for (let c = 0; c < chunks; c++) {
    const t = tStart + Math.floor((durMs * c) / chunks);
    emitCelery(w, t, 'INFO', worker, `${name}[${id}]: [${c}] Chunk running SQL: ${sqlText(table, t, w, ids)}`, chain);
    emitCelery(w, t + Math.floor(durMs / chunks / 2), 'INFO', worker, `${name}[${id}]: [${c}] CHunk Received ${rng.int(0, 5000)} records`, chain);
  }
  let end = tStart + durMs;
  const children: string[] = [];
  for (let k = 0; k < childCount; k++) {
    const childId = rng.uuid();
    const cRecv = tStart + Math.floor((durMs * (k + 1)) / (childCount + 2));
    const cDur = rng.int(30, Math.max(40, Math.floor(durMs / (childCount + 2))));
    const cChain = w.em.newChain();
    const cArgs = `{'chunk': ${k}, 'table': '${table}'}`;
    const child = runTask(w, 'search_chunk', childId, root, id, cRecv, cDur, false, cArgs, ids, cChain, 0);
    pushTruth(w, child, id, root, [], ids);
    children.push(childId);
    end = Math.max(end, child.end + rng.int(5, 200));
  }
  const runtime = (end - tStart + rng.next()) / 1000;
  if (fail) {
    const [head, tb] = failureText(w, name, id);
    emitCelery(w, end, 'ERROR', worker, head + '\n' + tb.slice(0, -1), chain);
  } else {
    emitCelery(w, end, 'INFO', worker, `Task ${name}[${id}] succeeded in ${runtime}s: ${resultText(w, name, end)}`, chain);
  }
  return { id, name, end, status: fail ? 'failure' : 'success', chain, first: tRecv, runtime, children };
}

function pushTruth(w: World, run: TaskRun, parent: string | null, root: string, extra: number[], ids: string[]): void {
  const times = [run.first, run.end, ...extra];
  w.truth.celery.push({
    id: run.id, name: run.name, status: run.status, parentId: parent, rootId: root, children: run.children,
    runtimeS: run.runtime, startUtc: isoUtc(Math.min(...times)), endUtc: isoUtc(Math.max(...times)), kycIds: ids, chain: run.chain,
  });
}

/** A dashboard-triggered task: submit record, worker life, PENDING polls, and the final SUCCESS/FAILURE poll. */
export function celeryTask(w: World, t0: number, opts: CeleryOptions = {}): void {
  const rng = w.rng;
  const name = opts.children ? 'search_timeline' : rng.pick(ROOT_NAMES);
  const id = rng.uuid();
  const ids = rng.chance(0.8) ? [kycId(w)] : [kycId(w), kycId(w)];
  const chain = w.em.newChain();
  const args = name === 'search_timeline'
    ? `{'txnids': ['TPWU${String(rng.int(0, 99999999999)).padStart(12, '0')}'], 'nontxnids': [], 'start_date': '${w.zone.localDate(t0 - 5 * 86400000)}', 'end_date': '${w.zone.localDate(t0)}', 'limit': 10000, 'goal': 'Select', 'importance': 'Select', 'kyc_ids': [${ids.map((i) => `'${i}'`).join(', ')}]}`
    : searchArgs(w, t0, ids);
  const durMs = opts.slow
    ? rng.int(300_000, 900_000)
    : Math.floor(Math.min(120_000, Math.max(40, rng.logNormal(900, 1.6))));
  const children = opts.children ?? (rng.chance(0.08) ? rng.int(1, 3) : 0);
  const fail = opts.fail ?? rng.chance(0.07);

  // Some tasks start with the dashboard's API call: the task's first record only mentions its id, in a URL.
  const viaApi = rng.chance(0.35) ? t0 - rng.int(2, 60) : null;
  if (viaApi !== null) gunicornAccess(w, viaApi, 'POST', `/dashboard/api/tasks/${id}/`, chain);
  emitSystem(w, t0, { message: 'Task submitted', level: 'DEBUG', funcName: 'txnsearch_submit', lineno: 388, pathname: VIEWS,
    data: `\n${id} <- ${name} ${ids.join(',')}` }, chain);
  const tRecv = t0 + rng.int(3, 40);
  const run = runTask(w, name, id, id, null, tRecv, durMs, fail, args, ids, chain, children);

  const interval = Math.max(2000, Math.floor((run.end - t0) / 25));
  let t = t0 + rng.int(800, 2500);
  for (; t < run.end; t += interval + rng.int(0, 700)) {
    emitSystem(w, t, { message: 'Task result', level: 'DEBUG', funcName: 'txnsearch_result', lineno: 407, pathname: VIEWS,
      data: `\n${id} -> PENDING [{}]` }, chain);
  }
  const final = run.status === 'success'
    ? `\n${id} -> SUCCESS [${searchArgs(w, t0, ids)}]`
    : `\n${id} -> FAILURE [{'exc_type': 'TaskError', 'exc_message': ['search failed'], 'kyc_txn_ids': [${ids.map((i) => `'${i}'`).join(', ')}]}]`;
  emitSystem(w, t, { message: 'Task result', level: run.status === 'success' ? 'DEBUG' : 'ERROR', funcName: 'txnsearch_result',
    lineno: 407, pathname: VIEWS, data: final }, chain);
  pushTruth(w, run, null, id, viaApi === null ? [t0, t] : [viaApi, t0, t], ids);
}

/** Worker start-up lines. */
export function celeryBanner(w: World, ts: number): void {
  const sink = w.sinks.get(CELERY_LOG, 'celery');
  const lines = ['Connected to redis://localhost:6379/0', 'mingle: searching for neighbors', 'mingle: all alone',
    `celery@${HOST} ready.`];
  lines.forEach((msg, i) => w.em.emit(sink, ts + i, celeryLine(w, ts + i, 'INFO', 'MainProcess', msg)));
}

/** Worker housekeeping lines that belong to no task. */
export function celeryNoise(w: World, ts: number): void {
  const sink = w.sinks.get(CELERY_LOG, 'celery');
  const msg = w.rng.pick([
    'missed heartbeat from celery@worker2.aip.acmeinc.com',
    'Events of group {task} enabled by remote.',
    'mingle: all alone',
    'pidbox: Connected to redis://localhost:6379/0.',
  ]);
  w.em.emit(sink, ts, celeryLine(w, ts, 'INFO', 'MainProcess', msg));
}
