import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditEntryView, AuditVerifyResult, IntegrityResult } from '../../../shared/audit';
import { EngineError, type EngineContext } from '../api';
import { CaseHandle } from '../case/caseStore';
import { auditHandlers } from './handlers';
import { appendAudit } from './trail';

let dir: string;
let handle: CaseHandle;
let ctx: EngineContext;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'casefile-audit-h-'));
  handle = await CaseHandle.create(path.join(dir, 'case'), { name: 'handlers' });
  for (const action of ['cases.create', 'events.query', 'cases.close']) {
    await appendAudit(handle.files.audit, { action, params: { secretToken: 'abc' }, result: { status: 'ok' }, via: 'test', caseId: handle.meta.id });
  }
  const cases = new Map([['c1', handle]]);
  ctx = {
    via: 'test',
    getCase: (id) => { const h = cases.get(id); if (!h) throw new EngineError('not_found', `No open case ${id}.`); return h; },
    openCases: () => [...cases.values()],
    addCase: () => 'c1',
    removeCase: async () => undefined,
    emit: () => undefined,
    audit: async () => undefined,
  };
});
afterEach(async () => {
  await handle.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('audit handlers', () => {
  it('audit.list returns contract-valid views, newest first, filtered', async () => {
    const views = await auditHandlers['audit.list']!(ctx, { caseId: 'c1', limit: 10 });
    expect(views.map((v) => v.action)).toEqual(['cases.close', 'events.query', 'cases.create']);
    for (const v of views) AuditEntryView.parse(v);
    expect(views[0]!.params.secretToken).toMatchObject({ redacted: true });
    expect((await auditHandlers['audit.list']!(ctx, { caseId: 'c1', action: 'events.query', limit: 10 })).map((v) => v.seq)).toEqual([2]);
    expect((await auditHandlers['audit.list']!(ctx, { caseId: 'c1', limit: 1 })).map((v) => v.seq)).toEqual([3]);
  });

  it('audit.verify and case.verify return contract-valid results', async () => {
    const a = AuditVerifyResult.parse(await auditHandlers['audit.verify']!(ctx, { caseId: 'c1' }));
    expect(a).toMatchObject({ ok: true, entries: 3, headSeq: 3 });
    const c = IntegrityResult.parse(await auditHandlers['case.verify']!(ctx, { caseId: 'c1' }));
    expect(c).toMatchObject({ ok: true, filesChecked: 0, problems: [] });
    await expect(auditHandlers['audit.verify']!(ctx, { caseId: 'nope' })).rejects.toBeInstanceOf(EngineError);
  });
});
