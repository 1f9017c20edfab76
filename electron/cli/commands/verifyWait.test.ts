// `casefile verify` right after an upgrade: opening a case derived by older rules starts its re-derivation (a
// `correlate` job); verify waits for it, saying so on stderr, and answers about the re-derived case the first time
// (exit 0), instead of "still being built" and exit 1 that a second run would contradict.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/engine';
import { CaseDb } from '../../engine/store/db';
import { runCliChild } from '../../testkit/cliChild';
import { removeDir, tempDir } from '../../testkit/tmp';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEMO = path.resolve(here, '../../../resources/demo/demo-bundle.tar.gz');
const root = tempDir('casefile-cli-verify-wait-');
const caseDir = path.join(root, 'case');
const env = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
afterAll(() => removeDir(root));

/** The CLI through its real entry (testkit/cliChild.ts), its exit status as `status`. */
async function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const r = await runCliChild(args, env);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** What an older build leaves: its own derivation version on the case. */
async function makeStale(): Promise<void> {
  const db = await CaseDb.open(path.join(caseDir, 'case.duckdb'));
  try { await db.run(`UPDATE derivation SET version = '1:older'`); } finally { await db.run('CHECKPOINT'); db.close(); }
}

beforeAll(async () => {
  const e = await Engine.create({ via: 'test' });
  try {
    const { id } = await e.call('cases.create', { name: 'verify-wait', dir: caseDir });
    await e.call('import.paths', { caseId: id, paths: [DEMO] });
  } finally { await e.close(); }
}, 120_000);

describe('casefile verify on a case derived by older rules', () => {
  it('waits for the re-derivation it starts, says so on stderr, then passes the first time', async () => {
    await makeStale();
    const r = await cli('verify', '--case', caseDir);
    expect(r.stdout, r.stderr).toMatch(/^Chain of custody OK/);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^casefile: waiting for identifiers and chains to be built/m);
  }, 120_000);

  it('--json keeps stdout to the JSON alone, and audit verify waits the same way', async () => {
    await makeStale();
    const j = await cli('verify', '--case', caseDir, '--json');
    expect(j.status, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: true, problems: [] });
    await makeStale();
    const a = await cli('audit', 'verify', '--case', caseDir);
    expect(a.status, a.stdout + a.stderr).toBe(0);
    expect(a.stderr).toMatch(/waiting for identifiers and chains/);
    // The audit verify waited, so the case it leaves is derived by this build: a plain verify finds nothing pending.
    const v = await cli('verify', '--case', caseDir);
    expect(v.stderr).not.toMatch(/waiting/);
    expect(v.status).toBe(0);
  }, 180_000);
});

describe('casefile verify while another instance holds the case', () => {
  it('exits 5 (not verified yet), not 1 (failed), when only the derived tables wait for that instance', async () => {
    const holder = await Engine.create({ via: 'test' });
    try {
      const { id } = await holder.call('cases.open', { dir: caseDir });
      // the holder's case as an older build left it: the holder would derive it again when it next opens it
      await holder.context.getCase(id).withWriter(async (db) => {
        await db.run(`UPDATE derivation SET version = '1:older'`);
        await db.run('CHECKPOINT');
      });
      const r = await cli('verify', '--case', caseDir);
      expect(r.stdout, r.stderr).toMatch(/^Chain of custody not verified yet: (1 part waits|\d+ parts wait) for the instance/); // not 'part(s)'
      expect(r.status, r.stdout + r.stderr).toBe(5);
    } finally { await holder.close(); }
  }, 120_000);
});
