// A real two-hop OpenSSH lab for tests and benchmarks: a bastion sshd that may only forward to the target, a target
// sshd serving SFTP, throwaway host and user keys, an ssh-agent, optionally a network namespace in which the target is
// unreachable except through the bastion, and a TCP relay in front of the bastion that can delay or cut the link.
// Everything it starts is stopped by stop(), and also when the process exits.
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { tempDir, removeDir } from './tmp';
import type { Hop } from '../../shared/profile';

export interface LabOptions {
  /** Target reachable only through the bastion (both sshd inside a network namespace). */
  strict?: boolean;
  /** The bastion refuses TCP forwarding. */
  forbidForwarding?: boolean;
  /** Account on the target; `nobody` (SFTP only, cannot bypass permissions) unless exec is needed (`root`). */
  targetUser?: 'nobody' | 'root';
}

export interface Relay { port: number; delayMs: number; kill(): void; /** Swallow all traffic without closing (a black hole). */ freeze(): void; close(): Promise<void>; bytes(): number }

export interface SshLab {
  dir: string;
  /** Where the bastion is dialled from outside (the socat bridge in strict mode). */
  bastion: { host: string; port: number; fingerprint: string };
  target: { host: string; port: number; fingerprint: string; rsaFingerprint: string };
  user: { bastion: string; target: string };
  agentSocket: string;
  /** Unencrypted key loaded in the agent; passphrase-protected key (OpenSSH format) and its passphrase. */
  keys: { agentKey: string; passKey: string; passphrase: string };
  /** A known_hosts file listing both hosts (ed25519) as dialled. */
  knownHosts: string;
  /** known_hosts text lines for a host key of the lab at a given name. */
  knownHostsLine(which: 'bastion' | 'target' | 'target-rsa', host: string, port: number): string;
  /** The directory the target serves as the remote log root. */
  root: string;
  hops(auth?: { bastion?: Hop['auth']; target?: Hop['auth'] }, via?: { host: string; port: number }): { jumps: Hop[]; target: Hop };
  /** `bytesPerSecond` caps each direction (a slow site link: a transfer that stays running for a while). */
  relay(delayMs?: number, opts?: { bytesPerSecond?: number }): Promise<Relay>;
  /** A direct TCP connect to the target from here: resolves true if it was accepted. */
  canReachTargetDirectly(): Promise<boolean>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
const namespaces = new Set<string>();
process.on('exit', () => {
  for (const c of running) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
  for (const ns of namespaces) spawnSync('ip', ['netns', 'del', ns]);
});

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

function keygen(file: string, type: 'ed25519' | 'rsa', passphrase = ''): void {
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', passphrase, '-C', 'casefile-lab', '-f', file]);
}

const pubBlob = (file: string) => readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
const fpOf = (file: string) => execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], { encoding: 'utf8' }).split(/\s+/)[1]!;

function start(cmd: string, args: string[], env?: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: env ?? process.env });
  child.stderr!.resume();
  running.add(child);
  child.on('exit', () => running.delete(child));
  return child;
}

async function waitFor(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`SSH lab: ${what} did not come up within ${ms} ms`);
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.setTimeout(1000);
    s.once('data', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
    s.once('timeout', () => { s.destroy(); resolve(false); });
  });
}

export async function startLab(opts: LabOptions = {}): Promise<SshLab> {
  const dir = tempDir('casefile-sshlab-');
  chmodSync(dir, 0o755); // sshd reads authorized_keys as the (unprivileged) user
  const children: ChildProcess[] = [];
  let ns: string | undefined;
  const relays: Relay[] = [];
  const stop = async () => {
    for (const r of relays) await r.close();
    for (const c of children) { c.kill('SIGTERM'); running.delete(c); }
    if (ns) { spawnSync('ip', ['netns', 'del', ns]); namespaces.delete(ns); }
    removeDir(dir);
  };
  try {
    mkdirSync('/run/sshd', { recursive: true });
    const k = (n: string) => path.join(dir, n);
    keygen(k('bastion_host'), 'ed25519');
    keygen(k('target_host'), 'ed25519');
    keygen(k('target_host_rsa'), 'rsa');
    keygen(k('agent_key'), 'ed25519');
    const passphrase = `lab-${randomBytes(9).toString('base64url')}`;
    keygen(k('pass_key'), 'ed25519', passphrase);
    // Explicit modes: sshd reads these as the unprivileged user, and an Engine in this process set the umask to 077.
    writeFileSync(k('authorized_keys'), `${pubBlob(k('agent_key'))}\n${pubBlob(k('pass_key'))}\n`);
    chmodSync(k('authorized_keys'), 0o644);
    const root = k('root');
    mkdirSync(root);
    chmodSync(root, 0o755);

    const [p1, p2] = opts.strict ? [2201, 2202] : [await freePort('127.0.0.1'), await freePort('127.0.0.2')];
    const common = (name: string, listen: string, hostKeys: string[]) => [
      `ListenAddress ${listen}`, ...hostKeys.map((h) => `HostKey ${k(h)}`), `PidFile ${k(`${name}.pid`)}`,
      `AuthorizedKeysFile ${k('authorized_keys')}`, 'StrictModes no', 'UsePAM no', 'PasswordAuthentication no',
      'KbdInteractiveAuthentication no', 'PubkeyAuthentication yes', 'PermitRootLogin prohibit-password', 'LogLevel VERBOSE',
      'MaxStartups 50', 'MaxSessions 50', 'ClientAliveInterval 0',
    ];
    writeFileSync(k('bastion.conf'), [
      ...common('bastion', `127.0.0.1:${p1}`, ['bastion_host']),
      `AllowTcpForwarding ${opts.forbidForwarding ? 'no' : 'local'}`, `PermitOpen 127.0.0.2:${p2}`,
      'ForceCommand /bin/false', 'X11Forwarding no', 'PermitTTY no', '',
    ].join('\n'));
    writeFileSync(k('target.conf'), [
      ...common('target', `127.0.0.2:${p2}`, ['target_host', 'target_host_rsa']),
      'AllowTcpForwarding no', 'Subsystem sftp internal-sftp', '',
    ].join('\n'));

    let bastionPort = p1;
    if (opts.strict) {
      ns = `cflab-${randomBytes(4).toString('hex')}`;
      execFileSync('ip', ['netns', 'add', ns]);
      namespaces.add(ns);
      execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    }
    const inNs = (cmd: string, args: string[]) => (ns ? start('ip', ['netns', 'exec', ns, cmd, ...args]) : start(cmd, args));
    children.push(inNs('/usr/sbin/sshd', ['-D', '-f', k('bastion.conf'), '-E', k('bastion.log')]));
    children.push(inNs('/usr/sbin/sshd', ['-D', '-f', k('target.conf'), '-E', k('target.log')]));
    await waitFor('sshd', () => existsSync(k('bastion.pid')) && existsSync(k('target.pid')));
    if (ns) {
      // Only the bastion is bridged out: UNIX socket inside the namespace ↔ TCP on the host's loopback.
      const sock = k('bastion.sock');
      children.push(inNs('socat', [`UNIX-LISTEN:${sock},fork,mode=600`, `TCP:127.0.0.1:${p1}`]));
      await waitFor('bridge socket', () => existsSync(sock));
      bastionPort = await freePort();
      children.push(start('socat', [`TCP-LISTEN:${bastionPort},bind=127.0.0.1,fork,reuseaddr`, `UNIX-CONNECT:${sock}`]));
    }
    await waitFor('bastion banner', () => connects('127.0.0.1', bastionPort));

    const agentSocket = k('agent.sock');
    children.push(start('ssh-agent', ['-D', '-a', agentSocket]));
    await waitFor('ssh-agent', () => existsSync(agentSocket));
    execFileSync('ssh-add', ['-q', k('agent_key')], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket }, stdio: 'ignore' });

    const keyFor = { bastion: 'bastion_host', target: 'target_host', 'target-rsa': 'target_host_rsa' } as const;
    const knownHostsLine = (which: keyof typeof keyFor, host: string, port: number) =>
      `${port === 22 ? host : `[${host}]:${port}`} ${pubBlob(k(keyFor[which]))}`;
    writeFileSync(k('known_hosts'), `${knownHostsLine('bastion', '127.0.0.1', bastionPort)}\n${knownHostsLine('target', '127.0.0.2', p2)}\n`);
    const targetUser = opts.targetUser ?? 'nobody';
    const lab: SshLab = {
      dir,
      bastion: { host: '127.0.0.1', port: bastionPort, fingerprint: fpOf(k('bastion_host')) },
      target: { host: '127.0.0.2', port: p2, fingerprint: fpOf(k('target_host')), rsaFingerprint: fpOf(k('target_host_rsa')) },
      user: { bastion: 'nobody', target: targetUser },
      agentSocket,
      keys: { agentKey: k('agent_key'), passKey: k('pass_key'), passphrase },
      knownHosts: k('known_hosts'),
      knownHostsLine,
      root,
      hops: (auth = {}, via) => ({
        jumps: [{ host: via?.host ?? '127.0.0.1', port: via?.port ?? bastionPort, user: 'nobody', hostKeys: [lab.bastion.fingerprint], auth: auth.bastion ?? { kind: 'agent' } }],
        target: { host: '127.0.0.2', port: p2, user: targetUser, hostKeys: [lab.target.fingerprint], auth: auth.target ?? { kind: 'agent' } },
      }),
      relay: async (delayMs = 0, o = {}) => { const r = await startRelay(bastionPort, delayMs, o); relays.push(r); return r; },
      canReachTargetDirectly: () => connects('127.0.0.2', p2),
      stop,
    };
    return lab;
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * A TCP relay to the bastion that can hold every chunk back by delayMs (one way each direction), cap each direction's
 * rate, and be cut at once.
 */
export async function startRelay(toPort: number, delayMs = 0, opts: { bytesPerSecond?: number } = {}): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  let moved = 0;
  let frozen = false;
  const pipe = (from: net.Socket, to: net.Socket) => {
    let nextFree = 0;
    from.on('data', (b: Buffer) => {
      if (frozen) return;
      moved += b.length;
      if (opts.bytesPerSecond) {
        // One chunk at a time, each leaving when the cap allows it (order kept: reading waits meanwhile).
        const now = Date.now();
        const at = Math.max(now, nextFree);
        nextFree = at + (b.length * 1000) / opts.bytesPerSecond;
        from.pause();
        setTimeout(() => { if (!to.destroyed) to.write(b); from.resume(); }, at - now + delayMs);
        return;
      }
      if (!delayMs) { to.write(b); return; }
      // Keep order: each chunk leaves delayMs after it arrived; pause reading while too much is queued.
      if (to.writableLength > 8 << 20) from.pause();
      setTimeout(() => { if (!to.destroyed) to.write(b, () => from.resume()); }, delayMs);
    });
    from.on('end', () => setTimeout(() => to.end(), delayMs));
    from.on('error', () => to.destroy());
    from.on('close', () => to.destroy());
  };
  const server = net.createServer((client) => {
    const up = net.connect({ host: '127.0.0.1', port: toPort });
    sockets.add(client); sockets.add(up);
    client.on('close', () => sockets.delete(client));
    up.on('close', () => sockets.delete(up));
    pipe(client, up);
    pipe(up, client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const kill = () => { for (const s of sockets) s.destroy(); };
  return {
    port, delayMs, kill,
    freeze: () => { frozen = true; },
    bytes: () => moved,
    close: () => new Promise<void>((r) => { kill(); server.close(() => r()); }),
  };
}
