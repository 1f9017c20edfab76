// `casefile timezone`: the zone is the command's one operand, also an offset west of UTC (which starts with a dash).
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
afterEach(async () => {
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
