// The keyword automaton against a naive search: every occurrence of every keyword, ASCII case folded, non-ASCII
// keywords verified, on any text (the table only has columns for the keywords' own symbols).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Automaton } from './automaton';

function naive(patterns: string[], text: string): string[] {
  const out: string[] = [];
  const lower = text.toLowerCase();
  patterns.forEach((p, i) => {
    const lp = p.toLowerCase();
    for (let at = lower.indexOf(lp); at >= 0; at = lower.indexOf(lp, at + 1)) out.push(`${i}@${at}`);
  });
  return out.sort();
}

describe('keyword automaton', () => {
  const ch = fc.constantFrom('a', 'B', 'c', '1', '-', ' ', 'é', 'É', '\u2591', 'z', 'Ab', 'ba');
  const word = fc.array(ch, { minLength: 1, maxLength: 5 }).map((a) => a.join(''));
  it('finds what a naive case-folded search finds', () => {
    fc.assert(fc.property(fc.array(word, { minLength: 1, maxLength: 8 }), fc.array(ch, { maxLength: 80 }), (patterns, t) => {
      const text = t.join('');
      const got = new Automaton(patterns).search(text).map((h) => `${h.pattern}@${h.start}`).sort();
      // the naive search folds non-ASCII too; the automaton folds ASCII only but verifies non-ASCII keywords by
      // lower-casing both sides: the same answer
      expect(got).toEqual(naive(patterns, text));
    }), { numRuns: 3000 });
  });

  it('visits the keywords search finds, in the same order, also one whose lower case is longer (İ)', () => {
    const seen = (a: Automaton, text: string) => { const out: number[] = []; a.visit(text, (p) => out.push(p)); return out; };
    fc.assert(fc.property(fc.array(word, { minLength: 1, maxLength: 8 }), fc.array(ch, { maxLength: 80 }), (patterns, t) => {
      const a = new Automaton(patterns);
      const text = t.join('');
      expect(seen(a, text)).toEqual(a.search(text).map((h) => h.pattern));
    }), { numRuns: 1000 });
    const dotted = new Automaton(['İd', 'x']);
    expect(dotted.search('xİd').map((h) => h.pattern)).toEqual([1, 0]);
    expect(seen(dotted, 'xİd')).toEqual([1, 0]);
  });

  it('keeps its table to the keywords\' symbols: 100,000 ids take a fraction of a full ASCII table', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `ACME${String(i * 7919).padStart(8, '0')}`);
    const a = new Automaton(ids);
    expect(a.search(`x ACME${String(5 * 7919).padStart(8, '0')} y`).map((h) => h.pattern)).toEqual([5]);
    expect((a as unknown as { width: number }).width).toBeLessThan(20);
  });
});
