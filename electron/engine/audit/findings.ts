// How a verification's own audit entry ends. `audit.verify` and `case.verify` succeed as calls whatever they find
// (the operator needs the whole report), but an entry that said "ok" for a check that found the trail broken or the
// evidence changed would hide the failure from whoever reads the trail: such a check is recorded as a failure
// (`status: 'error'`, like a failed action), with the count and the first problem, never a value.
import type { AuditVerifyResult, IntegrityResult } from '../../../shared/audit';
import type { AuditOutcome } from './policy';
import { counted } from '../../../shared/plural';

type Finding = Pick<AuditOutcome, 'status' | 'message'>;

const OK: Finding = { status: 'ok' };

function ofChain(r: AuditVerifyResult): Finding {
  if (r.ok) return OK;
  const b = r.firstBroken;
  if (!b) return { status: 'error', message: 'verification failed' };
  return { status: 'error', message: `verification failed at ${b.seq !== null ? `entry ${b.seq}` : `line ${b.line}`}: ${b.problem}` };
}

function ofCustody(r: IntegrityResult): Finding {
  if (r.ok) return OK;
  const p = r.problems[0];
  const first = p ? `; first: ${[p.bundle, p.file].filter(Boolean).join('/') || '(case)'}: ${p.problem}` : '';
  // Only parts still to be written (an import finishing elsewhere): nothing failed, and the entry must not say so.
  if (r.notYet) return { status: 'ok', message: `not verified yet: ${counted(r.problems.length, 'part')} still to be written${first}` };
  return { status: 'error', message: `verification failed: ${counted(r.problems.length, 'problem')}${first}` };
}

/** The outcome to record for a call that answered `output` (a plain "ok" for every call but the verifications). */
export function verificationOutcome(call: string, output: unknown): Finding {
  if (call === 'audit.verify') return ofChain(output as AuditVerifyResult);
  if (call === 'case.verify') return ofCustody(output as IntegrityResult);
  return OK;
}
