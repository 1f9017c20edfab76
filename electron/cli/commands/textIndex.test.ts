// `casefile text-index` as an operator runs it: the real CLI process on a real case. `casefile import` leaves the
// index to it (or to the app): the import does not wait for it.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';
import { cliRunner } from '../../testkit/cliChild';

const root = tempDir('casefile-cli-textindex-');
afterAll(() => removeDir(root));
const env = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
const cli = cliRunner(env);

describe('casefile text-index', () => {
  it('builds the index of a case the CLI imported, says what it cost, and then finds it current', () => {
    const file = writeAt(root, 'logs/app.log', Array.from({ length: 300 }, (_, i) => `2024-02-28 10:00:${String(i % 60).padStart(2, '0')} INFO worker ${i} heartbeat ok`).join('\n') + '\n');
    const caseDir = path.join(root, 'case');
    const imp = cli('import', file, '--case', caseDir);
    expect(imp.status, imp.stderr).toBe(0);
    const before = cli('query', '--case', caseDir, '--sql', `SELECT count(*)::INTEGER AS n FROM meta WHERE key = 'text_index'`, '--json');
    expect(JSON.parse(before.stdout)).toEqual([{ n: 0 }]);

    const r = cli('text-index', '--case', caseDir, '--json');
    expect(r.status, r.stderr).toBe(0);
    const built = JSON.parse(r.stdout) as { groups: number; covered: number; rows: number; bytes: number; seconds: number };
    expect(built.groups).toBe(1);
    expect(built.rows).toBeGreaterThan(10);
    expect(built.bytes).toBe(built.rows * 137);
    const [max] = JSON.parse(cli('query', '--case', caseDir, '--sql', 'SELECT max(id) AS hi FROM events', '--json').stdout) as { hi: number }[];
    expect(built.covered).toBe(Number(max!.hi));

    const again = cli('text-index', '--case', caseDir);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^text index: already up to date in [\d.]+ s; covers ids up to \d+; [\d,]+ rows, [\d.]+ MB\n$/);
    expect(cli('text-index', '--case', path.join(root, 'nowhere')).status).not.toBe(0);
  });
});
