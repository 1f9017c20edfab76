// One writer per case: a second instance (here a real CLI process) opens the case read-only, says so, can still
// read it, and cannot import into it; case files are owner-only.
import { afterAll, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Engine } from '../engine';
import type { CaseInfo } from '../../../shared/domain';
import { tempDir, removeDir } from '../../testkit/tmp';
import { CLI_BIN } from '../../testkit/cliChild';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

it('lets a second instance read a case another one holds, read-only, and says so', async () => {
  const root = tempDir();
  dirs.push(root);
  process.env.CASEFILE_HOME = path.join(root, 'home');
  const bundle = path.join(root, 'b');
  mkdirSync(path.join(bundle, 'logs/celery'), { recursive: true });
  writeFileSync(path.join(bundle, 'logs/celery/w.log'), '[2023-07-06 12:07:36,774: INFO/MainProcess] hello\n');
  const engine = await Engine.create({ via: 'test' });
  try {
    const info = (await engine.invoke('cases.create', { name: 'held', dir: path.join(root, 'case') })) as CaseInfo;
    await engine.invoke('import.paths', { caseId: info.id, paths: [bundle] });
    for (const f of ['case.json', 'case.duckdb', 'audit.jsonl']) expect(statSync(path.join(info.dir, f)).mode & 0o077, f).toBe(0);
    expect(statSync(info.dir).mode & 0o077).toBe(0);

    const env = { ...process.env, CASEFILE_HOME: path.join(root, 'home2') };
    const q = spawnSync(process.execPath, [CLI_BIN, 'query', '--case', info.dir, '--sql', 'SELECT count(*) AS n FROM events', '--json'], { env, encoding: 'utf8' });
    expect(q.status, q.stderr).toBe(0);
    expect(q.stderr).toMatch(new RegExp(`open for writing in .* \\(pid ${process.pid}, since .*\\); it is open here read-only`));
    expect(JSON.parse(q.stdout)).toEqual([{ n: '1' }]); // BIGINT comes out as a string in JSON

    const imp = spawnSync(process.execPath, [CLI_BIN, 'import', bundle, '--case', info.dir], { env, encoding: 'utf8' });
    expect(imp.status).not.toBe(0);
    expect(imp.stderr).toMatch(new RegExp(`held for writing by .* \\(pid ${process.pid}, since .*Wait for that to finish`));
  } finally {
    await engine.close();
  }
}, 120_000);
