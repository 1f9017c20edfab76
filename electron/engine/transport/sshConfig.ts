// Imports a host from an OpenSSH client config into a site profile: HostName, Port, User, ProxyJump (each jump is
// resolved through the same config), IdentityFile, IdentitiesOnly, UserKnownHostsFile. Nothing is executed:
// `Match exec` is never run (it is treated as not matching) and name canonicalisation (which spawns nslookup) is off.
import os from 'node:os';
import path from 'node:path';
import SSHConfig from 'ssh-config';
import { SiteProfile, type HopInput, type SiteProfileInput } from '../../../shared/profile';

export interface ImportOptions {
  /** Remote log root (not part of an ssh config). */
  logRoot: string;
  capBytes: number;
  timezone?: string;
  home?: string;
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

function expandPath(p: string, ctx: { home: string; host: string; user: string; port: number; alias: string }): string {
  const out = p
    .replace(/^~(?=\/|$)/, ctx.home)
    .replace(/%([%dhpruLlnCi])/g, (_m, c: string) => ({ '%': '%', d: ctx.home, h: ctx.host, p: String(ctx.port), r: ctx.user, u: os.userInfo().username, n: ctx.alias } as Record<string, string>)[c] ?? `%${c}`);
  return path.resolve(ctx.home, out);
}

/** The hosts a config names (literal Host patterns, no wildcards), for a picker. */
export function configHosts(text: string): string[] {
  const out: string[] = [];
  for (const line of SSHConfig.parse(text)) {
    if (line.type !== SSHConfig.DIRECTIVE || !/^host$/i.test(line.param)) continue;
    const vals = Array.isArray(line.value) ? line.value.map((v) => v.val) : [line.value];
    for (const v of vals) if (!/[*?!]/.test(v)) out.push(v);
  }
  return out;
}

/** Parses the config and disables what could run or resolve things while computing. */
function parseSafe(text: string): SSHConfig {
  const cfg = SSHConfig.parse(text);
  const strip = (c: SSHConfig) => {
    for (let i = c.length - 1; i >= 0; i--) {
      const l = c[i]!;
      if (l.type === SSHConfig.DIRECTIVE && /^(CanonicalizeHostName|Include)$/i.test(l.param)) c.splice(i, 1);
      else if ('config' in l) strip(l.config);
    }
  };
  strip(cfg);
  return cfg;
}

function hopFor(cfg: SSHConfig, spec: string, home: string): { hop: HopInput; proxyJump?: string } {
  // A ProxyJump entry may be `[user@]host[:port]` (or an alias defined in the config).
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec.trim());
  if (!m) throw new Error(`Cannot read the host "${spec}".`);
  const alias = m[2]!.replace(/^\[|\]$/g, '');
  const c = cfg.compute(alias, { matchExec: false, ignoreCase: true }) as Record<string, string | string[]>;
  const host = one(c.hostname) ?? alias;
  const port = Number(m[3] ?? one(c.port) ?? 22);
  const user = m[1] ?? one(c.user) ?? os.userInfo().username;
  const ctx = { home, host, user, port, alias };
  const identity = one(c.identityfile);
  const identitiesOnly = /^yes$/i.test(one(c.identitiesonly) ?? '');
  const known = one(c.userknownhostsfile)?.split(/\s+/)[0];
  const hop: HopInput = {
    host, port, user,
    // With IdentitiesOnly the named key is the one to use; otherwise the agent, as ssh would try it first.
    auth: identity && (identitiesOnly || !process.env.SSH_AUTH_SOCK) ? { kind: 'key', path: expandPath(identity, ctx) } : { kind: 'agent' },
    ...(known && known !== '/dev/null' ? { knownHostsFile: expandPath(known, ctx) } : {}),
  };
  const jump = one(c.proxyjump);
  return { hop, ...(jump && !/^none$/i.test(jump) ? { proxyJump: jump } : {}) };
}

export function importSshConfigHost(text: string, alias: string, opts: ImportOptions): SiteProfile {
  const home = opts.home ?? os.homedir();
  const cfg = parseSafe(text);
  // ssh itself dials a name no Host block matches as it is; read from a config, such a name is a typo to say so.
  const computed = (name: string) => JSON.stringify(cfg.compute(name, { matchExec: false, ignoreCase: true }));
  if (!/^[^@]*@|:\d+$/.test(alias) && computed(alias) === computed('casefile-no-such-host.invalid')) {
    const hosts = configHosts(text);
    throw new Error(`No Host block of this config matches "${alias}"${hosts.length ? `; its hosts: ${hosts.slice(0, 20).join(', ')}${hosts.length > 20 ? ', …' : ''}` : ''}.`);
  }
  const { hop: target, proxyJump } = hopFor(cfg, alias, home);
  const jumps: HopInput[] = [];
  // ProxyJump a,b: dial a, then b, then the target. A jump host's own ProxyJump comes before it.
  const addJumps = (spec: string, depth: number) => {
    if (depth > 4) throw new Error('ProxyJump chain longer than 4 hops.');
    for (const part of spec.split(',')) {
      const j = hopFor(cfg, part, home);
      if (j.proxyJump) addJumps(j.proxyJump, depth + 1);
      jumps.push(j.hop);
    }
  };
  if (proxyJump) addJumps(proxyJump, 0);
  const input: SiteProfileInput = {
    name: alias.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[^A-Za-z0-9]/, 'h'),
    jumps, target,
    logRoot: opts.logRoot,
    timezone: opts.timezone ?? 'UTC',
    capBytes: opts.capBytes,
  };
  return SiteProfile.parse(input);
}
