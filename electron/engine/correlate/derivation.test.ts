// A case derived by other correlation rules (an upgrade, or its id patterns edited) is not read as tampered with:
// verify says so, and opening the case derives it again (audited), after which verify checks it as before. The
// version is the case's own; edits of derived rows under this build's version are still caught.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Engine } from '../engine';
import { CaseDb } from '../store/db';
import { DERIVED_BY_OTHER_RULES } from '../audit/custody';
import { derivationVersion, REDERIVE_ACTION } from './derivation';
import { removeDir, tempDir } from '../../testkit/tmp';

const DEMO = path.resolve(import.meta.dirname, '../../../resources/demo/demo-bundle.tar.gz');
const root = tempDir('casefile-derivation-');
const caseDir = path.join(root, 'case');
const dbFile = path.join(caseDir, 'case.duckdb');
let caseId = '';

/** Opens the case as the app does (a stale case gets its correlation job), waits for its jobs, then verifies. */
async function openAndVerify() {
  const e = await Engine.create({ via: 'test' });
  try {
    await e.call('cases.open', { dir: caseDir });
    await expect.poll(async () => (await e.call('jobs.list', { caseId })).filter((j) => j.state === 'running' || j.state === 'queued').length,
      { timeout: 60_000 }).toBe(0);
    return await e.call('case.verify', { caseId });
  } finally { await e.close(); }
}

async function edit<T>(fn: (db: CaseDb) => Promise<T>): Promise<T> {
  const db = await CaseDb.open(dbFile);
  try { return await fn(db); } finally { await db.run('CHECKPOINT'); db.close(); }
}
const reasonOfFirstFailure = () => edit((db) => db.one<{ key: string; r: string }>(`SELECT key, failure_reason AS r FROM chains WHERE status = 'failure' ORDER BY key LIMIT 1`));
const rederived = () => readFileSync(path.join(caseDir, 'audit.jsonl'), 'utf8').split('\n').filter(Boolean)
  .map((l) => JSON.parse(l) as { action: string; params: { from?: string | null; to?: string } }).filter((e) => e.action === REDERIVE_ACTION);

beforeAll(async () => {
  const e = await Engine.create({ via: 'test' });
  try {
    caseId = (await e.call('cases.create', { name: 'derivation', dir: caseDir })).id;
    await e.call('import.paths', { caseId, paths: [DEMO] });
  } finally { await e.close(); }
}, 120_000);
afterAll(() => removeDir(root));

describe('the rules a case was derived by', () => {
  it('are recorded by the first import, and such a case verifies without being derived again', async () => {
    expect(await edit((db) => db.one<{ v: string }>('SELECT version AS v FROM derivation'))).toEqual({ v: derivationVersion() });
    const r = await openAndVerify();
    expect(r.problems).toEqual([]);
    expect(rederived()).toEqual([]);
  }, 120_000);

  it('when they are not this build\'s, verify says so (not "not derivable"), and opening the case derives it again', async () => {
    const before = (await reasonOfFirstFailure())!;
    // What an older build left: another version, and a reason its rules read differently.
    await edit(async (db) => {
      await db.run(`UPDATE derivation SET version = '1:older'`);
      await db.run(`UPDATE chains SET failure_reason = 'as the old rules read it' WHERE key = $k`, { k: before.key });
    });
    const fixed = await openAndVerify();
    expect(fixed.problems).toEqual([]);
    expect(await reasonOfFirstFailure()).toEqual(before);
    expect(rederived().map((e) => [e.params.from, e.params.to])).toEqual([['1:older', derivationVersion()]]);
  }, 120_000);

  it('verify of a stale case names it as derived by other rules', async () => {
    await edit((db) => db.run(`UPDATE derivation SET version = '1:older'`));
    const { verifyCase } = await import('../audit/custody');
    const { CaseHandle } = await import('../case/caseStore');
    const h = await CaseHandle.open(caseDir, { readOnly: true });
    try {
      const r = await verifyCase(h);
      expect(r.problems.map((p) => p.problem)).toEqual([DERIVED_BY_OTHER_RULES]);
    } finally { await h.close(); }
    expect((await openAndVerify()).problems).toEqual([]);
  }, 120_000);

  it('a case from before versions (none recorded) is derived again on opening; an edit under this version is still caught', async () => {
    await edit((db) => db.run('DROP TABLE derivation'));
    expect((await openAndVerify()).problems).toEqual([]);
    expect(rederived().at(-1)?.params.from).toBeNull();
    const c = (await reasonOfFirstFailure())!;
    await edit((db) => db.run(`UPDATE chains SET failure_reason = 'forged' WHERE key = $k`, { k: c.key }));
    const r = await openAndVerify();
    expect(r.problems.map((p) => p.file)).toEqual(['chains']);
    expect(r.problems[0]!.problem).toMatch(/not derivable/);
  }, 120_000);
});
