// Ctrl-C on `casefile timezone` while it re-times: the job is cancelled, its transaction rolls back, and the command
// says nothing was changed (exit 130); the case keeps every table and its zone, and the trail records the cancel.
// Before, the default SIGINT killed the process: the same tables, but nothing said and nothing audited.
import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateTree } from '../../testkit/synth/generate';
import { removeDir, tempDir } from '../../testkit/tmp';
import { CLI_BIN, cliRunner } from '../../testkit/cliChild';
import { compareAllTables } from '../../testkit/compareCases';
import { readAudit } from '../../engine/audit/trail';

const root = tempDir('casefile-cli-tz-sigint-');
const env: NodeJS.ProcessEnv = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
delete env.CASEFILE_FAULT;
const cli = cliRunner(env, 240_000);
const caseDir = path.join(root, 'case');
const before = path.join(root, 'before');

beforeAll(async () => {
  const g = await generateTree(path.join(root, 'gen'), { targetBytes: 20_000_000, seed: 3 });
  const r = cli('import', g.root, '--case', caseDir, '--tz', 'Asia/Kolkata');
  expect(r.status, r.stderr).toBe(0);
  cpSync(caseDir, before, { recursive: true });
}, 240_000);
afterAll(() => removeDir(root));

/** Runs the change and sends SIGINT once it says it re-times. */
function interrupted(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Held inside its transaction until the cancel comes (fault.ts holdPoint), so a loaded machine cannot commit first.
    const p = spawn(process.execPath, [CLI_BIN, 'timezone', '--case', caseDir, 'Europe/Berlin'], { env: { ...env, CASEFILE_HOLD: 'retime-midway' } });
    let stdout = '';
    let stderr = '';
    let sent = false;
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && stderr.includes('re-timing to Europe/Berlin')) { sent = true; p.kill('SIGINT'); }
    });
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('stops the change, says nothing was changed, and the case is as it was', async () => {
  const r = await interrupted();
  const sentence = 'The change of the site zone to Europe/Berlin was cancelled: nothing was changed, the case keeps its zone Asia/Kolkata and its times.';
  expect({ code: r.code, stdout: r.stdout }, r.stderr).toEqual({ code: 130, stdout: '' });
  expect(r.stderr).toContain('casefile: stopping the change of the site zone (Ctrl-C again to quit at once)\n');
  expect(r.stderr.endsWith(`casefile: ${sentence}\n`)).toBe(true);
  const diff = await compareAllTables(caseDir, before);
  expect(Object.keys(diff)).toEqual(expect.arrayContaining(['event_store', 'files', 'meta']));
  for (const [t, d] of Object.entries(diff)) expect({ t, onlyA: d.onlyA, onlyB: d.onlyB }).toEqual({ t, onlyA: 0, onlyB: 0 });
  const calls = await readAudit(path.join(caseDir, 'audit.jsonl'), { action: 'cases.setTimezone' });
  // The first is `import --tz` setting the new case's zone.
  expect(calls.map((e) => [e.result.status, e.result.message])).toEqual([['ok', undefined], ['error', sentence]]);
  const stats = cli('stats', '--case', caseDir, '--json');
  expect(JSON.parse(stats.stdout).case.timezone.zone).toBe('Asia/Kolkata');
}, 240_000);
