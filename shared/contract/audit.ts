// The audit trail and the chain of custody.
import { z } from 'zod';
import { AuditEntryView, AuditVerifyResult, IntegrityResult } from '../audit';
import { IsoInstant } from '../domain';
import { CaseRef } from './common';
import { defineArea, defineCall } from './define';

export const auditArea = defineArea({
  calls: {
    /** Newest first. Reading the trail is not itself recorded in it. */
    'audit.list': defineCall({
      input: CaseRef.extend({
        /** An action, or a prefix ending in `*` ("import.*"). */
        action: z.string().max(100).optional(),
        since: IsoInstant.optional(),
        limit: z.number().int().min(1).max(100_000),
      }),
      output: z.array(AuditEntryView), access: 'read', audit: 'never',
    }),
    'audit.verify': defineCall({ input: CaseRef, output: AuditVerifyResult, access: 'read', audit: 'always', timeoutMs: 600_000 }),
    /**
     * Acknowledges a recorded tear (`audit.tear` entry `tearSeq`: entries were cut off or rewritten) once the operator
     * has explained it; the call's own audit entry (action `audit.ack`, `params.tearSeq`) is the acknowledgment.
     */
    'audit.ack': defineCall({
      input: CaseRef.extend({ tearSeq: z.number().int().min(1), note: z.string().max(500).optional() }),
      output: z.object({ acknowledged: z.number() }), access: 'write', audit: 'always',
    }),
    /**
     * Which hashed inputs of the case's trail (typed text the policy records as an HMAC: searches, SQL, traced keys)
     * equal a text the operator remembers. The engine takes the text's HMAC under the case's salt and compares; the
     * salt and the HMAC never leave it. A hashed file list matches one path. The check is recorded, its text hashed.
     */
    'audit.matchText': defineCall({
      input: CaseRef.extend({ text: z.string().min(1).max(100_000) }),
      output: z.object({ matches: z.array(z.object({ seq: z.number(), action: z.string(), path: z.string() })) }),
      access: 'read', audit: 'always', sensitive: ['text'],
    }),
    /** Re-hashes every bundle file: as long as reading the evidence takes. */
    'case.verify': defineCall({ input: CaseRef, output: IntegrityResult, access: 'read', audit: 'always', timeoutMs: 3_600_000 }),
  },
});
