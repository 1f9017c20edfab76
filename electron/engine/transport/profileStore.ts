// Site profiles on disk: one owner-only JSON file per profile in the data home, written atomically. Profiles hold no
// secret (the schema has no place for one), but they do say where a customer's servers are: owner-only all the same.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PROFILE_NAME, SiteProfile } from '../../../shared/profile';
import { appFiles } from '../case/paths';
import { mkdirPrivate, writeJsonAtomic } from '../util/atomic';

export const profilesDir = () => path.join(appFiles().home, 'profiles');
const fileOf = (name: string) => {
  if (!PROFILE_NAME.test(name)) throw new ProfileError(`"${name}" is not a profile name (letters, digits, dot, dash, underscore).`);
  return path.join(profilesDir(), `${name}.json`);
};

export class ProfileError extends Error {}

export async function listProfiles(): Promise<SiteProfile[]> {
  const out: SiteProfile[] = [];
  for (const f of (await fs.readdir(profilesDir()).catch(() => [] as string[])).sort()) {
    if (!f.endsWith('.json') || f.startsWith('.')) continue;
    const p = await getProfile(f.slice(0, -5)).catch(() => null);
    if (p) out.push(p);
  }
  return out;
}

export async function getProfile(name: string): Promise<SiteProfile> {
  const text = await fs.readFile(fileOf(name), 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new ProfileError(e.code === 'ENOENT' ? `No profile named "${name}".` : `Cannot read profile "${name}": ${e.code ?? e.message}.`);
  });
  const parsed = SiteProfile.safeParse(JSON.parse(text));
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
