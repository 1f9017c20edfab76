// A case's own files read back at every open or audited call (case.json, audit.salt) are doors: one replaced by a
// pipe hung the open (or the call), a link to /dev/zero was read without end. Through the real engine, each shape is
// refused at once with a sentence naming the file, and left as it is.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Engine } from '../engine';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';
import type { CaseInfo } from '../../../shared/domain';

const root = tempDir('casefile-case-doors-');
const saved = process.env.CASEFILE_HOME;
afterAll(() => { if (saved === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = saved; removeDir(root); });

const shapes: Array<[string, RegExp, (f: string) => void]> = [
  ['a pipe', /not a regular file/, (f) => execFileSync('mkfifo', [f])],
  ['a link to /dev/zero', /a link: not followed/, (f) => symlinkSync('/dev/zero', f)],
  ['a folder', /a folder, not/, (f) => mkdirSync(f)],
  ['100 MB', /far larger than/, (f) => { writeFileSync(f, ''); execFileSync('truncate', ['-s', '100M', f]); }],
];

let n = 0;
async function withCase(fn: (engine: Engine, info: CaseInfo) => Promise<void>): Promise<void> {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  const engine = await Engine.create({ via: 'test' });
  try { await fn(engine, await engine.call('cases.create', { name: `c${++n}`, dir: path.join(root, `case-${n}`) })); } finally { await engine.close(); }
}

it.each(shapes)('case.json %s: the open refuses at once, naming it; left as it is', async (_what, says, make) => {
  await withCase(async (engine, info) => {
    await engine.call('cases.close', { caseId: info.id });
    const file = path.join(info.dir, 'case.json');
    renameSync(file, `${file}.kept`);
    make(file);
    const t0 = Date.now();
    const err = await engine.call('cases.open', { dir: info.dir }).then(() => null, (e: unknown) => e as Error);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(err?.message).toContain(`${file} is not a readable case description (`);
    expect(err?.message).toMatch(says);
    expect(lstatSync(file).isFile() || lstatSync(file).isFIFO() || lstatSync(file).isSymbolicLink() || lstatSync(file).isDirectory()).toBe(true);
    rmSync(file, { recursive: true });
    renameSync(`${file}.kept`, file);
    await engine.call('cases.open', { dir: info.dir });
  });
}, 60_000);

it.each(shapes)('audit.salt %s: audit.matchText (which reads it) refuses at once, naming it', async (_what, says, make) => {
  await withCase(async (engine, info) => {
    const file = path.join(info.dir, 'audit.salt');
    rmSync(file, { force: true });
    make(file);
    const t0 = Date.now();
    const err = await engine.call('audit.matchText', { caseId: info.id, text: 'rahul' }).then(() => null, (e: unknown) => e as Error);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(err?.message).toContain(`The audit salt ${file} is damaged (`);
    expect(err?.message).toMatch(says);
  });
}, 60_000);

// The lock, the audit head and a bundle's manifest (door22 left them): read back as state, never through a link or from
// a pipe (a pipe hung the open, every audited call and verify; a link to /dev/zero was read until V8's string limit).
const readBack: Array<[string, (f: string) => void]> = [
  ['a pipe', (f) => execFileSync('mkfifo', [f])],
  ['a link to /dev/zero', (f) => symlinkSync('/dev/zero', f)],
];

it.each(readBack)('case.lock %s: the case opens at once, read-only, held by an unknown process', async (_what, make) => {
  await withCase(async (engine, info) => {
    await engine.call('cases.close', { caseId: info.id });
    const file = path.join(info.dir, 'case.lock');
    rmSync(file, { force: true });
    make(file);
    const t0 = Date.now();
    const opened = await engine.call('cases.open', { dir: info.dir });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(opened.readOnly).toBe(true);
    expect(opened.readOnlyReason).toMatch(/an unknown process/);
    expect(lstatSync(file).isFile()).toBe(false); // left as it is
  });
}, 60_000);

it.each(readBack)('audit.jsonl.head %s: an audited call returns at once, and the head is written whole again', async (_what, make) => {
  await withCase(async (engine, info) => {
    const file = path.join(info.dir, 'audit.jsonl.head');
    rmSync(file, { force: true });
    make(file);
    const t0 = Date.now();
    const r = await engine.call('audit.verify', { caseId: info.id });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.entries).toBeGreaterThan(0);
    expect(lstatSync(file).isFile()).toBe(true);
    expect((await engine.call('audit.verify', { caseId: info.id })).ok).toBe(true);
  });
}, 60_000);

it.each(readBack)("a bundle's manifest %s: verify answers at once that it is missing or unreadable", async (_what, make) => {
  await withCase(async (engine, info) => {
    const input = path.join(root, `input-${n}`);
    writeAt(input, 'logs/app/app.log', '2023-07-28 16:54:53,016 INFO app: one line\n');
    await engine.call('import.paths', { caseId: info.id, paths: [input] });
    const bundles = path.join(info.dir, 'bundles');
    const manifest = readdirSync(bundles).find((f) => f.endsWith('.manifest.json'))!;
    const file = path.join(bundles, manifest);
    rmSync(file);
    make(file);
    const t0 = Date.now();
    const r = await engine.call('case.verify', { caseId: info.id });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.problem).join('\n')).toMatch(/manifest is missing or unreadable/);
  });
}, 60_000);
