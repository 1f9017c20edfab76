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

/**
 * An entry as the UI shows it. A line put in the trail by hand need not have an entry's fields (verify says it is
 * broken): it is shown with what it holds, as text, so the list still shows the whole trail (it failed on such a line).
 */
export function toAuditView(e: AuditEntry): AuditEntryView {
  const x = e as unknown as Record<string, unknown>;
  const op = record(x.operator) ?? { name: 'unknown', osUser: 'unknown' };
  const [name, osUser] = [text(op.name, 'unknown'), text(op.osUser, 'unknown')];
  const params = x.params === undefined ? {} : record(x.params) ?? { '(not an object)': JSON.stringify(x.params) };
  return {
    seq: e.seq,
    time: text(x.time),
    operator: name === osUser ? name : `${name} (${osUser})`,
    host: text(x.host),
    action: text(x.action),
    params,
    result: resultView(x.result),
    via: text(x.via),
    appVersion: text(record(x.app)?.version, 'unknown'),
    hash: e.hash,
    osUser,
    appCommit: text(record(x.app)?.commit, 'unknown'),
    prev: e.prev,
  };
}

const record = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : undefined);
const text = (v: unknown, missing = ''): string => (typeof v === 'string' ? v : v === undefined || v === null ? missing : typeof v === 'object' ? JSON.stringify(v) : String(v as number | boolean));

function resultView(v: unknown): AuditEntryView['result'] {
  const r = record(v) ?? {};
  const known = r.status === 'ok' || r.status === 'error';
  const counts = record(r.counts) && Object.fromEntries(Object.entries(record(r.counts)!).filter((c): c is [string, number] => typeof c[1] === 'number'));
  return {
    status: r.status === 'ok' ? 'ok' : 'error',
    ...(typeof r.message === 'string' ? { message: r.message } : known ? {} : { message: 'This entry has no readable result.' }),
    ...(counts ? { counts } : {}),
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
