// Site profiles (how to reach a customer's server and what may be pulled from it) and host-key decisions. Profiles
// live owner-only in the data home and hold no secret; host keys the operator accepts go to Casefile's own
// known_hosts (the user's ~/.ssh is only read).
import { z } from 'zod';
import { SiteProfile, HostKeyFingerprint } from '../profile';
import { RedactionRules as ClientRules, rulesCounts } from '../redaction';
import { defineArea, defineCall } from './define';

const Name = z.object({ name: z.string().min(1).max(64) });

/** A file in the profiles folder that is not a profile this app can read (garbled, cut short, a pipe, too large):
 *  listed with the reason, so the operator sees it and can remove or replace it, rather than it silently missing. */
export const UnreadableProfile = z.object({ name: z.string(), error: z.string() });
export type UnreadableProfile = z.infer<typeof UnreadableProfile>;
export const ProfileList = z.object({ profiles: z.array(SiteProfile), unreadable: z.array(UnreadableProfile) });
export type ProfileList = z.infer<typeof ProfileList>;

export const profilesArea = defineArea({
  calls: {
    'profiles.list': defineCall({ input: z.object({}), output: ProfileList, access: 'read', audit: 'never' }),
    'profiles.get': defineCall({ input: Name, output: SiteProfile, access: 'read', audit: 'never' }),
    /** Saves a profile (a new name, or `replace` to overwrite). */
    // The profile's client redaction rules hold customers' and people's names: one HMAC, as a case's rules are
    // (redact.rules.save); their counts stay readable.
    'profiles.save': defineCall({
      input: z.object({ profile: SiteProfile, replace: z.boolean().optional() }), output: SiteProfile, access: 'write', audit: 'always',
      sensitive: ['profile.redaction'], auditCounts: (i) => rulesCounts(ClientRules.partial().safeParse(i.profile.redaction).data),
    }),
    'profiles.remove': defineCall({ input: Name, output: z.object({ removed: z.boolean() }), access: 'write', audit: 'always' }),
    /** Builds (and saves) a profile from a host of an OpenSSH client config; `Match exec` is never run. */
    'profiles.importSshConfig': defineCall({
      input: z.object({
        host: z.string().min(1).max(255),
        file: z.string().max(4096).optional(),
        logRoot: z.string().min(1).max(4096),
        capBytes: z.number().int().positive(),
        timezone: z.string().max(64).optional(),
        save: z.boolean().optional(),
      }),
      output: SiteProfile, access: 'write', audit: 'always',
    }),
    /** The operator accepts a host key shown by a pull (`host-key-unknown`): recorded in Casefile's known_hosts. */
    'hostkeys.accept': defineCall({
      input: z.object({
        host: z.string().min(1).max(255), port: z.number().int().min(1).max(65535),
        keyType: z.string().max(64), key: z.string().max(8192), fingerprint: HostKeyFingerprint,
      }),
      output: z.object({ added: z.boolean() }), access: 'write', audit: 'always',
    }),
  },
});
