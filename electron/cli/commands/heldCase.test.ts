// Every case command against a case another process holds says so in one sentence naming that process (the command
// and its pid, from the case's lock) and what to do, never DuckDB's "Could not set lock … Conflicting lock" text.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCliChild } from '../../testkit/cliChild';
import { CaseHandle } from '../../engine/case/caseStore';
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
/** Asks the holder (at rest) to write, as its import would next: 'wrote', or why it could not. */
function holderWrites(): Promise<string> {
  return new Promise((resolve) => {
    const p = holder!;
    const said = (d: Buffer) => { const line = d.toString().trim(); if (/^(wrote|write failed)/.test(line)) { p.stdout!.off('data', said); resolve(line); } };
    p.stdout!.on('data', said);
    p.stdin!.write('write\n');
  });
}
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
    // import and pull came to write: refused at the lock, before the database (the test below says why)
    for (const [i, r] of runs.entries()) {
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr, r.stderr).toMatch(i < 2
        ? new RegExp(`^casefile: This case is held for writing by casefile pull \\(pid ${pid}, since [^)]+\\): nothing can be written to it here\\. Wait for that to finish \\(or close the case there\\), then run this again\\.\\n$`)
        : new RegExp(`^casefile: This case is in use by casefile pull \\(pid ${pid}, since [^)]+\\), which is writing to it: it cannot be opened until that ends\\. Wait for it to finish \\(or close the case there\\), then run this again\\.\\n$`));
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

  it('at rest: a command come to write is refused before it opens the database, so the holder goes on writing', async () => {
    // A second `casefile pull` on a case a first pull held opened its database read-only on the way to its refusal;
    // the first pull's import, opening its writer meanwhile, failed ('Cannot write to this case while another process
    // has it open'). The second is now refused at the lock, and the first writes beside its refusal.
    const pid = await hold('pull', 'at rest');
    const second = await CaseHandle.open(caseDir, { writing: true }).catch((e: unknown) => e);
    try {
      expect(await holderWrites()).toBe('wrote');
      expect(second).toMatchObject({ code: 'read_only' });
      expect((second as Error).message).toMatch(new RegExp(`^This case is held for writing by casefile pull \\(pid ${pid}, since [^)]+\\): nothing can be written`));
    } finally {
      if (second instanceof CaseHandle) await second.close();
    }
  }, 180_000);
});
