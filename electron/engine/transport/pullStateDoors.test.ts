// A pull's state is read back from the case (pulls/<id>/pull.json, done.jsonl, a part file and its sidecar), where
// anyone with the folder can change it: each is a door. Through the real engine against a real sshd, a resume of a
// state that is a pipe, a link (to /dev/zero, to a state outside the case), a folder, 3 GB, 1,000,000 levels deep, of
// the wrong shape, naming paths out of the case or absurd numbers is refused at once with a sentence naming the file;
// the state is left as it was, nothing outside the case is touched, and the case's pulls can still be listed and
// planned anew. A sidecar's negative offset starts its file over; a part file that is a link is never written through.
// A pull killed with its state a pipe does not hang the next open (the recovery of its run mark reads the state).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type SshLab } from '../../testkit/sshLab';
import { systemLines } from '../../testkit/remoteTree';
import { removeDir, tempDir } from '../../testkit/tmp';
import { Engine } from '../engine';
import { readAudit } from '../audit/trail';
import { PULL_INTERRUPTED_ACTION } from '../audit/runMarks';
import { partPath, sidecarPath } from './sftpReader';
import type { CaseInfo } from '../../../shared/domain';

let lab: SshLab;
let work: string;
let engine: Engine;
let remoteRoot: string;
const REL = 'logs/app/app.json.log';
const LINES = 40;
const saved = { home: process.env.CASEFILE_HOME, agent: process.env.SSH_AUTH_SOCK };
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  lab = await startLab();
  work = tempDir('casefile-pull-doors-');
  remoteRoot = path.join(lab.root, 'doors');
  mkdirSync(path.join(remoteRoot, 'logs/app'), { recursive: true, mode: 0o755 });
  writeFileSync(path.join(remoteRoot, REL), systemLines(Date.parse('2026-11-20T10:00:00Z'), LINES, 'door'), { mode: 0o644 });
  process.env.CASEFILE_HOME = path.join(work, 'home');
  process.env.SSH_AUTH_SOCK = lab.agentSocket;
  engine = await Engine.create({ via: 'test' });
  await engine.call('profiles.save', { profile: { name: 'doors', ...lab.hops(), logRoot: remoteRoot, capBytes: 1 << 30, timezone: 'UTC', allowExec: false } });
}, 120_000);
afterAll(async () => {
  await engine?.close();
  await lab?.stop();
  for (const [k, v] of [['CASEFILE_HOME', saved.home], ['SSH_AUTH_SOCK', saved.agent]] as const) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  if (work) removeDir(work);
});

let cases = 0;
async function newCase(): Promise<CaseInfo> {
  return engine.call('cases.create', { name: `doors ${++cases}`, dir: path.join(work, `case-${cases}`) });
}

/** The state an interrupted pull of the remote file leaves (nothing of it fetched yet). */
function stateOf(id: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  const st = statSync(path.join(remoteRoot, REL));
  const h = lab.hops();
  return {
    format: 'casefile/pull@1', id, profile: 'doors', root: remoteRoot, created: '2026-11-29T10:00:00.000Z', status: 'interrupted',
    window: {}, sources: ['system'], plan: { files: [{ source: 'system', path: REL, size: st.size, mtime: Math.floor(st.mtimeMs / 1000) }], bytes: st.size, capBytes: 1 << 30 },
    hosts: [...h.jumps, h.target].map((x) => ({ host: x.host, port: x.port, user: x.user, keyType: 'ssh-ed25519', fingerprint: x.hostKeys![0]! })),
    done: [], denied: [], ...over,
  };
}

const pullDir = (info: CaseInfo, id: string) => path.join(info.dir, 'pulls', id);
function plant(info: CaseInfo, id: string, write: (file: string) => void): string {
  mkdirSync(pullDir(info, id), { recursive: true });
  const file = path.join(pullDir(info, id), 'pull.json');
  write(file);
  return file;
}
const resume = async (info: CaseInfo, id: string) => {
  const a = await engine.call('pull.run', { caseId: info.id, profile: 'doors', resume: id });
  if (a.status === 'host-key-unknown') throw new Error('the lab\'s host keys are pinned in the profile');
  return a;
};
const bundles = (info: CaseInfo) => (existsSync(path.join(info.dir, 'bundles')) ? readdirSync(path.join(info.dir, 'bundles')).filter((n) => /^[0-9a-f]{16}$/.test(n)) : []);

it('control: a state as an interrupted pull leaves it resumes, fetches the file whole and imports it', async () => {
  const info = await newCase();
  plant(info, '2026-11-29-c0ffee01', (f) => writeFileSync(f, JSON.stringify(stateOf('2026-11-29-c0ffee01'))));
  const out = await resume(info, '2026-11-29-c0ffee01');
  expect(out).toMatchObject({ status: 'done', pullId: '2026-11-29-c0ffee01', import: { files: [{ records: LINES }] } });
  expect(sha256(readFileSync(path.join(info.dir, 'bundles', out.bundle!, REL)))).toBe(sha256(readFileSync(path.join(remoteRoot, REL))));
}, 60_000);

describe('a pull.json that is not one this app wrote', () => {
  const outside = () => path.join(work, 'outside');
  const outsideFile = () => path.join(outside(), 'secret.log');
  const outsideText = 'the operator\'s own file, not the case\'s\n';
  const escape = '../../../../outside/secret.log';
  beforeAll(() => {
    mkdirSync(outside(), { recursive: true });
    writeFileSync(outsideFile(), outsideText);
  });
  const done = (p: string, over: Record<string, unknown> = {}) => ({ path: p, size: outsideText.length, mtime: 1_764_000_000, sha256: sha256(Buffer.from(outsideText)), ...over });

  // [what it is, what the sentence says of it, how it is made]
  const shapes: Array<[string, RegExp, (file: string, id: string) => void]> = [
    ['a pipe', /not a regular file/, (f) => execFileSync('mkfifo', [f])],
    ['a link to /dev/zero', /a link: not followed/, (f) => symlinkSync('/dev/zero', f)],
    ['a link to a good state outside the case', /a link: not followed/, (f, id) => {
      const there = path.join(outside(), `${id}.json`);
      writeFileSync(there, JSON.stringify(stateOf(id)));
      symlinkSync(there, f);
    }],
    ['a folder', /a folder, not a pull's state/, (f) => mkdirSync(f)],
    ['3 GB (sparse)', /3,221,225,472 bytes: far larger than a pull's state, not read/, (f) => { closeSync(openSync(f, 'w')); execFileSync('truncate', ['-s', '3G', f]); }],
    ['empty', /\(empty\)/, (f) => writeFileSync(f, '')],
    ['cut short', /not JSON: cut short or garbled/, (f, id) => writeFileSync(f, JSON.stringify(stateOf(id)).slice(0, 100))],
    ['1,000,000 levels deep', /not a pull's state/, (f) => writeFileSync(f, `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`)],
    ['its plan 100,000 levels deep', /not a pull's state: plan\.files/, (f, id) => writeFileSync(f, JSON.stringify(stateOf(id)).replace(/"files":\[.*?\]/, `"files":${'['.repeat(100_000)}${']'.repeat(100_000)}`))],
    ['an array', /not a pull's state/, (f) => writeFileSync(f, '[]')],
    ['a planned path out of the case', /plan\.files\.0\.path: a relative path inside the pull/, (f, id) => writeFileSync(f, JSON.stringify(stateOf(id, {
      plan: { files: [{ source: 'system', path: escape, size: outsideText.length, mtime: 1_764_000_000 }], bytes: outsideText.length, capBytes: 1 << 30 },
    })))],
    ['a finished file out of the case (its size the outside file\'s)', /done\.0\.path: a relative path inside the pull/, (f, id) => writeFileSync(f, JSON.stringify(stateOf(id, { done: [done(escape)] })))],
    ['a finished file its plan does not name', /records logs\/app\/other\.log as fetched, which its plan does not name/, (f, id) => writeFileSync(f, JSON.stringify(stateOf(id, { done: [done('logs/app/other.log')] })))],
    ['a continued bundle out of the case', /done\.0\.continues\.bundle/, (f, id) => writeFileSync(f, JSON.stringify(stateOf(id, {
      done: [done(REL, { continues: { bundle: '../../../outside', path: 'secret.log', bytes: 1, sha256: 'a'.repeat(64) } })],
    })))],
    ['a negative size', /plan\.files\.0\.size/, (f, id) => { const s = stateOf(id); (s.plan as { files: { size: number }[] }).files[0]!.size = -5; writeFileSync(f, JSON.stringify(s)); }],
    ['a size past any file (1e300)', /plan\.bytes/, (f, id) => writeFileSync(f, JSON.stringify(stateOf(id, { plan: { ...(stateOf(id).plan as object), bytes: 1e300 } })))],
    ['a time no date can hold', /done\.0\.mtime/, (f, id) => writeFileSync(f, JSON.stringify(stateOf(id, { done: [done(REL, { mtime: 1e300 })] })))],
    ['a continued prefix longer than the file', /a file continuing one no shorter than itself/, (f, id) => writeFileSync(f, JSON.stringify(stateOf(id, {
      done: [done(REL, { continues: { bundle: '0123456789abcdef', path: REL, bytes: 10_000, sha256: 'a'.repeat(64) } })],
    })))],
    ['another pull\'s id', /it names pull 2026-11-29-0000beef, not the pull of its folder/, (f) => writeFileSync(f, JSON.stringify(stateOf('2026-11-29-0000beef')))],
  ];

  it.each(shapes)('%s: refused at once, naming the file; left as it was; nothing outside touched; the case still lists and pulls', async (_what, says, make) => {
    const info = await newCase();
    const id = '2026-11-29-0badd00r';
    const file = plant(info, id, (f) => make(f, id));
    const before = lstatSync(file);
    const bytesBefore = before.isFile() && before.size < 1 << 30 ? sha256(readFileSync(file)) : null;
    const outsideBefore = statSync(outsideFile());
    const t0 = Date.now();
    const err = await resume(info, id).then(() => null, (e: unknown) => e as Error);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(err?.message).toContain(`The state of pull ${id} (${file}) is damaged (`);
    expect(err?.message).toMatch(says);
    expect(err?.message).toMatch(/cannot be resumed\. It is left as it is, with the files it fetched; a new pull of the same profile plans again/);
    // Left as it was: the same kind of thing, the same bytes.
    const after = lstatSync(file);
    expect([after.isFIFO(), after.isSymbolicLink(), after.isDirectory(), after.isFile(), after.size]).toEqual([before.isFIFO(), before.isSymbolicLink(), before.isDirectory(), before.isFile(), before.size]);
    if (bytesBefore) expect(sha256(readFileSync(file))).toBe(bytesBefore);
    expect(readFileSync(outsideFile(), 'utf8')).toBe(outsideText);
    expect(statSync(outsideFile()).mtimeMs).toBe(outsideBefore.mtimeMs);
    expect(bundles(info)).toEqual([]);
    // The case goes on: the damaged pull is listed as such with the same words (never offered for resuming), and a
    // new pull fetches the file.
    expect(await engine.call('pull.list', { caseId: info.id })).toEqual([{ id, status: 'damaged', created: expect.any(String), error: err!.message }]);
    const fresh = await engine.call('pull.run', { caseId: info.id, profile: 'doors' });
    expect(fresh).toMatchObject({ status: 'done', import: { files: [{ records: LINES }] } });
    expect(lstatSync(file).isSymbolicLink() || lstatSync(file).isFIFO() || lstatSync(file).isDirectory() || lstatSync(file).isFile()).toBe(true);
  }, 60_000);

  it('a pull folder that is a link to one outside the case is not followed', async () => {
    const info = await newCase();
    const id = '2026-11-29-11117777';
    const there = path.join(outside(), 'pull-there');
    mkdirSync(there, { recursive: true });
    writeFileSync(path.join(there, 'pull.json'), JSON.stringify(stateOf(id)));
    mkdirSync(path.join(info.dir, 'pulls'), { recursive: true });
    symlinkSync(there, pullDir(info, id));
    await expect(resume(info, id)).rejects.toThrow(`The state of pull ${id} (${path.join(pullDir(info, id), 'pull.json')}) is damaged (its folder ${pullDir(info, id)} is a link: not followed)`);
    expect(readdirSync(there)).toEqual(['pull.json']);
    // Listed as damaged (it was silently left out), with the same words: never read through the link.
    expect(await engine.call('pull.list', { caseId: info.id })).toEqual([
      { id, status: 'damaged', created: expect.any(String), error: expect.stringContaining(`is damaged (its folder ${pullDir(info, id)} is a link: not followed)`) },
    ]);
  }, 60_000);

  it('a pull folder with no state (a start killed before its first write) is not listed; a damaged one beside a good one is listed after it', async () => {
    const info = await newCase();
    mkdirSync(pullDir(info, '2026-11-29-0e0e0e0e'), { recursive: true });
    expect(await engine.call('pull.list', { caseId: info.id })).toEqual([]);
    const bad = '2026-11-29-0badbad0';
    plant(info, bad, (f) => writeFileSync(f, '{'));
    const good = '2026-11-29-00600d00';
    plant(info, good, (f) => writeFileSync(f, JSON.stringify(stateOf(good))));
    const listed = await engine.call('pull.list', { caseId: info.id });
    expect(listed.map((p) => [p.id, p.status])).toEqual([[good, 'interrupted'], [bad, 'damaged']]);
    expect(listed[1]).toMatchObject({ error: expect.stringContaining(`The state of pull ${bad} (${path.join(pullDir(info, bad), 'pull.json')}) is damaged (not JSON: cut short or garbled), so the pull cannot be resumed.`) });
  }, 60_000);

  it('no such pull: said as such', async () => {
    const info = await newCase();
    await expect(resume(info, '2026-11-29-00000000')).rejects.toThrow(`No pull 2026-11-29-00000000 in this case (${pullDir(info, '2026-11-29-00000000')} is missing).`);
  }, 60_000);
});

describe('what else a pull reads back', () => {
  it('done.jsonl a pipe, a link (to /dev/zero, to a file outside) or a folder: refused at once, naming it; left as it was; nothing written through it', async () => {
    const victim = path.join(work, 'victim-done.txt');
    writeFileSync(victim, 'not to be appended to\n');
    const shapes: Array<[RegExp, (f: string) => void]> = [
      [/not a regular file/, (f) => execFileSync('mkfifo', [f])],
      [/a link: not followed/, (f) => symlinkSync('/dev/zero', f)],
      [/a link: not followed/, (f) => symlinkSync(victim, f)],
      [/a folder, not a pull's record of finished files/, (f) => mkdirSync(f)],
    ];
    for (const [says, make] of shapes) {
      const info = await newCase();
      const id = '2026-11-29-d0e10a00';
      plant(info, id, (f) => writeFileSync(f, JSON.stringify(stateOf(id))));
      const log = path.join(pullDir(info, id), 'done.jsonl');
      make(log);
      const t0 = Date.now();
      const err = await resume(info, id).then(() => null, (e: unknown) => e as Error);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(err?.message).toContain(`The state of pull ${id} (${log}) is damaged (`);
      expect(err?.message).toMatch(says);
      expect(readFileSync(victim, 'utf8')).toBe('not to be appended to\n');
      expect(existsSync(log) || lstatSync(log).isSymbolicLink()).toBe(true);
      expect(await engine.call('pull.list', { caseId: info.id })).toEqual([{ id, status: 'damaged', created: expect.any(String), error: err!.message }]);
    }
  }, 120_000);

  it('a sidecar with a negative offset: the file starts over and is fetched whole (it was refused with EINVAL, every resume)', async () => {
    const info = await newCase();
    const id = '2026-11-29-5ideca00';
    plant(info, id, (f) => writeFileSync(f, JSON.stringify(stateOf(id))));
    const local = path.join(pullDir(info, id), 'files', ...REL.split('/'));
    mkdirSync(path.dirname(local), { recursive: true });
    const remote = readFileSync(path.join(remoteRoot, REL));
    writeFileSync(partPath(local), remote.subarray(0, 100));
    const st = statSync(path.join(remoteRoot, REL));
    writeFileSync(sidecarPath(local), JSON.stringify({ remotePath: path.posix.join(remoteRoot, REL), size: st.size, mtime: Math.floor(st.mtimeMs / 1000), synced: -1 }));
    const out = await resume(info, id);
    expect(out).toMatchObject({ status: 'done', import: { files: [{ records: LINES }] } });
    expect(sha256(readFileSync(path.join(info.dir, 'bundles', out.bundle!, REL)))).toBe(sha256(remote));
  }, 60_000);

  it('a part file that is a link to a file outside the case: never written through (it truncated and overwrote it)', async () => {
    const info = await newCase();
    const id = '2026-11-29-9a770000';
    plant(info, id, (f) => writeFileSync(f, JSON.stringify(stateOf(id))));
    const local = path.join(pullDir(info, id), 'files', ...REL.split('/'));
    mkdirSync(path.dirname(local), { recursive: true });
    const victim = path.join(work, 'victim.txt');
    writeFileSync(victim, 'not to be overwritten\n');
    symlinkSync(victim, partPath(local));
    const err = await resume(info, id).then(() => null, (e: unknown) => e as Error);
    expect(err?.message).toContain(`${partPath(local)} (the part file of ${path.posix.join(remoteRoot, REL)}) is a link: a part file is never written through one. It is left as it is; move it aside and resume the pull.`);
    expect(readFileSync(victim, 'utf8')).toBe('not to be overwritten\n');
    expect(lstatSync(partPath(local)).isSymbolicLink()).toBe(true);
    // Moved aside as the sentence says, the resume completes.
    rmSync(partPath(local));
    expect(await resume(info, id)).toMatchObject({ status: 'done', import: { files: [{ records: LINES }] } });
  }, 60_000);

  it('a pull killed with its state replaced by a pipe: the next open does not hang, and records the pull as interrupted', async () => {
    const info = await newCase();
    const id = '2026-11-29-f1f0f1f0';
    plant(info, id, (f) => execFileSync('mkfifo', [f]));
    // The mark a pull.run of this pull leaves while it runs (audit/runMarks.ts), as a kill -9 leaves it.
    const mark = { id: '7d7d7d7d-0000-4000-8000-000000000001', action: 'pull.run', started: '2026-11-29T10:00:00.000Z', operator: { name: 'Dana Example' }, host: 'h', via: 'cli', app: { version: '1' }, params: { caseId: info.id, profile: 'doors', resume: id } };
    mkdirSync(path.join(info.dir, 'running'), { recursive: true });
    writeFileSync(path.join(info.dir, 'running', `${mark.id}.json`), JSON.stringify(mark));
    await engine.call('cases.close', { caseId: info.id });
    const t0 = Date.now();
    await engine.call('cases.open', { dir: info.dir, writing: true });
    expect(Date.now() - t0).toBeLessThan(20_000);
    const entries = (await readAudit(path.join(info.dir, 'audit.jsonl'))).filter((e) => e.action === PULL_INTERRUPTED_ACTION);
    expect(entries).toHaveLength(1);
    expect(lstatSync(path.join(pullDir(info, id), 'pull.json')).isFIFO()).toBe(true);
  }, 60_000);
});
