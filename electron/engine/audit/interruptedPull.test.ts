// A pull killed (kill -9) mid-transfer, through the real CLI against a real two-hop sshd: the next open records it as
// `pull.interrupted`, once, with who started it, when, its inputs (never the passphrase), what of it is in the case
// (files and bytes complete, partial files) and how to resume it; verify passes, and the resume completes. Before, the
// trail said the pull connected and planned and which files it finished, never that it did not end.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Relay, type SshLab } from '../../testkit/sshLab';
import { systemLines } from '../../testkit/remoteTree';
import { removeDir, tempDir } from '../../testkit/tmp';
import { CLI_BIN } from '../../testkit/cliChild';
import { readAudit } from './trail';
import { MARK_PARAM, PULL_INTERRUPTED_ACTION } from './runMarks';

let lab: SshLab;
let relay: Relay;
let work: string;
let env: NodeJS.ProcessEnv;
const remote = () => path.join(lab.root, 'killed-pull');
// A file that ends first (over a second in, so its record is written at once), two still coming when the kill lands,
// each past 16 MiB (where a part file's sidecar says what a resume keeps).
// Long lines (about 4 KB): megabytes to fetch, few records to import.
const SIZES: [string, number][] = [['logs/app/app.json.log', 1_200], ['logs/app/app.json.log.1', 6_000], ['logs/app/app.json.log.2', 6_000]];
const RECORDS = SIZES.reduce((n, [, lines]) => n + lines, 0);

beforeAll(async () => {
  lab = await startLab();
  work = tempDir('casefile-pull-killed-');
  const t0 = Date.parse('2026-11-28T10:00:00Z');
  for (const [i, [rel, lines]] of SIZES.entries()) {
    mkdirSync(path.dirname(path.join(remote(), rel)), { recursive: true, mode: 0o755 });
    writeFileSync(path.join(remote(), rel), systemLines(t0 + i * 86_400_000, lines, `f${i}-${'x'.repeat(2000)}`), { mode: 0o644 });
  }
  // A slow site link: the pull stays under way long enough to be killed in the middle.
  relay = await lab.relay(0, { bytesPerSecond: 6_000_000 });
  const hops = lab.hops({ target: { kind: 'key', path: lab.keys.passKey } }, { host: '127.0.0.1', port: relay.port });
  writeFileSync(path.join(work, 'slow.json'), JSON.stringify({ name: 'slow', ...hops, logRoot: remote(), capBytes: 500_000_000, timezone: 'UTC' }));
  mkdirSync(path.join(work, 'home'), { recursive: true });
  env = { ...process.env, CASEFILE_HOME: path.join(work, 'data'), HOME: path.join(work, 'home'), SSH_AUTH_SOCK: lab.agentSocket, CASEFILE_OPERATOR: 'Dana Example', CASEFILE_PROGRESS: 'jsonl' };
  expect((await cli(['profile', 'add', '--file', path.join(work, 'slow.json')])).code).toBe(0);
}, 120_000);
afterAll(async () => { await lab?.stop(); if (work) removeDir(work); });

interface Progress { pullId?: string; filesDone?: number; bytesDone?: number }

/** `casefile <args>`, the passphrase on fd 3; `onProgress` sees each `pull.progress` line (CASEFILE_PROGRESS=jsonl). */
function cli(args: string[], onProgress?: (p: Progress, kill: (sig?: NodeJS.Signals) => void) => void) {
  return new Promise<{ code: number | null; signal: string | null; out: string; progress: Progress[] }>((resolve) => {
    const c = spawn(process.execPath, [CLI_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const fd3 = c.stdio[3] as NodeJS.WritableStream;
    fd3.on('error', () => undefined);
    fd3.end(`${lab.keys.passphrase}\n`);
    let out = '';
    let buf = '';
    const progress: Progress[] = [];
    c.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    c.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        if (!l.startsWith('{"') || !l.includes('"pullId"')) continue;
        const p = JSON.parse(l) as Progress;
        progress.push(p);
        onProgress?.(p, (sig = 'SIGKILL') => c.kill(sig));
      }
    });
    c.on('close', (code, signal) => resolve({ code, signal, out, progress }));
  });
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const trail = (caseDir: string) => readAudit(path.join(caseDir, 'audit.jsonl'));
const marks = (caseDir: string) => (existsSync(path.join(caseDir, 'running')) ? readdirSync(path.join(caseDir, 'running')) : []);
const everyFile = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));

describe('a pull killed mid-transfer', () => {
  it('kill -9: the next open records one pull.interrupted entry (who, when, inputs, what is on disk), verify passes, the resume completes', async () => {
    const caseDir = path.join(work, 'case');
    const pullDir = (id: string) => path.join(caseDir, 'pulls', id);
    // Killed once a finished file is recorded (done.jsonl) and a part file's sidecar is written, the other two part-way.
    let pullId = '';
    const sidecars = (id: string) => (existsSync(path.join(pullDir(id), 'files')) ? everyFile(path.join(pullDir(id), 'files')).filter((f) => f.endsWith('.part.json')) : []);
    const killed = await cli(['pull', '--case', caseDir, '--profile', 'slow', '--passphrase-fd', '3'], (p, kill) => {
      if (p.pullId && !pullId && existsSync(path.join(pullDir(p.pullId), 'done.jsonl')) && sidecars(p.pullId).length) { pullId = p.pullId; kill(); }
    });
    expect(killed.signal, killed.out).toBe('SIGKILL');
    expect(pullId).not.toBe('');
    // The mark it left holds the inputs as the entry records them: never the passphrase.
    const left = marks(caseDir);
    expect(left).toHaveLength(1);
    const mark = readFileSync(path.join(caseDir, 'running', left[0]!), 'utf8');
    expect(mark).toContain('"pull.run"');
    expect(mark).not.toContain(lab.keys.passphrase);
    const before = await trail(caseDir);
    expect(before.filter((e) => e.action === 'pull.run' || e.action === PULL_INTERRUPTED_ACTION)).toEqual([]);

    // What the kill left on disk: the record's finished files, the part files a resume continues.
    const done = readFileSync(path.join(pullDir(pullId), 'done.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { path: string; size: number });
    const parts = everyFile(path.join(pullDir(pullId), 'files')).filter((f) => f.endsWith('.part'));
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(parts.length).toBeGreaterThanOrEqual(1);

    const verified = await cli(['verify', '--case', caseDir]);
    expect(verified.code, verified.out).toBe(0);
    const entries = (await trail(caseDir)).filter((e) => e.action === PULL_INTERRUPTED_ACTION);
    expect(entries).toHaveLength(1);
    const e = entries[0]!;
    expect(e.params).toMatchObject({ call: 'pull.run', startedBy: { name: 'Dana Example' }, via: 'cli', inputs: { profile: 'slow', jobId: expect.any(String) }, pulls: [pullId], app: { version: expect.any(String) } });
    expect(e.params.inputs).not.toHaveProperty('passphrase');
    expect(typeof e.params[MARK_PARAM]).toBe('string');
    expect(e.result.status).toBe('error');
    const total = SIZES.reduce((n, [rel]) => n + statSync(path.join(remote(), rel)).size, 0);
    expect(e.result.counts).toMatchObject({ files: done.length, filesTotal: 3, bytes: done.reduce((n, d) => n + d.size, 0), bytesTotal: total, partialFiles: parts.length, events: 0 });
    expect(e.result.counts!.partialBytes).toBeGreaterThanOrEqual(16 << 20);
    expect(e.result.message).toMatch(new RegExp(`^A pull started .* by Dana Example did not end \\(the process was killed, crashed or lost power\\): pull ${pullId} has ${done.length} of 3 files complete \\([\\d,]+ of [\\d,]+ bytes\\), ${parts.length} partial files? \\([\\d,]+ bytes of (it|them) kept for the resume\\) in the case; running the same pull again with --resume ${pullId}; in the app, Resume under Unfinished pulls resumes it: what is here is kept, only the rest is fetched\\.$`));
    expect(marks(caseDir)).toEqual([]);

    // The trail verifies with it; a second open adds nothing; the CLI lists it.
    const audited = await cli(['audit', 'verify', '--case', caseDir]);
    expect(audited.code, audited.out).toBe(0);
    expect((await trail(caseDir)).filter((x) => x.action === PULL_INTERRUPTED_ACTION)).toHaveLength(1);
    expect((await cli(['audit', 'show', '--case', caseDir, '--action', PULL_INTERRUPTED_ACTION])).out).toMatch(/pull\.interrupted error .*did not end/);

    // Running it again as the entry says resumes it (from the bytes on disk) and completes it: its own entry only.
    const resumed = await cli(['pull', '--case', caseDir, '--profile', 'slow', '--resume', pullId, '--passphrase-fd', '3']);
    expect(resumed.code, resumed.out).toBe(0);
    // It starts from the complete files and the kept part-file bytes (its first progress, a moment in).
    expect(resumed.progress[0]!.bytesDone).toBeGreaterThanOrEqual(e.result.counts!.bytes! + e.result.counts!.partialBytes!);
    expect(resumed.out).toMatch(new RegExp(`pulled into bundle [0-9a-f]{16} \\(pull ${pullId}\\); imported ${RECORDS} records from 3 files`));
    const bundle = /pulled into bundle ([0-9a-f]{16})/.exec(resumed.out)![1]!;
    for (const [rel] of SIZES) expect(sha256(path.join(caseDir, 'bundles', bundle, rel)), rel).toBe(sha256(path.join(remote(), rel)));
    expect((await cli(['verify', '--case', caseDir])).code).toBe(0);
    const after = await trail(caseDir);
    expect(after.filter((x) => x.action === PULL_INTERRUPTED_ACTION)).toHaveLength(1);
    expect(after.filter((x) => x.action === 'pull.run').map((x) => [x.result.status, x.params.resume])).toEqual([['ok', pullId]]);
    expect(marks(caseDir)).toEqual([]);
    // The passphrase is in no file of the case.
    for (const f of everyFile(caseDir)) expect(readFileSync(f).includes(lab.keys.passphrase), f).toBe(false);
  }, 240_000);

  it('a cancelled pull (Ctrl-C) keeps its one entry, the call\'s own, and leaves no mark', async () => {
    const caseDir = path.join(work, 'case-cancelled');
    let sent = false;
    const r = await cli(['pull', '--case', caseDir, '--profile', 'slow', '--passphrase-fd', '3'], (p, kill) => {
      if (!sent && (p.bytesDone ?? 0) > 0) { sent = true; kill('SIGINT'); }
    });
    expect([r.signal, r.code === 0], r.out).toEqual([null, false]);
    expect(marks(caseDir)).toEqual([]);
    expect((await cli(['verify', '--case', caseDir])).code).toBe(0);
    const t = await trail(caseDir);
    expect(t.filter((e) => e.action === PULL_INTERRUPTED_ACTION)).toEqual([]);
    expect(t.filter((e) => e.action === 'pull.run').map((e) => [e.result.status, typeof e.params[MARK_PARAM]])).toEqual([['error', 'string']]);
    expect(t.find((e) => e.action === 'pull.run')!.result.message).toBe('The pull job was cancelled.');
  }, 120_000);
});
