// An SSH connection through zero or more jump hosts (like `ssh -J`): each hop is an ssh2 Client whose socket is a
// `forwardOut` channel of the previous one. Host keys are checked on every hop before authentication; secrets
// (key passphrases) are passed in per call and never kept. Errors are typed so the CLI and UI can answer each case.
import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import ssh2, { type Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import type { Duplex } from 'node:stream';
import type { Hop } from '../../../shared/profile';
import { fingerprint, keyTypeOf, lookup, parseKnownHosts, type KnownHostEntry } from './knownHosts';
import { EngineError } from '../util/errors';
import { readSmallFile, readSmallText } from '../util/smallFile';

// ssh2 is CommonJS: its named exports are not visible to ESM.
const { Client: SshClient, utils } = ssh2;

export type SshErrorCode =
  | 'host-key-unknown' | 'host-key-changed' | 'host-key-revoked'
  | 'passphrase-needed' | 'wrong-passphrase' | 'key-unreadable' | 'agent-missing'
  | 'auth-failed' | 'forward-refused' | 'timeout' | 'connect-failed' | 'dropped';

/** The key a host presented, public by nature: what an operator is shown and may accept. */
export interface PresentedKey { host: string; port: number; keyType: string; fingerprint: string; key: string }

export class SshError extends Error {
  constructor(
    readonly code: SshErrorCode,
    message: string,
    readonly hop: { index: number; host: string; port: number },
    readonly presented?: PresentedKey,
  ) { super(message); this.name = 'SshError'; }
}

/** Where trust comes from: known_hosts files (read only) and fingerprints pinned in the profile. */
export interface HostTrust { knownHosts: KnownHostEntry[] }

/** known_hosts of many thousand hosts is a few MiB; a private key a few KiB. */
export const MAX_KNOWN_HOSTS_BYTES = 64 * 1024 * 1024;
const MAX_KEY_BYTES = 1024 * 1024;

export async function loadKnownHosts(files: string[]): Promise<KnownHostEntry[]> {
  const out: KnownHostEntry[] = [];
  for (const f of files) {
    const text = await readSmallText(f, MAX_KNOWN_HOSTS_BYTES, 'a known_hosts file').catch((e: unknown) => {
      if (e instanceof EngineError && e.code === 'not_found' && !existsSync(f)) return '';
      throw e;
    });
    out.push(...parseKnownHosts(text));
  }
  return out;
}

export interface ChainOptions {
  hops: Hop[];
  trust: HostTrust;
  /** ssh-agent socket for hops with `agent` auth (default SSH_AUTH_SOCK). */
  agentSocket?: string;
  /** Passphrase for a hop's key file, asked by the caller; used for this connect only. */
  passphrase?: (hopIndex: number, keyPath: string) => string | Buffer | undefined;
  /** Handshake + auth per hop. */
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Operator cancel: ends a connect in progress (a host that accepts and then says nothing would hold it for the
   * whole handshake timeout) and the calls of the connected chain. Rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface HopInfo { host: string; port: number; user: string; keyType: string; fingerprint: string }

export interface SshChain {
  /** The last client (the target). */
  target: Client;
  hops: HopInfo[];
  /** Aborted when any hop closes or errors: pending operations must give up. */
  dropped: AbortSignal;
  sftp(timeoutMs?: number): Promise<SFTPWrapper>;
  /** Runs a command on the target; rejects if exec is refused or exits non-zero. */
  exec(command: string, timeoutMs?: number): Promise<string>;
  close(): void;
}

const ALL_HOST_KEY_ALGOS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] as const;
type HostKeyAlgo = (typeof ALL_HOST_KEY_ALGOS)[number];
const ALGOS_FOR_TYPE: Record<string, HostKeyAlgo[]> = { 'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] };

/** Known key types first: ssh2 offers ed25519 first, and a host known only by its RSA key would look unknown. */
export function orderHostKeyAlgorithms(knownTypes: string[]): HostKeyAlgo[] {
  const first = knownTypes.flatMap((t) => ALGOS_FOR_TYPE[t] ?? (ALL_HOST_KEY_ALGOS.includes(t as HostKeyAlgo) ? [t as HostKeyAlgo] : []));
  return [...new Set([...first, ...ALL_HOST_KEY_ALGOS])];
}

export type HostKeyVerdict = { status: 'known' | 'unknown' | 'changed' | 'revoked'; knownTypes: string[] };

/** The decision for one hop: pinned fingerprints in the profile, then the known_hosts entries. */
export function judgeHostKey(hop: Hop, trust: HostTrust, key: Buffer): HostKeyVerdict {
  const fromFiles = lookup(trust.knownHosts, hop.host, hop.port, key);
  if (fromFiles.status === 'revoked') return fromFiles;
  if (hop.hostKeys.length) {
    // A pin is the profile's word on this host: a key that matches none of them is a changed key, not a new one.
    return { status: hop.hostKeys.includes(fingerprint(key)) ? 'known' : 'changed', knownTypes: fromFiles.knownTypes };
  }
  return fromFiles;
}

async function authConfig(hop: Hop, i: number, opts: ChainOptions): Promise<Partial<ConnectConfig>> {
  const where = { index: i, host: hop.host, port: hop.port };
  if (hop.auth.kind === 'agent') {
    const agent = opts.agentSocket ?? process.env.SSH_AUTH_SOCK;
    if (!agent) throw new SshError('agent-missing', `No ssh-agent for ${hop.user}@${hop.host}: SSH_AUTH_SOCK is not set.`, where);
    return { agent };
  }
  const keyPath = hop.auth.path;
  const data = await readSmallFile(keyPath, MAX_KEY_BYTES, 'an SSH private key').catch((e: Error) => {
    throw new SshError('key-unreadable', `Cannot use key file ${keyPath}: ${e.message}`, where);
  });
  const passphrase = opts.passphrase?.(i, keyPath);
  // Parse first: ssh2's connect() throws on a wrong passphrase instead of emitting an error.
  const parsed = utils.parseKey(data, passphrase);
  if (parsed instanceof Error) {
    const msg = parsed.message;
    if (/no passphrase given|encrypted/i.test(msg) && passphrase === undefined) {
      throw new SshError('passphrase-needed', `The key ${keyPath} is protected by a passphrase.`, where);
    }
    if (/passphrase|decrypt|bad decrypt/i.test(msg)) throw new SshError('wrong-passphrase', `Wrong passphrase for ${keyPath}.`, where);
    throw new SshError('key-unreadable', `${keyPath} is not a private key ssh2 can use (${msg}).`, where);
  }
  return { privateKey: data, ...(passphrase !== undefined ? { passphrase } : {}) };
}

function connectHop(hop: Hop, i: number, opts: ChainOptions, sock: Duplex | undefined, auth: Partial<ConnectConfig>): Promise<{ client: Client; info: HopInfo }> {
  const where = { index: i, host: hop.host, port: hop.port };
  const knownTypes = judgeHostKey(hop, opts.trust, Buffer.alloc(0)).knownTypes;
  return new Promise((resolve, reject) => {
    const client = new SshClient();
    let presented: PresentedKey | undefined;
    let refusal: SshError | undefined;
    let settled = false;
    const onCancel = () => fail(opts.signal!.reason as Error);
    const fail = (e: Error) => { if (settled) return; settled = true; opts.signal?.removeEventListener('abort', onCancel); client.end(); client.destroy(); reject(e); };
    if (opts.signal?.aborted) return reject(opts.signal.reason as Error);
    opts.signal?.addEventListener('abort', onCancel, { once: true });
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onCancel);
      resolve({ client, info: { host: hop.host, port: hop.port, user: hop.user, keyType: presented!.keyType, fingerprint: presented!.fingerprint } });
    });
    client.on('error', (e: Error & { level?: string }) => {
      if (refusal) return fail(refusal);
      const target = `${hop.user}@${hop.host}:${hop.port}`;
      if (e.level === 'client-timeout') return fail(new SshError('timeout', `Timed out connecting to ${target} (hop ${i + 1}).`, where));
      if (e.level === 'client-authentication') return fail(new SshError('auth-failed', `${target} refused the key (hop ${i + 1}): authentication failed.`, where));
      return fail(new SshError('connect-failed', `Cannot connect to ${target} (hop ${i + 1}): ${e.message}.`, where));
    });
    client.on('close', () => fail(refusal ?? new SshError('connect-failed', `${hop.host}:${hop.port} closed the connection during the handshake (hop ${i + 1}).`, where)));
    const config: ConnectConfig = {
      host: hop.host,
      port: hop.port,
      username: hop.user,
      ...(sock ? { sock } : {}),
      ...auth,
      readyTimeout: opts.readyTimeoutMs ?? 20_000,
      keepaliveInterval: opts.keepaliveIntervalMs ?? 5_000,
      keepaliveCountMax: opts.keepaliveCountMax ?? 3,
      algorithms: { serverHostKey: orderHostKeyAlgorithms(knownTypes) },
      // Callback form: ssh2 rejects only on an explicit false (a returned Promise would let any key through).
      hostVerifier: (key: Buffer, cb: (ok: boolean) => void) => {
        presented = { host: hop.host, port: hop.port, keyType: keyTypeOf(key), fingerprint: fingerprint(key), key: key.toString('base64') };
        const verdict = judgeHostKey(hop, opts.trust, key);
        if (verdict.status === 'known') return cb(true);
        const fp = presented.fingerprint;
        refusal = verdict.status === 'unknown'
          ? new SshError('host-key-unknown', `The ${presented.keyType} host key of ${hop.host}:${hop.port} is not known: ${fp}. Check it with the site before accepting it.`, where, presented)
          : verdict.status === 'revoked'
            ? new SshError('host-key-revoked', `The host key of ${hop.host}:${hop.port} (${fp}) is marked @revoked. Refused.`, where, presented)
            : new SshError('host-key-changed', `HOST KEY CHANGED for ${hop.host}:${hop.port}: it now presents ${fp}, which differs from the key on record. Refused: this can be an attack; resolve it with the site, then fix the profile or known_hosts by hand.`, where, presented);
        cb(false);
      },
    };
    try {
      client.connect(config);
    } catch (e) {
      fail(new SshError('connect-failed', `Cannot connect to ${hop.host}:${hop.port}: ${(e as Error).message}.`, where));
    }
  });
}

function forward(client: Client, hop: Hop, i: number, next: Hop, signal?: AbortSignal): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    client.forwardOut('127.0.0.1', 0, next.host, next.port, (err, stream) => {
      if (err) {
        reject(new SshError('forward-refused', `The jump host ${hop.host}:${hop.port} refused to forward to ${next.host}:${next.port} (${err.message}). Its sshd must allow TCP forwarding to that address (AllowTcpForwarding, PermitOpen).`, { index: i, host: hop.host, port: hop.port }));
      } else resolve(stream);
    });
  });
}

/** Connects hop by hop. On any failure every client opened so far is closed. */
export async function connectChain(opts: ChainOptions): Promise<SshChain> {
  if (!opts.hops.length) throw new Error('A chain needs at least one host.');
  const clients: Client[] = [];
  const infos: HopInfo[] = [];
  const drop = new AbortController();
  setMaxListeners(0, drop.signal); // every SFTP operation in flight listens for a drop
  const closeAll = () => { for (const c of [...clients].reverse()) c.end(); };
  try {
    let sock: Duplex | undefined;
    for (let i = 0; i < opts.hops.length; i++) {
      const hop = opts.hops[i]!;
      const auth = await authConfig(hop, i, opts);
      const { client, info } = await connectHop(hop, i, opts, sock, auth);
      clients.push(client);
      infos.push(info);
      // A server or link that stalls (a stopped sshd, a black hole) is not a drop: no keepalive came back.
      const onGone = (e?: Error & { level?: string }) => {
        if (drop.signal.aborted) return;
        const silentFor = ((opts.keepaliveIntervalMs ?? 5_000) * (opts.keepaliveCountMax ?? 3)) / 1000;
        drop.abort(new SshError('dropped', e?.level === 'client-timeout'
          ? `${hop.host}:${hop.port} stopped answering (nothing for ${silentFor} s): the server or the link stalled.`
          : `The connection to ${hop.host}:${hop.port} dropped.`, { index: i, host: hop.host, port: hop.port }));
      };
      client.on('close', () => onGone());
      client.on('error', onGone);
      if (i + 1 < opts.hops.length) sock = await forward(client, hop, i, opts.hops[i + 1]!, opts.signal);
    }
  } catch (e) {
    closeAll();
    throw e;
  }
  const target = clients[clients.length - 1]!;
  const last = opts.hops[opts.hops.length - 1]!;
  const where = { index: opts.hops.length - 1, host: last.host, port: last.port };
  const withTimeout = <T>(what: string, ms: number, run: (done: (e: Error | undefined, v?: T) => void) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (drop.signal.aborted) return reject(drop.signal.reason as Error);
      const onDrop = () => finish(drop.signal.reason as Error);
      const timer = setTimeout(() => finish(new SshError('timeout', `${what} on ${last.host} timed out after ${ms} ms.`, where)), ms);
      drop.signal.addEventListener('abort', onDrop, { once: true });
      let over = false;
      function finish(e: Error | undefined, v?: T) {
        if (over) return;
        over = true;
        clearTimeout(timer);
        drop.signal.removeEventListener('abort', onDrop);
        if (e) reject(e); else resolve(v as T);
      }
      run(finish);
    });
  return {
    target,
    hops: infos,
    dropped: drop.signal,
    sftp: (ms = 20_000) => withTimeout<SFTPWrapper>('Opening SFTP', ms, (done) => target.sftp((e, s) => done(e, s))),
    exec: (command, ms = 60_000) => withTimeout<string>(`Running ${command.split(' ')[0]}`, ms, (done) => {
      target.exec(command, (e, stream) => {
        if (e) return done(e);
        const out: Buffer[] = [];
        let size = 0;
        stream.on('data', (b: Buffer) => { size += b.length; if (size <= 1 << 20) out.push(b); });
        stream.stderr.resume();
        stream.on('close', (code: number | null) => {
          if (code === 0) done(undefined, Buffer.concat(out).toString('utf8'));
          else done(new Error(`${command.split(' ')[0]} exited with ${code ?? 'a signal'}`));
        });
      });
    }),
    close: () => { if (!drop.signal.aborted) drop.abort(new SshError('dropped', 'Closed.', where)); closeAll(); },
  };
}
