import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CALL_NAMES } from '../../shared/contract';
import { AUDIT_DOC, policyTable, withPolicyTable } from './auditPolicyDoc';

describe('docs/AUDIT.md policy table', () => {
  it('is the one generated from the contract (run `npm run docs:audit` when this fails)', () => {
    const doc = readFileSync(AUDIT_DOC, 'utf8');
    expect(withPolicyTable(doc)).toBe(doc);
  });

  it('has one row per call', () => {
    const table = policyTable();
    for (const name of CALL_NAMES) expect(table).toContain(`| \`${name}\` |`);
    expect(table.split('\n')).toHaveLength(CALL_NAMES.length + 2);
  });
});
