// Sealed (PGP-encrypted) credential bundles and site profiles. `sealed.open` answers a masked tree — each field's
// path and kind, never a value or its length; one field at a time is revealed (or copied to the clipboard by the
// desktop app). Passwords and session keys are `secret`. These calls record their own audit entries: the sealed
// file's sha256 and the field paths, which are known only once the file is read — never a value.
import { z } from 'zod';
import { defineArea, defineCall } from './define';

/** Inline bytes (base64) within one call's input (MAX_CALL_INPUT_BYTES), with room for the rest of it; a bigger
 * file goes by path or as an upload (the engine takes bundles up to 4 MiB that way). */
export const INLINE_CONTENT_MAX_CHARS = 900_000;
const inlineKb = Math.round((INLINE_CONTENT_MAX_CHARS * 3) / 4 / 1000);

/** Where the sealed file is: a path on the engine's machine, or its bytes (base64, an upload in browser mode). */
const Source = z.object({
  file: z.string().min(1).max(4096).optional(),
  content: z.string().max(INLINE_CONTENT_MAX_CHARS, `too large to send in a call: at most ${INLINE_CONTENT_MAX_CHARS} characters of base64 (a file of about ${inlineKb} KB); give the file's path, or upload it`).optional(),
  name: z.string().max(255).optional(),
  caseId: z.string().min(1).max(128).optional(),
}).refine((s) => (s.file === undefined) !== (s.content === undefined), 'give either file or content');

/** For a file sealed with a password, or opened with a session key (`gpg --show-session-key`). */
const Secrets = { password: z.string().max(4096).optional(), sessionKey: z.string().max(300).optional() };

/** A key or array index; an entry of a key its object repeats is `{ key, n }` (n from 1, in file order): each entry
 * is its own field, so a reveal names exactly one value (shared/fieldPath.ts writes it `DB_PASSWORD#2`). */
/** The longest key a sealed file may name (a file with a longer one is refused when opened, in those words). */
export const MAX_FIELD_NAME_CHARS = 1000;
/** The largest entry number a path may give: as many digits as `casefile open --reveal` reads (KEY#9999999). */
export const MAX_ENTRY_NUMBER = 9_999_999;
export const FieldSegment = z.union([z.string().max(MAX_FIELD_NAME_CHARS), z.object({ key: z.string().max(MAX_FIELD_NAME_CHARS), n: z.number().int().min(1).max(MAX_ENTRY_NUMBER) })]);
export const FieldPath = z.array(FieldSegment).min(1).max(64);
export const FieldKind = z.enum(['object', 'array', 'string', 'number', 'boolean', 'null']);
export const Signature = z.object({ signer: z.string(), signerUserId: z.string().nullable(), status: z.enum(['valid', 'invalid', 'unknown_key']) });
/** A key the file gives more than once in one object (JSON, YAML, INI section or .env): key names and line numbers,
 * never a value. `lines` lists at most the first MAX_DUPLICATE_LINES; `message` is the sentence the operator reads. */
export const MAX_DUPLICATE_LINES = 10;
export const MAX_DUPLICATE_KEYS = 100;
export const DuplicateKey = z.object({ path: FieldPath, count: z.number().int(), lines: z.array(z.number().int()).max(MAX_DUPLICATE_LINES), message: z.string() });
export type DuplicateKey = z.infer<typeof DuplicateKey>;
export const OpenedBundle = z.object({
  sessionId: z.string(),
  name: z.string(),
  sha256: z.string(),
  format: z.enum(['json', 'yaml', 'ini', 'env']),
  fields: z.array(z.object({ path: FieldPath, kind: FieldKind })),
  /** The repeated keys, in file order (at most MAX_DUPLICATE_KEYS); `duplicateKeys` counts them all. */
  duplicates: z.array(DuplicateKey).max(MAX_DUPLICATE_KEYS),
  duplicateKeys: z.number().int(),
  recipients: z.array(z.string()),
  signatures: z.array(Signature),
  openedAt: z.string(),
});
export type OpenedBundle = z.infer<typeof OpenedBundle>;

const SessionRef = z.object({ sessionId: z.string().min(1).max(64), caseId: z.string().min(1).max(128).optional() });

export const sealedArea = defineArea({
  calls: {
    'sealed.open': defineCall({
      input: z.object({ source: Source, ...Secrets }),
      output: OpenedBundle, access: 'read', audit: 'handler', secret: ['password', 'sessionKey', 'source.content'],
    }),
    'sealed.list': defineCall({ input: z.object({}), output: z.array(OpenedBundle), access: 'read', audit: 'never' }),
    /** The one field's value. */
    'sealed.reveal': defineCall({
      input: SessionRef.extend({ path: FieldPath }),
      output: z.object({ path: FieldPath, kind: FieldKind, value: z.string() }),
      access: 'read', audit: 'handler',
    }),
    /** Desktop app only: the value goes engine → main → clipboard, cleared after the timeout if still there. */
    'sealed.copy': defineCall({
      input: SessionRef.extend({ path: FieldPath, clearAfterSeconds: z.number().int().min(5).max(600).optional() }),
      output: z.object({ path: FieldPath, clearAfterSeconds: z.number() }),
      access: 'read', audit: 'handler',
    }),
    'sealed.close': defineCall({ input: SessionRef, output: z.object({ closed: z.boolean() }), access: 'read', audit: 'handler' }),
    /** Encrypts a plaintext file on the engine's machine to keys (GnuPG 2.2/2.4 read it); writes `out` (default
     * `<file>.asc`), atomically. An existing `out` is refused (`conflict`) and left as it was unless `overwrite`. */
    'sealed.seal': defineCall({
      input: z.object({
        file: z.string().min(1).max(4096), to: z.array(z.string().min(1).max(200)).min(1).max(20), signWith: z.string().max(200).optional(), out: z.string().max(4096).optional(),
        overwrite: z.boolean().default(false),
      }),
      output: z.object({ out: z.string(), sha256: z.string(), recipients: z.array(z.string()) }),
      access: 'write', audit: 'handler',
    }),
    /** Checks a sealed site profile (decrypts in memory, validates) and keeps it, still sealed, in the data home. */
    'profiles.importSealed': defineCall({
      input: z.object({ source: Source, ...Secrets }),
      output: z.object({ name: z.string(), sha256: z.string(), hosts: z.array(z.string()), signatures: z.array(Signature) }),
      access: 'write', audit: 'handler', secret: ['password', 'sessionKey', 'source.content'],
    }),
  },
  events: {
    /** An open sealed file closed on its own: idle past the idle timeout, or at the end of the unlock period. */
    'sealed.closed': z.object({ sessionId: z.string(), name: z.string(), reason: z.enum(['idle', 'period']), seconds: z.number() }),
  },
});
