// casefile verify recomputes the derived tables (issue 10): a real generated case, imported through the engine,
// verifies; a chain status or an identifier edited in the case database is named by verify.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { Engine } from '../engine';
import { CaseDb } from '../store/db';
import { generateTree } from '../../testkit/synth/generate';
import { removeDir, tempDir } from '../../testkit/tmp';

const root = tempDir('casefile-derived-');
const caseDir = path.join(root, 'case');
const dbFile = path.join(caseDir, 'case.duckdb');
let caseId = '';

async function verify() {
  const e = await Engine.create({ via: 'test' });
  try {
    await e.call('cases.open', { dir: caseDir });
    return await e.call('case.verify', { caseId });
  } finally { await e.close(); }
}

async function edit<T>(fn: (db: CaseDb) => Promise<T>): Promise<T> {
  const db = await CaseDb.open(dbFile);
  try { return await fn(db); } finally { await db.run('CHECKPOINT'); db.close(); }
}

beforeAll(async () => {
  const g = await generateTree(path.join(root, 'tree'), { targetBytes: 400_000, seed: 5, faults: true });
  const e = await Engine.create({ via: 'test' });
  try {
    const info = await e.call('cases.create', { name: 'derived', dir: caseDir });
    caseId = info.id;
    await e.call('import.paths', { caseId, paths: [g.root] });
  } finally { await e.close(); }
}, 300_000);
afterAll(() => removeDir(root));

describe('verify recomputes identifiers, statuses, chains and links', () => {
  it('passes on the case as imported', async () => {
    const n = await edit((db) => db.one<{ chains: string; ids: string; links: string }>(
      'SELECT (SELECT count(*) FROM chains) AS chains, (SELECT count(*) FROM identifiers) AS ids, (SELECT count(*) FROM chain_links) AS links'));
    expect(Number(n!.chains)).toBeGreaterThan(10);
    expect(Number(n!.ids)).toBeGreaterThan(100);
    expect(Number(n!.links)).toBeGreaterThan(0);
    const r = await verify();
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
  }, 120_000);

  it('names a chain whose status was edited, and passes again once restored', async () => {
    const c = (await edit((db) => db.one<{ key: string; status: string }>(`SELECT key, status FROM chains WHERE status = 'failure' ORDER BY key LIMIT 1`)))!;
    expect(c).toBeDefined();
    await edit((db) => db.run(`UPDATE chains SET status = 'success' WHERE key = $k`, { k: c.key }));
    const r = await verify();
    expect(r.ok).toBe(false);
    const p = r.problems.find((x) => x.file === 'chains');
    expect(p?.problem).toMatch(new RegExp(`Chain ${c.key}: stored \\w+/success, the events give \\w+/failure`));
    expect(r.problems.map((x) => x.file)).toEqual(['chains']);
    await edit((db) => db.run(`UPDATE chains SET status = $s WHERE key = $k`, { s: c.status, k: c.key }));
    expect((await verify()).ok).toBe(true);
  }, 120_000);

  it('names an edited identifier, a deleted chain link and a dropped table', async () => {
    const id = (await edit((db) => db.one<{ event_id: string; kind: string; value: string }>(`SELECT event_id::VARCHAR AS event_id, kind, value FROM identifiers WHERE kind = 'user' ORDER BY event_id LIMIT 1`)))!;
    await edit(async (db) => {
      await db.run(`UPDATE identifiers SET value = 'mallory' WHERE event_id = $e::BIGINT AND kind = 'user' AND value = $v`, { e: id.event_id, v: id.value });
      await db.run(`DELETE FROM chain_links WHERE rowid = (SELECT min(rowid) FROM chain_links)`);
    });
    const r = await verify();
    expect(r.ok).toBe(false);
    const ids = r.problems.find((x) => x.file === 'identifiers');
    expect(ids?.problem).toMatch(/1 stored row not derivable from them, 1 derivable row missing/);
    expect(ids?.problem).toMatch(/"value":"mallory"/);
    expect(r.problems.find((x) => x.file === 'chain_links')?.problem).toMatch(/0 stored rows not derivable from them, 1 derivable row missing/);
    // A failure reason kept for the next chain build is checked like the rest.
    await edit((db) => db.run(`UPDATE event_reasons SET reason = 'forged' WHERE event_id = (SELECT min(event_id) FROM event_reasons)`));
    expect((await verify()).problems.find((x) => x.file === 'event_reasons')?.problem).toMatch(/"reason":"forged"/);
    await edit((db) => db.run('DROP TABLE chains'));
    expect((await verify()).problems.find((x) => x.file === 'chains')?.problem).toMatch(/Derived table chains is missing, but the events give \d+ rows? for it/);
  }, 120_000);
});
