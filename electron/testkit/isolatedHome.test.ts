// The test run never writes the real data home: an append made with no home of its own lands in a temp folder.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appFiles } from '../engine/case/paths';
import { appendAudit } from '../engine/audit/trail';

describe('test isolation of the data home', () => {
  it('puts the audit secret and the app trail under a temp home', async () => {
    const home = appFiles().home;
    expect(path.relative(os.tmpdir(), home).startsWith('..')).toBe(false);
    await appendAudit(appFiles().audit, { action: 'test.isolation', params: {}, result: { status: 'ok' }, via: 'test' });
    expect(existsSync(appFiles().auditKey)).toBe(true);
    expect(path.dirname(appFiles().auditKey)).toBe(home);
  });
});
