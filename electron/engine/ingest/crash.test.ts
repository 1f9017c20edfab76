// kill -9 in the middle of an import: the case stays readable and a re-run completes it, with nothing twice.
import { afterAll, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from './importer';
import { tempDir, removeDir } from '../../testkit/tmp';
import { compareCases } from '../../testkit/compareCases';
import { generateTree } from '../../testkit/synth/generate';
import { Engine } from '../engine';
import { CORRELATION_PENDING, CUSTODY_PENDING, verifyCase } from '../audit/custody';
import { readAudit } from '../audit/trail';
import type { JobInfo } from '../../../shared/contract';
import { CLI_BIN } from '../../testkit/cliChild';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

/** Runs the CLI in a child process (so a fault can SIGKILL it), stdout and stderr together. */
function cliRunner(env: NodeJS.ProcessEnv) {
  return (args: string[], extra: Record<string, string> = {}) => new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) => {
    const c = spawn(process.execPath, [CLI_BIN, ...args], { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    c.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    c.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

it('survives kill -9 midway and a re-run completes the case exactly', async () => {
  const root = tempDir();
  dirs.push(root);
  const bundle = path.join(root, 'bundle');
  const FILES = 120;
  const LINES = 3000;
  for (let f = 0; f < FILES; f++) {
    const dir = path.join(bundle, `enrich/data/acme/org/outputs/app${f % 7}/run-${f}`);
    mkdirSync(dir, { recursive: true });
    const lines: string[] = [];
    for (let i = 0; i < LINES; i++) {
      lines.push(JSON.stringify({ asctime: '2023-03-09T12:04:48+0530', name: 'app', levelname: i % 50 ? 'DEBUG' : 'ERROR', message: `step ${i}`, runid: `run-${f}`, application: `app${f % 7}`, ts: '2023-03-09T12:04:48+05:30' }));
    }
    writeFileSync(path.join(dir, 'log.json'), lines.join('\n') + '\n');
  }
  const caseDir = path.join(root, 'case');
  const child = spawn(process.execPath, [CLI_BIN, 'import', bundle, '--case', caseDir, '--json'], {
    // Batches of ~7 files: the kill lands between two commits.
    env: { ...process.env, CASEFILE_PROGRESS: 'jsonl', CASEFILE_HOME: path.join(root, 'home'), CASEFILE_IMPORT_BATCH_BYTES: String(4 << 20) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stderr.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n').slice(0, -1)) {
        try {
          const p = JSON.parse(line) as { phase: string; filesDone: number };
          if (p.phase === 'parse' && p.filesDone >= 10) { child.kill('SIGKILL'); resolve(); return; }
        } catch { /* not progress */ }
      }
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
    });
    child.on('exit', () => resolve());
    child.on('error', reject);
  });
  await new Promise((r) => child.once('exit', r).once('close', r).listenerCount('exit') && setTimeout(r, 500));

  // The CLI's verify (it finishes the killed import's custody first) passes what is in and says what is not.
  const verified = await cliRunner({ ...process.env, CASEFILE_HOME: path.join(root, 'home') })(['verify', '--case', caseDir]);
  expect(verified.code, verified.out).toBe(0);
  expect(verified.out).toMatch(/Not all imported: Bundle \w+: \d+ of its 120 files are not in the case \(e\.g\. enrich\/data\/.*Import the same input again to add them\./);

  // Readable after the crash, with only whole files in it.
  const h = await CaseHandle.open(caseDir);
  try {
    const partial = await h.db.read<{ files: string; events: string; lines: string }>(
      `SELECT (SELECT count(*) FROM files)::VARCHAR AS files, (SELECT count(*) FROM event_store)::VARCHAR AS events,
              (SELECT coalesce(sum(records), 0) FROM files)::VARCHAR AS lines`);
    const p = partial[0]!;
    expect(Number(p.files)).toBeGreaterThanOrEqual(10);
    expect(Number(p.files)).toBeLessThan(FILES);
    expect(Number(p.events)).toBe(Number(p.lines)); // no half-imported file
    // Verify says the bundle is not all in (its copies are whole: custody is not what failed), then not once re-run.
    expect((await verifyCase(h)).incomplete).toEqual([{ bundle: expect.any(String), files: FILES, missing: FILES - Number(p.files), examples: expect.any(Array) }]);
    const res = await importPaths(h, [bundle]);
    expect(res.bundles[0]!.reused).toBe(true);
    expect(res.files.filter((f) => !f.skipped).length).toBe(FILES - Number(p.files));
    const total = await h.db.read<{ n: string; d: string }>(`SELECT count(*)::VARCHAR AS n, count(DISTINCT id)::VARCHAR AS d FROM event_store`);
    expect(Number(total[0]!.n)).toBe(FILES * LINES);
    expect(Number(total[0]!.d)).toBe(FILES * LINES);
    expect((await verifyCase(h)).incomplete).toBeUndefined();
    expect(readdirSync(h.files.bundles).filter((e) => e.startsWith('.incoming'))).toEqual([]);
    expect(existsSync(h.files.lock)).toBe(true);
  } finally {
    await h.close();
  }
}, 180_000);

it('kill -9 between the digests\' commit and the audit entry: verify says custody is pending, the re-run audits those files, marked recovered, and verify passes', async () => {
  const root = tempDir();
  dirs.push(root);
  const bundle = path.join(root, 'bundle');
  mkdirSync(path.join(bundle, 'enrich/logs/app'), { recursive: true });
  writeFileSync(path.join(bundle, 'enrich/logs/app/app.json.log'),
    JSON.stringify({ message: 'm', levelname: 'INFO', name: 'app', asctime: '2023-07-30 00:13:45,400', created: 1690656225.4, logid: '1' }) + '\n');
  const caseDir = path.join(root, 'case');
  const env = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
  const run = cliRunner(env);
  const killed = await run(['import', bundle, '--case', caseDir], { CASEFILE_FAULT: 'after-commit-before-audit' });
  expect(killed.signal).toBe('SIGKILL');
  // Read as it was left (the CLI would open it through the engine, which finishes custody first).
  const h = await CaseHandle.open(caseDir);
  try {
    expect((await verifyCase(h)).problems).toEqual([{ bundle: expect.any(String), file: 'enrich/logs/app/app.json.log', problem: CUSTODY_PENDING },
      { bundle: '', file: '', problem: CORRELATION_PENDING }]);
  } finally { await h.close(); }
  const again = await run(['import', bundle, '--case', caseDir]);
  expect(again.code, again.out).toBe(0);
  const after = await run(['verify', '--case', caseDir]);
  expect(after.code, after.out).toBe(0);
  const shown = await run(['audit', 'show', '--case', caseDir, '--action', 'import.files', '--json']);
  const entries = shown.out.trim().split('\n').map((l) => JSON.parse(l) as { params: { files: { path: string; recovered?: boolean }[] } });
  expect(entries).toHaveLength(1);
  expect(entries[0]!.params.files).toEqual([expect.objectContaining({ path: 'enrich/logs/app/app.json.log', recovered: true })]);
}, 120_000);

it('kill -9 while identifiers and chains are built, after the events committed: the events are whole, the case says chains are pending, and opening it finishes them exactly', async () => {
  const root = tempDir();
  dirs.push(root);
  const gen = await generateTree(path.join(root, 'gen'), { targetBytes: 1_500_000, seed: 5 });
  const env = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
  const run = cliRunner(env);
  const crashed = path.join(root, 'crashed');
  const reference = path.join(root, 'reference');
  const killed = await run(['import', gen.root, '--case', crashed], { CASEFILE_FAULT: 'correlation-midway' });
  expect(killed.signal, killed.out).toBe('SIGKILL');
  expect(killed.out).toMatch(/events ready after/);
  const ok = await run(['import', gen.root, '--case', reference]);
  expect(ok.code, ok.out).toBe(0);

  const saved = process.env.CASEFILE_HOME;
  process.env.CASEFILE_HOME = env.CASEFILE_HOME;
  const engine = await Engine.create({ via: 'test' });
  try {
    const done = new Promise<JobInfo>((resolve) => engine.on('job.progress', (j) => { if (j.kind === 'correlate' && j.state !== 'queued' && j.state !== 'running') resolve(j); }));
    const info = await engine.call('cases.open', { dir: crashed });
    // The events all committed before the kill; identifiers and chains are behind them, and the case says so.
    expect(info.chainsPending).toBe(true);
    expect(info.eventCount).toBeGreaterThanOrEqual(gen.records);
    expect(await done).toMatchObject({ state: 'done', caseId: info.id });
    expect((await engine.call('cases.get', { caseId: info.id })).chainsPending).toBeUndefined();
  } finally {
    await engine.close();
    if (saved === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = saved;
  }
  const tables = await compareCases(reference, crashed);
  for (const [t, r] of Object.entries(tables)) expect({ t, onlyReference: r.onlyA, onlyCrashed: r.onlyB }).toEqual({ t, onlyReference: 0, onlyCrashed: 0 });
  expect(tables.chains!.rows).toBeGreaterThan(5);
}, 240_000);

/** Engine-side: opens the case and waits for the job that follows an import (custody, then correlation). */
async function openAndFinish(home: string, dir: string): Promise<void> {
  const saved = process.env.CASEFILE_HOME;
  process.env.CASEFILE_HOME = home;
  const engine = await Engine.create({ via: 'test' });
  try {
    const done = new Promise<JobInfo>((resolve) => engine.on('job.progress', (j) => { if (j.kind === 'correlate' && j.state !== 'queued' && j.state !== 'running') resolve(j); }));
    const info = await engine.call('cases.open', { dir });
    expect(await done).toMatchObject({ state: 'done', caseId: info.id });
  } finally {
    await engine.close();
    if (saved === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = saved;
  }
}

// before-job-checkpoint: the import's writer was kept open for the job, so its last batches are in the WAL only.
it.each(['before-digests', 'before-job-checkpoint'])('kill -9 after the events committed and before their digests (%s): the events are queryable, verify says custody is pending (not changed), and opening the case records the same digests and audit entries as an import that was not killed', async (fault) => {
  const root = tempDir();
  dirs.push(root);
  const gen = await generateTree(path.join(root, 'gen'), { targetBytes: 1_500_000, seed: 7 });
  const home = path.join(root, 'home');
  const run = cliRunner({ ...process.env, CASEFILE_HOME: home });
  const crashed = path.join(root, 'crashed');
  const reference = path.join(root, 'reference');
  const killed = await run(['import', gen.root, '--case', crashed, '--json'], { CASEFILE_FAULT: fault });
  expect(killed.signal, killed.out).toBe('SIGKILL');
  if (fault === 'before-job-checkpoint') expect(statSync(`${path.join(crashed, 'case.duckdb')}.wal`).size).toBeGreaterThan(100_000);
  const ok = await run(['import', gen.root, '--case', reference]);
  expect(ok.code, ok.out).toBe(0);

  const h = await CaseHandle.open(crashed);
  try {
    const [s] = await h.db.read<{ files: number; pending: number; digested: number; events: string; records: string }>(
      `SELECT (SELECT count(*) FROM files)::INTEGER AS files, (SELECT count(*) FROM digest_pending)::INTEGER AS pending,
              (SELECT count(rows_digest) FROM files)::INTEGER AS digested, (SELECT count(*) FROM event_store)::VARCHAR AS events,
              (SELECT sum(records) FROM files)::VARCHAR AS records`);
    // Every file's events committed (queryable), none digested yet.
    expect(s!.files).toBeGreaterThan(5);
    expect(s).toMatchObject({ pending: s!.files, digested: 0 });
    expect(Number(s!.events)).toBe(Number(s!.records));
    expect(Number(s!.events)).toBeGreaterThanOrEqual(gen.records);
    const v = await verifyCase(h);
    expect(v.ok).toBe(false);
    expect(new Set(v.problems.map((p) => p.problem))).toEqual(new Set([CUSTODY_PENDING, CORRELATION_PENDING]));
    expect(v.problems).toHaveLength(s!.files + 1);
    // Pending, not failed: the app says "not verified yet" and the CLI exits 5.
    expect(v.notYet).toBe(true);
  } finally { await h.close(); }
  expect(await readAudit(path.join(crashed, 'audit.jsonl'), { action: 'import.files' })).toEqual([]);

  await openAndFinish(home, crashed);
  // Same rows, same digests (files compared column by column but for the clock and the audit flag).
  const tables = await compareCases(reference, crashed);
  for (const [t, r] of Object.entries(tables)) expect({ t, onlyReference: r.onlyA, onlyCrashed: r.onlyB }).toEqual({ t, onlyReference: 0, onlyCrashed: 0 });
  // The same audit records but for the files row's sha (it pins the row's import time) and the recovered mark.
  const recorded = async (dir: string) => (await readAudit(path.join(dir, 'audit.jsonl'), { action: 'import.files' }))
    .flatMap((e) => (e.params as { files: Record<string, unknown>[] }).files)
    .map((f): Record<string, unknown> => ({ ...f, fileSha: typeof f.fileSha, recovered: f.recovered }))
    .sort((a, b) => String(a.path).localeCompare(String(b.path)));
  const want = await recorded(reference);
  expect(want.length).toBeGreaterThan(5);
  expect(want.every((f) => f.recovered === undefined && String(f.rowsDigest).startsWith('sha256v3:'))).toBe(true);
  expect(await recorded(crashed)).toEqual(want.map((f) => ({ ...f, recovered: true })));
  const verified = await run(['verify', '--case', crashed]);
  expect(verified.code, verified.out).toBe(0);
}, 240_000);
