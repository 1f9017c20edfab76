// A site profile: how to reach one customer's Enrich server (jump host(s) → target) and what may be pulled from it.
// The one schema for profiles written by hand, imported from ~/.ssh/config or read from a sealed file.
// It never holds a secret: a key file's passphrase is asked for at use and never stored.
import { z } from 'zod';

/** OpenSSH's SHA-256 host-key fingerprint, as `ssh-keygen -lf` prints it: `SHA256:` + unpadded base64 of 32 bytes. */
export const HostKeyFingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a fingerprint looks like SHA256:<43 base64 chars>');
export type HostKeyFingerprint = z.infer<typeof HostKeyFingerprint>;

// Neither a host nor a user name begins with '-': such a value is an option in disguise (`-oProxyCommand`) to any tool
// that would take it on a command line.
const notAnOption = (s: string) => !s.startsWith('-');
const HostName = z.string().min(1).max(255).regex(/^[A-Za-z0-9._:-]+$/, 'a host name or address, without spaces or brackets')
  .refine(notAnOption, "a host name does not begin with '-'");
const Path = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'no NUL in a path');

/** How to authenticate on one hop. `key` names a private key file; its passphrase, if any, is asked at use. */
export const HopAuth = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('agent') }).strict(),
  z.object({ kind: z.literal('key'), path: Path }).strict(),
]);
export type HopAuth = z.infer<typeof HopAuth>;

/** One SSH endpoint. Its host key is trusted if it matches `hostKeys`, the `knownHostsFile`, or Casefile's own known_hosts. */
export const Hop = z.object({
  host: HostName,
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'a user name').refine(notAnOption, "a user name does not begin with '-'"),
  hostKeys: z.array(HostKeyFingerprint).max(16).default([]),
  knownHostsFile: Path.optional(),
  auth: HopAuth,
}).strict();
export type Hop = z.infer<typeof Hop>;
export type HopInput = z.input<typeof Hop>;

/** Redaction rules applied to pulled evidence. Owned by the redaction feature; validated here only as a bounded object. */
export const RedactionRules = z.record(z.string().max(200), z.unknown())
  .refine((o) => JSON.stringify(o).length <= 256 * 1024, 'redaction rules larger than 256 KiB');

/** The client's public key for exports sealed to them. Owned by the PGP feature; here only its shape is checked. */
export const ExportKey = z.object({
  fingerprint: z.string().regex(/^[0-9A-Fa-f]{40}$|^[0-9A-Fa-f]{64}$/, 'a v4 (40 hex) or v6 (64 hex) key fingerprint'),
  armored: z.string().max(64 * 1024).startsWith('-----BEGIN PGP PUBLIC KEY BLOCK-----').optional(),
}).strict();

export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const SiteProfile = z.object({
  name: z.string().regex(PROFILE_NAME, 'letters, digits, dot, dash, underscore; up to 64'),
  /** Jump hosts in order (first is dialled directly); empty when the target is reachable directly. */
  jumps: z.array(Hop).max(4).default([]),
  target: Hop,
  /** Remote log root, e.g. /home/scribble/enrich. Absolute. */
  logRoot: Path.refine((p) => p.startsWith('/'), 'an absolute path on the server'),
  /** IANA zone of the site (naive stamps in its logs are local to it). */
  timezone: z.string().min(1).max(64).default('UTC'),
  /** Most bytes one pull may fetch (the agreed cap). */
  capBytes: z.number().int().positive().max(2 ** 50),
  /** May `sha256sum` be run on the target over `exec` to record a remote checksum? Off unless agreed. */
  allowExec: z.boolean().default(false),
  notes: z.string().max(4000).optional(),
  /** Owned by the redaction feature. */
  redaction: RedactionRules.optional(),
  /** Owned by the PGP feature. */
  exportKey: ExportKey.optional(),
}).strict();
export type SiteProfile = z.infer<typeof SiteProfile>;
export type SiteProfileInput = z.input<typeof SiteProfile>;

/** The hops of a profile in dial order, the target last. */
export const profileHops = (p: SiteProfile): Hop[] => [...p.jumps, p.target];
