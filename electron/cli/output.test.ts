// The CLI's table for people: aligned columns, the last one whole, and a header rule that stays a rule.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { printTable } from './output';

afterEach(() => { vi.restoreAllMocks(); });

function printed(rows: Record<string, unknown>[]): string[] {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out.push(String(s)); return true; });
  printTable(rows);
  return out.join('').split('\n');
}

describe('printTable', () => {
  it('keeps the last column whole but its header rule short, whatever the longest value (a cut 1 MB log line)', () => {
    const long = 'x'.repeat(100_000);
    const lines = printed([{ source: 'celery', message: 'short' }, { source: 'celery', message: long }]);
    expect(lines[0]).toBe('source  message');
    expect(lines[1]).toBe(`------  ${'-'.repeat(80)}`);
    expect(lines[3]).toBe(`celery  ${long}`);
  });
  it('cuts a column before the last at 80 characters, with an ellipsis', () => {
    const lines = printed([{ file: 'f'.repeat(100), n: 1 }]);
    expect(lines[2]).toBe(`${'f'.repeat(79)}…  1`);
  });
});
