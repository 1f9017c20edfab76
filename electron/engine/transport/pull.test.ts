// Pulls against real OpenSSH: a bastion that may only forward and a target serving SFTP, the target reachable only
// through the bastion (network namespace). Every failure mode the operator can meet is provoked for real.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hop, SiteProfile, type SiteProfileInput } from '../../../shared/profile';
import { startLab, type SshLab } from '../../testkit/sshLab';
import { writeRemoteTree, systemLines, DAY } from '../../testkit/remoteTree';
import { tempDir, removeDir } from '../../testkit/tmp';
import { connectChain, loadKnownHosts, SshError, type ChainOptions } from './sshChain';
import { pullFile, partPath, sidecarPath } from './sftpReader';
import { discover } from './discover';
import { listPulls, readPullState, runPull } from './pull';
import { manifestPath } from '../evidence/manifest';
import type { PulledManifest } from './handoff';

let lab: SshLab;
let work: string;
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const hops = (h: ReturnType<SshLab['hops']>) => [...h.jumps, h.target].map((x) => Hop.parse(x));
const chainOpts = (extra: Partial<ChainOptions> = {}): Omit<ChainOptions, 'hops'> => ({ trust: { knownHosts: [] }, agentSocket: lab.agentSocket, readyTimeoutMs: 10_000, ...extra });
const profileOf = (over: Partial<SiteProfileInput> = {}, h = lab.hops()): SiteProfile =>
  SiteProfile.parse({ name: 'acme', ...h, logRoot: lab.root, capBytes: 1 << 30, timezone: 'Asia/Kolkata', ...over });
async function expectSshError(p: Promise<unknown>, code: SshError['code']): Promise<SshError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e, `expected ${code}`).toBeInstanceOf(SshError);
  expect((e as SshError).code).toBe(code);
  return e as SshError;
}
function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

beforeAll(async () => {
  lab = await startLab({ strict: true });
  work = tempDir();
  writeRemoteTree(lab.root, Date.now(), { denied: true });
});
afterAll(async () => { await lab?.stop(); if (work) removeDir(work); });

describe('the jump chain', () => {
  it('reaches the target only through the bastion (agent auth on both hops)', async () => {
    expect(await lab.canReachTargetDirectly()).toBe(false);
    const chain = await connectChain({ ...chainOpts(), hops: hops(lab.hops()) });
    try {
      expect(chain.hops.map((h) => h.fingerprint)).toEqual([lab.bastion.fingerprint, lab.target.fingerprint]);
      const sftp = await chain.sftp();
      const found = await discover(sftp, lab.root);
      expect(found.files.map((f) => f.path)).toContain('logs/app/app.json.log');
    } finally { chain.close(); }
  });

  it('uses a passphrase-protected key file, and names a wrong or missing passphrase', async () => {
    const h = lab.hops({ target: { kind: 'key', path: lab.keys.passKey } });
    const ok = await connectChain({ ...chainOpts({ passphrase: () => lab.keys.passphrase }), hops: hops(h) });
    ok.close();
    const wrong = await expectSshError(connectChain({ ...chainOpts({ passphrase: () => 'not it' }), hops: hops(h) }), 'wrong-passphrase');
    expect(wrong.message).not.toContain('not it');
    await expectSshError(connectChain({ ...chainOpts(), hops: hops(h) }), 'passphrase-needed');
  });

  it('reports a key the server refuses as an authentication failure', async () => {
    const other = path.join(work, 'stranger');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const h = lab.hops({ target: { kind: 'key', path: other } });
    await expectSshError(connectChain({ ...chainOpts(), hops: hops(h) }), 'auth-failed');
  });

  it('stops at an unknown host key and shows its SHA-256 fingerprint', async () => {
    const h = lab.hops();
    h.target.hostKeys = [];
    const e = await expectSshError(connectChain({ ...chainOpts(), hops: hops(h) }), 'host-key-unknown');
    expect(e.hop.index).toBe(1);
    expect(e.presented?.fingerprint).toBe(lab.target.fingerprint);
    expect(e.message).toContain(lab.target.fingerprint);
    // Accepting it = recording it; the next connect passes.
    const kh = path.join(work, 'accepted_known_hosts');
    writeFileSync(kh, `[${lab.target.host}]:${lab.target.port} ${e.presented!.keyType} ${e.presented!.key}\n`);
    const chain = await connectChain({ ...chainOpts({ trust: { knownHosts: await loadKnownHosts([kh]) } }), hops: hops(h) });
    chain.close();
  });

  it('refuses a changed host key, pinned or in known_hosts', async () => {
    const pinned = lab.hops();
    pinned.target.hostKeys = [lab.bastion.fingerprint];
    await expectSshError(connectChain({ ...chainOpts(), hops: hops(pinned) }), 'host-key-changed');
    const h = lab.hops();
    h.target.hostKeys = [];
    const kh = path.join(work, 'changed_known_hosts');
    // The bastion's key recorded for the target's name: the target now presents another one.
    writeFileSync(kh, `${lab.knownHostsLine('bastion', lab.target.host, lab.target.port)}\n`);
    const e = await expectSshError(connectChain({ ...chainOpts({ trust: { knownHosts: await loadKnownHosts([kh]) } }), hops: hops(h) }), 'host-key-changed');
    expect(e.message).toMatch(/CHANGED/);
  });

  it('recognises a host known only by its RSA key (host-key algorithms ordered by what is known)', async () => {
    const h = lab.hops();
    h.target.hostKeys = [];
    const kh = path.join(work, 'rsa_known_hosts');
    writeFileSync(kh, `${lab.knownHostsLine('target-rsa', lab.target.host, lab.target.port)}\n`);
    const chain = await connectChain({ ...chainOpts({ trust: { knownHosts: await loadKnownHosts([kh]) } }), hops: hops(h) });
    expect(chain.hops[1]!.fingerprint).toBe(lab.target.rsaFingerprint);
    chain.close();
  });

  it('gives up when cancelled while a host does not answer its handshake', { timeout: 30_000 }, async () => {
    // A cancel (the pull view's Cancel, Ctrl-C) reached the pull only once connected: a jump host that accepts and
    // then says nothing held the pull for the whole handshake timeout (20 s a hop, here ten minutes).
    const ac = new AbortController();
    const silent = net.createServer((s) => { s.on('error', () => undefined); ac.abort(new Error('cancelled by the operator')); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const h = lab.hops({}, { host: '127.0.0.1', port: (silent.address() as net.AddressInfo).port });
      const e = await connectChain({ ...chainOpts({ readyTimeoutMs: 600_000 }), hops: hops(h), signal: ac.signal }).then(() => null, (x: unknown) => x);
      expect((e as Error).message).toBe('cancelled by the operator');
    } finally {
      silent.close();
    }
  });

  it('names a bastion that forbids forwarding', async () => {
    const closed = await startLab({ forbidForwarding: true });
    try {
      await expectSshError(connectChain({ trust: { knownHosts: [] }, agentSocket: closed.agentSocket, hops: hops(closed.hops()) }), 'forward-refused');
    } finally { await closed.stop(); }
  });
});

describe('discovery and plan', () => {
  it('lists the layout, reports a directory it may not read and goes on', async () => {
    const out = await runPull({ caseDir: path.join(work, 'case-plan'), profile: profileOf(), chain: chainOpts(), dryRun: true });
    const paths = out.plan.files.map((f) => f.path);
    expect(out.denied).toEqual(['logs/netdata/private']);
    expect(paths).toContain('logs/netdata/access.log');
    expect(paths).toContain('data/acme/compliance/outputs/persona/run-1/log.json');
    expect(paths).toContain('logs/jupyterlab/lab/jupyter.log');
    expect(paths).not.toContain('other/not-a-log.txt');
    expect(existsSync(path.join(work, 'case-plan', 'pulls'))).toBe(false); // a dry run writes nothing
  });

  it('pulls names with spaces; sets aside (and names) a file whose name is not UTF-8 or not a plain local name, a symlinked log and a symlink loop, and goes on', async () => {
    const root = path.join(lab.root, 'odd-root');
    const doodle = path.join(root, 'logs/doodle');
    mkdirSync(path.join(doodle, 'sub dir'), { recursive: true, mode: 0o755 });
    writeFileSync(path.join(doodle, 'sub dir', "it's here.log"), 'spaced\n', { mode: 0o644 });
    // latin-1 "café.log": SFTP hands the name over as UTF-8 with U+FFFD, which opens nothing.
    writeFileSync(Buffer.concat([Buffer.from(`${doodle}/caf`), Buffer.from([0xe9]), Buffer.from('.log')]), 'latin1\n', { mode: 0o644 });
    // A backslash is a separator where the case may be opened (Windows): such a name was dropped from the plan unsaid.
    writeFileSync(path.join(doodle, 'back\\slash.log'), 'backslash\n', { mode: 0o644 });
    symlinkSync(doodle, path.join(doodle, 'loop'));
    symlinkSync('sub dir/it\'s here.log', path.join(doodle, 'current.log')); // a live log that is a link to the real file
    const out = await runPull({ caseDir: path.join(work, 'case-odd'), profile: profileOf(), chain: chainOpts(), root, sources: ['doodle'] });
    expect(out.files.map((f) => f.path)).toEqual(["logs/doodle/sub dir/it's here.log"]);
    expect(readFileSync(path.join(out.bundle!.dir, "logs/doodle/sub dir/it's here.log"), 'utf8')).toBe('spaced\n');
    // Set aside, and said: the operator sees what was found and not fetched.
    expect(out.plan.skipped.map((f) => [f.path, f.reason])).toEqual([['logs/doodle/back\\slash.log', 'name-unsafe'], ['logs/doodle/caf\uFFFD.log', 'name-not-utf8'], ['logs/doodle/current.log', 'symlink'], ['logs/doodle/loop', 'symlink']]);
  });

  it('pulls logs whose names are as long as the server allows (255 bytes), a large one too (its resume sidecar)', async () => {
    // The part file and its sidecar (and the sidecar's temp file) were named after the log plus a suffix: past 255
    // bytes, every such name failed the whole pull with ENAMETOOLONG, and so did every resume.
    const root = path.join(lab.root, 'long-root');
    const doodle = path.join(root, 'logs/doodle');
    mkdirSync(doodle, { recursive: true, mode: 0o755 });
    const longest = `${'l'.repeat(251)}.log`;
    const large = `${'m'.repeat(226)}.log`;
    writeFileSync(path.join(doodle, longest), 'longest name\n', { mode: 0o644 });
    writeFileSync(path.join(doodle, large), randomBytes(17 << 20), { mode: 0o644 });
    const out = await runPull({ caseDir: path.join(work, 'case-long'), profile: profileOf(), chain: chainOpts(), root, sources: ['doodle'] });
    expect(out.files.map((f) => f.path).sort()).toEqual([`logs/doodle/${longest}`, `logs/doodle/${large}`]);
    for (const f of out.files) expect(sha256(path.join(out.bundle!.dir, f.path))).toBe(sha256(path.join(root, f.path)));
  });

  it('lists a folder of 10,000 logs over a slow link: the timeout is for each answer of the server, not the whole folder', async () => {
    // SFTP lists a folder about 100 names per round trip. One timeout (30 s by default) for the whole folder failed the
    // plan of a folder of 100,000 logs ('list … timed out') on any link slower than 0.3 ms a round trip.
    const root = path.join(lab.root, 'flat-root');
    const flat = path.join(root, 'logs/doodle/flat');
    mkdirSync(flat, { recursive: true, mode: 0o755 });
    for (let i = 0; i < 10_000; i++) writeFileSync(path.join(flat, `f${i}.log`), '');
    const relay = await lab.relay(20);
    try {
      const out = await runPull({ caseDir: path.join(work, 'case-flat'), profile: profileOf({}, lab.hops({}, { host: '127.0.0.1', port: relay.port })), chain: chainOpts(), root, sources: ['doodle'], dryRun: true, opTimeoutMs: 2000 });
      expect(out.plan.files).toHaveLength(10_000);
    } finally { await relay.close(); }
  });

  it('skips files that cannot hold records in the window, rotations included', async () => {
    const now = Date.now();
    const out = await runPull({ caseDir: path.join(work, 'case-window'), profile: profileOf(), chain: chainOpts(), dryRun: true, window: { since: now - 2 * DAY, until: now - 0.5 * DAY }, sources: ['system'] });
    // .2 ended 3 days ago; the live file's records begin after .1 was last written (1 day ago), inside the window.
    expect(out.plan.files.map((f) => f.path).sort()).toEqual(['logs/app/app.json.log', 'logs/app/app.json.log.1']);
    expect(out.plan.skipped.find((f) => f.path === 'logs/app/app.json.log.2')?.reason).toBe('before-window');
    const late = await runPull({ caseDir: path.join(work, 'case-window'), profile: profileOf(), chain: chainOpts(), dryRun: true, window: { since: now - 5 * DAY, until: now - 4 * DAY }, sources: ['system'] });
    expect(late.plan.files.map((f) => f.path)).toEqual(['logs/app/app.json.log.2']);
    expect(late.plan.skipped.find((f) => f.path === 'logs/app/app.json.log.1')?.reason).toBe('after-window');
  });

  it('refuses a plan over the cap, or trims it to the newest files when asked', async () => {
    const caseDir = path.join(work, 'case-cap');
    const refused = await runPull({ caseDir, profile: profileOf({ capBytes: 30_000 }), chain: chainOpts(), sources: ['system'] });
    expect(refused.plan.refused).toBe(true);
    expect(refused.bundle).toBeUndefined();
    expect(existsSync(path.join(caseDir, 'bundles'))).toBe(false);
    const trimmed = await runPull({ caseDir, profile: profileOf({ capBytes: 50_000 }), chain: chainOpts(), sources: ['system'], overCap: 'trim' });
    expect(trimmed.plan.bytes).toBeLessThanOrEqual(50_000);
    expect(trimmed.files.map((f) => f.path)).toEqual(['logs/app/app.json.log']);
    expect(trimmed.plan.skipped.filter((f) => f.reason === 'over-cap').map((f) => f.path).sort()).toEqual(['logs/app/app.json.log.1', 'logs/app/app.json.log.2']);
  });
});

describe('pulling', () => {
  it('pulls into an immutable bundle with a manifest of remote paths, sizes, mtimes, hashes and host keys', async () => {
    const caseDir = path.join(work, 'case-full');
    const out = await runPull({ caseDir, profile: profileOf(), chain: chainOpts() });
    const b = out.bundle!;
    expect(b.dir).toBe(path.join(caseDir, 'bundles', b.id));
    const m = JSON.parse(readFileSync(manifestPath(path.join(caseDir, 'bundles'), b.id), 'utf8')) as PulledManifest;
    expect(m.origin.kind).toBe('sftp');
    expect(m.origin.hosts.map((h) => h.fingerprint)).toEqual([lab.bastion.fingerprint, lab.target.fingerprint]);
    expect(m.files.length).toBe(out.plan.files.length);
    for (const f of m.files) {
      const remote = path.join(lab.root, f.path);
      expect(f.remote.path).toBe(remote);
      expect(f.sha256).toBe(sha256(remote));
      expect(sha256(path.join(b.dir, f.path))).toBe(f.sha256);
      expect(f.remote.size).toBe(statSync(remote).size);
      expect(Date.parse(f.remote.mtime)).toBe(Math.floor(statSync(remote).mtimeMs / 1000) * 1000);
      expect(statSync(path.join(b.dir, f.path)).mode & 0o777).toBe(0o400);
    }
    // Moved in, not copied: nothing of the files stays in the pull folder.
    expect(allFiles(path.join(caseDir, 'pulls', out.pullId))).toEqual([path.join(caseDir, 'pulls', out.pullId, 'pull.json')]);
    expect((await readPullState(caseDir, out.pullId)).status).toBe('complete');

    // Pulling again fetches nothing; a grown file is fetched again, flagged grown, and nothing else.
    const again = await runPull({ caseDir, profile: profileOf(), chain: chainOpts() });
    expect(again.plan.files).toEqual([]);
    const live = path.join(lab.root, 'logs/app/app.json.log');
    appendFileSync(live, systemLines(Date.now(), 10, 'grown'));
    const grown = await runPull({ caseDir, profile: profileOf(), chain: chainOpts() });
    expect(grown.plan.files.map((f) => [f.path, f.grown])).toEqual([['logs/app/app.json.log', true]]);
    expect(grown.files[0]!.sha256).toBe(sha256(live));
  });

  it('records finished files in a log it appends to: many small files do not rewrite the state for each batch', async () => {
    // The state (plan + every finished file) was rewritten whole, fsync'd, every 100 files: 100,000 files in a listing
    // wrote a 26 MB pull.json a thousand times and the pull slowed to a crawl. Bytes this process writes are counted
    // (/proc/self/io): with an append-only record they grow with the files, not with their square.
    const root = path.join(lab.root, 'many-root');
    const n = 5000;
    for (let d = 0; d < n / 500; d++) {
      const dir = path.join(root, 'logs/doodle', `d${d}`);
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      for (let i = 0; i < 500; i++) writeFileSync(path.join(dir, `f${i}.log`), `line ${d} ${i}\n`, { mode: 0o644 });
    }
    const written = () => Number(/^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
    const caseDir = path.join(work, 'case-many');
    const before = written();
    const out = await runPull({ caseDir, profile: profileOf(), chain: chainOpts(), root, sources: ['doodle'] });
    const bytes = written() - before;
    expect(out.files).toHaveLength(n);
    const state = await readPullState(caseDir, out.pullId);
    expect(state.done).toHaveLength(n);
    const stateBytes = statSync(path.join(caseDir, 'pulls', out.pullId, 'pull.json')).size;
    expect(bytes, `${bytes} bytes written for a state of ${stateBytes}`).toBeLessThan(10 * stateBytes);
    expect((await listPulls(caseDir)).find((p) => p.id === out.pullId)?.done).toHaveLength(n);
    // A pull killed while running: pull.json still lists none, the appended record the files it finished (what a
    // resume skips); a line cut short by the kill is not one of them.
    const dir = path.join(caseDir, 'pulls', out.pullId);
    writeFileSync(path.join(dir, 'pull.json'), JSON.stringify({ ...state, status: 'running', bundle: undefined, done: [] }));
    const line = (i: number) => JSON.stringify(state.done[i]);
    writeFileSync(path.join(dir, 'done.jsonl'), `${line(0)}\n${line(1)}\n${line(1)}\n${line(2).slice(0, 30)}`);
    expect((await readPullState(caseDir, out.pullId)).done.map((d) => d.path)).toEqual([state.done[0]!.path, state.done[1]!.path]);
  });

  it('never pulls more than the plan agreed to when a live log grows after planning (the cap holds); the rest comes next time', async () => {
    const root = path.join(lab.root, 'grow-root');
    mkdirSync(path.join(root, 'logs/celery'), { recursive: true, mode: 0o755 });
    const live = path.join(root, 'logs/celery/worker.log');
    const first = 'x'.repeat(999) + '\n';
    writeFileSync(live, first, { mode: 0o644 });
    const caseDir = path.join(work, 'case-grow');
    const out = await runPull({
      caseDir, profile: profileOf({ capBytes: 2000 }), chain: chainOpts(), root, sources: ['celery'],
      confirm: () => { appendFileSync(live, 'y'.repeat(99_999) + '\n'); return true; }, // the log grows between plan and fetch
    });
    expect(out.plan.bytes).toBe(1000);
    expect(out.files.map((f) => [f.path, f.size])).toEqual([['logs/celery/worker.log', 1000]]);
    expect(readFileSync(path.join(out.bundle!.dir, 'logs/celery/worker.log'), 'utf8')).toBe(first);
    // The next pull plans the file as grown and continues from the bytes already held.
    const next = await runPull({ caseDir, profile: profileOf(), chain: chainOpts(), root, sources: ['celery'] });
    expect(next.plan.files.map((f) => [f.path, f.size, f.grown])).toEqual([['logs/celery/worker.log', 101_000, true]]);
    expect(next.files[0]!.continues).toMatchObject({ path: 'logs/celery/worker.log', bytes: 1000 });
  });

  it('pulls a live log that is truncated while it is read (logrotate copytruncate) as it is now, instead of failing', async () => {
    // 'worker.log shrank on the server while it was read' failed the whole pull: the operator had to resume it, while a
    // file that shrank before its read is simply pulled as it is now.
    const root = path.join(lab.root, 'truncate-root');
    const celery = path.join(root, 'logs/celery');
    mkdirSync(celery, { recursive: true, mode: 0o755 });
    const live = path.join(celery, 'worker.log');
    writeFileSync(live, randomBytes(4 << 20), { mode: 0o644 });
    const relay = await lab.relay(0, { bytesPerSecond: 2_000_000 });
    let truncated = false;
    try {
      const out = await runPull({
        caseDir: path.join(work, 'case-truncate'), profile: profileOf({}, lab.hops({}, { host: '127.0.0.1', port: relay.port })), chain: chainOpts(), root, sources: ['celery'], inFlight: 2,
        onProgress: (p) => { if (!truncated && p.bytesDone > 0) { truncated = true; truncateSync(live, 1000); } },
      });
      expect(truncated).toBe(true);
      expect(out.files.map((f) => [f.path, f.size, f.sha256])).toEqual([['logs/celery/worker.log', 1000, sha256(live)]]);
      expect(sha256(path.join(out.bundle!.dir, 'logs/celery/worker.log'))).toBe(sha256(live));
    } finally { await relay.close(); }
  });

  it('resumes a file after the connection is killed mid-transfer (sha256 equal)', async () => {
    const big = path.join(lab.root, 'logs/celery/big.log');
    writeFileSync(big, randomBytes(48 << 20), { mode: 0o644 });
    const relay = await lab.relay(2);
    const local = path.join(work, 'resume', 'big.log');
    const via = lab.hops({}, { host: '127.0.0.1', port: relay.port });
    const chain = await connectChain({ ...chainOpts(), hops: hops(via) });
    const sftp = await chain.sftp();
    let seen = 0;
    const first = pullFile({ sftp, remotePath: big, localPath: local, dropped: chain.dropped, opTimeoutMs: 5000, onBytes: (n) => { seen += n; if (seen > 16 << 20 && seen - n <= 16 << 20) relay.kill(); } });
    await expect(first).rejects.toThrow();
    chain.close();
    const partial = statSync(partPath(local)).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(48 << 20);
    expect(JSON.parse(readFileSync(sidecarPath(local), 'utf8'))).toMatchObject({ size: 48 << 20 });

    const chain2 = await connectChain({ ...chainOpts(), hops: hops(lab.hops()) });
    try {
      const r = await pullFile({ sftp: await chain2.sftp(), remotePath: big, localPath: local, dropped: chain2.dropped });
      expect(r.resumedFrom).toBeGreaterThan(0);
      expect(r.restarted).toBe(false);
      expect(r.sha256).toBe(sha256(big));
      expect(sha256(local)).toBe(sha256(big));
      expect(existsSync(partPath(local)) || existsSync(sidecarPath(local))).toBe(false);
    } finally { chain2.close(); }
  });

  it('resumes a live log that was written to after the interruption (its mtime moved) from where it stopped', async () => {
    // A live log's mtime moves with every line: the resume started such a file over from byte 0 each time, so a large
    // live log over a link that drops now and then might never finish. The kept bytes are checked against the server's.
    const live = path.join(lab.root, 'logs/celery/live-resume.log');
    const first = randomBytes(24 << 20);
    writeFileSync(live, first, { mode: 0o644 });
    const relay = await lab.relay(2);
    const local = path.join(work, 'live-resume', 'live.log');
    const chain = await connectChain({ ...chainOpts(), hops: hops(lab.hops({}, { host: '127.0.0.1', port: relay.port })) });
    let seen = 0;
    const planned = first.length;
    await expect(pullFile({ sftp: await chain.sftp(), remotePath: live, localPath: local, maxBytes: planned, dropped: chain.dropped, opTimeoutMs: 5000,
      onBytes: (n) => { seen += n; if (seen > 8 << 20 && seen - n <= 8 << 20) relay.kill(); } })).rejects.toThrow();
    chain.close();
    appendFileSync(live, 'more lines\n');
    utimesSync(live, new Date(), new Date(Date.now() + 5000));
    const chain2 = await connectChain({ ...chainOpts(), hops: hops(lab.hops()) });
    try {
      const r = await pullFile({ sftp: await chain2.sftp(), remotePath: live, localPath: local, maxBytes: planned, dropped: chain2.dropped });
      expect(r.restarted).toBe(false);
      expect(r.resumedFrom).toBeGreaterThan(0);
      expect(r.sha256).toBe(createHash('sha256').update(first).digest('hex'));
      expect(sha256(local)).toBe(r.sha256);
    } finally { chain2.close(); }
    // Bytes that are no longer the server's are not kept: a file rewritten in place starts over.
    const local2 = path.join(work, 'live-resume', 'rewritten.log');
    mkdirSync(path.dirname(local2), { recursive: true });
    writeFileSync(partPath(local2), first.subarray(0, 1 << 20));
    writeFileSync(sidecarPath(local2), JSON.stringify({ remotePath: live, size: planned, mtime: 1, synced: 1 << 20 }));
    writeFileSync(live, Buffer.concat([randomBytes(1 << 20), first.subarray(1 << 20)]));
    const chain3 = await connectChain({ ...chainOpts(), hops: hops(lab.hops()) });
    try {
      const r = await pullFile({ sftp: await chain3.sftp(), remotePath: live, localPath: local2, maxBytes: planned, dropped: chain3.dropped });
      expect(r).toMatchObject({ resumedFrom: 0, restarted: true, sha256: sha256(live) });
    } finally { chain3.close(); }
  });

  it('notices a link that goes silent (no reset, no data) instead of hanging', async () => {
    const relay = await lab.relay(0);
    const chain = await connectChain({ ...chainOpts({ keepaliveIntervalMs: 500, keepaliveCountMax: 2 }), hops: hops(lab.hops({}, { host: '127.0.0.1', port: relay.port })) });
    const sftp = await chain.sftp();
    const started = Date.now();
    const big = path.join(lab.root, 'logs/celery/silent.log');
    writeFileSync(big, randomBytes(16 << 20), { mode: 0o644 });
    let frozen = false;
    const p = pullFile({ sftp, remotePath: big, localPath: path.join(work, 'silent', 'silent.log'), dropped: chain.dropped, opTimeoutMs: 4000,
      onBytes: () => { if (!frozen) { frozen = true; relay.freeze(); } } });
    // Said as what it is (a stall), not as a dropped connection.
    await expect(p).rejects.toThrow(/stopped answering \(nothing for 1 s\): the server or the link stalled/);
    expect(Date.now() - started).toBeLessThan(15_000);
    chain.close();
  });

  it('starts a partial file over when it changed on the server', async () => {
    const f = path.join(lab.root, 'logs/celery/changing.log');
    writeFileSync(f, randomBytes(1 << 20), { mode: 0o644 });
    const local = path.join(work, 'changing', 'changing.log');
    mkdirSync(path.dirname(local), { recursive: true });
    // Its mtime moved and the bytes kept are not its beginning any more (a prefix that still is, is resumed: below).
    writeFileSync(partPath(local), randomBytes(1000));
    writeFileSync(sidecarPath(local), JSON.stringify({ remotePath: f, size: 1 << 20, mtime: 1, synced: 1000 }));
    const chain = await connectChain({ ...chainOpts(), hops: hops(lab.hops()) });
    try {
      const r = await pullFile({ sftp: await chain.sftp(), remotePath: f, localPath: local, dropped: chain.dropped });
      expect(r).toMatchObject({ resumedFrom: 0, restarted: true, sha256: sha256(f) });
    } finally { chain.close(); }
  });

  it('resumes a pull after its process was killed, from the state on disk', async () => {
    const caseDir = path.join(work, 'case-restart');
    const dir = path.join(lab.root, 'llm-agents/logs/bulk');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(path.join(dir, i ? `app.json.log.${i}` : 'app.json.log'), randomBytes(24 << 20), { mode: 0o644 });
    const relay = await lab.relay(3);
    const profile = profileOf({}, lab.hops({}, { host: '127.0.0.1', port: relay.port }));
    // node itself (not the tsx wrapper), so SIGKILL hits the process doing the pull.
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('electron/testkit/pullChild.ts'), JSON.stringify({ caseDir, profile, agentSocket: lab.agentSocket, sources: ['taskblade'] })], { stdio: ['ignore', 'pipe', 'inherit'] });
    let pullId = '';
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (b: Buffer) => {
        buf += b.toString();
        for (const line of buf.split('\n').slice(0, -1)) {
          const p = JSON.parse(line) as { pullId?: string; bytesDone?: number; bytesTotal?: number };
          if (p.pullId && p.bytesDone! > p.bytesTotal! * 0.3) { pullId = p.pullId; child.kill('SIGKILL'); resolve(); }
        }
        buf = buf.slice(buf.lastIndexOf('\n') + 1);
      });
      child.on('exit', () => resolve());
      setTimeout(() => reject(new Error('child pull made no progress')), 60_000);
    });
    expect(pullId).not.toBe('');
    await new Promise((r) => child.exitCode !== null || child.signalCode ? r(null) : child.once('exit', r));
    const listed = await listPulls(caseDir);
    expect(listed.map((p) => [p.id, p.status])).toEqual([[pullId, 'running']]);

    let resumedAt = -1;
    const out = await runPull({ caseDir, profile: profileOf(), chain: chainOpts(), resume: pullId, onProgress: (p) => { if (resumedAt < 0) resumedAt = p.bytesDone; } });
    expect(resumedAt).toBeGreaterThan(0); // what the killed process had written was kept
    expect(out.files.map((f) => f.path)).toContain('llm-agents/logs/bulk/app.json.log.2');
    expect(out.bundle).toBeDefined();
    for (const f of out.files) expect(f.sha256).toBe(sha256(path.join(lab.root, f.path)));
    expect((await readPullState(caseDir, pullId)).status).toBe('complete');
  });

  it('records the server-side sha256 when exec is allowed', async () => {
    const rootLab = await startLab({ targetUser: 'root' });
    try {
      writeRemoteTree(rootLab.root);
      const profile = SiteProfile.parse({ name: 'exec', ...rootLab.hops(), logRoot: rootLab.root, capBytes: 1 << 30, allowExec: true });
      const out = await runPull({ caseDir: path.join(work, 'case-exec'), profile, chain: { trust: { knownHosts: [] }, agentSocket: rootLab.agentSocket }, sources: ['system'] });
      const m = out.bundle!.manifest;
      expect(JSON.parse(readFileSync(manifestPath(path.dirname(out.bundle!.dir), out.bundle!.id), 'utf8'))).toEqual(m);
      expect(m.files.length).toBe(3);
      for (const f of m.files) expect(f.remote.sha256).toBe(f.sha256);
    } finally { await rootLab.stop(); }
  });

  it('leaves the passphrase in no file of the case or the data home', async () => {
    const caseDir = path.join(work, 'case-secret');
    const home = path.join(work, 'home');
    mkdirSync(home, { recursive: true });
    const before = process.env.CASEFILE_HOME;
    process.env.CASEFILE_HOME = home;
    try {
      const h = lab.hops({ target: { kind: 'key', path: lab.keys.passKey } });
      await runPull({ caseDir, profile: profileOf({}, h), chain: chainOpts({ passphrase: () => lab.keys.passphrase }), sources: ['system', 'pipeline'] });
      await runPull({ caseDir, profile: profileOf({}, h), chain: chainOpts({ passphrase: () => 'wrong one' }) }).catch(() => undefined);
    } finally {
      if (before === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = before;
    }
    const files = [...allFiles(caseDir), ...allFiles(home)];
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      chmodSync(f, 0o600);
      const bytes = readFileSync(f);
      expect(bytes.includes(lab.keys.passphrase), f).toBe(false);
      expect(bytes.includes('wrong one'), f).toBe(false);
    }
  });
});
