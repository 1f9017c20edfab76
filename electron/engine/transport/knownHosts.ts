// OpenSSH known_hosts: parse (plain, hashed `|1|salt|hmac`, `[host]:port`, wildcards and negations, `@revoked`,
// `@cert-authority`), look a host's presented key up, and append a hashed entry. No npm package does this; the
// format is small and the tests check it against `ssh-keygen -F` / `ssh-keygen -H` on real files.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface KnownHostEntry {
  marker: 'revoked' | 'cert-authority' | null;
  /** Plain patterns (comma list, may hold `*`, `?`, `!neg`) or one hashed name. */
  hosts: { kind: 'patterns'; patterns: string[] } | { kind: 'hashed'; salt: Buffer; hmac: Buffer };
  keyType: string;
  key: Buffer;
  line: number;
}

export type LookupStatus = 'known' | 'unknown' | 'changed' | 'revoked';
export interface LookupResult {
  status: LookupStatus;
  /** Key types on record for this host (plain entries only — for ordering the host-key algorithms). */
  knownTypes: string[];
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export const hostName = (host: string, port: number): string => (port === 22 ? host : `[${host}]:${port}`);

/** `SHA256:` + unpadded base64 of sha256(key blob), as `ssh-keygen -l` prints it. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type written inside an SSH public key blob (a uint32-length-prefixed string). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return '';
  const n = key.readUInt32BE(0);
  return n > 0 && n <= 64 && key.length >= 4 + n ? key.subarray(4, 4 + n).toString('latin1') : '';
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0]!.startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return; // unknown marker: OpenSSH skips the line, so do we
    }
    const [hostField, keyType, keyB64] = fields;
    if (!hostField || !keyType || !keyB64) return;
    const key = Buffer.from(keyB64, 'base64');
    if (!key.length || keyTypeOf(key) !== keyType) return; // malformed or lying about its type: not trusted
    let hosts: KnownHostEntry['hosts'];
    if (hostField.startsWith('|1|')) {
      const [, , salt, hmac] = hostField.split('|');
      if (!salt || !hmac) return;
      hosts = { kind: 'hashed', salt: Buffer.from(salt, 'base64'), hmac: Buffer.from(hmac, 'base64') };
      if (hosts.salt.length !== 20 || hosts.hmac.length !== 20) return;
    } else {
      hosts = { kind: 'patterns', patterns: hostField.split(',').filter(Boolean) };
    }
    out.push({ marker, hosts, keyType, key, line: i + 1 });
  });
  return out;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** OpenSSH's match_hostname: any positive pattern matches and no negated one does. */
function patternsMatch(patterns: string[], name: string): boolean {
  let hit = false;
  for (const p of patterns) {
    const neg = p.startsWith('!');
    if (globToRegExp(neg ? p.slice(1) : p).test(name)) {
      if (neg) return false;
      hit = true;
    }
  }
  return hit;
}

export function entryMatchesHost(e: KnownHostEntry, host: string, port: number): boolean {
  const name = hostName(host, port);
  if (e.hosts.kind === 'patterns') return patternsMatch(e.hosts.patterns, name);
  const mac = createHmac('sha1', e.hosts.salt).update(name).digest();
  return timingSafeEqual(mac, e.hosts.hmac);
}

/**
 * What the entries say about `key` presented by host:port. A revoked key is refused wherever it is listed. Certificate
 * authorities are not used (ssh2 cannot check host certificates), so they neither vouch for nor contradict a key.
 * Any other key on record for the host that differs from the presented one makes it `changed`.
 */
export function lookup(entries: KnownHostEntry[], host: string, port: number, key: Buffer): LookupResult {
  let known = false;
  let other = false;
  const types = new Set<string>();
  for (const e of entries) {
    if (e.marker === 'revoked') {
      if (e.key.equals(key)) return { status: 'revoked', knownTypes: [] };
      continue;
    }
    if (e.marker === 'cert-authority' || !entryMatchesHost(e, host, port)) continue;
    types.add(e.keyType);
    if (e.key.equals(key)) known = true;
    else other = true;
  }
  const knownTypes = [...types];
  if (known) return { status: 'known', knownTypes };
  return { status: other ? 'changed' : 'unknown', knownTypes };
}

/** One hashed known_hosts line (what `ssh-keygen -H` writes), so the file does not list the sites visited. */
export function formatHashedEntry(host: string, port: number, key: Buffer): string {
  const salt = randomBytes(20);
  const mac = createHmac('sha1', salt).update(hostName(host, port)).digest();
  return `|1|${salt.toString('base64')}|${mac.toString('base64')} ${keyTypeOf(key)} ${key.toString('base64')}`;
}
