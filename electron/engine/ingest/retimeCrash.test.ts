// kill -9 in the middle of a re-time, and between its commit and case.json: the case opens with the old times or the
// new ones (never a mix), its zone saying which, and what derives from times is finished as after any kill.
import { afterAll, beforeAll, expect, it } from 'vitest';
import path from 'node:path';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';
import { compareCases, IMPORT_TABLES } from '../../testkit/compareCases';
import { cliRunner } from '../../testkit/cliChild';
import { Engine } from '../engine';
import { readAudit } from '../audit/trail';
import { RETIME_ACTION } from './retime';

let root: string;
let bundle: string;
let run: (extra: Record<string, string>, ...args: string[]) => ReturnType<ReturnType<typeof cliRunner>>;

const TABLES: Record<string, string> = {
  ...IMPORT_TABLES,
  event_minutes: 'SELECT * FROM {db}.event_minutes',
  event_hours: 'SELECT * FROM {db}.event_hours',
};

beforeAll(() => {
  root = tempDir();
  bundle = path.join(root, 'bundle');
  const stamps = ['2024-03-10 02:30:00', '2024-06-01 12:00:00', '2024-11-03 01:30:00'];
  // Two formats (each re-timed by a statement of its own: the kill lands between them), a line without a time.
  writeAt(bundle, 'enrich/logs/doodle/doodle.log', stamps.map((t, i) => `${t},400 INFO line ${i}\n`).join(''));
  writeAt(bundle, 'enrich/logs/app/app.json.log', stamps.map((t, i) => `${JSON.stringify({ message: `m${i}`, levelname: 'INFO', name: 'app', asctime: t })}\nnot json\n`).join(''));
  writeAt(bundle, 'enrich/logs/celery/celery-worker.log', stamps.map((t, i) => `[${t},774: INFO/MainProcess] Task t[320bbda6-e758-49fc-8a26-e8dc29f88f7${i}] received\nTraceback\n`).join(''));
  const env: NodeJS.ProcessEnv = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
  delete env.CASEFILE_FAULT;
  run = (extra, ...args) => cliRunner({ ...env, ...extra })(...args);
  for (const [name, tz] of [['x', 'America/New_York'], ['y', 'Europe/Berlin'], ['kill1', 'America/New_York'], ['kill2', 'America/New_York'], ['kill3', 'America/New_York'], ['kill4', 'America/New_York'], ['kill5', 'America/New_York']]) {
    const r = run({}, 'import', bundle, '--case', path.join(root, name!), '--tz', tz!);
    expect(r.status, r.stderr).toBe(0);
  }
});
afterAll(() => removeDir(root));

async function expectSame(a: string, b: string): Promise<void> {
  const diff = await compareCases(path.join(root, a), path.join(root, b), TABLES);
  for (const [t, r] of Object.entries(diff)) expect({ t, onlyA: r.onlyA, onlyB: r.onlyB }).toEqual({ t, onlyA: 0, onlyB: 0 });
}

/** The case opened by an engine, as the app opens it (finishing what a kill left), then closed; its zone and verify. */
async function openAndSettle(name: string): Promise<{ zone: string; problems: unknown[] }> {
  const home = process.env.CASEFILE_HOME;
  process.env.CASEFILE_HOME = path.join(root, 'home');
  const engine = await Engine.create({ via: 'test' });
  try {
    const c = await engine.call('cases.open', { dir: path.join(root, name) });
    await engine.context.jobs.settled(c.id);
    const v = await engine.call('case.verify', { caseId: c.id });
    return { zone: (await engine.call('cases.get', { caseId: c.id })).timezone.zone, problems: v.problems };
  } finally {
    await engine.close();
    if (home === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = home;
  }
}

it('killed inside the transaction: the old times, the old zone; run again: the new ones', async () => {
  const r = run({ CASEFILE_FAULT: 'retime-midway' }, 'timezone', '--case', path.join(root, 'kill1'), 'Europe/Berlin');
  expect(r.signal).toBe('SIGKILL');
  expect(await openAndSettle('kill1')).toEqual({ zone: 'America/New_York', problems: [] });
  await expectSame('kill1', 'x');
  const again = run({}, 'timezone', '--case', path.join(root, 'kill1'), 'Europe/Berlin');
  expect(again.status, again.stderr).toBe(0);
  expect(again.stdout).toBe('site timezone: Europe/Berlin; re-timed 9 events in 3 files read in America/New_York\n');
  await expectSame('kill1', 'y');
  expect(await openAndSettle('kill1')).toEqual({ zone: 'Europe/Berlin', problems: [] });
}, 180_000);

it('killed after the commit, before case.json: the next open takes the zone of the times and finishes digests and chains', async () => {
  const r = run({ CASEFILE_FAULT: 'retime-committed' }, 'timezone', '--case', path.join(root, 'kill2'), 'Europe/Berlin');
  expect(r.signal).toBe('SIGKILL');
  expect(await openAndSettle('kill2')).toEqual({ zone: 'Europe/Berlin', problems: [] });
  await expectSame('kill2', 'y');
  const entries = await readAudit(path.join(root, 'kill2', 'audit.jsonl'), { action: RETIME_ACTION });
  expect(entries.map((e) => e.params)).toEqual([{ caseId: expect.any(String), from: ['America/New_York'], to: 'Europe/Berlin', recovered: true, runMark: expect.any(String) }]);
}, 180_000);

it('killed after case.json, before its trail entry: the next open records the re-time (it went unrecorded), once', async () => {
  const r = run({ CASEFILE_FAULT: 'retime-saved' }, 'timezone', '--case', path.join(root, 'kill3'), 'Europe/Berlin');
  expect(r.signal).toBe('SIGKILL');
  expect(await openAndSettle('kill3')).toEqual({ zone: 'Europe/Berlin', problems: [] });
  await expectSame('kill3', 'y');
  expect(await openAndSettle('kill3')).toEqual({ zone: 'Europe/Berlin', problems: [] });
  const entries = await readAudit(path.join(root, 'kill3', 'audit.jsonl'), { action: RETIME_ACTION });
  expect(entries.map((e) => [e.params, e.result.counts])).toEqual([[{ caseId: expect.any(String), from: ['America/New_York'], to: 'Europe/Berlin', recovered: true, runMark: expect.any(String) }, { files: 3, events: 9 }]]);
}, 180_000);

it('killed after its trail entry, before the row is cleared: the next open writes no second entry (the entry names the row)', async () => {
  const r = run({ CASEFILE_FAULT: 'retime-audited' }, 'timezone', '--case', path.join(root, 'kill4'), 'Europe/Berlin');
  expect(r.signal).toBe('SIGKILL');
  expect(await openAndSettle('kill4')).toEqual({ zone: 'Europe/Berlin', problems: [] });
  expect(await openAndSettle('kill4')).toEqual({ zone: 'Europe/Berlin', problems: [] });
  const entries = await readAudit(path.join(root, 'kill4', 'audit.jsonl'), { action: RETIME_ACTION });
  expect(entries.map((e) => [e.params, e.result.counts])).toEqual([[{ caseId: expect.any(String), from: ['America/New_York'], to: 'Europe/Berlin', runMark: expect.any(String) }, { files: 3, events: 9 }]]);
}, 180_000);

it('an open killed after recording the re-time, before clearing the row: the next open writes no second entry', async () => {
  const r = run({ CASEFILE_FAULT: 'retime-saved' }, 'timezone', '--case', path.join(root, 'kill5'), 'Europe/Berlin');
  expect(r.signal).toBe('SIGKILL');
  const open = run({ CASEFILE_FAULT: 'retime-recovered' }, 'verify', '--case', path.join(root, 'kill5'));
  expect(open.signal).toBe('SIGKILL');
  expect(await openAndSettle('kill5')).toEqual({ zone: 'Europe/Berlin', problems: [] });
  const entries = await readAudit(path.join(root, 'kill5', 'audit.jsonl'), { action: RETIME_ACTION });
  expect(entries.map((e) => e.params.recovered)).toEqual([true]);
}, 180_000);
