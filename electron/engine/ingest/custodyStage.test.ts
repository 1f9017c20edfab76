// Custody after the events: an import that leaves it to the job after it commits events that are queryable at once,
// with no digest and no audit entry; verify calls those files pending (not changed) at every step of the job, and
// once the job is done they verify, with the digests the documented definition gives.
import { afterAll, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from './importer';
import { finishCustody, type AuditFiles } from './custodyStage';
import { appendAudit, readAudit } from '../audit/trail';
import { CORRELATION_PENDING, CUSTODY_PENDING, IMPORT_FILES_ACTION, verifyCase } from '../audit/custody';
import { DIGEST_VERSION, fileRowsDigests } from '../store/digest';
import { withMemoryLimit } from '../store/memoryRetry';
import { takeStageTimes } from '../util/stageTimes';
import { tempDir, removeDir } from '../../testkit/tmp';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

it('events are in before their custody; verify says pending until the job has written digest and entry, then passes', async () => {
  const root = tempDir();
  dirs.push(root);
  const bundle = path.join(root, 'bundle');
  mkdirSync(path.join(bundle, 'logs'), { recursive: true });
  for (const n of [1, 2, 3]) {
    writeFileSync(path.join(bundle, `logs/app${n}.json.log`), Array.from({ length: 50 }, (_, i) =>
      JSON.stringify({ message: `m${n}-${i}`, levelname: 'INFO', name: 'app', asctime: '2023-07-30 00:13:45,400', created: 1690656225.4 + i })).join('\n') + '\n');
  }
  const h = await CaseHandle.create(path.join(root, 'case'), { name: 'custody' });
  try {
    const audit: AuditFiles = async (b, files) => {
      await appendAudit(h.files.audit, { action: IMPORT_FILES_ACTION, params: { bundle: b.id, manifestSha256: b.manifestSha256, files }, result: { status: 'ok' }, via: 'test', caseId: h.meta.id });
    };
    await importPaths(h, [bundle], { custodyAfter: true, hooks: { auditFiles: audit } });
    const [s] = await h.db.read<{ events: string; digested: number; pending: number }>(`SELECT (SELECT count(*) FROM event_store)::VARCHAR AS events,
      (SELECT count(rows_digest) FROM files)::INTEGER AS digested, (SELECT count(*) FROM digest_pending)::INTEGER AS pending`);
    expect(s).toEqual({ events: '150', digested: 0, pending: 3 });
    const pendingOnly = async () => {
      const v = await verifyCase(h);
      expect(v.ok).toBe(false);
      expect(v.problems.filter((p) => p.problem !== CORRELATION_PENDING).map((p) => [p.file, p.problem]))
        .toEqual([1, 2, 3].map((n) => [`logs/app${n}.json.log`, CUSTODY_PENDING]));
    };
    await pendingOnly();
    expect(await readAudit(h.files.audit, { action: IMPORT_FILES_ACTION })).toEqual([]);

    // The job, held between its digests' commit and the audit entry: still pending, not "no entry".
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let reached!: () => void;
    const atAudit = new Promise<void>((r) => { reached = r; });
    const job = h.withWriter((db) => finishCustody(db, h.dir, h.files.bundles, async (b, files) => { reached(); await gate; await audit(b, files); }));
    await atAudit;
    expect((await h.db.read<{ n: number }>(`SELECT count(rows_digest)::INTEGER AS n FROM files`))[0]!.n).toBe(3);
    await pendingOnly();
    release();
    expect(await job).toBe(3);

    const v = await verifyCase(h);
    expect(v.problems.map((p) => p.problem)).toEqual([CORRELATION_PENDING]);
    const want = await fileRowsDigests((sql) => h.db.read(sql));
    const stored = await h.db.read<{ file_id: number; rows_digest: string }>(`SELECT file_id, rows_digest FROM files ORDER BY file_id`);
    expect(stored.map((r) => r.rows_digest)).toEqual(stored.map((r) => want.get(Number(r.file_id))!.digest));
    // Written by the process that committed the events: plain entries, one per file.
    const entries = (await readAudit(h.files.audit, { action: IMPORT_FILES_ACTION })).flatMap((e) => (e.params as { files: { path: string; recovered?: true; rowsDigest: string }[] }).files);
    expect(entries.map((f) => [f.path, f.recovered, f.rowsDigest])).toEqual(stored.map((r, i) => [`logs/app${i + 1}.json.log`, undefined, r.rows_digest]));
    // Nothing left: a second run writes nothing.
    expect(await h.withWriter((db) => finishCustody(db, h.dir, h.files.bundles, audit))).toBe(0);
  } finally {
    await h.close();
  }
}, 60_000);

// A dump of base64 lines in a Celery log: records of a few MiB each. Hashed a window of ids at a time, their canonical
// text went past the writer's limit and the digests took the memory retry at 1 GB; they are now cut by bytes.
it('records of a few MiB get their rows digests at the writer\'s limit, without the memory retry, with the digest the definition gives', async () => {
  const root = tempDir();
  dirs.push(root);
  const bundle = path.join(root, 'bundle');
  mkdirSync(path.join(bundle, 'logs/celery'), { recursive: true });
  const records = Array.from({ length: 8 }, (_, r) => `[2026-11-27 10:00:0${r},000: INFO/MainProcess] dump ${r} follows\n`
    + Array.from({ length: 30_000 }, (_, i) => `${r}:${i}:`.padEnd(100, 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo')).join('\n') + '\n');
  writeFileSync(path.join(bundle, 'logs/celery/celery-worker.log'), records.join(''));
  process.env.CASEFILE_DUCKDB_WRITER_MEMORY = '128MB';
  const h = await CaseHandle.create(path.join(root, 'case'), { name: 'large rows' });
  try {
    const audit: AuditFiles = async (b, files) => {
      await appendAudit(h.files.audit, { action: IMPORT_FILES_ACTION, params: { bundle: b.id, manifestSha256: b.manifestSha256, files }, result: { status: 'ok' }, via: 'test', caseId: h.meta.id });
    };
    takeStageTimes();
    const res = await importPaths(h, [bundle], { hooks: { auditFiles: audit } });
    const stages = Object.keys(takeStageTimes());
    expect(stages).toContain('custody: rows digests');
    expect(stages.filter((s) => s.startsWith('memory retry'))).toEqual([]);
    expect(res.files.map((f) => f.records)).toEqual([8]);
    const [f] = await h.db.read<{ file_id: number; rows_digest: string }>('SELECT file_id, rows_digest FROM files');
    // One window holding every row, as before, which needs more memory.
    const whole = await h.withWriter((db) => withMemoryLimit(db, '1GB', () => fileRowsDigests((sql) => db.all(sql), undefined, DIGEST_VERSION, { largeRowBytes: 2 ** 52 })));
    expect(f!.rows_digest).toBe(whole.get(f!.file_id)!.digest);
    expect((await verifyCase(h)).problems.filter((p) => p.problem !== CORRELATION_PENDING)).toEqual([]);
  } finally {
    delete process.env.CASEFILE_DUCKDB_WRITER_MEMORY;
    await h.close();
  }
});
