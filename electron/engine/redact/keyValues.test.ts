// The key=value finder looks for keys from the separators instead of trying the pattern at every position: it must
// give exactly the matches of the global scan, on any text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyKey } from './keys';
import { KEY_VALUE, keyValueMatches } from './structural';

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
