// The formats' correlation rules as data: the schema refuses rules the engines cannot run or the correlator cannot
// use, with a sentence naming the problem; named groups become positional for RE2; a new format's rules are picked
// up by the correlator without any change to it.
import { describe, expect, it } from 'vitest';
import { CorrelationRules, nonCapturing, positionalGroups } from '../formats/correlation';
import { FORMATS } from '../formats/registry';
import type { FormatDefinition } from '../formats/types';
import { compileRules, rules } from './rules';

const problems = (r: unknown) => {
  const p = CorrelationRules.safeParse(r);
  return p.success ? [] : p.error.issues.map((i) => i.message);
};

describe('correlation rules', () => {
  it('every registered format\'s rules are valid, and the known chains come from them', () => {
    for (const f of FORMATS) if (f.correlation) expect(problems(f.correlation), f.id).toEqual([]);
    const r = rules();
    expect(r.keys).toEqual(expect.arrayContaining([
      { kind: 'celery_task', foundIn: 'task_id' }, { kind: 'celery_task', foundIn: 'data' }, { kind: 'taskblade_request', foundIn: 'request_id' },
      { kind: 'pipeline_run', foundIn: 'runid' }, { kind: 'metadata_entity', foundIn: 'data' }, { kind: 'metadata_entity', foundIn: 'url' },
    ]));
    expect(r.links).toEqual([{ kind: 'celery_task', foundIn: 'root_id' }, { kind: 'celery_task', foundIn: 'parent_id' }]);
    expect([...r.facetKinds].sort()).toEqual(['dataset', 'host', 'ip', 'user']);
    expect(r.fileChains).toEqual([{ source: 'prefect', kind: 'prefect_flow', prefix: 'flow:' }]);
  });

  it('refuses lookaround, backreferences, bad patterns, non-chain key kinds and unknown fields', () => {
    expect(problems({ text: [{ regex: '(?<celery_task>a(?=b))', role: 'key', foundIn: 'x' }] }).join()).toMatch(/lookaround/);
    expect(problems({ text: [{ regex: '(a)\\1', kind: 'x', role: 'name', foundIn: 'x' }] }).join()).toMatch(/backreference/);
    expect(problems({ text: [{ regex: '([', kind: 'x', role: 'name', foundIn: 'x' }] }).join()).toMatch(/does not compile/);
    expect(problems({ fields: [{ field: 'user', kind: 'user', role: 'key' }] }).join()).toMatch(/key kind user is not a chain kind/);
    expect(problems({ text: [{ regex: '(?<a>x)', kind: 'a', role: 'name', foundIn: 'x' }] }).join()).toMatch(/not both/);
    expect(problems({ text: [{ regex: 'x', kind: 'a', role: 'name', foundIn: 'x' }] }).join()).toMatch(/capture group/);
    expect(problems({ status: [{ on: 'level', values: { ERROR: 'failure' }, status: 'failure' }] }).join()).toMatch(/either values or status/);
    expect(problems({ fields: [{ field: 'a', kind: 'Not A Kind', role: 'name' }] }).join()).toMatch(/lower-case word/);
    expect(problems({ keys: [] }).length).toBeGreaterThan(0);
    const bad = { ...FORMATS[0]!, id: 'bad', correlation: { fields: [{ field: 'x', kind: 'user', role: 'key' as const }] } };
    expect(() => compileRules([bad])).toThrow(/Format bad: correlation rules are invalid: .*not a chain kind/);
  });

  it('makes named groups positional, leaving classes, escapes and non-capturing groups alone', () => {
    expect(positionalGroups('(?<celery_task>[0-9a-f(]+) (?:->|<-) (x)\\(y\\)(?P<user>\\w+)')).toEqual({
      regex: '([0-9a-f(]+) (?:->|<-) (x)\\(y\\)(\\w+)', names: ['celery_task', null, 'user'],
    });
  });

  it('a new format\'s rules reach the correlator without changing it', () => {
    const audit: FormatDefinition = {
      id: 'audit-json', name: 'Audit', description: 'test', kind: 'json', paths: ['**/audit/*.log'], time: { fields: ['ts'] }, priority: 50, samples: [],
      correlation: {
        fields: [{ field: 'job', kind: 'taskblade_request', role: 'key' }, { field: 'actor', kind: 'actor', role: 'facet' }],
        text: [{ regex: 'caused by (?<celery_task>[0-9a-f-]{36})', role: 'link', foundIn: 'cause' }],
        status: [{ on: 'outcome', values: { ok: 'success', err: 'failure' } }],
      },
    };
    const r = compileRules([...FORMATS, audit]);
    expect(r.keys).toContainEqual({ kind: 'taskblade_request', foundIn: 'job' });
    expect(r.links).toContainEqual({ kind: 'celery_task', foundIn: 'cause' });
    expect(r.facetKinds.has('actor')).toBe(true);
    expect(r.bySource.get('audit-json')!.status).toEqual([{ on: 'outcome', values: { ok: 'success', err: 'failure' }, ignoreCase: false, hints: [] }]);
  });

  it('an operator pattern runs in the combined pass without capturing groups, matching what it matched before', () => {
    const re = '(TXN|ORD)-(?<num>[0-9]{4,})[(]x\\(y\\)(?:z)?';
    const plain = nonCapturing(re);
    expect(plain).toBe('(?:TXN|ORD)-(?:[0-9]{4,})[(]x\\(y\\)(?:z)?');
    expect(positionalGroups(plain).names).toEqual([]);
    const text = 'a TXN-12345(x(y)z and ORD-9999(x(y) but not TXN-12(x(y)';
    const all = (r: string) => [...text.matchAll(new RegExp(r, 'g'))].map((m) => m[0]);
    expect(all(plain)).toEqual(all(re));
    expect(all(plain)).toEqual(['TXN-12345(x(y)z', 'ORD-9999(x(y)']);
  });
});
