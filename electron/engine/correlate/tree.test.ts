// chains.tree (issue 16) on the bundled demo case, through the engine: a registered metadata entity leads up to
// the Prefect flow that launched its pipeline run, and the tree below the flow holds every run it launched;
// hostile keys and a cycle in the stored links give a bounded answer, never an error or a loop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { ChainTree } from '../../../shared/correlation';
import { Engine } from '../engine';
import { CaseDb } from '../store/db';
import { removeDir, tempDir } from '../../testkit/tmp';

const root = tempDir('casefile-tree-');
const caseDir = path.join(root, 'case');
let engine: Engine;
let caseId = '';
const DEMO = path.resolve(import.meta.dirname, '../../../resources/demo/demo-bundle.tar.gz');
const FLOW = 'flow:enrich/logs/workflows/acme_operations-20230706-105426.log';
const RUN = 'hourly-20230706-105553';
const ENTITY = 'fa0106dc-ac60-4dca-a434-07d401869fc8';

const tree = (key: string) => engine.call('chains.tree', { caseId, key }) as Promise<ChainTree>;

beforeAll(async () => {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  engine = await Engine.create({ via: 'test' });
  caseId = (await engine.call('cases.create', { name: 'tree', dir: caseDir })).id;
  await engine.call('import.paths', { caseId, paths: [DEMO] });
}, 120_000);
afterAll(async () => { await engine?.close(); removeDir(root); });

describe('chains.tree', () => {
  it('walks from a registered entity up to its flow and draws the flow, its runs and their registrations', async () => {
    const t = await tree(ENTITY.toUpperCase());
    expect(t.root).toBe(FLOW);
    expect(t.truncated).toBe(false);
    const line = (k: string) => t.nodes.find((n) => n.key === k)!;
    expect(t.nodes[0]).toMatchObject({ key: FLOW, depth: 0, parent: null, link: null, chain: { kind: 'prefect_flow' } });
    expect(line(RUN)).toMatchObject({ depth: 1, parent: FLOW, chain: { kind: 'pipeline_run' }, link: { relation: 'launched', inferred: true, rule: 'prefect-task-window' } });
    expect(line(RUN).link!.detail).toMatch(/started inside it/);
    expect(line(ENTITY)).toMatchObject({ depth: 2, parent: RUN, chain: { kind: 'metadata_entity' }, link: { relation: 'registered', inferred: false } });
    // Every link stored from the flow and from the run is in the tree, each child once, in time order.
    const links = await engine.call('events.sql', { caseId, sql: `SELECT from_key, to_key FROM chain_links WHERE from_key IN ('${FLOW}', '${RUN}')` });
    expect(new Set(t.nodes.filter((n) => n.parent).map((n) => `${n.parent}>${n.key}`))).toEqual(new Set(links.rows.map((r) => `${String(r.from_key)}>${String(r.to_key)}`)));
    const runs = t.nodes.filter((n) => n.depth === 1).map((n) => n.chain!.first!);
    expect(runs).toEqual([...runs].sort());
    // Pre-order: each node comes after its parent.
    t.nodes.forEach((n, i) => { if (n.parent) expect(t.nodes.findIndex((m) => m.key === n.parent)).toBeLessThan(i); });
  });

  it('gives the same tree from any chain in it, and a Celery parent with its children', async () => {
    expect((await tree(RUN)).nodes.map((n) => n.key)).toEqual((await tree(FLOW)).nodes.map((n) => n.key));
    const child = '0d7f9951-3380-4b88-abae-61b402e58610';
    const c = await tree(child);
    expect(c.root).toBe('4f4e7961-649b-45f9-a200-bd2ac3305fdd');
    expect(c.nodes.map((n) => [n.depth, n.link?.relation ?? null])).toEqual([[0, null], [1, 'parent_of'], [1, 'parent_of']]);
    expect(c.nodes.every((n) => n.chain?.kind === 'celery_task')).toBe(true);
  });

  it('answers hostile or unknown keys with an empty tree, and stops on a cycle in the stored links', async () => {
    const chains = async () => (await engine.call('events.sql', { caseId, sql: 'SELECT count(*) AS n FROM chains' })).rows[0]!.n;
    const before = await chains();
    for (const key of ["x' OR 1=1 --", "'); DROP TABLE chains; --", 'ü'.repeat(500), 'ALPHA1234']) {
      expect((await tree(key)).nodes).toEqual([]);
    }
    await expect(engine.call('chains.tree', { caseId, key: 'x'.repeat(501) })).rejects.toThrow();
    await expect(engine.call('chains.tree', { caseId, key: '' })).rejects.toThrow();
    expect(await chains()).toBe(before);

    await engine.call('cases.close', { caseId });
    const db = await CaseDb.open(path.join(caseDir, 'case.duckdb'));
    try {
      // A loop (the entity "launches" the flow) and a self link: edited tables must not hang the app.
      await db.run(`INSERT INTO chain_links VALUES ('${ENTITY}', '${FLOW}', 'launched', true, 'edited', NULL), ('${RUN}', '${RUN}', 'x', false, 'edited', NULL)`);
      await db.run('CHECKPOINT');
    } finally { db.close(); }
    caseId = (await engine.call('cases.open', { dir: caseDir })).id;
    const t = await tree(ENTITY);
    expect(new Set(t.nodes.map((n) => n.key)).size).toBe(t.nodes.length);
    expect(t.nodes.map((n) => n.key)).toContain(FLOW);
    expect(t.nodes.map((n) => n.key)).toContain(ENTITY);
  });
});
