// Host-key trust for a pull: Casefile's own known_hosts in the data home (the only one it writes), the user's
// ~/.ssh/known_hosts (read, never written) and any known_hosts file a profile names. Accepting an unknown key is an
// explicit act of the operator; a key that contradicts one on record is never accepted here.
import os from 'node:os';
import path from 'node:path';
import { profileHops, type SiteProfile } from '../../../shared/profile';
import { appFiles } from '../case/paths';
import { mkdirPrivate, writeFileAtomic } from '../util/atomic';
import { readSmallFileIfAny } from '../util/smallFile';
import { fingerprint, formatHashedEntry, keyTypeOf, lookup, parseKnownHosts } from './knownHosts';
import { loadKnownHosts, MAX_KNOWN_HOSTS_BYTES, type HostTrust, type PresentedKey } from './sshChain';

export const casefileKnownHosts = () => path.join(appFiles().home, 'known_hosts');
const userKnownHosts = () => path.join(os.homedir(), '.ssh', 'known_hosts');

export async function trustFor(profile: SiteProfile): Promise<HostTrust> {
  const files = [casefileKnownHosts(), userKnownHosts(), ...profileHops(profile).flatMap((h) => (h.knownHostsFile ? [h.knownHostsFile] : []))];
  return { knownHosts: await loadKnownHosts(files) };
}

export class HostKeyError extends Error {}

/** Records a presented key as trusted for host:port (hashed entry). Refuses a key that does not match its fingerprint
 * or one that would contradict a key already on record for the host. */
export async function acceptHostKey(k: Pick<PresentedKey, 'host' | 'port' | 'key' | 'fingerprint'>): Promise<{ added: boolean }> {
  const key = Buffer.from(k.key, 'base64');
  if (!keyTypeOf(key) || fingerprint(key) !== k.fingerprint) throw new HostKeyError('The key does not match the fingerprint shown: nothing recorded.');
  const file = casefileKnownHosts();
  // Missing is empty; a pipe or a device there is refused in words (it hung the accept), never waited on.
  const bytes = await readSmallFileIfAny(file, MAX_KNOWN_HOSTS_BYTES, 'a known_hosts file').catch((e: Error) => {
    throw new HostKeyError(`${e.message} Nothing recorded.`);
  });
  const text = bytes?.toString('utf8') ?? '';
  const all = [...parseKnownHosts(text), ...(await loadKnownHosts([userKnownHosts()]))];
  const verdict = lookup(all, k.host, k.port, key);
  if (verdict.status === 'known') return { added: false };
  if (verdict.status !== 'unknown') throw new HostKeyError(`${k.host}:${k.port} has another key on record (${verdict.status}): a changed key is not accepted here.`);
  await mkdirPrivate(path.dirname(file));
  await writeFileAtomic(file, `${text}${text && !text.endsWith('\n') ? '\n' : ''}${formatHashedEntry(k.host, k.port, key)}\n`);
  return { added: true };
}
