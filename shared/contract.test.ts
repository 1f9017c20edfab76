import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AREAS, CALL_NAMES, EVENT_NAMES, areaOf, specOf } from './contract';

/** Does a dot path (walking through arrays, optionals, nullables, defaults) name a field of the schema? */
function hasPath(schema: z.ZodType, pathParts: string[]): boolean {
  let s: z.ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    else break;
  }
  if (pathParts.length === 0) return true;
  if (!(s instanceof z.ZodObject)) return false;
  const next = (s.shape as Record<string, z.ZodType>)[pathParts[0]!];
  return next !== undefined && hasPath(next, pathParts.slice(1));
}

describe('contract', () => {
  it('gathers every area once: no call or event is declared twice', () => {
    const calls = Object.values(AREAS).reduce((n, a) => n + Object.keys(a.calls).length, 0);
    const events = Object.values(AREAS).reduce((n, a) => n + Object.keys(a.events).length, 0);
    expect(CALL_NAMES).toHaveLength(calls);
    expect(EVENT_NAMES).toHaveLength(events);
    expect(areaOf('chains.trace')).toBe('chains');
  });

  it('every call declares access and an audit rule, and its secret/sensitive fields exist in its input', () => {
    for (const name of CALL_NAMES) {
      const s = specOf(name);
      expect(['read', 'write'], name).toContain(s.access);
      expect(s.audit === 'always' || s.audit === 'never' || s.audit === 'handler' || typeof s.audit.when === 'function', name).toBe(true);
      for (const f of [...(s.secret ?? []), ...(s.sensitive ?? [])] as string[]) expect(hasPath(s.input, f.split('.')), `${name}: ${f}`).toBe(true);
      const both = (s.secret ?? []).filter((f) => (s.sensitive ?? []).includes(f as never));
      expect(both, `${name}: secret and sensitive at once`).toEqual([]);
    }
  });

  it('chains.list takes a whole offset from 0 to 100,000,000 beside its limit, and refuses anything else', () => {
    const input = specOf('chains.list').input;
    for (const offset of [0, 1000, 287_749, 100_000_000]) expect(input.safeParse({ caseId: 'c', limit: 1000, offset }).success, String(offset)).toBe(true);
    expect(input.safeParse({ caseId: 'c', limit: 1000 }).success).toBe(true);
    for (const offset of [-1, 100_000_001, 1e12, 0.5, '10', null, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(input.safeParse({ caseId: 'c', limit: 1000, offset }).success, String(offset)).toBe(false);
    }
  });

  it('events.page is audited only without a cursor', () => {
    const s = specOf('events.page');
    if (typeof s.audit !== 'object') throw new Error('events.page should have an audit predicate');
    expect(s.audit.when({ caseId: 'c', filter: {}, limit: 1 })).toBe(true);
    expect(s.audit.when({ caseId: 'c', filter: {}, limit: 1, after: { ts: null, id: 1 } })).toBe(false);
  });
});
