// Sealed site profiles: a profile (JSON or YAML, the one schema in shared/profile.ts) encrypted with GnuPG. It stays
// sealed on disk — kept as-is in the data home — and is decrypted in memory whenever it is used.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PROFILE_NAME, SiteProfile, profileHops } from '../../../shared/profile';
import { mkdirPrivate, writeFileAtomic } from '../util/atomic';
import { CryptoError } from './errors';
import { readSmallFileIfAny } from '../util/smallFile';
import { bundleText, detectFormat, duplicateKeys, duplicateText, parseBundle, toValue } from './parse';
import { cryptoFiles } from './paths';
import type { OpenSecrets, CryptoService } from './service';
import type { OpenedBy, SignatureReport } from './pgp';

/** Far above any sealed profile (a few hops, armoured): a pipe or a device there is refused, never waited on. */
const MAX_SEALED_PROFILE_BYTES = 16 << 20;

export interface SealedProfileInfo { name: string; sha256: string; hosts: string[]; signatures: SignatureReport[] }

/** Decrypts and validates a sealed profile; the plaintext bytes are wiped once parsed. */
export async function decryptProfile(crypto: CryptoService, bytes: Uint8Array, fileName: string, secrets: OpenSecrets = {}): Promise<{ profile: SiteProfile; signatures: SignatureReport[]; openedBy: OpenedBy }> {
  const opened = await crypto.decrypt(bytes, secrets);
  let value: unknown;
  try {
    const text = bundleText(opened.data);
    const format = detectFormat(fileName, text);
    if (format !== 'json' && format !== 'yaml') throw new CryptoError('corrupt', `A sealed profile is JSON or YAML, not ${format.toUpperCase()}.`);
    const root = parseBundle(text, format);
    // A setting given twice is refused, not read as its last value: the profile decides where Casefile connects.
    const first = duplicateKeys(root, format).duplicates[0];
    if (first) throw new CryptoError('corrupt', `The sealed profile gives a setting more than once: ${duplicateText(first)}. Keep the one you mean and seal it again.`);
    value = toValue(root);
  } finally {
    opened.data.fill(0);
  }
  // toValue makes null-prototype objects; zod wants plain ones.
  const parsed = SiteProfile.safeParse(JSON.parse(JSON.stringify(value)));
  if (!parsed.success) {
    const why = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'profile'}: ${i.message}`).join('; ');
    throw new CryptoError('corrupt', `The sealed file is not a valid site profile (${why}).`);
  }
  return { profile: parsed.data, signatures: opened.signatures, openedBy: opened.openedBy };
}

/** Checks a sealed profile and keeps the sealed bytes (not the plaintext) under the profile's name. */
export async function importSealedProfile(crypto: CryptoService, bytes: Uint8Array, fileName: string, sha256: string, secrets: OpenSecrets = {}): Promise<SealedProfileInfo & { openedBy: OpenedBy }> {
  const { profile, signatures, openedBy } = await decryptProfile(crypto, bytes, fileName, secrets);
  await mkdirPrivate(sealedProfilesDir());
  await writeFileAtomic(sealedProfileFile(profile.name), bytes);
  return { name: profile.name, sha256, hosts: profileHops(profile).map((h) => h.host), signatures, openedBy };
}

/** A kept sealed profile, decrypted now (with the unlocked keys) for use. */
export async function loadSealedProfile(crypto: CryptoService, name: string, secrets: OpenSecrets = {}): Promise<SiteProfile> {
  const file = sealedProfileFile(name);
  const bytes = await readSmallFileIfAny(file, MAX_SEALED_PROFILE_BYTES, 'a sealed profile').catch((e: Error) => {
    throw new CryptoError('no_key', `Sealed profile "${name}": ${e.message}`);
  });
  if (!bytes) throw new CryptoError('no_key', `No sealed profile "${name}".`);
  return (await decryptProfile(crypto, bytes, `${name}.gpg`, secrets)).profile;
}

export async function listSealedProfiles(): Promise<string[]> {
  const names = await fs.readdir(sealedProfilesDir()).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.sealed')).map((n) => n.slice(0, -'.sealed'.length)).sort();
}

const sealedProfilesDir = () => path.join(path.dirname(cryptoFiles().dir), 'profiles', 'sealed');
function sealedProfileFile(name: string): string {
  if (!PROFILE_NAME.test(name)) throw new CryptoError('no_key', `Not a profile name: ${name.slice(0, 80)}`);
  return path.join(sealedProfilesDir(), `${name}.sealed`);
}
