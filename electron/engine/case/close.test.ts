// Closing a case from the app: the operator's running work is never cut short (the close is refused, saying which
// job), derived work is cancelled and finished on the next open, and once closed the case's lock is free: the CLI,
// a separate process, can write it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../engine';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';
import { cliRunner } from '../../testkit/cliChild';

let root: string;
let engine: Engine;
const home = process.env.CASEFILE_HOME;

beforeAll(async () => {
  root = tempDir();
  process.env.CASEFILE_HOME = path.join(root, 'home');
  writeAt(root, 'bundle/enrich/logs/app/app.json.log', `${JSON.stringify({ message: 'hello', levelname: 'INFO', created: 1690656225.4 })}\n`);
  engine = await Engine.create({ via: 'test' });
});
afterAll(async () => {
  await engine.close();
  if (home === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = home;
  removeDir(root);
});

/** A job of `kind` on the case that runs until released or cancelled. */
function hold(caseId: string, kind: string) {
  let release!: () => void;
  const done = engine.context.jobs.run(caseId, kind, (signal) => new Promise<void>((resolve, reject) => {
    release = resolve;
    signal.addEventListener('abort', () => reject(signal.reason as Error));
  }));
  done.catch(() => undefined);
  return { done, release: () => release() };
}

const open = () => engine.context.openCases().map((h) => h.meta.id);

describe('cases.close', () => {
  it('refuses while the operator\'s own job runs, naming it; closes once it ended; the CLI can then write the case', async () => {
    const dir = path.join(root, 'case-a');
    const info = await engine.call('cases.create', { name: 'a', dir });
    expect((await engine.call('cases.list', {})).find((c) => c.id === info.id)?.open).toBe(true);
    const cli = cliRunner({ ...process.env, CASEFILE_HOME: path.join(root, 'home') });
    const held = cli('import', path.join(root, 'bundle'), '--case', dir);
    expect(held.status, held.stderr).not.toBe(0); // the app holds it
    expect(held.stderr).toMatch(/This case is held for writing/);

    const job = hold(info.id, 'export');
    await expect.poll(() => engine.context.jobs.list(info.id).find((j) => j.kind === 'export')?.state).toBe('running');
    await expect(engine.call('cases.close', { caseId: info.id })).rejects.toThrow("The case's export job is running: cancel it or let it finish, then close the case.");
    expect(open()).toContain(info.id);
    job.release();
    await job.done;
    await engine.call('cases.close', { caseId: info.id });
    expect(open()).not.toContain(info.id);
    expect((await engine.call('cases.list', {})).find((c) => c.id === info.id)?.open).toBe(false);

    const imported = cli('import', path.join(root, 'bundle'), '--case', dir);
    expect(imported.status, imported.stderr).toBe(0);
    await expect(engine.call('cases.close', { caseId: info.id })).rejects.toThrow(/is not open/);
  }, 120_000);

  it('cancels derived work (identifiers and chains, the text index) and closes', async () => {
    const info = await engine.call('cases.create', { name: 'b', dir: path.join(root, 'case-b') });
    const chains = hold(info.id, 'correlate');
    await engine.call('cases.close', { caseId: info.id });
    await expect(chains.done).rejects.toThrow(/cancelled/);
    expect(open()).not.toContain(info.id);
  });

  it('opening a case for writing removes the partial extract an export killed midway left, never a live process\'s', async () => {
    const dir = path.join(root, 'case-staging');
    const info = await engine.call('cases.create', { name: 'staging', dir });
    await engine.call('cases.close', { caseId: info.id });
    // What `casefile export` killed with SIGKILL leaves: its staging folder, redacted but never re-scanned.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const leftover = (name: string) => {
      const d = path.join(dir, 'exports', name);
      fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(path.join(d, 'events.jsonl'), '{"message":"partial"}\n');
      return name;
    };
    const killed = leftover(`.staging-20260101T000000-0badc0de@${os.hostname()}@${dead}`);
    const live = leftover(`.staging-20260101T000000-11ve11ve@${os.hostname()}@${process.ppid}`);
    await engine.call('cases.open', { dir });
    const left = fs.readdirSync(path.join(dir, 'exports'));
    expect(left).not.toContain(killed);
    expect(left).toContain(live);
  });
});
