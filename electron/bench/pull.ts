// npm run bench:pull -- [--large 256MB] [--small 2000] [--small-size 20KB] [--delay 20] [--runs 3]
// Two-hop OpenSSH lab on loopback (bastion → target). In one run, on the same files: Casefile's pull (discovery,
// parallel resumable reads, hashing, hand-off into a bundle) against OpenSSH `sftp -J` fetching the same trees;
// then again with a relay adding `--delay` ms each way in front of the bastion. Prints MiB/s and the ratio; each
// timing is the best of `--runs` alternating runs (the machine is shared; the best run is the least disturbed).
// Writes .bench/pull.json. See docs/BENCHMARKS.md.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SiteProfile } from '../../shared/profile';
import { runPull } from '../engine/transport/pull';
import type { SourceId } from '../engine/transport/discover';
import { formatSize, parseSize } from '../../shared/size';
import { startLab, type SshLab } from '../testkit/sshLab';
import { removeDir, tempDir } from '../testkit/tmp';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TARGET_RATIO = 0.8;

function args() {
  const a = process.argv.slice(2);
  const val = (k: string) => { const i = a.indexOf(k); return i >= 0 ? a[i + 1] : undefined; };
  return { large: parseSize(val('--large') ?? '256MB'), small: Number(val('--small') ?? 2000), smallSize: parseSize(val('--small-size') ?? '20KB'), delay: Number(val('--delay') ?? 20), runs: Number(val('--runs') ?? 3) };
}

function makeFiles(lab: SshLab, o: ReturnType<typeof args>) {
  const big = path.join(lab.root, 'logs/celery/big.log');
  fs.mkdirSync(path.dirname(big), { recursive: true, mode: 0o755 });
  const fd = fs.openSync(big, 'w', 0o644);
  for (let left = o.large; left > 0; left -= 8 << 20) fs.writeSync(fd, randomBytes(Math.min(left, 8 << 20)));
  fs.closeSync(fd);
  const dir = path.join(lab.root, 'logs/workflows');
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (let i = 0; i < o.small; i++) fs.writeFileSync(path.join(dir, `wf-${String(i).padStart(5, '0')}.log`), randomBytes(o.smallSize), { mode: 0o644 });
}

/** An ssh_config for OpenSSH's own client pointing at the lab's keys and known_hosts (BatchMode: never prompts). */
function sshConfig(lab: SshLab, bastionPort: number): string {
  const file = path.join(lab.dir, `ssh_config_${bastionPort}`);
  const kh = path.join(lab.dir, `known_hosts_${bastionPort}`);
  fs.writeFileSync(kh, `${lab.knownHostsLine('bastion', '127.0.0.1', bastionPort)}\n${lab.knownHostsLine('target', lab.target.host, lab.target.port)}\n`);
  fs.writeFileSync(file, [
    'Host *', `  UserKnownHostsFile ${kh}`, '  StrictHostKeyChecking yes', '  BatchMode yes', `  IdentityFile ${lab.keys.agentKey}`,
    '  IdentitiesOnly yes', '  IdentityAgent none', '  LogLevel ERROR',
    'Host labbastion', '  HostName 127.0.0.1', `  Port ${bastionPort}`, '  User nobody',
    'Host labtarget', `  HostName ${lab.target.host}`, `  Port ${lab.target.port}`, '  User nobody', '',
  ].join('\n'));
  return file;
}

/** Async: the delaying relay lives in this process, a blocking spawn would stall it. */
async function openssh(lab: SshLab, cfg: string, batch: string, into: string): Promise<number> {
  fs.rmSync(into, { recursive: true, force: true });
  fs.mkdirSync(into, { recursive: true });
  const b = path.join(lab.dir, 'sftp.batch');
  fs.writeFileSync(b, batch);
  const t = performance.now();
  const child = spawn('sftp', ['-q', '-F', cfg, '-J', 'labbastion', '-R', '64', '-b', b, 'labtarget'], { cwd: into, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const ms = performance.now() - t;
  if (code !== 0) throw new Error(`sftp failed: ${err}`);
  return ms;
}

async function casefile(lab: SshLab, bastionPort: number, sources: SourceId[]): Promise<number> {
  const caseDir = tempDir('casefile-bench-pull-');
  try {
    const h = lab.hops({}, { host: '127.0.0.1', port: bastionPort });
    const profile = SiteProfile.parse({ name: 'bench', ...h, logRoot: lab.root, capBytes: 2 ** 40 });
    const t = performance.now();
    const out = await runPull({ caseDir, profile, chain: { trust: { knownHosts: [] }, agentSocket: lab.agentSocket }, sources, parallelFiles: 8 });
    const ms = performance.now() - t;
    if (!out.bundle) throw new Error('no bundle');
    return ms;
  } finally { removeDir(caseDir); }
}

async function main() {
  const o = args();
  const lab = await startLab();
  const rows: { set: string; link: string; bytes: number; casefileMs: number; opensshMs: number; ratio: number }[] = [];
  try {
    makeFiles(lab, o);
    const out = path.join(lab.dir, 'openssh-out');
    const sets = [
      { set: `1 × ${formatSize(o.large)}`, bytes: o.large, sources: ['celery'] as SourceId[], batch: `get ${lab.root}/logs/celery/big.log\n` },
      { set: `${o.small} × ${formatSize(o.smallSize)}`, bytes: o.small * o.smallSize, sources: ['workflows'] as SourceId[], batch: `get -r ${lab.root}/logs/workflows\n` },
    ];
    const links: { link: string; port: () => Promise<number> }[] = [
      { link: 'loopback', port: async () => lab.bastion.port },
      { link: `+${o.delay} ms each way`, port: async () => (await lab.relay(o.delay)).port },
    ];
    for (const l of links) {
      const port = await l.port();
      const cfg = sshConfig(lab, port);
      for (const s of sets) {
        let opensshMs = Infinity;
        let casefileMs = Infinity;
        for (let i = 0; i < o.runs; i++) {
          opensshMs = Math.min(opensshMs, await openssh(lab, cfg, s.batch, out));
          casefileMs = Math.min(casefileMs, await casefile(lab, port, s.sources));
        }
        rows.push({ set: s.set, link: l.link, bytes: s.bytes, casefileMs, opensshMs, ratio: opensshMs / casefileMs });
        const mib = (ms: number) => (s.bytes / 2 ** 20 / (ms / 1000)).toFixed(1);
        console.log(`${s.set.padEnd(18)} ${l.link.padEnd(18)} casefile ${mib(casefileMs).padStart(7)} MiB/s  openssh sftp -J ${mib(opensshMs).padStart(7)} MiB/s  ratio ${(opensshMs / casefileMs).toFixed(2)} (target ≥ ${TARGET_RATIO})`);
      }
    }
  } finally {
    await lab.stop();
  }
  fs.mkdirSync(path.join(REPO, '.bench'), { recursive: true });
  fs.writeFileSync(path.join(REPO, '.bench', 'pull.json'), JSON.stringify({ when: new Date().toISOString(), args: o, rows }, null, 2));
  const worst = Math.min(...rows.map((r) => r.ratio));
  console.log(`worst ratio ${worst.toFixed(2)} — ${worst >= TARGET_RATIO ? 'meets' : 'below'} the ${TARGET_RATIO}× target`);
}

await main();
