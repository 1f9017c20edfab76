import { describe, expect, it } from 'vitest';
import { verificationOutcome } from './findings';
import { CUSTODY_PENDING } from './custody';

const at = '2026-11-29T00:00:00.000Z';

describe('verificationOutcome', () => {
  it('is a plain ok for other calls, even one answering ok: false', () => {
    expect(verificationOutcome('cases.close', { ok: false })).toEqual({ status: 'ok' });
  });

  it('records a custody check that only waits for parts still to be written as ok, saying it is not verified yet', () => {
    const r = { ok: false, notYet: true, filesChecked: 2, verifiedAt: at, problems: [{ bundle: 'b1', file: 'a.log', problem: CUSTODY_PENDING }] };
    expect(verificationOutcome('case.verify', r)).toEqual({ status: 'ok', message: `not verified yet: 1 part still to be written; first: b1/a.log: ${CUSTODY_PENDING}` });
  });

  it('names a line when the break is not an entry', () => {
    const r = { ok: false, entries: 3, headSeq: 3, headHash: 'h', tornTail: true, verifiedAt: at, firstBroken: { seq: null, line: 4, problem: 'The log ends in an incomplete entry at line 4.' } };
    expect(verificationOutcome('audit.verify', r)).toEqual({ status: 'error', message: 'verification failed at line 4: The log ends in an incomplete entry at line 4.' });
  });
});
