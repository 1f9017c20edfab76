import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CaseHandle } from '../case/caseStore';
import { DIGEST_VERSION, fileRowsDigests, type DigestVersion, type FileDigest } from '../store/digest';
import type { CaseDb } from '../store/db';

const fileRowsDigest = async (db: CaseDb, fileId: number, version = DIGEST_VERSION): Promise<FileDigest> =>
  (await fileRowsDigests((sql) => db.all(sql), [fileId], version)).get(fileId) ?? { records: 0, digest: '' };
import { appendAudit } from './trail';
import { IMPORT_FILE_ACTION, sha256File, verifyCase } from './custody';

// A small real import: bundle folder + manifest, files/event_store rows, and the per-file audit entries.
// (The real importer replaces this in the lead's integration test.)
const FILES: Record<string, string[]> = {
  'enrich/logs/app/app.json.log': [
    '{"timestamp":"2024-05-01T10:00:00Z","level":"INFO","logger":"api","message":"start"}',
    '{"timestamp":"2024-05-01T10:00:01Z","level":"ERROR","logger":"api","message":"boom"}',
  ],
  'enrich/logs/doodle/doodle.log': ['2024-05-01 10:00:02 INFO doodle ready', '2024-05-01 10:00:03 WARN doodle slow'],
};

let dir: string;
let handle: CaseHandle;

/** Imports FILES as `bundle`, recording rows digests of `version` (1, 2: as cases imported before v2, v3 did). */
async function importBundle(h: CaseHandle, bundle: string, version: DigestVersion = DIGEST_VERSION): Promise<void> {
  const bdir = h.files.bundle(bundle);
  const manifestFiles: Array<{ path: string; size: number; mtime: string; sha256: string }> = [];
  for (const [rel, lines] of Object.entries(FILES)) {
    const abs = path.join(bdir, rel);
    await fs.mkdir(path.dirname(abs), { recursive: true });
    await fs.writeFile(abs, lines.join('\n') + '\n');
    const st = await fs.stat(abs);
    manifestFiles.push({ path: rel, size: st.size, mtime: st.mtime.toISOString(), sha256: await sha256File(abs) });
  }
  await fs.writeFile(path.join(bdir, 'manifest.json'), JSON.stringify({
    format: 'casefile/manifest@1', bundle, created: new Date().toISOString(), origin: { kind: 'local', path: '/evidence' }, files: manifestFiles,
  }));
  const [ids] = await h.db.read<{ f: number; e: number }>('SELECT coalesce(max(file_id), 0)::INTEGER AS f, (SELECT coalesce(max(id), 0)::INTEGER FROM event_store) AS e FROM files');
  let fileId = ids!.f;
  let eventId = ids!.e;
  const records: Array<{ path: string; sha256: string; records: number; rowsDigest: string }> = [];
  await h.withWriter(async (db) => {
    await db.run(`INSERT INTO bundles VALUES ($1, $1, 'local', $2, 0, now())`, [bundle, manifestFiles.length]);
    for (const m of manifestFiles) {
      fileId++;
      const lines = FILES[m.path]!;
      await db.run(`INSERT INTO files (file_id, bundle, path, sha256, size, records) VALUES ($1, $2, $3, $4, $5, $6)`,
        [fileId, bundle, m.path, m.sha256, m.size, lines.length]);
      for (const [i, raw] of lines.entries()) {
        eventId++;
        await db.run(`INSERT INTO event_store (id, file_id, source, line, line_count, ts, level, logger, message, raw, parse_status)
                      VALUES ($1, $2, 'app', $3, 1, TIMESTAMPTZ '2024-05-01 10:00:00+00' + to_seconds($4::BIGINT), 'INFO', 'api', $5, $6, 'ok')`,
        [eventId, fileId, i + 1, eventId, `message ${eventId}`, raw]);
      }
      const d = await fileRowsDigest(db, fileId, version);
      await db.run(`UPDATE files SET rows_digest = $1 WHERE file_id = $2`, [d.digest, fileId]);
      records.push({ path: m.path, sha256: m.sha256, records: d.records, rowsDigest: d.digest });
    }
  });
  for (const r of records) {
    await appendAudit(h.files.audit, { action: IMPORT_FILE_ACTION, params: { bundle, ...r }, result: { status: 'ok', counts: { records: r.records } }, via: 'test', caseId: h.meta.id });
  }
}

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'casefile-custody-'));
  handle = await CaseHandle.create(path.join(dir, 'case'), { name: 'custody test' });
  await importBundle(handle, 'b1');
});
afterEach(async () => {
  await handle.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const appLog = () => path.join(handle.files.bundle('b1'), 'enrich/logs/app/app.json.log');

describe('verifyCase (chain of custody)', () => {
  it('passes on an untouched case', async () => {
    const r = await verifyCase(handle);
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ ok: true, filesChecked: 2 });
  });

  it('fails after one byte of a bundle file is flipped', async () => {
    const buf = await fs.readFile(appLog());
    buf[10] = buf[10]! ^ 0x01;
    await fs.writeFile(appLog(), buf);
    const r = await verifyCase(handle);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([{ bundle: 'b1', file: 'enrich/logs/app/app.json.log', problem: expect.stringMatching(/Content changed/) }]);
  });

  it('fails after one event row is changed', async () => {
    await handle.withWriter((db) => db.run(`UPDATE event_store SET message = 'nothing happened' WHERE id = 2`));
    const r = await verifyCase(handle);
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => [p.file, p.problem])).toEqual([
      ['enrich/logs/app/app.json.log', expect.stringMatching(/digest recorded at import/)],
      ['enrich/logs/app/app.json.log', expect.stringMatching(/digest in the files table/)],
    ]);
  });

  it('trusts the audit log over a database whose digests were rewritten to match', async () => {
    await handle.withWriter(async (db) => {
      await db.run(`UPDATE event_store SET message = 'nothing happened' WHERE id = 2`);
      const d = await fileRowsDigest(db, 1);
      await db.run(`UPDATE files SET rows_digest = $1 WHERE file_id = 1`, [d.digest]);
    });
    const r = await verifyCase(handle);
    expect(r.problems).toEqual([{ bundle: 'b1', file: 'enrich/logs/app/app.json.log', problem: expect.stringMatching(/digest recorded at import/) }]);
  });

  it('fails on a deleted event row, a missing file, an extra file and a shrunk file', async () => {
    await handle.withWriter((db) => db.run(`DELETE FROM event_store WHERE id = 4`));
    await fs.rm(appLog());
    await fs.writeFile(path.join(handle.files.bundle('b1'), 'planted.log'), 'x');
    const doodle = path.join(handle.files.bundle('b1'), 'enrich/logs/doodle/doodle.log');
    await fs.truncate(doodle, 5);
    const r = await verifyCase(handle);
    const text = r.problems.map((p) => `${p.file}: ${p.problem}`);
    expect(text).toEqual(expect.arrayContaining([
      expect.stringMatching(/^enrich\/logs\/app\/app.json.log: Missing/),
      expect.stringMatching(/^planted.log: Extra file/),
      expect.stringMatching(/^enrich\/logs\/doodle\/doodle.log: Size changed/),
      expect.stringMatching(/^enrich\/logs\/doodle\/doodle.log: Events changed: 1 rows now, the import recorded 2/),
    ]));
    expect(r.ok).toBe(false);
  });

  it('fails when the audit log no longer vouches for the import', async () => {
    const text = await fs.readFile(handle.files.audit, 'utf8');
    await fs.writeFile(handle.files.audit, text.split('\n').filter((l) => !l.includes('doodle.log')).join('\n'));
    const r = await verifyCase(handle);
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.file)).toEqual(expect.arrayContaining(['audit.jsonl', 'enrich/logs/doodle/doodle.log']));
  });

  it('fails when the bundle folder or its manifest is gone', async () => {
    await fs.rm(path.join(handle.files.bundle('b1'), 'manifest.json'));
    expect((await verifyCase(handle)).problems).toEqual(expect.arrayContaining([{ bundle: 'b1', file: 'b1.manifest.json', problem: expect.stringMatching(/missing/) }]));
    await fs.rm(handle.files.bundle('b1'), { recursive: true });
    expect((await verifyCase(handle)).problems).toEqual(expect.arrayContaining([{ bundle: 'b1', file: '', problem: 'The bundle folder is missing.' }]));
  });

  it('checks each file with the digest version it was recorded with: v1 and v2 files of cases imported before, v3 beside them', async () => {
    await importBundle(handle, 'b0', 1);
    await importBundle(handle, 'b2', 2);
    const recorded = await handle.db.read<{ bundle: string; d: string }>(`SELECT bundle, rows_digest AS d FROM files ORDER BY file_id`);
    expect(recorded.map((r) => [r.bundle, r.d.split(':')[0]])).toEqual([['b1', 'sha256v3'], ['b1', 'sha256v3'], ['b0', 'sha256'], ['b0', 'sha256'], ['b2', 'sha256v2'], ['b2', 'sha256v2']]);
    expect((await verifyCase(handle)).problems).toEqual([]);
    // A change to a v1 file's rows is seen with the v1 definition, one to a v2 file's with v2, one to a v3 file's with v3.
    const [v1, v2, v3] = [5, 9, 2];
    await handle.withWriter((db) => db.run(`UPDATE event_store SET raw = raw || ' ' WHERE id IN (${v1}, ${v2}, ${v3})`));
    expect((await verifyCase(handle)).problems.map((p) => [p.bundle, p.file, p.problem])).toEqual([
      ['b0', 'enrich/logs/app/app.json.log', expect.stringMatching(/digest recorded at import/)],
      ['b0', 'enrich/logs/app/app.json.log', expect.stringMatching(/digest in the files table/)],
      ['b1', 'enrich/logs/app/app.json.log', expect.stringMatching(/digest recorded at import/)],
      ['b1', 'enrich/logs/app/app.json.log', expect.stringMatching(/digest in the files table/)],
      ['b2', 'enrich/logs/app/app.json.log', expect.stringMatching(/digest recorded at import/)],
      ['b2', 'enrich/logs/app/app.json.log', expect.stringMatching(/digest in the files table/)],
    ]);
  });

  it('does not take a files row rewritten to the other version for the recorded one', async () => {
    await handle.withWriter(async (db) => {
      await db.run(`UPDATE event_store SET raw = 'nothing happened' WHERE id = 2`);
      const d = await fileRowsDigest(db, 1, 1);
      await db.run(`UPDATE files SET rows_digest = $1 WHERE file_id = 1`, [d.digest]);
    });
    expect((await verifyCase(handle)).problems.map((p) => p.problem)).toEqual([
      expect.stringMatching(/digest recorded at import/),
      expect.stringMatching(/digest in the files table/),
    ]);
  });
});
