import { describe, expect, it } from 'vitest';
import { GitleaksDetector, shannonEntropy } from './gitleaks';
import type { GitleaksConfig } from './rules/parse';

const cfg = (over: Partial<GitleaksConfig['rules'][number]>, global: GitleaksConfig['allowlists'] = []): GitleaksConfig => ({
  allowlists: global,
  rules: [{ id: 't', description: '', keywords: [], allowlists: [], ...over }],
});
const secrets = (d: GitleaksDetector, s: string) => d.detect(s).map((f) => s.slice(f.start, f.end));

describe('gitleaks semantics', () => {
  it('runs a rule only when one of its keywords occurs (case-insensitive)', () => {
    const d = new GitleaksDetector(cfg({ regex: 'zz[0-9]{4}', keywords: ['vendor'] }));
    expect(secrets(d, 'zz1234')).toEqual([]);
    expect(secrets(d, 'VENDOR zz1234')).toEqual(['zz1234']);
  });

  it('takes secretGroup, else the first non-empty group, else the match', () => {
    expect(secrets(new GitleaksDetector(cfg({ regex: '(a)=(b+)', secretGroup: 2 })), 'a=bbb')).toEqual(['bbb']);
    expect(secrets(new GitleaksDetector(cfg({ regex: '(x)?k=(v+)' })), 'k=vv')).toEqual(['vv']);
    expect(secrets(new GitleaksDetector(cfg({ regex: 'k=v+' })), 'k=vv')).toEqual(['k=vv']);
  });

  it('drops a secret whose entropy is not above the rule threshold', () => {
    const d = new GitleaksDetector(cfg({ regex: 'key=([a-z0-9]{8,})', entropy: 3 }));
    expect(shannonEntropy('aaaaaaaa')).toBe(0);
    expect(secrets(d, 'key=aaaaaaaa')).toEqual([]);
    expect(secrets(d, 'key=q8w7e6r5t4')).toEqual(['q8w7e6r5t4']);
  });

  it('honours allowlists: regexes on secret, match or line; stopwords; AND conditions', () => {
    const base = { regex: 'tok_([a-z0-9]{6,})' };
    const allow = (a: Partial<GitleaksConfig['allowlists'][number]>) => ({ regexes: [], stopwords: [], needsPathOrCommit: false, ...a });
    expect(secrets(new GitleaksDetector(cfg({ ...base, allowlists: [allow({ regexes: ['^example'] })] })), 'tok_example1')).toEqual([]);
    expect(secrets(new GitleaksDetector(cfg({ ...base, allowlists: [allow({ regexTarget: 'line', regexes: ['#\\s*test'] })] })), 'tok_abc123 # test')).toEqual([]);
    expect(secrets(new GitleaksDetector(cfg({ ...base, allowlists: [allow({ stopwords: ['dummy'] })] })), 'tok_dummy9')).toEqual([]);
    // AND with a path can never hold for an event: not allowed
    expect(secrets(new GitleaksDetector(cfg({ ...base, allowlists: [allow({ condition: 'AND', regexes: ['.'], needsPathOrCommit: true })] })), 'tok_abc123')).toEqual(['abc123']);
    expect(secrets(new GitleaksDetector(cfg(base, [allow({ regexes: ['^abc'] })])), 'tok_abc123')).toEqual([]);
  });

  it('with the vendored rules: finds real-looking keys, lets the documented example key through', () => {
    const d = new GitleaksDetector();
    const line = 'aws_access_key_id=AKIAZ3MSJV4WWNKWW5FG slack=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
    const found = d.detect(line).map((f) => f.rule);
    expect(found).toContain('aws-access-token');
    expect(found).toContain('slack-bot-token');
    expect(d.detect('aws_access_key_id=AKIAIOSFODNN7EXAMPLE').filter((f) => f.rule === 'aws-access-token')).toEqual([]);
  });

  it('stays linear on hostile input (no catastrophic backtracking)', () => {
    const d = new GitleaksDetector();
    const hostile = 'api_key=' + 'a-'.repeat(20_000) + '!' + ' secret token password '.repeat(2000);
    const t = performance.now();
    d.detect(hostile);
    expect(performance.now() - t).toBeLessThan(30_000);
  });
});
