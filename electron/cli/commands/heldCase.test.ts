// Every case command against a case another process holds says so in one sentence naming that process (the command
// and its pid, from the case's lock) and what to do, never DuckDB's "Could not set lock … Conflicting lock" text.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCliChild } from '../../testkit/cliChild';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = tempDir('casefile-cli-held-');
const caseDir = path.join(root, 'case');
const env = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
const log = writeAt(root, 'logs/app.log', '2023-07-06 03:30:00 INFO hello\n');
afterAll(() => removeDir(root));

/** The CLI through its real entry (testkit/cliChild.ts), its exit status as `status`. */
async function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const r = await runCliChild(args, env);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

let holder: ChildProcess | null = null;
/** Starts the holder (itself, not a wrapper that would outlive a kill) and waits until it holds the case. */
function hold(command: string, mode: 'writing' | 'at rest'): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'heldCase.holder.ts'), caseDir, command, mode === 'writing' ? 'writing' : 'rest'], { env });
    holder = p;
    let err = '';
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.stdout.on('data', (d: Buffer) => { if (d.toString().includes('held')) resolve(p.pid!); });
    p.on('close', () => reject(new Error(`the holder ended: ${err}`)));
  });
}
afterEach(async () => {
  const p = holder;
  holder = null;
  if (p && p.exitCode === null) await new Promise((r) => { p.on('close', r); p.kill('SIGKILL'); });
});

beforeAll(async () => {
  const r = await cli('import', log, '--case', caseDir);
  expect(r.status, r.stderr).toBe(0);
}, 120_000);

describe('a case another process holds', () => {
  it('while it writes (a pull mid-way): import, pull, query, export and open name it and say to wait', async () => {
    const pid = await hold('pull', 'writing');
    const runs = await Promise.all([
      cli('import', log, '--case', caseDir),
      cli('pull', '--case', caseDir, '--profile', 'acme'),
      cli('query', '--case', caseDir, '--sql', 'SELECT 1'),
      cli('export', '--case', caseDir, '--plaintext', '--format', 'csv'),
      cli('open', path.join(root, 'creds.yaml.gpg'), '--case', caseDir),
    ]);
    for (const r of runs) {
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr, r.stderr).toMatch(new RegExp(`^casefile: This case is in use by casefile pull \\(pid ${pid}, since [^)]+\\), which is writing to it: it cannot be opened until that ends\\. Wait for it to finish \\(or close the case there\\), then run this again\\.\\n$`));
      expect(r.stderr).not.toMatch(/IO Error|Conflicting lock|duckdb/i);
    }
  }, 180_000);

  it('at rest (held for writing, reading allowed): import is refused naming it, query reads with a note', async () => {
    const pid = await hold('import', 'at rest');
    const refusal = new RegExp(`^casefile: This case is held for writing by casefile import \\(pid ${pid}, since [^)]+\\): nothing can be written to it here\\. Wait for that to finish \\(or close the case there\\), then run this again\\.\\n$`);
    const imp = await cli('import', log, '--case', caseDir);
    expect(imp.status).toBe(1);
    expect(imp.stderr).toMatch(refusal);
    const query = await cli('query', '--case', caseDir, '--sql', 'SELECT 1 AS one');
    expect(query.status, query.stderr).toBe(0);
    expect(query.stderr).toContain(`This case is open for writing in casefile import (pid ${pid}`);
  }, 180_000);
});
