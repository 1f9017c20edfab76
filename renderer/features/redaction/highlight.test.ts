import { describe, expect, it } from 'vitest';
import type { Replacement } from '../../../shared/redaction';
import { countByType, piecesOf } from './highlight';

const rep = (start: number, end: number, type: string, token: string, kind: 'secret' | 'pii' = 'pii'): Replacement =>
  ({ start, end, kind, type, rule: type, token });

describe('piecesOf', () => {
  it('places tokens of different lengths at their redacted offsets', () => {
    // original: "user alice@x.io key=hunter22 from 10.0.0.1"
    const original = 'user alice@x.io key=hunter22 from 10.0.0.1';
    const reps = [
      rep(5, 15, 'email', '<email:AAAAAAAAAA>'),
      rep(20, 28, 'key-value', '<secret:key-value>', 'secret'),
      rep(34, 42, 'ip', '<ip:BBBBBBBBBB>'),
    ];
    let text = ''; let at = 0;
    for (const r of reps) { text += original.slice(at, r.start) + r.token; at = r.end; }
    text += original.slice(at);
    const pieces = piecesOf(text, reps);
    expect(pieces.map((p) => p.text).join('')).toBe(text);
    expect(pieces.filter((p) => p.replacement).map((p) => p.text)).toEqual(reps.map((r) => r.token));
    expect(pieces[0]).toEqual({ text: 'user ' });
  });

  it('handles a token at the very start and end, and unsorted input', () => {
    const reps = [rep(4, 7, 'user', '<user:X>'), rep(0, 3, 'user', '<user:Y>')];
    const text = '<user:Y> <user:X>';
    expect(piecesOf(text, reps).map((p) => [p.text, !!p.replacement])).toEqual([['<user:Y>', true], [' ', false], ['<user:X>', true]]);
  });

  it('falls back to plain text when the text does not line up', () => {
    expect(piecesOf('nothing here', [rep(0, 3, 'user', '<user:Z>')])).toEqual([{ text: 'nothing here' }]);
    expect(piecesOf('abc', [])).toEqual([{ text: 'abc' }]);
  });
});

describe('countByType', () => {
  it('counts across lists, most frequent first', () => {
    expect(countByType([[rep(0, 1, 'ip', 'a'), rep(2, 3, 'email', 'b')], [rep(0, 1, 'ip', 'c')]])).toEqual([['ip', 2], ['email', 1]]);
  });
});
