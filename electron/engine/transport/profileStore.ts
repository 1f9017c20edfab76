// Site profiles on disk: one owner-only JSON file per profile in the data home, written atomically. Profiles hold no
// secret (the schema has no place for one), but they do say where a customer's servers are: owner-only all the same.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PROFILE_NAME, SiteProfile } from '../../../shared/profile';
import type { ProfileList } from '../../../shared/contract/profiles';
import { appFiles } from '../case/paths';
import { mkdirPrivate, writeJsonAtomic } from '../util/atomic';
import { readSmallFileIfAny } from '../util/smallFile';

export const profilesDir = () => path.join(appFiles().home, 'profiles');
const fileOf = (name: string) => {
  if (!PROFILE_NAME.test(name)) throw new ProfileError(`"${name}" is not a profile name (letters, digits, dot, dash, underscore).`);
  return path.join(profilesDir(), `${name}.json`);
};

export class ProfileError extends Error {}

/** Every `<name>.json` of the profiles folder: the ones that read as profiles, and the others with the reason. */
export async function listProfiles(): Promise<ProfileList> {
  const out: ProfileList = { profiles: [], unreadable: [] };
  for (const f of (await fs.readdir(profilesDir()).catch(() => [] as string[])).sort()) {
    if (!f.endsWith('.json') || f.startsWith('.')) continue;
    const name = f.slice(0, -5);
    try { out.profiles.push(await getProfile(name)); } catch (e) {
      out.unreadable.push({ name, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

/** Far above any profile (a few hops and fingerprints): a larger file is not one this app wrote. */
const MAX_PROFILE_BYTES = 1 << 20;

export async function getProfile(name: string): Promise<SiteProfile> {
  const file = fileOf(name);
  // Bounded and a regular file only: a pipe there hung every listing of profiles, /dev/zero was read on. A link is
  // followed (the data home is the operator's own folder, where links are theirs).
  const bytes = await readSmallFileIfAny(file, MAX_PROFILE_BYTES, 'a site profile').catch((e: Error) => {
    throw new ProfileError(`Cannot read profile "${name}": ${e.message}`);
  });
  if (!bytes) throw new ProfileError(`No profile named "${name}".`);
  let json: unknown;
  try { json = JSON.parse(bytes.toString('utf8')); } catch {
    throw new ProfileError(`Profile "${name}" (${file}) is not valid: not JSON (cut short or garbled). Save it again, or remove the file.`);
  }
  const parsed = SiteProfile.safeParse(json);
  if (!parsed.success) throw new ProfileError(`Profile "${name}" is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
  return parsed.data;
}

export async function saveProfile(profile: unknown, opts: { replace?: boolean } = {}): Promise<SiteProfile> {
  const p = SiteProfile.parse(profile);
  const file = fileOf(p.name);
  await mkdirPrivate(profilesDir());
  if (!opts.replace && await fs.stat(file).then(() => true, () => false)) throw new ProfileError(`A profile named "${p.name}" exists already.`);
  await writeJsonAtomic(file, p);
  return p;
}

export async function removeProfile(name: string): Promise<boolean> {
  return fs.rm(fileOf(name)).then(() => true, () => false);
}
