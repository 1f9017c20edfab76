// `casefile timezone`: the zone is the command's one operand, also an offset west of UTC (which starts with a dash).
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { type ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { CaseHandle } from '../../engine/case/caseStore';
import { registerTimezoneCommand } from './timezone';

let dir: string;
let caseDir: string;
const home = process.env.CASEFILE_HOME;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'casefile-cli-tz-'));
  process.env.CASEFILE_HOME = path.join(dir, 'home');
  caseDir = path.join(dir, 'case');
  await (await CaseHandle.create(caseDir, { name: 'cli tz', timezone: 'UTC' })).close();
});
let holder: ChildProcess | null = null;
afterEach(async () => {
  const p = holder;
  holder = null;
  if (p && p.exitCode === null) await new Promise((r) => { p.on('close', r); p.kill('SIGKILL'); });
  process.exitCode = undefined;
  if (home === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = home;
  await fs.rm(dir, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<{ out: string; exitCode: number }> {
  const program = new Command().exitOverride();
  registerTimezoneCommand(program);
  let out = '';
  const write = (s: string | Uint8Array) => { out += String(s); return true; };
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(write), vi.spyOn(process.stderr, 'write').mockImplementation(write)];
  process.exitCode = undefined;
  try { await program.parseAsync(args, { from: 'user' }); } catch (e) { out += (e as Error).message; process.exitCode = 1; } finally { for (const s of spies) s.mockRestore(); }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { out, exitCode };
}

const zoneOf = async () => {
  const h = await CaseHandle.open(caseDir, { readOnly: true });
  try { return h.meta.timezone.zone; } finally { await h.close(); }
};

it('takes an offset west of UTC as the zone, before or after --case', async () => {
  expect(await run('timezone', '--case', caseDir, '-05:00')).toEqual({ out: 'site timezone: -05:00; no events were read in another zone, none re-timed\n', exitCode: 0 });
  expect(await zoneOf()).toBe('-05:00');
  expect((await run('timezone', '-0330', '--case', caseDir)).exitCode).toBe(0);
  expect(await zoneOf()).toBe('-03:30');
});

it('a mistyped option is no zone: refused, the zone kept', async () => {
  const r = await run('timezone', '--case', caseDir, '--jsno');
  expect(r.exitCode).toBe(1);
  expect(r.out).toMatch(/Unknown timezone "--jsno"/);
  expect(await zoneOf()).toBe('UTC');
  // A pasted page is said in a line, not echoed whole.
  const long = await run('timezone', '--case', caseDir, 'A'.repeat(5000));
  expect(long.exitCode).toBe(1);
  expect(long.out.length).toBeLessThan(300);
});

it('refused while a casefile import writes the case, in the words the app says it in; the zone kept', async () => {
  // heldCase.holder.ts: the case's lock naming `casefile import`, its database open for writing (an import mid-way).
  const here = path.dirname(fileURLToPath(import.meta.url));
  await new Promise<void>((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'heldCase.holder.ts'), caseDir, 'import', 'writing'], { env: { ...process.env } });
    holder = p;
    let err = '';
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.stdout.on('data', (d: Buffer) => { if (d.toString().includes('held')) resolve(); });
    p.on('close', () => reject(new Error(`the holder ended: ${err}`)));
  });
  expect(await run('timezone', '--case', caseDir, 'Asia/Tokyo')).toEqual({ out: 'casefile: An import is running in this case. Change the site zone when it has finished.\n', exitCode: 1 });
  // Read from case.json: the holder has the database open for writing.
  expect(JSON.parse(await fs.readFile(path.join(caseDir, 'case.json'), 'utf8')).timezone.zone).toBe('UTC');
}, 60_000);
