// An import killed (kill -9) before its own trail entry: the next open records it as `import.interrupted`, once, with
// who started it, when, its inputs and app build, and what of it the case holds; verify passes. Before, the trail
// never said such an import had started.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTree } from '../../testkit/synth/generate';
import { removeDir, tempDir } from '../../testkit/tmp';
import { CLI_BIN } from '../../testkit/cliChild';
import { readAudit } from './trail';
import { INTERRUPTED_ACTION, MARK_PARAM } from './runMarks';

const root = tempDir('casefile-interrupted-');
const home = path.join(root, 'home');
let tree = '';
beforeAll(async () => {
  tree = (await generateTree(path.join(root, 'gen'), { targetBytes: 1_500_000, seed: 11 })).root;
}, 120_000);
afterAll(() => removeDir(root));

/** `casefile <args>` in a child (a fault kills it), stdout and stderr together; `onLine` sees stderr lines. */
function cli(args: string[], extra: Record<string, string> = {}, onLine?: (line: string, kill: (sig: NodeJS.Signals) => void) => void) {
  return new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) => {
    const c = spawn(process.execPath, [CLI_BIN, ...args], {
      env: { ...process.env, CASEFILE_HOME: home, CASEFILE_OPERATOR: 'Dana Example', CASEFILE_IMPORT_BATCH_BYTES: String(256 << 10), ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let buf = '';
    c.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    c.stderr.on('data', (d: Buffer) => {
      out += d.toString();
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) onLine?.(l, (sig) => c.kill(sig));
    });
    c.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

const trail = (caseDir: string) => readAudit(path.join(caseDir, 'audit.jsonl'));
const marks = (caseDir: string) => (existsSync(path.join(caseDir, 'running')) ? readdirSync(path.join(caseDir, 'running')) : []);

describe('an import killed before its trail entry', () => {
  // Before the first batch; after a batch committed (more to come); while identifiers and chains are built.
  it.each(['import-started', 'after-batch-commit', 'correlation-midway'])('kill -9 at %s: the next open records one import.interrupted entry, verify passes, a second open adds nothing', async (fault) => {
    const caseDir = path.join(root, fault);
    const killed = await cli(['import', tree, '--case', caseDir], { CASEFILE_FAULT: fault });
    expect(killed.signal, killed.out).toBe('SIGKILL');
    expect(marks(caseDir)).toHaveLength(1);
    expect((await trail(caseDir)).filter((e) => e.action.startsWith('import.') && e.action !== 'import.files')).toEqual([]);

    const verified = await cli(['verify', '--case', caseDir]);
    expect(verified.code, verified.out).toBe(0);
    const entries = (await trail(caseDir)).filter((e) => e.action === INTERRUPTED_ACTION);
    expect(entries).toHaveLength(1);
    const e = entries[0]!;
    expect(e.params).toMatchObject({ call: 'import.paths', startedBy: { name: 'Dana Example' }, via: 'cli', inputs: { paths: [tree] }, app: { version: expect.any(String) } });
    expect(typeof e.params[MARK_PARAM]).toBe('string');
    expect(e.result.status).toBe('error');
    expect(e.result.message).toMatch(/^An import started .* by Dana Example did not end/);
    const files = e.result.counts!.files!;
    if (fault === 'import-started') expect(e.result.counts).toEqual({ bundles: 0, files: 0, events: 0 });
    else expect(files).toBeGreaterThan(0);
    expect(marks(caseDir)).toEqual([]);
    // The whole trail verifies with the new entry in its chain; a second open adds nothing.
    const again = await cli(['audit', 'verify', '--case', caseDir]);
    expect(again.code, again.out).toBe(0);
    expect((await trail(caseDir)).filter((x) => x.action === INTERRUPTED_ACTION)).toHaveLength(1);
    // The CLI's listing shows it.
    const shown = await cli(['audit', 'show', '--case', caseDir, '--action', INTERRUPTED_ACTION]);
    expect(shown.out).toMatch(/import\.interrupted error .*did not end/);
  }, 180_000);

  it('an open killed between the interrupted entry and the mark\'s removal: the next open writes no second entry', async () => {
    const caseDir = path.join(root, 'open-killed');
    expect((await cli(['import', tree, '--case', caseDir], { CASEFILE_FAULT: 'after-batch-commit' })).signal).toBe('SIGKILL');
    const openKilled = await cli(['verify', '--case', caseDir], { CASEFILE_FAULT: 'interrupted-recorded' });
    expect(openKilled.signal, openKilled.out).toBe('SIGKILL');
    expect(marks(caseDir)).toHaveLength(1);
    expect((await trail(caseDir)).filter((e) => e.action === INTERRUPTED_ACTION)).toHaveLength(1);
    const verified = await cli(['verify', '--case', caseDir]);
    expect(verified.code, verified.out).toBe(0);
    expect((await trail(caseDir)).filter((e) => e.action === INTERRUPTED_ACTION)).toHaveLength(1);
    expect(marks(caseDir)).toEqual([]);
  }, 180_000);

  it('an import killed after its own entry, before its mark\'s removal, is not called interrupted', async () => {
    const caseDir = path.join(root, 'unmark-killed');
    expect((await cli(['import', tree, '--case', caseDir], { CASEFILE_FAULT: 'before-run-unmark' })).signal).toBe('SIGKILL');
    expect(marks(caseDir)).toHaveLength(1);
    expect((await cli(['verify', '--case', caseDir])).code).toBe(0);
    const t = await trail(caseDir);
    expect(t.filter((e) => e.action === INTERRUPTED_ACTION)).toEqual([]);
    expect(t.filter((e) => e.action === 'import.paths')).toEqual([expect.objectContaining({ params: expect.objectContaining({ [MARK_PARAM]: expect.any(String) }) })]);
    expect(marks(caseDir)).toEqual([]);
  }, 180_000);

  it('a cancelled import (Ctrl-C) keeps its one entry, the call\'s own, and leaves no mark', async () => {
    const caseDir = path.join(root, 'cancelled');
    let sent = false;
    const r = await cli(['import', tree, '--case', caseDir], { CASEFILE_PROGRESS: 'jsonl' }, (line, kill) => {
      if (!sent && line.includes('"phase":"parse"')) { sent = true; kill('SIGINT'); }
    });
    expect(r.code, r.out).toBe(130);
    expect(marks(caseDir)).toEqual([]);
    expect((await cli(['verify', '--case', caseDir])).code).toBe(0);
    const t = await trail(caseDir);
    expect(t.filter((e) => e.action === INTERRUPTED_ACTION)).toEqual([]);
    expect(t.filter((e) => e.action === 'import.paths').map((e) => e.result)).toEqual([expect.objectContaining({ status: 'error', message: expect.stringMatching(/cancel/) })]);
  }, 180_000);
});
