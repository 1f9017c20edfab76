// A case whose import was killed after its events committed but before identifiers and chains: the next open builds
// them behind the caller. A one-shot CLI read (query) on it must wait for that and answer, not be refused as if an
// import were writing (the operator's first command after a crash was refused; the next one worked).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePlantedSecretsBundle } from '../../testkit/plantedSecrets';
import { removeDir, tempDir } from '../../testkit/tmp';
import { cliRunner } from '../../testkit/cliChild';
import { CaseDb } from '../../engine/store/db';

const root = tempDir('casefile-cli-interrupted-');
const caseDir = path.join(root, 'case');
const env = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
const cli = cliRunner(env);

beforeAll(async () => {
  const r = cli('import', writePlantedSecretsBundle(path.join(root, 'bundle')), '--case', caseDir);
  expect(r.status, r.stderr).toBe(0);
  // What a kill between the events and the correlation stage leaves: every file's identifiers still to extract.
  const db = await CaseDb.open(path.join(caseDir, 'case.duckdb'));
  await db.run('INSERT INTO extract_pending SELECT DISTINCT file_id FROM events');
  await db.run('CHECKPOINT');
  db.close();
}, 120_000);
afterAll(() => removeDir(root));

describe('a CLI read of a case an import left unfinished', () => {
  it('completes the identifiers and chains first, says so, then answers', () => {
    const r = cli('query', '--case', caseDir, '--sql', 'SELECT count(*)::INTEGER AS n FROM events', '--json');
    expect(r.stderr).not.toMatch(/An import is writing/);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ n: 10 }]);
    expect(r.stderr).toMatch(/stopped before it finished; completing its identifiers and chains first/);
    // Done once: the next read has nothing to wait for.
    const again = cli('query', '--case', caseDir, '--sql', 'SELECT (SELECT count(*) FROM extract_pending)::INTEGER AS n', '--json');
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual([{ n: 0 }]);
    expect(again.stderr).toBe('');
  });
});
