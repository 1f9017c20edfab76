// The exports' history and token re-identification (docs/REDACTION.md, "The map"): which extracts left the case,
// and who a token in a client's reply stands for. Spread into the export area (contract/export.ts).
import { z } from 'zod';
import { CaseRef } from './common';
import { defineCall } from './define';

/** How run.ts names an export (UTC time stamp and 8 hex): the only shape an export id may take at any door, so a
 * path (`../`, absolute, NUL) can never be made from one. */
export const EXPORT_ID = /^\d{8}T\d{6}-[0-9a-f]{8}$/;
export const ExportId = z.string().regex(EXPORT_ID, 'not an export id (e.g. 20261128T130501-1a2b3c4d)');

/** A `<type:TOKEN>` pseudonym as the export writes it (pseudonym.ts: base32, 10 characters, longer after a clash).
 * Markers (`<secret:key-value>`, `<removed:name>`) are lower case and not matched: they stand for nothing. */
export const TOKEN_PATTERN = /<([a-z][a-z0-9_-]{0,63}):([A-Z2-7]{10,52})>/g;
/** Distinct tokens one re-identification takes (the trail names each; a longer list is looked up in parts). */
export const MAX_REIDENTIFY_TOKENS = 1000;
/** Characters of pasted text one call takes: under every door's cap (MAX_CALL_INPUT_BYTES) once JSON-escaped. */
export const MAX_REIDENTIFY_TEXT = 400_000;

/** The distinct tokens in pasted text, in the order they first appear. */
export function tokensIn(text: string): string[] {
  return [...new Set([...text.matchAll(TOKEN_PATTERN)].map((m) => m[0]))];
}

export const ExportState = z.enum(['complete', 'blocked', 'cancelled', 'failed']);

export const ExportHistoryItem = z.object({
  /** Null for a run that wrote nothing (blocked, cancelled, failed). */
  exportId: z.string().nullable(),
  time: z.string(),
  state: ExportState,
  format: z.string().nullable(),
  /** The selection as the report names it, redacted like the data (null when not recorded). */
  selection: z.string().nullable(),
  /** The client key's fingerprint, or null when written in plaintext. */
  recipient: z.string().nullable(),
  /** Who the client is, as the operator named them (`--client`, the profile), when given. */
  client: z.string().nullable(),
  pseudonymScope: z.string().nullable(),
  events: z.number(),
  byType: z.record(z.string(), z.number()),
  byRule: z.record(z.string(), z.number()),
  files: z.array(z.object({ name: z.string(), sha256: z.string(), bytes: z.number() })),
  rules: z.object({ gitleaks: z.string(), gitleaksSha256: z.string(), clientSha256: z.string() }).nullable(),
  /** The export kept a re-identification map, and it is still in the case. */
  mapKept: z.boolean(),
  mapPresent: z.boolean(),
  /** exports/<id>/ is still in the case. */
  dir: z.string().nullable(),
  /** Why a run wrote nothing (its error, or the fail-closed check's hit counts by check). */
  message: z.string().nullable(),
});
export type ExportHistoryItemT = z.infer<typeof ExportHistoryItem>;

export const ReidentifyResult = z.object({
  /** The exports whose maps were opened. */
  searched: z.array(z.string()),
  /** One row per token and original: a per-client token found in several of that client's maps is one row. */
  found: z.array(z.object({
    token: z.string(),
    type: z.string(),
    original: z.string(),
    /** The first export (oldest) that holds it, and the event it first appeared in there. */
    exportId: z.string(),
    firstEventId: z.number().nullable(),
    /** Every searched export whose map holds the token, with its first event. */
    exports: z.array(z.object({ exportId: z.string(), firstEventId: z.number().nullable() })),
  })),
  notFound: z.array(z.string()),
});
export type ReidentifyResultT = z.infer<typeof ReidentifyResult>;

export const exportHistoryCalls = {
  /** The case's exports, newest first, from the audit trail and the case folder (what left, when, to whom, counts). */
  'export.list': defineCall({
    input: CaseRef,
    output: z.object({ exports: z.array(ExportHistoryItem) }),
    access: 'read', audit: 'never',
  }),
  /** Who the `<type:TOKEN>` pseudonyms in pasted text stand for: the maps (one export's, else every one the case
   * kept) opened with the operator's unlocked key for this call only. The handler's own entry names the tokens and
   * the exports searched, never an original. */
  'export.reidentify': defineCall({
    input: CaseRef.extend({
      text: z.string().min(1).max(MAX_REIDENTIFY_TEXT, `too long: at most ${MAX_REIDENTIFY_TEXT} characters a lookup (paste the part that holds the tokens)`),
      exportId: ExportId.optional(),
    }),
    output: ReidentifyResult,
    access: 'read', audit: 'handler',
  }),
};
