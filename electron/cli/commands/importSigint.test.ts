// Ctrl-C on `casefile import` after the events are in, while identifiers and chains are built. That work is the case's
// correlate job, not the import job the CLI started: cancelling the import's id stopped nothing, and the operator who
// had read "stopping the import at the next batch" waited for the whole stage and got exit 0. It stops now, says what
// the case holds, and the next command on the case completes the chains (the same count as an uninterrupted import).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTree } from '../../testkit/synth/generate';
import { removeDir, tempDir } from '../../testkit/tmp';
import { CLI_BIN, cliRunner } from '../../testkit/cliChild';

const root = tempDir('casefile-cli-sigint-');
const env = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
const cli = cliRunner(env, 240_000);
const COUNTS = 'SELECT (SELECT count(*) FROM events)::INTEGER AS events, (SELECT count(*) FROM chains)::INTEGER AS chains';
let tree = '';

beforeAll(async () => {
  await generateTree(path.join(root, 'gen'), { targetBytes: 20_000_000, seed: 3 });
  tree = path.join(root, 'gen', 'enrich');
}, 120_000);
afterAll(() => removeDir(root));

/** Runs the import and sends SIGINT once it prints that the events are ready. */
function importInterruptedAfterEvents(caseDir: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI_BIN, 'import', tree, '--case', caseDir], { env });
    let stderr = '';
    let sent = false;
    p.stdout.resume();
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && stderr.includes('events ready after')) { sent = true; p.kill('SIGINT'); }
    });
    p.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('Ctrl-C on casefile import while identifiers and chains are built', () => {
  it('stops that stage, says the events are all in, and the next command completes the chains', async () => {
    const clean = path.join(root, 'clean');
    expect(cli('import', tree, '--case', clean).status).toBe(0);
    const want = JSON.parse(cli('query', '--case', clean, '--sql', COUNTS, '--json').stdout) as [{ events: number; chains: number }];
    expect(want[0].chains).toBeGreaterThan(0);

    const cut = path.join(root, 'cut');
    const r = await importInterruptedAfterEvents(cut);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/stopping the identifiers and chains/);
    expect(r.stderr).toMatch(new RegExp(`stopped: all ${want[0].events.toLocaleString('en-US')} events are in the case`));

    const after = cli('query', '--case', cut, '--sql', COUNTS, '--json');
    expect(after.status, after.stderr).toBe(0);
    expect(after.stderr).toMatch(/completing its identifiers and chains first/);
    expect(JSON.parse(after.stdout)).toEqual(want);
  }, 240_000);
});
