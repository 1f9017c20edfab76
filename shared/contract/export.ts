// The export area: redacted extracts for clients (see docs/REDACTION.md). Wired into shared/contract.ts.
import { z } from 'zod';
import { EventFilter, IsoInstant } from '../domain';
import { PROFILE_NAME } from '../profile';
import { RedactionRules, Replacement, RULES_SENSITIVE } from '../redaction';
import { CaseRef, JobId } from './common';
import { defineArea, defineCall } from './define';
import { exportHistoryCalls } from './exportHistory';

export const ExportSelection = z.object({
  filter: EventFilter.optional(),
  since: IsoInstant.optional(),
  until: IsoInstant.optional(),
  chain: z.string().min(1).max(512).optional(),
  // An empty list would add no condition and select every event of the case: refused, never read as "all".
  ids: z.array(z.number().int()).min(1, 'no events picked: pick at least one, or leave ids out to export by the other terms').max(100_000).optional(),
  /** One boolean expression over the events view (checked by DuckDB's parser; no subqueries). */
  where: z.string().min(1).max(4000).optional(),
});
export type ExportSelection = z.infer<typeof ExportSelection>;

export const ExportFormat = z.enum(['jsonl', 'csv', 'parquet']);
export const PseudonymScope = z.enum(['per-export', 'per-client']);
export const ProfileName = z.string().regex(PROFILE_NAME);

export const ExportPreview = z.object({
  total: z.number(),
  rows: z.array(z.object({ id: z.number(), column: z.string(), text: z.string(), replacements: z.array(Replacement) })),
  byType: z.record(z.string(), z.number()),
  /** What the export of this selection with these rules would warn about (ExportResult.warnings), before it runs. */
  warnings: z.array(z.string()),
});

export const ExportResult = z.object({
  exportId: z.string(),
  dir: z.string(),
  format: ExportFormat,
  events: z.number(),
  byType: z.record(z.string(), z.number()),
  byRule: z.record(z.string(), z.number()),
  files: z.array(z.object({ name: z.string(), sha256: z.string(), bytes: z.number() })),
  encrypted: z.boolean(),
  recipient: z.string().nullable(),
  mapKept: z.boolean(),
  /** Whose pseudonyms these are: this extract's own key, or the client's (the same token in each of its extracts). */
  pseudonymScope: PseudonymScope.default('per-export'),
  /** Who the client is, as the operator named them (the per-client key's name, else --client or the profile). */
  client: z.string().nullable().default(null),
  /** The selection as the report names it, redacted like the data. */
  selection: z.string().default(''),
  rules: z.object({ gitleaks: z.string(), gitleaksSha256: z.string(), clientSha256: z.string() }),
  /** What the rules ran but did not do as meant (as redact.test's warnings: domains or hosts that match nothing,
   * harvested kinds nothing has). */
  warnings: z.array(z.string()).default([]),
});
export type ExportResultT = z.infer<typeof ExportResult>;

export const exportArea = defineArea({
  calls: {
    ...exportHistoryCalls,
    /** The first redacted events of a selection, every replacement located (the preview shows originals only in the
     * operator's own view of the case; this call returns the redacted text). */
    'export.preview': defineCall({
      input: CaseRef.extend({
        selection: ExportSelection, rules: RedactionRules.partial().optional(), limit: z.number().int().min(1).max(200).default(50),
        /** Site profile whose redaction rules are merged in (default: the profiles the case's evidence was pulled with). */
        profile: ProfileName.optional(),
      }),
      output: ExportPreview, access: 'read', audit: 'never',
    }),
    /** Writes the extract into <case>/exports/<id>/ after the fail-closed check; encrypted to `to` unless `plaintext`. */
    'export.run': defineCall({
      input: CaseRef.extend({
        selection: ExportSelection,
        format: ExportFormat,
        rules: RedactionRules.partial().optional(),
        /** Client key: fingerprint, key id or user id in the keystore. */
        to: z.string().min(1).max(256).optional(),
        plaintext: z.boolean().optional(),
        jobId: JobId.optional(),
        profile: ProfileName.optional(),
        /** Pseudonym key per export (default: tokens differ between extracts) or per client (same token in each of
         * that client's extracts; the key is kept encrypted to the operator's key in the case). */
        pseudonymScope: PseudonymScope.optional(),
        /** Who the client is for a per-client key (default: the profile, else the recipient key's fingerprint). */
        client: z.string().min(1).max(256).optional(),
      }).refine((i) => !!i.to !== !!i.plaintext, { message: 'give either a client key (to) or plaintext: true' }),
      output: ExportResult, access: 'write', audit: 'always', job: 'export', timeoutMs: 600_000,
      // what the operator typed to select events (search text, field values, file paths, SQL) can name a person or
      // hold a secret: the trail keeps an HMAC, so equal selections still match across entries
      // and so can the client rules given with it (casefile export --rules): names, patterns, the client's domains
      sensitive: ['selection.where', 'selection.chain', 'selection.filter.text', 'selection.filter.fields.value', 'selection.filter.files', ...RULES_SENSITIVE],
    }),
  },
});
