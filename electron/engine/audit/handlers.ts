// The audit calls of the contract. Recording these calls themselves is the job of the central `invoke` wrapper.
import type { AuditEntryView } from '../../../shared/audit';
import type { AreaHandlers } from '../api';
import { verifyCase } from './custody';
import { mirroredHead } from './headMirror';
import { readAudit, TEAR_ACTION, verifyAudit, type AuditEntry } from './trail';
import { EngineError } from '../api';
import { hashedInputs } from '../../../shared/auditDisplay';
import { canonicalJson } from './canonical';
import { existingSalt, hmacHex } from './salt';

const MATCH_ACTION = 'audit.matchText';

/** An entry as the UI shows it. */
export function toAuditView(e: AuditEntry): AuditEntryView {
  const op = e.operator ?? { name: 'unknown', osUser: 'unknown' };
  return {
    seq: e.seq,
    time: e.time,
    operator: op.name === op.osUser ? op.name : `${op.name} (${op.osUser})`,
    host: e.host,
    action: e.action,
    params: e.params ?? {},
    result: e.result,
    via: e.via,
    appVersion: e.app?.version ?? 'unknown',
    hash: e.hash,
    osUser: op.osUser,
    appCommit: e.app?.commit ?? 'unknown',
    prev: e.prev,
  };
}

export const auditHandlers: AreaHandlers<'audit'> = {
  /** Newest first. */
  'audit.list': async (ctx, input) => {
    const h = ctx.getCase(input.caseId);
    const entries = await readAudit(h.files.audit, { ...(input.action ? { action: input.action } : {}), ...(input.since ? { since: input.since } : {}), limit: input.limit });
    return entries.reverse().map(toAuditView);
  },
  'audit.verify': async (ctx, input) => {
    const h = ctx.getCase(input.caseId);
    return verifyAudit(h.files.audit, { anchor: await mirroredHead(h.db) });
  },
  'audit.ack': async (ctx, input) => {
    const tears = await readAudit(ctx.getCase(input.caseId).files.audit, { action: TEAR_ACTION });
    if (!tears.some((t) => t.seq === input.tearSeq)) throw new EngineError('invalid_input', `Entry ${input.tearSeq} is not a recorded tear (${TEAR_ACTION}) in this case's audit log.`);
    return { acknowledged: input.tearSeq };
  },
  'audit.matchText': async (ctx, input) => {
    const h = ctx.getCase(input.caseId);
    // No salt yet means no entry was ever hashed: nothing can match (and checking must not create one).
    const salt = await existingSalt(h.files.auditSalt);
    if (!salt) return { matches: [] };
    // A text as the policy hashes it: a string as itself, a list of paths (filter.files) as its canonical JSON.
    const wanted = new Set([hmacHex(salt, input.text), hmacHex(salt, canonicalJson([input.text]))]);
    const matches: { seq: number; action: string; path: string }[] = [];
    for (const e of await readAudit(h.files.audit)) {
      // Earlier checks hold the same HMAC: they are not uses of the text.
      if (e.action === MATCH_ACTION) continue;
      for (const i of hashedInputs(e.params ?? {})) if (wanted.has(i.hmac)) matches.push({ seq: e.seq, action: e.action, path: i.path });
    }
    return { matches };
  },
  'case.verify': async (ctx, input) => verifyCase(ctx.getCase(input.caseId)),
};
