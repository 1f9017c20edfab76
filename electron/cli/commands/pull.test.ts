// `casefile profile` and `casefile pull` as an operator runs them: a real CLI process, a real two-hop sshd lab.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type SshLab } from '../../testkit/sshLab';
import { writeRemoteTree, systemLines } from '../../testkit/remoteTree';
import { tempDir, removeDir } from '../../testkit/tmp';
import { CaseHandle } from '../../engine/case/caseStore';
import { pullIntoCase } from '../../engine/transport/service';
import { saveProfile } from '../../engine/transport/profileStore';
import { CLI_BIN } from '../../testkit/cliChild';

let lab: SshLab;
let work: string;
let env: NodeJS.ProcessEnv;

function cli(args: string[], opts: { fd3?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe', ...(opts.fd3 !== undefined ? ['pipe' as const] : [])] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
    if (opts.fd3 !== undefined) {
      const fd3 = child.stdio[3] as NodeJS.WritableStream;
      fd3.on('error', () => undefined); // a child that never reads it (it failed first) resets the pipe
      fd3.end(`${opts.fd3}\n`);
    }
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function everyFile(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)) : [];
}

beforeAll(async () => {
  lab = await startLab({ strict: true });
  writeRemoteTree(lab.root, Date.now(), { denied: true });
  work = tempDir();
  mkdirSync(path.join(work, 'home'), { recursive: true });
  env = { ...process.env, CASEFILE_HOME: path.join(work, 'data'), HOME: path.join(work, 'home'), SSH_AUTH_SOCK: lab.agentSocket };
  const h = lab.hops({ target: { kind: 'key', path: lab.keys.passKey } });
  h.target.hostKeys = []; // the target's key is met for the first time
  writeFileSync(path.join(work, 'acme.json'), JSON.stringify({ name: 'acme', ...h, logRoot: lab.root, capBytes: 50_000_000, timezone: 'Asia/Kolkata' }));
});
afterAll(async () => { await lab?.stop(); if (work) removeDir(work); });

describe('casefile profile / pull', () => {
  it('adds and lists a profile, stored owner-only in the data home', async () => {
    expect((await cli(['profile', 'add', '--file', path.join(work, 'acme.json')])).code).toBe(0);
    const list = await cli(['profile', 'list']);
    expect(list.stdout).toContain('acme');
    expect(list.stdout).toContain(`nobody@127.0.0.2:${lab.target.port}`);
    expect(statSync(path.join(work, 'data', 'profiles', 'acme.json')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(work, 'data', 'profiles')).mode & 0o777).toBe(0o700);
    // A garbled profile file is said on stderr with its reason, the good ones still listed (it used to vanish).
    const garbled = path.join(work, 'data', 'profiles', 'garbled.json');
    writeFileSync(garbled, '{"name":"garbled",');
    try {
      const again = await cli(['profile', 'list']);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('acme');
      expect(again.stderr).toContain(`casefile: Profile "garbled" (${garbled}) is not valid: not JSON (cut short or garbled).`);
      const json = JSON.parse((await cli(['profile', 'list', '--json'])).stdout) as { profiles: { name: string }[]; unreadable: { name: string }[] };
      expect([json.profiles.map((p) => p.name), json.unreadable.map((u) => u.name)]).toEqual([['acme'], ['garbled']]);
    } finally { rmSync(garbled); }
  });

  it('refuses an unknown host key without a terminal, printing its fingerprint', async () => {
    const caseDir = path.join(work, 'case');
    const r = await cli(['pull', '--case', caseDir, '--profile', 'acme', '--passphrase-fd', '3'], { fd3: lab.keys.passphrase });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(lab.target.fingerprint);
    expect(everyFile(path.join(caseDir, 'bundles'))).toEqual([]);
  });

  it('with --yes accepts the key, reads the passphrase from --passphrase-fd, pulls, imports; verify passes', async () => {
    const caseDir = path.join(work, 'case');
    const r = await cli(['pull', '--case', caseDir, '--profile', 'acme', '--yes', '--passphrase-fd', '3'], { fd3: lab.keys.passphrase });
    expect(r.stderr + r.stdout).toContain(lab.target.fingerprint);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/pulled into bundle [0-9a-f]{16}/);
    expect(r.stdout).toContain('permission denied on the server: logs/netdata/private');
    // Accepted into Casefile's own known_hosts (hashed); the user's ~/.ssh untouched.
    expect(readFileSync(path.join(work, 'data', 'known_hosts'), 'utf8')).toMatch(/^\|1\|/);
    expect(existsSync(path.join(work, 'home', '.ssh'))).toBe(false);
    expect((await cli(['verify', '--case', caseDir])).code).toBe(0);
    const audit = await cli(['audit', 'show', '--case', caseDir, '--json']);
    const actions = audit.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action);
    for (const a of ['pull.hostkey', 'pull.connect', 'pull.plan', 'pull.files', 'pull.done', 'import.files', 'pull.run']) expect(actions, a).toContain(a);
    // The key asking for its passphrase was a question the CLI answered, not an outcome: no pull.run error entry
    // naming the protected key: the entries are the two runs stopped at the host key (the test before and this one)
    // and the run that pulled
    const runs = audit.stdout.trim().split('\n').map((l) => JSON.parse(l) as { action: string; result: { status: string; message?: string } }).filter((e) => e.action === 'pull.run');
    expect(runs.map((e) => [e.result.status, e.result.message])).toEqual([['ok', undefined], ['ok', undefined], ['ok', undefined]]);
    // A second run finds nothing new.
    const again = await cli(['pull', '--case', caseDir, '--profile', 'acme', '--passphrase-fd', '3'], { fd3: lab.keys.passphrase });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/plan: 0 files/);
  });

  it('a plan (--dry-run) leaves one pull.plan entry, with its counts; a failed plan one error entry', async () => {
    const caseDir = path.join(work, 'case');
    const plans = async () => (await cli(['audit', 'show', '--case', caseDir, '--json'])).stdout.trim().split('\n')
      .map((l) => JSON.parse(l) as { action: string; result: { status: string; counts?: Record<string, number> } }).filter((e) => e.action === 'pull.plan');
    const before = (await plans()).length;
    const r = await cli(['pull', '--case', caseDir, '--profile', 'acme', '--dry-run', '--passphrase-fd', '3'], { fd3: lab.keys.passphrase });
    expect(r.code, r.stderr).toBe(0);
    const after = await plans();
    expect(after.length, JSON.stringify(after)).toBe(before + 1);
    expect(after.at(-1)!.result.counts).toHaveProperty('capBytes', 50_000_000);
    const bad = await cli(['pull', '--case', caseDir, '--profile', 'acme', '--dry-run', '--passphrase-fd', '3'], { fd3: 'not-the-passphrase' });
    expect(bad.code).not.toBe(0);
    const failed = await plans();
    expect(failed.length).toBe(before + 2);
    expect(failed.at(-1)!.result.status).toBe('error');
  });

  it('--trim with a cap smaller than the newest file refuses and names it, rather than pulling older files', async () => {
    const caseDir = path.join(work, 'case-small-cap'); // nothing pulled yet: the newest file is wanted
    const r = await cli(['pull', '--case', caseDir, '--profile', 'acme', '--dry-run', '--trim', '--cap', '1KB', '--passphrase-fd', '3'], { fd3: lab.keys.passphrase });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/the newest file \S+ alone is [\d.]+ MB, over the cap of 0\.0 MB: refused .*--cap \d+MB/);
    // A script reading --json gets the same exit code, the refused plan alone on stdout.
    const j = await cli(['pull', '--case', caseDir, '--profile', 'acme', '--dry-run', '--trim', '--cap', '1KB', '--json', '--passphrase-fd', '3'], { fd3: lab.keys.passphrase });
    expect(j.code, j.stderr).toBe(4);
    expect(JSON.parse(j.stdout)).toMatchObject({ status: 'refused' });
  });

  it('a pull of the case whose state is damaged is named, with why, when a new pull starts (it was passed over in silence)', async () => {
    const caseDir = path.join(work, 'case-damaged-pull');
    const refused = ['pull', '--case', caseDir, '--profile', 'acme', '--cap', '1KB', '--passphrase-fd', '3'];
    const first = await cli(refused, { fd3: lab.keys.passphrase });
    expect(first.code, first.stderr).toBe(4);
    expect(first.stderr).not.toMatch(/is damaged/);
    const id = '2026-11-30-0badd00d';
    mkdirSync(path.join(caseDir, 'pulls', id), { recursive: true });
    writeFileSync(path.join(caseDir, 'pulls', id, 'pull.json'), '[]');
    const r = await cli(refused, { fd3: lab.keys.passphrase });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain(`casefile: The state of pull ${id} (${path.join(caseDir, 'pulls', id, 'pull.json')}) is damaged (not a pull's state`);
    expect(r.stderr).toContain('so the pull cannot be resumed. It is left as it is, with the files it fetched');
  });

  it('prints server file names with their control and bidi characters escaped, never raw to the terminal', async () => {
    // A hostile server names its logs to drive the operator's terminal (retitle, clear, recolour, hide a line) or to
    // spoof a name with a right-to-left override: the plan table and the set-aside lines show them escaped.
    const root = path.join(lab.root, 'esc-root');
    const doodle = path.join(root, 'logs/doodle');
    mkdirSync(doodle, { recursive: true, mode: 0o755 });
    writeFileSync(path.join(doodle, 'title\u001b]0;pwned\u0007\u001b[2J.log'), 'x\n', { mode: 0o644 });
    writeFileSync(path.join(doodle, 'spoof\u202egol.exe'), 'y\n', { mode: 0o644 });
    writeFileSync(path.join(doodle, 'back\\\u001b[8mhidden.log'), 'z\n', { mode: 0o644 });
    writeFileSync(path.join(work, 'esc.json'), JSON.stringify({ name: 'esc', ...lab.hops(), logRoot: root, capBytes: 50_000_000, timezone: 'UTC' }));
    expect((await cli(['profile', 'add', '--file', path.join(work, 'esc.json')])).code).toBe(0);
    const r = await cli(['pull', '--case', path.join(work, 'case-esc'), '--profile', 'esc', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(r.stdout).toContain('logs/doodle/title\\x1b]0;pwned\\x07\\x1b[2J.log');
    expect(r.stdout).toContain('logs/doodle/spoof\\u202egol.exe');
    expect(r.stdout).toMatch(/not fetched, its name is not a plain file name here .*: logs\/doodle\/back\\\\x1b\[8mhidden\.log/);
  });

  it('refuses a broken or hostile profile, and a relative --root, with a sentence that names the field', async () => {
    // `profile add` printed 'casefile: [' (the first line of a validation dump) for a port 0 or 70000.
    const bad = async (over: Record<string, unknown>, field: RegExp) => {
      const h = lab.hops();
      writeFileSync(path.join(work, 'bad.json'), JSON.stringify({ name: 'bad', ...h, target: { ...h.target, ...over }, logRoot: lab.root, capBytes: 1000 }));
      const r = await cli(['profile', 'add', '--file', path.join(work, 'bad.json')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(field);
    };
    await bad({ port: 0 }, /^casefile: .*target\.port: .*1/m);
    await bad({ port: 70000 }, /^casefile: .*target\.port: .*65535/m);
    // Options in disguise: nothing here runs OpenSSH, but a name beginning with '-' is no host or user name.
    await bad({ host: '-oProxyCommand' }, /^casefile: .*target\.host: .*'-'/m);
    await bad({ user: '-oProxyCommand' }, /^casefile: .*target\.user: .*'-'/m);
    expect((await cli(['profile', 'list'])).stdout).not.toContain('bad');
    // A --root that is not absolute would be read from the account's home and recorded as sftp://host:portrelative.
    writeFileSync(path.join(work, 'rel.json'), JSON.stringify({ name: 'rel', ...lab.hops(), logRoot: lab.root, capBytes: 1000 }));
    expect((await cli(['profile', 'add', '--file', path.join(work, 'rel.json')])).code).toBe(0);
    const r = await cli(['pull', '--case', path.join(work, 'case-rel'), '--profile', 'rel', '--dry-run', '--root', 'relative/logs']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^casefile: .*root: .*absolute/m);
  });

  it('names a wrong passphrase and leaves it nowhere on disk', async () => {
    const caseDir = path.join(work, 'case');
    const r = await cli(['pull', '--case', caseDir, '--profile', 'acme', '--passphrase-fd', '3'], { fd3: 'not-the-passphrase' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Wrong passphrase/);
    for (const f of [...everyFile(caseDir), ...everyFile(path.join(work, 'data'))]) {
      const bytes = readFileSync(f);
      expect(bytes.includes(lab.keys.passphrase), f).toBe(false);
      expect(bytes.includes('not-the-passphrase'), f).toBe(false);
    }
  });

  it('Ctrl-C stops the pull and names the command that resumes it; the resume finishes; the trail has the cancel', async () => {
    // A slow link, so the pull is still running when interrupted: capped at 100 KB/s, a 0.7 MB log takes 7 s. (A
    // 14 MB log behind a delay alone made the pull, the resume and its import outlast the timeout on a busy machine.)
    const relay = await lab.relay(20, { bytesPerSecond: 100_000 });
    try {
      const root = path.join(lab.root, 'slow-root');
      mkdirSync(path.join(root, 'logs/app'), { recursive: true, mode: 0o755 });
      writeFileSync(path.join(root, 'logs/app/app.json.log'), systemLines(Date.now() - 3_600_000, 5_000, 'slow'), { mode: 0o644 });
      writeFileSync(path.join(work, 'slow.json'), JSON.stringify({ name: 'slow', ...lab.hops({}, { host: '127.0.0.1', port: relay.port }), logRoot: root, capBytes: 50_000_000, timezone: 'UTC' }));
      expect((await cli(['profile', 'add', '--file', path.join(work, 'slow.json')])).code).toBe(0);
      const caseDir = path.join(work, 'case-interrupted');
      const first = await new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI_BIN, 'pull', '--case', caseDir, '--profile', 'slow'], { env: { ...env, CASEFILE_PROGRESS: 'jsonl' }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stdout.resume();
        child.stderr.on('data', (b: Buffer) => {
          stderr += b.toString();
          if (/"bytesDone":[1-9]/.test(stderr) && !child.killed) child.kill('SIGINT'); // the operator presses Ctrl-C mid-file
        });
        child.on('close', (code, signal) => resolve({ code, signal, stderr }));
      });
      expect(first.signal).toBeNull();
      expect(first.code).not.toBe(0);
      const id = /--resume (\S+)/.exec(first.stderr)?.[1];
      expect(id, first.stderr.split('\n').filter((l) => !l.startsWith('{')).join('\n')).toMatch(/^\d{4}-\d{2}-\d{2}-[0-9a-f]{8}$/);
      expect(JSON.parse(readFileSync(path.join(caseDir, 'pulls', id!, 'pull.json'), 'utf8'))).toMatchObject({ status: 'interrupted' });
      // The operator resumes it: the plan stands, what was fetched is kept.
      const resumed = await cli(['pull', '--case', caseDir, '--profile', 'slow', '--resume', id!]);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain(`(pull ${id})`);
      const audit = await cli(['audit', 'show', '--case', caseDir, '--json']);
      const entries = audit.stdout.trim().split('\n').map((l) => JSON.parse(l) as { action: string; result: { status: string; message?: string } });
      expect(entries.filter((e) => e.action === 'pull.run').map((e) => [e.result.status, e.result.message])).toEqual([['error', 'The pull job was cancelled.'], ['ok', undefined]]);
      expect((await cli(['audit', 'verify', '--case', caseDir])).code).toBe(0);
    } finally { await relay.close(); }
  }, 180_000); // five CLI processes: each starts an engine, some 10 s apiece on a busy 2-core machine

  it('a second pull of a case that another process is pulling into is refused without naming that live pull as one to resume', async () => {
    // The refused second command said 'pull <A> did not finish (0 of 1 files) … Resume it with: … --resume <A>' of the
    // pull the first process was running (and then finished).
    const relay = await lab.relay(0, { bytesPerSecond: 1_000_000 });
    try {
      const root = path.join(lab.root, 'twice-root');
      mkdirSync(path.join(root, 'logs/app'), { recursive: true, mode: 0o755 });
      writeFileSync(path.join(root, 'logs/app/app.json.log'), systemLines(Date.now() - 3_600_000, 30_000, 'twice'), { mode: 0o644 });
      writeFileSync(path.join(work, 'twice.json'), JSON.stringify({ name: 'twice', ...lab.hops({}, { host: '127.0.0.1', port: relay.port }), logRoot: root, capBytes: 50_000_000, timezone: 'UTC' }));
      expect((await cli(['profile', 'add', '--file', path.join(work, 'twice.json')])).code).toBe(0);
      const caseDir = path.join(work, 'case-twice');
      let second: Promise<{ code: number; stdout: string; stderr: string }> | undefined;
      const first = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI_BIN, 'pull', '--case', caseDir, '--profile', 'twice'], { env: { ...env, CASEFILE_PROGRESS: 'jsonl' }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stdout.resume();
        child.stderr.on('data', (b: Buffer) => {
          stderr += b.toString();
          if (!second && /"bytesDone":[1-9]/.test(stderr)) second = cli(['pull', '--case', caseDir, '--profile', 'twice']); // the first is fetching
        });
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(first.code, first.stderr.split('\n').filter((l) => !l.startsWith('{')).join('\n')).toBe(0);
      const firstId = /"pullId":"([^"]+)"/.exec(first.stderr)![1]!;
      const r = await second!;
      expect(r.code).toBe(1);
      // the first pull named, as the operator started it (its command and pid, from the case's lock)
      expect(r.stderr).toMatch(/(in use|held for writing) by casefile pull \(pid \d+/);
      expect(r.stderr).not.toMatch(/IO Error|Conflicting lock/);
      expect(r.stderr).not.toContain(firstId);
    } finally { await relay.close(); }
  }, 180_000); // three CLI processes and a pull at 1 MB/s

  it('refuses a read-only case before connecting', async () => {
    const dir = path.join(work, 'ro-case');
    (await CaseHandle.create(dir, { name: 'ro' })).close();
    const h = await CaseHandle.open(dir, { readOnly: true });
    const prev = process.env.CASEFILE_HOME;
    process.env.CASEFILE_HOME = path.join(work, 'data-ro');
    try {
      // The profile points at a port nobody listens on: a connection attempt would fail differently.
      await saveProfile({ name: 'nowhere', target: { host: '127.0.0.1', port: 9, user: 'x', auth: { kind: 'agent' } }, logRoot: '/x', capBytes: 1 });
      const audited: string[] = [];
      await expect(pullIntoCase(h, 'c', { profile: 'nowhere' }, { audit: async (a) => { audited.push(a); }, importBundles: () => { throw new Error('no'); } }))
        .rejects.toMatchObject({ code: 'read_only' });
      expect(audited).toEqual([]);
    } finally {
      await h.close();
      if (prev === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = prev;
    }
  });
});
