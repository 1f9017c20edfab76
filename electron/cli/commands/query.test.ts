// `casefile query` as an operator runs it, whose output is pasted into tickets: the real CLI on a real case with
// planted secrets. Like the app's table and detail panel, the rows come out with their secrets masked; the operator
// who needs one asks for it (--reveal-secrets) and the trail records that they did.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLANTED, writePlantedSecretsBundle } from '../../testkit/plantedSecrets';
import { removeDir, tempDir } from '../../testkit/tmp';
import { SECRET_MASK } from '../../engine/redact/onScreen';
import { cliRunner } from '../../testkit/cliChild';

const root = tempDir('casefile-cli-query-');
const caseDir = path.join(root, 'case');
const env = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
const cli = cliRunner(env);
const SECRETS = Object.values(PLANTED);
const leaks = (text: string) => SECRETS.filter((s) => text.includes(s));
const SQL = 'SELECT id, message, raw, fields, fields->>\'password\' AS password FROM events ORDER BY id';

beforeAll(() => {
  const r = cli('import', writePlantedSecretsBundle(path.join(root, 'bundle')), '--case', caseDir);
  expect(r.status, r.stderr).toBe(0);
}, 120_000);
afterAll(() => removeDir(root));

describe('casefile query and secrets', () => {
  it('masks secrets in table, JSON and CSV output, and says how many values it masked', () => {
    for (const fmt of [[], ['--json'], ['--csv']]) {
      const r = cli('query', '--case', caseDir, '--sql', SQL, ...fmt);
      expect(r.status, r.stderr).toBe(0);
      expect(leaks(r.stdout)).toEqual([]);
      expect(r.stdout).toContain(SECRET_MASK);
      expect(r.stderr).toMatch(/values? masked as secrets.*--reveal-secrets/);
    }
    const rows = JSON.parse(cli('query', '--case', caseDir, '--sql', SQL, '--json').stdout) as Record<string, unknown>[];
    // The rest of a line stays readable, as on screen.
    expect(rows.map((r) => r.message)).toContain(`sync_ledger[9a1e3c55-0c1d-4e8a-9f6b-2d7c4b1a0e11]: connecting to postgresql://enrich:${SECRET_MASK}@db.acme.example:5432/ledger`);
    // A column named like a secret is masked whole, like a field of that name in the detail panel.
    expect(rows.map((r) => r.password).filter(Boolean)).toEqual([SECRET_MASK]);
    // Personal data stays: the operator investigates people.
    expect(rows.map((r) => r.message)).toContain('User login');
  });

  it('a query without secrets prints as before, with no note', () => {
    const r = cli('query', '--case', caseDir, '--sql', 'SELECT count(*)::INTEGER AS n FROM events', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ n: 10 }]);
    expect(r.stderr).toBe('');
  });

  it('--reveal-secrets prints them as stored, and the audit trail records that it did', () => {
    const r = cli('query', '--case', caseDir, '--sql', SQL, '--json', '--reveal-secrets');
    expect(r.status, r.stderr).toBe(0);
    expect(leaks(r.stdout)).toEqual(SECRETS);
    const trail = cli('audit', 'show', '--case', caseDir, '--action', 'events.sql', '--json');
    const entries = trail.stdout.trim().split('\n').map((l) => JSON.parse(l) as { params: Record<string, unknown> });
    expect(entries.filter((e) => e.params.reveal === true)).toHaveLength(1);
    expect(leaks(trail.stdout)).toEqual([]);
  });
});
