import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AREAS, CALL_NAMES, EVENT_NAMES, MAX_CALL_INPUT_BYTES, areaOf, specOf } from './contract';
import { TESTER_MAX_TOTAL_CHARS } from './contract/redact';

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

  it('no single field of a call input allows more than a door takes (its own limit would never be heard)', () => {
    // A string field's limit, or a list of strings' (count x length). Lists of records are not summed here.
    type Json = { type?: string | string[]; maxLength?: number; maxItems?: number; items?: Json; properties?: Record<string, Json>; anyOf?: Json[]; $ref?: string; $defs?: Record<string, Json> };
    const over: string[] = [];
    const walk = (s: Json, defs: Record<string, Json>, at: string): void => {
      if (s.$ref) return walk(defs[s.$ref.replace('#/$defs/', '')] ?? {}, defs, at);
      for (const alt of s.anyOf ?? []) walk(alt, defs, at);
      const worst = s.maxLength ?? (s.maxItems !== undefined && s.items?.maxLength !== undefined ? s.maxItems * (s.items.maxLength + 3) : 0);
      if (worst > MAX_CALL_INPUT_BYTES) over.push(`${at} (${worst})`);
      if (s.items) walk(s.items, defs, `${at}[]`);
      for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, defs, `${at}.${k}`);
    };
    for (const name of CALL_NAMES) {
      const schema = z.toJSONSchema(specOf(name).input, { io: 'input', unrepresentable: 'any' }) as Json;
      walk(schema, schema.$defs ?? {}, name);
    }
    // Known: lists of paths and words whose count and length are bounded apart (256 files or 1,000 paths of up to
    // 4,096 characters, 10,000 words of up to 200); real ones are far shorter, and past the cap the door's sentence
    // names the call and its limit. The tester's lines (redact.test's, and the sample redact.rules.check takes) are
    // bounded apart too (200 of up to 100,000 characters), and in all by a refinement this walk cannot see
    // (TESTER_MAX_TOTAL_CHARS, under the cap: asserted below). Anything else (a content field: a file inline, a key) must fit.
    const known = /\.(filter\.files|paths|rules\.words\[\]\.words) \(\d+\)$|^redact\.(test\.lines|rules\.check\.sample) \(\d+\)$/;
    expect(TESTER_MAX_TOTAL_CHARS * 2).toBeLessThan(MAX_CALL_INPUT_BYTES);
    expect(over.filter((f) => !known.test(f))).toEqual([]);
  });
});
