// Ctrl-C on `casefile serve` while the page runs an export. Before, the server waited for the export to finish
// (a minute on a large case) and then wrote it into the case: the operator's Ctrl-C did nothing they could see.
// Now the first Ctrl-C cancels the running jobs (the export removes its partial extract), closes the case and exits
// 130; a second quits at once, and the case still opens. The real CLI entry, a real case, real HTTP with the run's token.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTree } from '../../testkit/synth/generate';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';
import { CLI_BIN, cliRunner } from '../../testkit/cliChild';

const root = tempDir('casefile-cli-serve-sigint-');
const env = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
const cli = cliRunner(env, 240_000);
const caseDir = path.join(root, 'case');
const exportsDir = path.join(caseDir, 'exports');
const ui = path.join(root, 'ui');
const listExports = () => (fs.existsSync(exportsDir) ? fs.readdirSync(exportsDir).sort() : []);
const started: ChildProcess[] = [];

beforeAll(async () => {
  await generateTree(path.join(root, 'gen'), { targetBytes: 8_000_000, seed: 3 });
  const r = cli('import', path.join(root, 'gen', 'enrich'), '--case', caseDir);
  expect(r.status, r.stderr).toBe(0);
  writeAt(ui, 'index.html', '<!doctype html><title>stand-in UI</title>');
}, 240_000);
afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  removeDir(root);
});

interface Served { child: ChildProcess; origin: string; token: string; caseId: string; out: () => string; exited: Promise<number | null> }

async function serve(): Promise<Served> {
  const child = spawn(process.execPath, [CLI_BIN, 'serve', '--case', caseDir, '--no-open', '--port', '0', '--renderer', ui], { env });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const m = await new Promise<RegExpExecArray>((resolve, reject) => {
    const poll = setInterval(() => {
      const hit = /Opened: case .* \(([^)\s]+)\)\n\s+URL: (http:\/\/127\.0\.0\.1:\d+)\/\?token=(\S+)/.exec(out);
      if (hit) { clearInterval(poll); resolve(hit); }
    }, 50);
    void exited.then((code) => { clearInterval(poll); reject(new Error(`serve exited ${code}: ${out}`)); });
  });
  return { child, caseId: m[1]!, origin: m[2]!, token: m[3]!, out: () => out, exited };
}

/** Starts an export through the bridge as the page does, and resolves once its partial extract is being written. */
async function exportUnderway(s: Served): Promise<void> {
  void fetch(`${s.origin}/api/export.run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-casefile-token': s.token },
    body: JSON.stringify({ caseId: s.caseId, selection: {}, format: 'jsonl', plaintext: true, jobId: 'export-at-ctrl-c' }),
  }).then((r) => r.text(), () => undefined); // the server stops under it: the answer may never come
  await new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (listExports().some((n) => n.startsWith('.staging-'))) { clearInterval(poll); resolve(); }
    }, 20);
    void s.exited.then((code) => { clearInterval(poll); reject(new Error(`serve exited ${code}: ${s.out()}`)); });
  });
}

describe('Ctrl-C on casefile serve with an export running', () => {
  it('cancels the export (its partial extract goes, nothing is written), closes the case and exits 130 at once', async () => {
    const before = listExports();
    const s = await serve();
    await exportUnderway(s);
    const t0 = Date.now();
    s.child.kill('SIGINT');
    const code = await s.exited;
    const took = Date.now() - t0;
    expect(code, s.out()).toBe(130);
    expect(s.out()).toMatch(/stopping: cancelling the running export \(Ctrl-C again to quit at once\)/);
    // the export was cancelled, not waited for: no extract written, no staging left
    expect(listExports()).toEqual(before);
    expect(took, s.out()).toBeLessThan(15_000);
    // the case was closed cleanly: it opens, and its audit trail says the export was cancelled
    const q = cli('query', '--case', caseDir, '--sql', 'SELECT count(*)::INTEGER AS n FROM events', '--json');
    expect(q.status, q.stderr).toBe(0);
    expect((JSON.parse(q.stdout) as { n: number }[])[0]!.n).toBeGreaterThan(0);
    const audit = fs.readFileSync(path.join(caseDir, 'audit.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"export.run"'));
    expect(audit.at(-1)).toMatch(/"result":\{"message":"The export job was cancelled\.","status":"error"\}/);
  }, 120_000);

  it('a second Ctrl-C quits at once, and the case still opens', async () => {
    const s = await serve();
    await exportUnderway(s);
    s.child.kill('SIGINT');
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => { if (s.out().includes('Ctrl-C again')) { clearInterval(poll); resolve(); } }, 10);
      void s.exited.then((code) => { clearInterval(poll); reject(new Error(`serve exited ${code} before the second Ctrl-C: ${s.out()}`)); });
    });
    s.child.kill('SIGINT');
    expect(await s.exited, s.out()).toBe(130);
    const q = cli('query', '--case', caseDir, '--sql', 'SELECT count(*)::INTEGER AS n FROM events', '--json');
    expect(q.status, q.stderr).toBe(0);
    expect((JSON.parse(q.stdout) as { n: number }[])[0]!.n).toBeGreaterThan(0);
    // the next export runs as usual (and clears what the quit left behind)
    const again = cli('export', '--case', caseDir, '--format', 'jsonl', '--plaintext', '--where', "level = 'ERROR'");
    expect(again.status, again.stderr).toBe(0);
    expect(listExports().filter((n) => n.startsWith('.staging-'))).toEqual([]);
  }, 120_000);
});
