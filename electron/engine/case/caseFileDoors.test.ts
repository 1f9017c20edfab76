// A case's own files read back at every open or audited call (case.json, audit.salt) are doors: one replaced by a
// pipe hung the open (or the call), a link to /dev/zero was read without end. Through the real engine, each shape is
// refused at once with a sentence naming the file, and left as it is.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Engine } from '../engine';
import { removeDir, tempDir } from '../../testkit/tmp';
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
