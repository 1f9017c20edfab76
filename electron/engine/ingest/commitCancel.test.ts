// A cancel landing on an import batch's COMMIT (CaseDb.interrupt holds back while a transaction commits, d66921e):
// the import says done or cancelled, and either way the same import run again completes the case exactly as one
// left alone (no file or event twice, none missing). Placed on the 1st, 2nd and 3rd COMMIT of the import's writer.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CaseHandle } from '../case/caseStore';
import { importPaths, type ImportTarget } from './importer';
import type { CaseDb } from '../store/db';
import { EngineError } from '../util/errors';
import { IMPORT_TABLES, compareCases } from '../../testkit/compareCases';
import { generateTree } from '../../testkit/synth/generate';
import { removeDir, tempDir } from '../../testkit/tmp';
import { Engine } from '../engine';
import { readAudit } from '../audit/trail';
import type { CaseInfo } from '../../../shared/domain';

const root = tempDir('casefile-commit-cancel-');
let tree = '';
const savedBatch = process.env.CASEFILE_IMPORT_BATCH_BYTES;
beforeAll(async () => {
  process.env.CASEFILE_IMPORT_BATCH_BYTES = String(256 << 10); // several batches, several COMMITs
  process.env.CASEFILE_HOME = path.join(root, 'home');
  tree = (await generateTree(path.join(root, 'gen'), { targetBytes: 1_500_000, seed: 7 })).root;
  const ref = await CaseHandle.create(path.join(root, 'reference'), { name: 'reference' });
  try { await importPaths(ref, [tree]); } finally { await ref.close(); }
}, 180_000);
afterAll(() => {
  if (savedBatch === undefined) delete process.env.CASEFILE_IMPORT_BATCH_BYTES; else process.env.CASEFILE_IMPORT_BATCH_BYTES = savedBatch;
  removeDir(root);
});

type Conn = { run: (sql: string, params?: unknown) => Promise<unknown> };

/** A writer whose `nth` COMMIT is followed, in the next turn (while it runs), by `act`. */
function onCommit(withWriter: CaseHandle['withWriter'], nth: number, act: () => void): CaseHandle['withWriter'] {
  let commits = 0;
  return (fn, opts) => withWriter((db: CaseDb) => {
    const conn = (db as unknown as { conn: Conn }).conn;
    if (!(conn as { patched?: boolean }).patched) {
      const run = conn.run.bind(conn);
      Object.assign(conn, {
        patched: true,
        run: (sql: string, params?: unknown) => {
          const p = run(sql, params);
          if (sql === 'COMMIT' && ++commits === nth) setImmediate(act);
          return p;
        },
      });
    }
    return fn(db);
  }, opts);
}

/** The case with its writer's `nth` COMMIT followed by the cancel. */
function cancelOnCommit(h: CaseHandle, nth: number, ac: AbortController): ImportTarget {
  const target = Object.create(h) as CaseHandle;
  target.withWriter = onCommit(h.withWriter.bind(h), nth, () => ac.abort(new EngineError('cancelled', 'The import job was cancelled.')));
  return target;
}

it.each([1, 2, 3])('a cancel on COMMIT #%i: done or cancelled, and the import run again leaves the case exactly as one left alone', async (nth) => {
  const dir = path.join(root, `cut-${nth}`);
  const h = await CaseHandle.create(dir, { name: `cut ${nth}` });
  try {
    const ac = new AbortController();
    const said = await importPaths(cancelOnCommit(h, nth, ac), [tree], { signal: ac.signal }).then(() => 'done', (e: EngineError) => e.code);
    expect(ac.signal.aborted).toBe(true);
    expect(['done', 'cancelled']).toContain(said);
    await importPaths(h, [tree]);
  } finally { await h.close(); }
  // What an import writes itself (identifiers and chains are the correlation job's, not run here).
  const tables = await compareCases(path.join(root, 'reference'), dir, { bundles: IMPORT_TABLES.bundles!, files: IMPORT_TABLES.files!, event_store: IMPORT_TABLES.event_store! });
  for (const [t, r] of Object.entries(tables)) expect({ t, onlyReference: r.onlyA, onlyCut: r.onlyB }).toEqual({ t, onlyReference: 0, onlyCut: 0 });
  expect(tables.event_store!.rows).toBeGreaterThan(1000);
}, 120_000);

it('the app quit (Engine.quit) while an import batch commits: the case closes, opens again, and the import run again completes it exactly', async () => {
  const dir = path.join(root, 'quit');
  const engine = await Engine.create({ via: 'test' });
  let quitting: Promise<void> | null = null;
  try {
    const { id } = (await engine.invoke('cases.create', { name: 'quit', dir })) as CaseInfo;
    const h = engine.context.getCase(id);
    h.withWriter = onCommit(h.withWriter.bind(h), 2, () => { quitting = engine.quit(); });
    const said = await engine.invoke('import.paths', { caseId: id, paths: [tree] }).then(() => 'done', (e: Error) => e.message);
    expect(quitting).not.toBeNull();
    await quitting;
    expect(said).toMatch(/^done$|cancel/);
  } finally { await engine.close(); }
  const again = await Engine.create({ via: 'test' });
  try {
    const { id } = (await again.invoke('cases.open', { dir })) as CaseInfo;
    await again.invoke('import.paths', { caseId: id, paths: [tree] });
  } finally { await again.close(); }
  // One entry per import, the quit one its own (no mark left for the open to call interrupted).
  const imports = (await readAudit(path.join(dir, 'audit.jsonl'))).filter((e) => e.action.startsWith('import.') && e.action !== 'import.files');
  expect(imports.map((e) => [e.action, e.result.status])).toEqual([['import.paths', 'error'], ['import.paths', 'ok']]);
  expect(fs.readdirSync(path.join(dir, 'running'))).toEqual([]);
  const tables = await compareCases(path.join(root, 'reference'), dir, { bundles: IMPORT_TABLES.bundles!, files: IMPORT_TABLES.files!, event_store: IMPORT_TABLES.event_store! });
  for (const [t, r] of Object.entries(tables)) expect({ t, onlyReference: r.onlyA, onlyQuit: r.onlyB }).toEqual({ t, onlyReference: 0, onlyQuit: 0 });
}, 180_000);
