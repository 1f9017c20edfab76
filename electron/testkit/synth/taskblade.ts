// TaskBlade request logs (enrich/llm-agents/logs/<service>/app.json.log): one request_id across status polls and results.
import { emitSystem, traceback, VIEWS } from './system';
import { isoUtc, pyEpoch } from './time';
import { TASKBLADE_SERVICES, USERS } from './vocab';
import type { World } from './world';

const LLMSDK = '/home/pingali/Code/scribble-llmsdk/llmsdk';
const q = JSON.stringify;

export function taskbladePath(service: string): string {
  return `enrich/llm-agents/logs/${service}/app.json.log`;
}

interface Ctx { w: World; service: string; user: string; dataset: string; requestId: string | null }

/** One record in the seed's key order; `data` is pretty-printed JSON held in a string, as the service logs it. */
function line(c: Ctx, ts: number, message: string, funcName: string, lineno: number, file: string, data?: unknown, excInfo?: string): string {
  const head = `{"message": ${q(message)}, "levelname": "${excInfo ? 'ERROR' : 'DEBUG'}", "name": "app", "asctime": "${c.w.zone.naiveComma(ts)}", `
    + `"funcName": "${funcName}", "lineno": ${lineno}, "pathname": "${LLMSDK}/${file}", "module": "${file.slice(file.lastIndexOf('/') + 1, -3)}", `
    + `"created": ${pyEpoch(ts, c.w.rng.int(0, 9999))}, "source": "service"`;
  const ids = c.requestId === null
    ? `, "user": "${c.user}", "dataset": "${c.dataset}"`
    : `, "request_id": "${c.requestId}", "dataset": "${c.dataset}", "user": "${c.user}"`;
  const d = data === undefined ? '' : `, "data": ${q(JSON.stringify(data, null, 4))}`;
  const e = excInfo === undefined ? '' : `, "exc_info": ${q(excInfo)}`;
  return `${head}${ids}${d}${e}}\n`;
}

function params(c: Ctx, query: string): unknown {
  return {
    user: c.user, dataset: c.dataset, context: '', namespace: c.service, query,
    policy: { schema: 'v1', policies: [], runtime: { clear_agent_memory: false } }, mode: 'economy',
  };
}

function result(c: Ctx, query: string, ok: boolean): unknown {
  const rng = c.w.rng;
  const table = c.service === 'datagpt' ? 'sales' : 'documents';
  const rows = rng.int(1, 90000);
  const schema = `\nCREATE TABLE ${table} (\n\t"index" INTEGER, \n\tinvoice_no TEXT, \n\tstock_code TEXT, \n\tdescription TEXT, \n`
    + `\tquantity INTEGER, \n\tunit_price REAL, \n\tcustomer_id INTEGER, \n\tcountry TEXT, \n\tsales REAL\n)\n\n/*\n3 rows from ${table} table:\n`
    + 'index\tinvoice_no\tstock_code\tdescription\tquantity\tunit_price\tcustomer_id\tcountry\tsales\n'
    + '0\t536365\t85123A\tWHITE HANGING HEART T-LIGHT HOLDER\t6\t2.55\t17850\tUnited Kingdom\t15.299999999999999\n'
    + '1\t536365\t71053\tWHITE METAL LANTERN\t6\t3.39\t17850\tUnited Kingdom\t20.34\n*/';
  const thought = `The only table in the database is "${table}". I should query the schema of the "${table}" table to see the structure of the data.`;
  const steps = [
    [`AgentAction(tool='sql_db_list_tables', tool_input='', log='Action: sql_db_list_tables\\nAction Input: ')`, table],
    [`AgentAction(tool='sql_db_schema', tool_input='${table}', log='${thought}\\nAction: sql_db_schema\\nAction Input: ${table}')`, schema],
  ];
  const raw = ['', '', '> Entering new  chain...', 'Action: sql_db_list_tables', 'Action Input: ', `Observation: ${table}`,
    `Thought:${thought}`, 'Action: sql_db_schema', `Action Input: ${table}`, 'Observation: ', ...schema.split('\n'),
    ok ? `Final Answer: ${rows}` : 'Thought:I could not parse the output', '', '> Finished chain.', ''];
  return {
    intermediate_steps: steps,
    cascade: { id: 'economy', platform: 'openai', model: 'gpt-3.5-turbo' },
    success: ok,
    tries: [{ seq: 0, cascade_id: 'economy', success: ok }, ...(ok ? [] : [{ seq: 1, cascade_id: 'expensive', success: false }])],
    query,
    answer: ok ? rows : null,
    ...(ok ? {} : { error: 'Could not parse LLM output: `I could not parse the output`' }),
    type: 'json',
    raw_thoughts: raw,
    chain_of_thought: [
      { thought: 'BEGIN', tool: 'sql_db_list_tables', tool_input: '', observation: table },
      { thought, tool: 'sql_db_schema', tool_input: table, observation: schema },
    ],
    code: { dialect: 'sql', snippets: [] },
    metadata: {
      name: c.dataset, description: 'E-Commerce transaction data', url: 'https://www.kaggle.com/datasets/carrie1/ecommerce-data',
      files: [{ path: `${table}.sqlite`, url: `${table}.sqlite`, tables: [{ name: table, desc: 'Transactions for a UK-based non-store online retail',
        context: ['each row in the table has sales for one product per invoice', 'there are multiple rows for each invoice'],
        cols: [{ invoice_no: 'Number of the transaction' }, { stock_code: 'SKU of the product' }, { quantity: 'Number of units of product' }] }] }],
    },
  };
}

/** One request: instance lookup (no request_id), pending polls, updated result, final status; failures add an ERROR. */
export function taskbladeRequest(w: World, t0: number, opts: { fail?: boolean } = {}): void {
  const rng = w.rng;
  const svc = rng.pick(TASKBLADE_SERVICES);
  const base = { w, service: svc.name, user: rng.pick(USERS), dataset: rng.pick(svc.datasets) };
  const query = rng.pick(svc.queries);
  const fail = opts.fail ?? rng.chance(0.08);
  const sink = w.sinks.get(taskbladePath(svc.name), 'taskblade');
  const chain = w.em.newChain();
  const requestId = rng.uuid();
  const c: Ctx = { ...base, requestId };
  const times: number[] = [];
  const emit = (ts: number, text: string): void => {
    times.push(ts);
    w.em.emit(sink, ts, text, chain);
  };

  // The dashboard starts the request: its record mentions the id inside its text, as `request_id=<uuid>`.
  const submit = t0 - rng.int(20, 400);
  times.push(submit);
  emitSystem(w, submit, { message: 'TaskBlade request submitted', level: 'DEBUG', funcName: 'llm_query_submit', lineno: 512, pathname: VIEWS,
    data: `\nrequest_id=${requestId} user=${c.user} dataset=${c.dataset}` }, chain);
  w.em.emit(sink, t0, line({ ...base, requestId: null }, t0, `[${svc.name}] Returning existing instance`, 'get_agent_details', 351, 'services/lib.py'));
  let t = t0 + rng.int(100, 600);
  const end = t + Math.floor(Math.min(180_000, rng.logNormal(6000, 0.9)));
  const file = `services/${svc.name}.py`;
  for (; t < end; t += rng.int(1500, 6000)) {
    emit(t, line(c, t, 'Query Status: pending', 'qna_status', 301, file, { query, status: 'pending', user: c.user, dataset: c.dataset, params: params(c, query) }));
  }
  const res = result(c, query, !fail);
  const status = fail ? 'failure' : 'success';
  if (fail) {
    emit(end, line(c, end, 'Agent execution failed', 'run_agent', 612, 'services/lib.py', undefined, traceback(w, [
      [`${LLMSDK}/services/lib.py`, 612, 'run_agent', 'result = agent(query)'],
      [`${LLMSDK}/agents/sql.py`, 188, '__call__', 'return self.chain.run(query)'],
    ], 'OutputParserException: Could not parse LLM output: `I could not parse the output`')));
  }
  emit(end + 1, line(c, end + 1, `Updated Result: ${status}`, 'query_update_result', 724, 'services/lib.py', { status, result: res }));
  const fin = end + rng.int(1000, 9000);
  emit(fin, line(c, fin, `Query Status: ${status}`, 'qna_status', 301, file, { query, status, user: c.user, dataset: c.dataset, params: params(c, query), result: res }));
  w.truth.taskblade.push({ request_id: requestId, service: svc.name, user: c.user, dataset: c.dataset, status,
    startUtc: isoUtc(Math.min(...times)), endUtc: isoUtc(Math.max(...times)), chain });
}

/** A TaskBlade record cut mid-object. */
export function tornTaskbladeLine(w: World, ts: number): { path: string; text: string } {
  const svc = w.rng.pick(TASKBLADE_SERVICES);
  const full = line({ w, service: svc.name, user: w.rng.pick(USERS), dataset: svc.datasets[0], requestId: null }, ts,
    `[${svc.name}] Returning existing instance`, 'get_agent_details', 351, 'services/lib.py');
  return { path: taskbladePath(svc.name), text: full.slice(0, Math.floor(full.length / 2)) + '\n' };
}
