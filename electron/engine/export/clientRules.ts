// The client's redaction rules for one call: the site profile's (`redaction` in the profile), then the case's
// (case.json `redaction`), then the call's own (the rules editor's unsaved edits replace whole keys, as before).
// Lists are merged (every pattern, domain, host, word list and secret key of either applies); harvestKinds is the
// last one given. The profile is the one named, else every profile the case's evidence was pulled with.
import { RedactionRules, type RedactionRulesInput } from '../../../shared/redaction';
import type { CaseHandle } from '../case/caseStore';
import { ClientDetector } from '../redact/client';
import { readManifest } from '../evidence/manifest';
import { getProfile } from '../transport/profileStore';
import { EngineError } from '../util/errors';
import { promises as fs } from 'node:fs';
import path from 'node:path';

const Partial = RedactionRules.partial();
type Rules = Partial<RedactionRules>;

const LISTS = ['patterns', 'domains', 'hosts', 'words', 'secretKeys'] as const;

export function mergeRules(...sets: Rules[]): Rules {
  const out: Rules = {};
  for (const s of sets) {
    for (const k of LISTS) {
      const v = s[k];
      if (!v) continue;
      const seen = new Set((out[k] as unknown[] | undefined ?? []).map((x) => JSON.stringify(x)));
      (out as Record<string, unknown[]>)[k] = [...(out[k] as unknown[] | undefined ?? []), ...(v as unknown[]).filter((x) => !seen.has(JSON.stringify(x)))];
    }
    if (s.harvestKinds) out.harvestKinds = s.harvestKinds;
  }
  return out;
}

/** Profiles named by the case's pulled bundles (sftp origins), in name order. */
export async function profilesOfCase(caseDir: string): Promise<string[]> {
  const bundles = path.join(caseDir, 'bundles');
  const names = new Set<string>();
  for (const e of await fs.readdir(bundles, { withFileTypes: true }).catch(() => [])) {
    if (!e.isDirectory()) continue;
    const text = (await readManifest(bundles, e.name).catch(() => null))?.text;
    const origin = text ? (JSON.parse(text) as { origin?: { kind?: string; profile?: unknown } }).origin : undefined;
    if (origin?.kind === 'sftp' && typeof origin.profile === 'string') names.add(origin.profile);
  }
  return [...names].sort();
}

/** Without a case (the rules tester on sample lines): the named profile's rules, then the call's. */
export async function profileRules(profile: string | undefined, rules: RedactionRulesInput | undefined): Promise<RedactionRulesInput> {
  if (!profile) return rules ?? {};
  return { ...mergeRules(await rulesOfProfile(profile, true) ?? {}), ...(rules ?? {}) };
}

async function rulesOfProfile(name: string, explicit: boolean): Promise<Rules | null> {
  const profile = await getProfile(name).catch((e: Error) => {
    if (explicit) throw new EngineError('invalid_input', e.message);
    return null; // a profile the evidence came with may have been removed since: its rules are gone with it
  });
  if (!profile?.redaction) return null;
  const parsed = Partial.safeParse(profile.redaction);
  if (!parsed.success) {
    throw new EngineError('invalid_input', `The redaction rules of profile "${name}" are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
  }
  return parsed.data;
}

export interface ClientRules {
  rules: RedactionRulesInput;
  /** Profiles whose rules were merged in. */
  profiles: string[];
}

export async function clientRulesFor(h: CaseHandle, opts: { profile?: string; rules?: RedactionRulesInput } = {}): Promise<ClientRules> {
  const named = opts.profile ? [opts.profile] : await profilesOfCase(h.dir);
  const sets: Rules[] = [];
  const used: string[] = [];
  for (const name of named) {
    const r = await rulesOfProfile(name, !!opts.profile);
    if (!r) continue;
    sets.push(r);
    used.push(name);
  }
  sets.push(Partial.parse(h.meta.redaction ?? {}));
  const rules = { ...mergeRules(...sets), ...(opts.rules ?? {}) };
  // compiled before the call uses them: a pattern RE2 refuses or that can match empty text is said before an export
  // writes anything (its folder, a client's pseudonym key), not by its workers
  new ClientDetector(RedactionRules.parse(rules));
  return { rules, profiles: used };
}
