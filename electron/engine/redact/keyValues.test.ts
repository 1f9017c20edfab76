// The key=value finder looks for keys from the separators instead of trying the pattern at every position: it must
// give exactly the matches of the global scan, on any text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyKey } from './keys';
import { KEY_VALUE, keyValueMatches, structuralFindings, URL_USERINFO, userinfoMatches } from './structural';

const globalScan = (t: string) => [...t.matchAll(KEY_VALUE)].map((m) => [m.index, ...m]);
const fromSeparators = (t: string) => [...keyValueMatches(t)].map((m) => [m.index, ...m]);

describe('key=value matches found from the separators', () => {
  it('equal the global scan on texts made of the characters that matter', () => {
    const piece = fc.constantFrom('a', 'Z', '_', '9', '.', '-', '<', '"', "'", ' ', '\t', ':', '=', '>', ',', ';', '{', '}', '\\', '\n', 'b',
      'password', 'api_key', 'user', 'b"', "b'", '=>', '::', "''");
    fc.assert(fc.property(fc.array(piece, { maxLength: 60 }), (parts) => {
      const t = parts.join('');
      expect(fromSeparators(t)).toEqual(globalScan(t));
    }), { numRuns: 5000 });
  });

  it('with keys refused before their values are matched: the global scan\'s matches whose key is kept, the others unchanged', () => {
    const piece = fc.constantFrom('a', 'Z', '_', '9', '.', '-', '<', '"', "'", ' ', '\t', ':', '=', '>', ',', ';', '{', '}', '\\', '\n', 'b',
      'password', 'api_key', 'user', 'b"', "b'", '=>', '::', "''", 'ab', 'ba');
    const keeps = [(k: string) => k.includes('a'), (k: string) => k.length % 2 === 0, (k: string) => classifyKey(k) !== null];
    fc.assert(fc.property(fc.array(piece, { maxLength: 60 }), fc.constantFrom(0, 1, 2), (parts, which) => {
      const t = parts.join('');
      const keep = keeps[which]!;
      const kept = [...keyValueMatches(t, keep)].map((m) => [m.index, ...m]);
      expect(kept, t).toEqual(globalScan(t).filter((m) => keep(m[3] as string)));
    }), { numRuns: 5000 });
  });

  it('equal the global scan on log shapes, long keys and long blank runs', () => {
    const samples = [
      `{"user": "venkata", "password": "x\\"y", "nested": {"token":'abc'}}`,
      `{'argsrepr': "({'api_key': 'zq81', 'user': b'kiran'},)", 'a'='b'=c}`,
      `GET /x?appid=123&api_key=abc HTTP/1.1 Authorization: Basic dXNlcjpwYXNz`,
      `${'k'.repeat(64)}=1 ${'k'.repeat(65)}=2 9abc=3 <tag=4 x.y-z=5 "open=6 close"=7 'q' = 8 a  \t =>  9`,
      `key${' '.repeat(5000)}=v`,
    ];
    for (const t of samples) expect(fromSeparators(t)).toEqual(globalScan(t));
  });
});

describe('URL userinfo matches found from the `://`s', () => {
  const globalUserinfo = (t: string) => [...t.matchAll(URL_USERINFO)].map((m) => [m.index, ...m]);
  const fromColons = (t: string) => userinfoMatches(t).map((m) => [m.index, ...m]);

  it('equal the global scan on texts made of the characters that matter', () => {
    const piece = fc.constantFrom('a', 'Z', '9', '+', '.', '-', '_', ':', '/', '//', '://', '@', ' ', '"', "'", '<', '\\', '?', '#', '%',
      'https', 'postgresql', 'user', 'pa:ss', 'x'.repeat(19), 'y'.repeat(20), '0123456789abcdef0123456789abcdef', 'é');
    fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
      const t = parts.join('');
      expect(fromColons(t), t).toEqual(globalUserinfo(t));
    }), { numRuns: 5000 });
    // schemes at the bounds (21 characters is the longest), a start inside a longer run, back-to-back URLs
    const samples = [`a${'y'.repeat(20)}://u:p@h`, `${'x'.repeat(22)}://u@h`, `+${'x'.repeat(20)}://u@h`, 'ab://u@h', 'a://u@h',
      'x://a://u@h', 'ftp://a@b://c@d', 'git+ssh://me@host:22 https://k:v@w.x'];
    for (const t of samples) expect(fromColons(t), t).toEqual(globalUserinfo(t));
  });

  it('and the structural findings equal the unhinted ones (every pattern on every text) on credential and URL shapes', () => {
    const piece = fc.constantFrom(' ', '"', "'", ':', '=', '\n', '\n', 'Bearer ', 'bearer ', 'Token ', 'TOKEN=', 'Basic ', 'basic ', 'dXNlcjpwYXNz',
      'abcdef0123456789', 'eyJhbGciOiJIUzI1NiJ9', '.eyJzdWIiOiIxIn0', '.sig_abc', '-----BEGIN RSA PRIVATE KEY-----', 'MIIB',
      '-----END RSA PRIVATE KEY-----', '-----begin private key-----', 'SENTRY', 'sentry_key=', 'sentry-public_key=', '0123456789abcdef0123456789abcdef',
      'https://', 'postgresql://app:s3cr3t@db7', '@o1.ingest.sentry.io/2', 'password', 'api_key', 'user');
    fc.assert(fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
      const t = parts.join('');
      for (const secretsOnly of [false, true]) {
        expect(structuralFindings(t, { secretsOnly }), t).toEqual(structuralFindings(t, { secretsOnly, hints: false }));
      }
    }), { numRuns: 3000 });
  });
});
