// The same evidence twice under other names (issue 16, bug 1): a tarball packed one folder level lower, or a copy of
// a log, holds files whose content is already in the case. Each is recorded as an alias of the first name (audited,
// in the import result), never parsed again, so no record shows twice; custody still verifies.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { verifyCase } from '../audit/custody';
import { Engine } from '../engine';
import type { CaseInfo, ImportResult } from '../../../shared/domain';
import { tempDir, removeDir } from '../../testkit/tmp';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

function write(root: string, rel: string, data: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), data);
}

const sys = (i: number) => JSON.stringify({ message: `m${i}`, levelname: 'INFO', name: 'app', asctime: '2023-07-30 00:13:45,400', created: 1690656225.4 + i });

describe('evidence already in the case', () => {
  it('records re-rooted and copied files as aliases: audited, in the result, never parsed twice', async () => {
    const root = tempDir();
    dirs.push(root);
    const b = path.join(root, 'server');
    write(b, 'enrich/logs/app/app.json.log', [0, 1, 2].map(sys).join('\n') + '\n');
    write(b, 'enrich/logs/celery/w.log', '[2023-07-06 12:07:36,774: INFO/MainProcess] hello\n');
    write(b, 'enrich/logs/empty.log', '');
    // The same files packed from inside enrich/: other paths, same bytes.
    await tar.c({ gzip: true, file: path.join(root, 'again.tar.gz'), cwd: path.join(b, 'enrich') }, ['logs']);
    // A bundle with one copy of a known log next to one new file.
    write(root, 'mixed/app-copy.json.log', [0, 1, 2].map(sys).join('\n') + '\n');
    write(root, 'mixed/new.json.log', sys(9) + '\n');

    process.env.CASEFILE_HOME = path.join(root, 'home');
    const engine = await Engine.create({ via: 'test' });
    try {
      const info = (await engine.invoke('cases.create', { name: 'alias', dir: path.join(root, 'case') })) as CaseInfo;
      const caseId = info.id;
      const count = async () => Number(((await engine.invoke('events.sql', { caseId, sql: 'SELECT count(*) AS n FROM events' })) as { rows: Record<string, unknown>[] }).rows[0]!.n);

      await engine.invoke('import.paths', { caseId, paths: [b] });
      const events = await count();
      expect(events).toBe(4);

      const again = (await engine.invoke('import.paths', { caseId, paths: [path.join(root, 'again.tar.gz')] })) as ImportResult;
      expect(again.bundles[0]!.reused).toBe(false);
      const byFile = new Map(again.files.map((f) => [f.file, f]));
      expect(byFile.get('logs/app/app.json.log')?.aliasOf).toEqual({ bundle: expect.any(String), file: 'enrich/logs/app/app.json.log' });
      expect(byFile.get('logs/celery/w.log')?.aliasOf?.file).toBe('enrich/logs/celery/w.log');
      expect(byFile.get('logs/app/app.json.log')).toMatchObject({ skipped: true, records: 0 });
      expect(byFile.get('logs/app/app.json.log')?.note).toMatch(/alias, not parsed again/);
      // Empty files have nothing to double: they stay files of their own.
      expect(byFile.get('logs/empty.log')?.aliasOf).toBeUndefined();
      expect(await count()).toBe(events);

      const mixed = (await engine.invoke('import.paths', { caseId, paths: [path.join(root, 'mixed')] })) as ImportResult;
      expect(mixed.files.find((f) => f.file.endsWith('app-copy.json.log'))?.aliasOf?.file).toBe('enrich/logs/app/app.json.log');
      expect(mixed.files.find((f) => f.file.endsWith('new.json.log'))?.aliasOf).toBeUndefined();
      expect(await count()).toBe(events + 1);

      // Audited, with the name each alias stands for; the custody check still passes.
      const entries = (await engine.invoke('audit.list', { caseId, action: 'import.alias', limit: 100 })) as { params: { files: { path: string; of: { path: string } }[] } }[];
      const audited = entries.flatMap((e) => e.params.files.map((f) => `${f.path} -> ${f.of.path}`)).sort();
      expect(audited).toEqual([
        'app-copy.json.log -> enrich/logs/app/app.json.log',
        'logs/app/app.json.log -> enrich/logs/app/app.json.log',
        'logs/celery/w.log -> enrich/logs/celery/w.log',
      ]);
      const custody = await verifyCase(engine.context.getCase(caseId));
      expect(custody.problems).toEqual([]);
    } finally { await engine.close(); }
  });
});
