// `casefile chains` and `trace` call a chain's time figure what the app calls it (qa20): its span, from its first
// record to its last across every source (ChainsView's SPAN_TITLE), not a "duration" a reader takes for the task's
// own run time, which Celery's "succeeded in" says and which is shorter.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';
import { cliRunner } from '../../testkit/cliChild';

const root = tempDir('casefile-cli-chain-words-');
afterAll(() => removeDir(root));
const cli = cliRunner({ ...process.env, CASEFILE_HOME: path.join(root, 'home') });
const caseDir = path.join(root, 'case');
const task = '97809eee-1fb2-4964-ba30-077b847bfa6c';

beforeAll(() => {
  // a task received at :26.725 and succeeded 2.5 s later, in 0.4 s of the worker's own time
  writeAt(root, 'enrich/logs/celery/celery-worker.log', [
    `[2023-07-06 10:54:26,725: INFO/MainProcess] Task export_report[${task}] received`,
    `[2023-07-06 10:54:29,225: INFO/ForkPoolWorker-2] Task export_report[${task}] succeeded in 0.4s: None`,
  ].join('\n') + '\n');
  const r = cli('import', path.join(root, 'enrich'), '--case', caseDir, '--tz', 'Asia/Kolkata');
  expect(r.status, r.stderr).toBe(0);
});

describe('a chain\'s span in the CLI', () => {
  // The span in the app's own format (shared/duration.ts): it said "2.5s" where the Chains view says "2.50 s" (QA).
  it('chains heads the column "span" and trace says "span 2.50 s", as the app does', () => {
    const chains = cli('chains', '--case', caseDir);
    expect(chains.status, chains.stderr).toBe(0);
    const [head, , row] = chains.stdout.split('\n');
    expect(head!.split(/\s+/)).toContain('span');
    expect(head!.split(/\s+/)).not.toContain('duration');
    expect(row).toMatch(new RegExp(`^${task}\\s+celery_task\\s+export_report\\s+success\\s+\\S+\\s+2\\.50 s\\s+2\\s`));
    const trace = cli('trace', task, '--case', caseDir);
    expect(trace.status, trace.stderr).toBe(0);
    expect(trace.stdout.split('\n')[0]).toBe(`celery_task ${task} (export_report): success, 2 events, span 2.50 s from 2023-07-06T05:24:26.725Z to 2023-07-06T05:24:29.225Z; sources celery`);
  });

  it('the help says what --min-duration and --sort duration measure', () => {
    const help = cli('chains', '--help').stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--min-duration <d> only chains whose span \(first record to last, every source\) is at least this long/);
    expect(help).toMatch(/duration \(the longest span first\)/);
  });
});
