// Audit-trail and chain-of-custody types (issue 5). Pure TypeScript.
import { z } from 'zod';

export const AuditEntryView = z.object({
  seq: z.number(),
  time: z.string(),
  operator: z.string(),
  host: z.string(),
  action: z.string(),
  params: z.record(z.string(), z.unknown()),
  result: z.object({ status: z.enum(['ok', 'error']), message: z.string().optional(), counts: z.record(z.string(), z.number()).optional() }),
  via: z.string(),
  appVersion: z.string(),
  hash: z.string(),
  // Added with the engine (issue 5): the rest of the entry, for the detail view.
  osUser: z.string().optional(),
  appCommit: z.string().optional(),
  prev: z.string().optional(),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

export const AuditVerifyResult = z.object({
  ok: z.boolean(),
  entries: z.number(),
  headHash: z.string().nullable(),
  firstBroken: z.object({ seq: z.number().nullable(), line: z.number(), problem: z.string() }).nullable(),
  tornTail: z.boolean(),
  verifiedAt: z.string(),
  /** Seq of the last entry the chain was verified up to (headHash is its hash). */
  headSeq: z.number().nullable().optional(),
  /** Torn writes found and recorded by a later append (`audit.torn_tail_detected`): accepted, but shown. */
  recordedTears: z.number().optional(),
  /** Tears (`audit.tear`: entries cut off or rewritten) the operator acknowledged (`audit.ack`): accepted, but shown. */
  acknowledgedTears: z.number().optional(),
  /**
   * Entry MACs under this install's audit secret: `valid` (every MAC checked and good), `key_absent` (some entries
   * were made under a secret this machine does not hold), `invalid` (a MAC does not match, or is missing after
   * entries that had one: ok is false), `none` (no entry carries one: made before MACs).
   */
  mac: z.object({ status: z.enum(['valid', 'key_absent', 'invalid', 'none']), entries: z.number(), firstInvalidSeq: z.number().optional() }).optional(),
  /** The recorded tear (`audit.tear` seq) that is the break reported: acknowledging it (`audit.ack`) lets verify pass. */
  openTear: z.number().optional(),
  /** The head the case database last mirrored (checked: the log must still hold that entry unchanged). */
  dbHead: z.object({ seq: z.number(), hash: z.string() }).optional(),
});
export type AuditVerifyResult = z.infer<typeof AuditVerifyResult>;

export const IntegrityResult = z.object({
  ok: z.boolean(),
  filesChecked: z.number(),
  problems: z.array(z.object({ bundle: z.string(), file: z.string(), problem: z.string() })),
  verifiedAt: z.string(),
  /** Not ok only because parts are still to be written (custody of an import still finishing, chains being built, or
   * derived by other rules): nothing failed, verify again later. The app says "not verified yet", the CLI exits 5. */
  notYet: z.boolean().optional(),
  /** Bundles with files whose content is not in the case (neither a file of it nor the same bytes as one): an import
   * stopped before it finished (killed, cancelled, failed) or still running. The evidence is not damaged, so `ok` is
   * not changed by it; the operator is told, and importing the same input again adds the rest. */
  incomplete: z.array(z.object({
    bundle: z.string(), files: z.number(), missing: z.number(), examples: z.array(z.string()).max(3),
  })).optional(),
});
export type IntegrityResult = z.infer<typeof IntegrityResult>;

/** `Bundle 1a2b…: 78 of its 222 files are not in the case (e.g. …)`: one sentence per partly imported bundle. */
export function incompleteText(b: NonNullable<IntegrityResult['incomplete']>[number]): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const files = `${n(b.missing)} of its ${n(b.files)} file${b.files === 1 ? '' : 's'} ${b.missing === 1 ? 'is' : 'are'} not in the case`;
  const eg = b.examples.length ? ` (e.g. ${b.examples.join(', ')})` : '';
  return `Bundle ${b.bundle}: ${files}${eg}: an import of it stopped before it finished, or is still running. Import the same input again to add ${b.missing === 1 ? 'it' : 'them'}.`;
}
