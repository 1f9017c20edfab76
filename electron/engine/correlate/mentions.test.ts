// Mentions and facets on hand-written logs, imported through the real engine into a real DuckDB case: a request's id
// written every way the Enrich services write ids joins its chain with where it was found; a value named across more
// chains than the facet limit joins nothing and makes no chain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from '../ingest/importer';
import { removeDir, tempDir } from '../../testkit/tmp';
import { afterBatchImported, afterImportFinished } from './ingestHooks';
import { FACET_CHAIN_LIMIT } from './members';
import { identifiersOf, listChains, traceKey } from './query';

const root = tempDir('casefile-mentions-');
let h: CaseHandle;

const REQ = '7386fcfe-273e-4a1d-80e8-8b1848114362';
const NEAR = '11111111-2222-4333-8444-555555555555'; // named by exactly FACET_CHAIN_LIMIT tasks: still a chain link
const OVER = '99999999-8888-4777-8666-555555555555'; // named by one task more: a facet
const SHARED = 'abcdefab-cdef-4abc-8def-abcdefabcdef'; // a plain UUID in every task: no generic chain
const PAIR = 'fedcba98-7654-4321-8fed-cba987654321'; // a plain UUID in two tasks: a generic chain
const task = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

const py = (msg: string, data: string, level = 'DEBUG', sec = 0) => JSON.stringify({
  message: msg, levelname: level, name: 'app', asctime: `2023-07-28 11:24:${String(50 + sec).padStart(2, '0')},000`,
  funcName: 'f', lineno: 1, pathname: '/app/views.py', module: 'views', created: 1690543490 + sec, data, transform: '', logid: `${sec}`,
});

function write(rel: string, text: string): void {
  const file = path.join(root, 'bundle', rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

beforeAll(async () => {
  // The request's own records (TaskBlade) start at :53; every other record only mentions its id.
  write('llm-agents/logs/datagpt/app.json.log', [
    { message: 'Query Status: pending', levelname: 'DEBUG', name: 'app', asctime: '2023-07-28 11:24:53,000', created: 1690543493, source: 'service', request_id: REQ, user: 'venkata', dataset: 'acme-retail' },
    { message: 'Query Status: success', levelname: 'DEBUG', name: 'app', asctime: '2023-07-28 11:24:58,000', created: 1690543498, source: 'service', request_id: REQ, user: 'venkata', dataset: 'acme-retail' },
  ].map((o) => JSON.stringify(o)).join('\n') + '\n');
  write('logs/app/app.json.log', [
    py('TaskBlade request submitted', `\nrequest_id=${REQ} user=venkata dataset=acme-retail`, 'DEBUG', 0),
    py('Forwarded', JSON.stringify({ request_id: REQ.toUpperCase(), mode: 'economy' }), 'DEBUG', 1),
  ].join('\n') + '\n');
  write('logs/gunicorn/gunicorn_supervisor.log', `[2023-07-28 11:24:52 +0000] [2501] [DEBUG] GET /api/tasks/${REQ}/\n`);
  const celery: string[] = [];
  const line = (i: number, s: number, msg: string, level = 'INFO') => `[2023-07-28 11:25:${String(s).padStart(2, '0')},000: ${level}/ForkPoolWorker-1] ${msg}`;
  celery.push(line(0, 0, `Task export_report[${task(0)}] received`));
  celery.push(line(0, 1, `export_report[${task(0)}]: args {'request': '${REQ}', 'limit': 10}`));
  celery.push(line(0, 2, `export_report[${task(0)}]: [0] Chunk running SQL: SELECT * FROM results WHERE request_id = '${REQ}'`));
  celery.push(line(0, 3, `Task export_report[${task(0)}] raised unexpected: KeyError('x')\nTraceback (most recent call last):\n  File "/app/tasks.py", line 9, in run\n    fetch("${REQ}")\nKeyError: 'x'`, 'ERROR'));
  for (let i = 1; i <= FACET_CHAIN_LIMIT + 1; i++) {
    celery.push(line(i, 10, `Task export_report[${task(i)}] received`));
    celery.push(line(i, 11, `export_report[${task(i)}]: ref=${SHARED} near=${i <= FACET_CHAIN_LIMIT ? NEAR : 'none'} over=${OVER}${i <= 2 ? ` pair=${PAIR}` : ''}`));
  }
  write('logs/celery/celery-worker.log', celery.join('\n') + '\n');
  write('llm-agents/logs/other/app.json.log', [NEAR, OVER].map((id, k) => JSON.stringify(
    { message: 'Query Status: pending', levelname: 'DEBUG', name: 'app', asctime: `2023-07-28 11:26:0${k},000`, created: 1690543560 + k, source: 'service', request_id: id, user: 'u', dataset: 'd' })).join('\n') + '\n');
  h = await CaseHandle.create(path.join(root, 'case'), { name: 'mentions' });
  await importPaths(h, [path.join(root, 'bundle')], { hooks: { afterBatch: afterBatchImported, afterImport: afterImportFinished } });
}, 120_000);

afterAll(async () => {
  await h?.close();
  removeDir(root);
});

describe('mentions join chains', () => {
  it('gathers a request from every record naming its id, each marked with where it was found', async () => {
    const t = await traceKey(h.db, REQ);
    expect(t.chain).toMatchObject({ kind: 'taskblade_request', status: 'success', user: 'venkata', dataset: 'acme-retail', label: 'datagpt' });
    const where = new Map(t.mentions!.map((m) => [m.eventId, m.foundIn]));
    const got = t.events.map((e) => `${e.source}:${e.line}:${where.get(e.id) ?? 'evidence'}`);
    expect(got).toEqual([
      'system:1:request_id', // key=value inside a JSON string, after an escaped newline
      'system:2:request_id', // JSON inside a string, upper-case
      'gunicorn:1:url',
      'taskblade:1:evidence', 'taskblade:2:evidence',
      'celery:2:request', // a Python dict repr
      'celery:3:request_id', // a SQL literal
      'celery:4:text', // a traceback
    ].sort((a, b) => order(a) - order(b)));
    // The chain starts at its earliest record: the dashboard's mention at :50.
    expect(t.chain!.first).toBe('2023-07-28T11:24:50.000Z');
    expect(t.chain!.last).toBe('2023-07-28T11:25:03.000Z');
    expect(t.chain!.sources).toEqual(['celery', 'gunicorn', 'system', 'taskblade']);
    expect(t.chain!.events).toBe(8);
  });

  it('the failed task keeps its exception line as the reason', async () => {
    const t = await traceKey(h.db, task(0));
    expect(t.chain).toMatchObject({ status: 'failure', failureReason: "KeyError: 'x'" });
    const ok = await traceKey(h.db, REQ);
    expect(ok.chain!.failureReason).toBeNull();
  });

  it('a value named in more chains than the limit is a facet: no mention, no chain', async () => {
    const near = await traceKey(h.db, NEAR);
    expect(near.chain?.kind).toBe('taskblade_request');
    expect(near.events.length).toBe(1 + FACET_CHAIN_LIMIT);
    expect(near.mentions?.length).toBe(FACET_CHAIN_LIMIT);
    const over = await traceKey(h.db, OVER);
    expect(over.chain?.kind).toBe('taskblade_request');
    expect(over.events.map((e) => e.source)).toEqual(['taskblade']);
    // A plain UUID in every task makes no chain; in two it does. A trace by it still finds every record.
    const listed = (await listChains(h.db, { kinds: ['generic'], limit: 100 })).chains.map((c) => c.key);
    expect(listed).toEqual([PAIR]);
    const shared = await traceKey(h.db, SHARED);
    expect(shared.chain).toMatchObject({ key: SHARED, kind: 'generic', label: 'uuid' });
    expect(shared.events.length).toBe(FACET_CHAIN_LIMIT + 1);
    expect((await traceKey(h.db, PAIR)).events.length).toBe(2);
    // In a record's chips the shared UUID is a facet (a filter); the pair's UUID keys its generic chain (a trace).
    const rec = shared.events[0]!;
    const chips = await identifiersOf(h.db, rec.id);
    expect(chips.find((i) => i.value === SHARED)).toMatchObject({ role: 'facet', chain: null, foundIn: 'ref' });
    expect(chips.find((i) => i.value === PAIR)).toMatchObject({ role: 'value', chain: { key: PAIR, kind: 'generic' } });
    expect(chips.find((i) => i.value === OVER)).toMatchObject({ role: 'mention', chain: { key: OVER, kind: 'taskblade_request' } });
  });

  it('users, datasets, hosts and client ids never make chains', async () => {
    const rows = await h.db.read<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM chains WHERE key IN
      (SELECT value FROM identifiers WHERE kind IN ('user', 'dataset', 'host', 'ip', 'client_id'))`);
    expect(rows[0]!.n).toBe(0);
    expect((await traceKey(h.db, 'venkata')).chain).toMatchObject({ kind: 'generic', label: 'user' });
  });

  it('tells a record\'s identifiers apart: key, mention, facet', async () => {
    const t = await traceKey(h.db, REQ);
    const submit = t.events.find((e) => e.source === 'system' && e.line === 1)!;
    const ids = await identifiersOf(h.db, submit.id);
    expect(ids.map((i) => `${i.kind}=${i.value}@${i.foundIn}:${i.role}:${i.chain?.kind ?? '-'}`).sort()).toEqual([
      'dataset=acme-retail@text:facet:-', `uuid=${REQ}@request_id:mention:taskblade_request`, 'user=venkata@text:facet:-',
    ].sort());
    const own = await identifiersOf(h.db, t.events.find((e) => e.source === 'taskblade')!.id);
    expect(own.find((i) => i.kind === 'taskblade_request')).toMatchObject({ role: 'key', foundIn: 'request_id', chain: { key: REQ } });
    expect(own.find((i) => i.kind === 'user')).toMatchObject({ role: 'facet', value: 'venkata' });
  });
});

function order(s: string): number {
  const [src, line] = s.split(':');
  // Time order of the planted records: system :50/:51, gunicorn :52, taskblade :53/:58, celery 11:25:01..03.
  return ({ system: 0, gunicorn: 10, taskblade: 20, celery: 30 } as Record<string, number>)[src!]! + Number(line);
}
