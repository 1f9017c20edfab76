// A pulled bundle goes into the case through the importer, and re-pulls of growing, rotating logs never duplicate an
// event: a grown file is read from where the earlier copy ended, a file only renamed by rotation is recognised by its
// content. Real sshd, real DuckDB case.
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SiteProfile } from '../../../shared/profile';
import { startLab, type SshLab } from '../../testkit/sshLab';
import { systemLines } from '../../testkit/remoteTree';
import { tempDir, removeDir } from '../../testkit/tmp';
import { CaseHandle } from '../case/caseStore';
import { importBundles } from '../ingest/importer';
import { listPulls, readPullState, runPull } from './pull';
import { pullIntoCase } from './service';
import { saveProfile } from './profileStore';

let lab: SshLab;
let work: string;
beforeAll(async () => { lab = await startLab(); work = tempDir(); });
afterAll(async () => { await lab?.stop(); if (work) removeDir(work); });

describe('pulled logs into the case', () => {
  it('imports only new records of grown and rotated files', async () => {
    const app = path.join(lab.root, 'logs/app');
    mkdirSync(app, { recursive: true, mode: 0o755 });
    const live = path.join(app, 'app.json.log');
    const t0 = Date.parse('2026-11-20T10:00:00Z');
    writeFileSync(live, systemLines(t0, 100, 'a'), { mode: 0o644 });
    // A torn last line: the server was mid-write when the first pull read the file.
    appendFileSync(live, systemLines(t0 + 100_000, 1, 'a-torn').slice(0, 40));
    const profile = SiteProfile.parse({ name: 'acme', ...lab.hops(), logRoot: lab.root, capBytes: 1 << 30 });
    const h = await CaseHandle.create(path.join(work, 'case'), { name: 'pull import' });
    const pullAndImport = async () => {
      const out = await runPull({ caseDir: h.dir, profile, chain: { trust: { knownHosts: [] }, agentSocket: lab.agentSocket }, sources: ['system'] });
      return { out, res: out.bundle ? await importBundles(h, [out.bundle.id]) : null };
    };
    const counts = async () => (await h.db.read<{ n: number; d: number }>(
      `SELECT count(*)::INTEGER AS n, count(DISTINCT fields->>'logid')::INTEGER AS d FROM events WHERE source = 'system'`))[0]!;
    try {
      const first = await pullAndImport();
      expect(first.res!.files[0]).toMatchObject({ file: 'logs/app/app.json.log', records: 101 });
      expect(await counts()).toEqual({ n: 101, d: 100 }); // the torn fragment is kept, malformed, without a logid

      // The torn line is completed and 20 more are written: only those (and the torn one, whole) are new.
      appendFileSync(live, systemLines(t0 + 100_000, 1, 'a-torn').slice(40) + systemLines(t0 + 200_000, 20, 'b'));
      const grown = await pullAndImport();
      expect(grown.out.files[0]!.continues).toMatchObject({ bundle: first.out.bundle!.id, path: 'logs/app/app.json.log' });
      expect(grown.res!.files[0]!.records).toBe(21);
      expect(grown.res!.files[0]!.note).toMatch(/continues/);
      // 100 whole + the torn fragment (first import) + the torn line whole + 20.
      expect(await counts()).toEqual({ n: 122, d: 121 });

      // Rotation: the live file is renamed unchanged, a new one starts.
      renameSync(live, path.join(app, 'app.json.log.1'));
      writeFileSync(live, systemLines(t0 + 300_000, 5, 'c'), { mode: 0o644 });
      const rotated = await pullAndImport();
      const byFile = new Map(rotated.res!.files.map((f) => [f.file, f]));
      expect(byFile.get('logs/app/app.json.log.1')).toMatchObject({ skipped: true, note: expect.stringMatching(/same content/) });
      expect(byFile.get('logs/app/app.json.log')).toMatchObject({ records: 5, skipped: false });
      expect(await counts()).toEqual({ n: 127, d: 126 });

      // The live file grows, then rotates again: .1 → .2 (same bytes), live → .1 (its new lines only).
      appendFileSync(live, systemLines(t0 + 400_000, 3, 'd'));
      renameSync(path.join(app, 'app.json.log.1'), path.join(app, 'app.json.log.2'));
      renameSync(live, path.join(app, 'app.json.log.1'));
      writeFileSync(live, '', { mode: 0o644 });
      const again = await pullAndImport();
      const f2 = new Map(again.res!.files.map((f) => [f.file, f]));
      expect(f2.get('logs/app/app.json.log.2')?.skipped).toBe(true);
      expect(f2.get('logs/app/app.json.log.1')).toMatchObject({ records: 3 });
      expect(await counts()).toEqual({ n: 130, d: 129 });
    } finally {
      await h.close();
    }
  });

  it('imports a bundle whose import was cancelled or failed after the pull, with the next pull (whose plan is empty)', async () => {
    const root = path.join(lab.root, 'cancel-root');
    mkdirSync(path.join(root, 'logs/app'), { recursive: true, mode: 0o755 });
    writeFileSync(path.join(root, 'logs/app/app.json.log'), systemLines(Date.parse('2026-11-21T10:00:00Z'), 50, 'x'), { mode: 0o644 });
    const prevHome = process.env.CASEFILE_HOME;
    const prevSock = process.env.SSH_AUTH_SOCK;
    process.env.CASEFILE_HOME = path.join(work, 'data-cancel');
    process.env.SSH_AUTH_SOCK = lab.agentSocket;
    const h = await CaseHandle.create(path.join(work, 'case-cancel'), { name: 'cancelled import' });
    try {
      await saveProfile({ name: 'acme', ...lab.hops(), logRoot: root, capBytes: 1 << 30 });
      const deps = (importBundles_: (ids: string[]) => Promise<never> | ReturnType<typeof importBundles>) => ({ audit: async () => undefined, importBundles: importBundles_ });
      // The operator cancels (or the import fails) once the files are in the case, before their records are.
      const first = await pullIntoCase(h, h.meta.id, { profile: 'acme' }, deps(() => Promise.reject(new Error('The pull job was cancelled.')))).catch((e: Error) => e);
      expect(first).toBeInstanceOf(Error);
      const events = async () => (await h.db.read<{ n: number }>('SELECT count(*)::INTEGER AS n FROM events'))[0]!.n;
      expect(await events()).toBe(0);
      // The next pull has nothing to fetch, and imports what the first one brought.
      const imported: string[][] = [];
      const next = await pullIntoCase(h, h.meta.id, { profile: 'acme' }, deps((ids) => { imported.push(ids); return importBundles(h, ids); }));
      expect(next.status).toBe('done');
      expect(next.status === 'done' && next.plan.files).toEqual([]);
      expect(imported).toHaveLength(1);
      expect(await events()).toBe(50);
      expect((await readPullState(h.dir, next.status === 'done' ? next.pullId : '')).imported).toBe(true);
      // And once only.
      const third = await pullIntoCase(h, h.meta.id, { profile: 'acme' }, deps((ids) => { imported.push(ids); return importBundles(h, ids); }));
      expect(third.status).toBe('planned');
      expect(imported).toHaveLength(1);
      // Or resumed by its id (the app's unfinished list, the CLI's --resume hint): its bundle is imported.
      appendFileSync(path.join(root, 'logs/app/app.json.log'), systemLines(Date.parse('2026-11-21T11:00:00Z'), 7, 'y'));
      await pullIntoCase(h, h.meta.id, { profile: 'acme' }, deps(() => Promise.reject(new Error('Out of memory')))).catch(() => undefined);
      const [left] = (await listPulls(h.dir)).filter((p) => p.status === 'complete' && !p.imported);
      const resumed = await pullIntoCase(h, h.meta.id, { profile: 'acme', resume: left!.id }, deps((ids) => { imported.push(ids); return importBundles(h, ids); }));
      expect(resumed).toMatchObject({ status: 'done', pullId: left!.id, bundle: left!.bundle });
      expect(await events()).toBe(57);
    } finally {
      await h.close();
      if (prevHome === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = prevHome;
      if (prevSock === undefined) delete process.env.SSH_AUTH_SOCK; else process.env.SSH_AUTH_SOCK = prevSock;
    }
  });
});
