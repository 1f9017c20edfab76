// Correlation through the engine as the app and CLI call it: case.json id patterns reach extraction, and the
// chains.list / chains.trace calls validate and answer per the contract.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EventIdentifier, TraceResult } from '../../../shared/correlation';
import type { CaseInfo } from '../../../shared/domain';
import { Engine } from '../engine';
import { removeDir, tempDir } from '../../testkit/tmp';

const root = tempDir('casefile-correlate-engine-');
let engine: Engine;
let info: CaseInfo;

const TASK = '320bbda6-e758-49fc-8a26-e8dc29f88f75';
const KEY = '0f0f0f0f-1111-4222-8333-444455556666';
const celery = [
  `[2023-07-06 12:07:36,774: INFO/MainProcess] Task search_transactions[${TASK}] received`,
  `[2023-07-06 12:07:36,776: INFO/ForkPoolWorker-1] search_transactions[${TASK}]: [0] Chunk running SQL: SELECT * FROM t WHERE acct IN ('ACCT-000123') AND kyc = 'ALPHA1234'`,
  `[2023-07-06 12:07:39,834: INFO/ForkPoolWorker-1] Task search_transactions[${TASK}] succeeded in 3.05s: {'records': []}`,
].join('\n') + '\n';

beforeAll(async () => {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  const bundle = path.join(root, 'bundle');
  mkdirSync(path.join(bundle, 'logs/celery'), { recursive: true });
  writeFileSync(path.join(bundle, 'logs/celery/celery-worker.log'), celery);
  mkdirSync(path.join(bundle, 'logs/app'), { recursive: true });
  writeFileSync(path.join(bundle, 'logs/app/app.json.log'), `${JSON.stringify({ message: 'Calling the model', levelname: 'DEBUG', name: 'app',
    asctime: '2023-07-06 12:07:37,000', created: 1688645257, logid: '1', data: `\napi_key=${KEY} task=${TASK} user=bob` })}\n`);
  engine = await Engine.create({ via: 'test' });
  info = (await engine.invoke('cases.create', { name: 'patterns', dir: path.join(root, 'case') })) as CaseInfo;
  // The operator's patterns replace the default: accounts are found, KYC-like ids are not.
  await engine.context.getCase(info.id).saveMeta({ idPatterns: [{ kind: 'account', regex: 'ACCT-[0-9]{6}' }] });
  await engine.invoke('import.paths', { caseId: info.id, paths: [bundle] });
}, 120_000);

afterAll(async () => {
  await engine?.close();
  removeDir(root);
});

describe('correlation through the engine', () => {
  it('traces a task and an operator-pattern id', async () => {
    const t = (await engine.invoke('chains.trace', { caseId: info.id, key: TASK })) as TraceResult;
    expect(t.chain).toMatchObject({ kind: 'celery_task', label: 'search_transactions', status: 'success', events: 4, durationMs: 3060, failureReason: null });
    // The dashboard record names the task in its text: a mention, in time order with the task's own records.
    expect(t.events.map((e) => `${e.source}:${e.line}`)).toEqual(['celery:1', 'celery:2', 'system:1', 'celery:3']);
    expect(t.mentions).toEqual([{ eventId: t.events[2]!.id, foundIn: 'task' }]);
    const acct = (await engine.invoke('chains.trace', { caseId: info.id, key: 'ACCT-000123' })) as TraceResult;
    expect(acct.chain).toMatchObject({ kind: 'generic', label: 'account', events: 1 });
    const kyc = (await engine.invoke('chains.trace', { caseId: info.id, key: 'ALPHA1234' })) as TraceResult;
    expect(kyc.events).toEqual([]);
  });

  it('tells which identifiers a record carries and where', async () => {
    const t = (await engine.invoke('chains.trace', { caseId: info.id, key: TASK })) as TraceResult;
    const { identifiers } = (await engine.invoke('chains.identifiers', { caseId: info.id, eventId: t.events[1]!.id })) as { identifiers: EventIdentifier[] };
    expect(identifiers.map((i) => `${i.kind}=${i.value}@${i.foundIn}:${i.role}`).sort()).toEqual(
      ['account=ACCT-000123@text:facet', `celery_task=${TASK}@task_id:key`, 'celery_task_name=search_transactions@task:name'].sort());
    expect(identifiers.find((i) => i.role === 'key')?.chain).toEqual({ key: TASK, kind: 'celery_task' });
    await expect(engine.invoke('chains.identifiers', { caseId: info.id, eventId: -1 })).rejects.toThrow();
    // A value under a secret name is stored (it still correlates) but never sent to the screen as a chip.
    const call = (t.events.find((e) => e.source === 'system'))!;
    const shown = (await engine.invoke('chains.identifiers', { caseId: info.id, eventId: call.id })) as { identifiers: EventIdentifier[] };
    expect(shown.identifiers.map((i) => `${i.kind}=${i.value}@${i.foundIn}:${i.role}`).sort()).toEqual(['user=bob@text:facet', `uuid=${TASK}@task:mention`]);
    const stored = await engine.context.getCase(info.id).db.read<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM identifiers WHERE value = '${KEY}'`);
    expect(stored[0]!.n).toBe(1);
  });

  it('lists chains and rejects bad input per the contract', async () => {
    const res = (await engine.invoke('chains.list', { caseId: info.id, kinds: ['celery_task'], limit: 10 })) as { total: number };
    expect(res.total).toBe(1);
    await expect(engine.invoke('chains.list', { caseId: info.id, kinds: ['nope'], limit: 10 })).rejects.toThrow();
  });
});
