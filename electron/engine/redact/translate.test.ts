// The V8 translation of Go RE2 patterns: what it refuses, and a differential proof that every translated gitleaks
// rule finds exactly what re2js finds (every match and every group span) on the labelled corpus and on
// fast-check strings built from each rule's keywords, samples of its own regex and the characters where the two
// engines' definitions part (\r, U+2028, \v, NBSP, ſ, K, surrogates).
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it, vi } from 'vitest';
import { generateRedactionCorpus } from '../../testkit/redaction/corpus';
import { sampleFor } from '../../testkit/redaction/regexSample';
import { Rng } from '../../testkit/synth/prng';
import { GoRegex } from './regex';
import { GITLEAKS } from './rules/gitleaks.generated';
import { ineligible, MAX_V8_TEXT, translateGoRegex } from './translate';
import { viewsOf } from './views';

const refused = (p: string) => {
  const t = translateGoRegex(p);
  return t.ok ? null : t.reason;
};
const same = (pattern: string, text: string) => {
  const g = new GoRegex(pattern);
  expect(g.v8, pattern).toBe(true);
  expect(g.v8Matches(text), `${pattern} on ${JSON.stringify(text)}`).toEqual(g.re2Matches(text));
};

describe('Go RE2 → V8 translation', () => {
  it('spells out case folding, so (?i) and (?-i:) work anywhere', () => {
    same('(?i)key=(?-i:[A]pi)x', 'KEY=Apix kEy=apix key=APIX');
    same('a(?i:b)c', 'abc aBc ABC abC');
    same('(?i)[a-c]+', 'xAbCdZ');
    same('(?i)[^k]', 'kKx');
  });

  it('keeps RE2 meanings of ., \\s, \\A, \\z and $ (no multi-line)', () => {
    same('a.b', 'a\rb a\u2028b a\nb');
    same('(?s:a.b)', 'a\nb');
    same('x\\sy', 'x\vy x\u00a0y x\ty x\fy');
    same('\\Aab|ab\\z', 'ab ab ab');
    same('b$', 'ab\nab');
  });

  it('refuses what would mean something else in V8 or could backtrack exponentially', () => {
    expect(refused('(?m)^a$')).toMatch(/flag m/);
    expect(refused('(?U)a+')).toMatch(/flag U/);
    expect(refused('(a|b)+')).toMatch(/capturing group under a repetition/);
    expect(refused('(?:a+)+b')).toMatch(/repetition of a repetition/);
    expect(refused('(?:a+b){2,9}')).toMatch(/repetition of a repetition/);
    expect(refused('\\pL+')).toMatch(/escape/);
    expect(refused('[[:alpha:]]')).toMatch(/POSIX/);
    expect(refused('(?i)é')).toMatch(/non-ASCII/);
    expect(refused('\\Qa.b\\E')).toMatch(/escape/);
    // a capture under `?` keeps one meaning in both engines
    expect(refused('(a)?b')).toBeNull();
  });

  it('routes texts where the engines could disagree to re2js: ſ, K, surrogates, long texts', () => {
    for (const t of ['ſ', '\u212a', '😀', 'a'.repeat(MAX_V8_TEXT + 1)]) expect(ineligible(t)).toBe(true);
    expect(ineligible('plain ascii and é')).toBe(false);
    const g = new GoRegex('(?i)s');
    expect(g.usesV8('s')).toBe(true);
    expect(g.usesV8('ſ')).toBe(false);
    expect(g.matches('ſ')).toEqual(g.re2Matches('ſ')); // RE2 folds ſ into s
    expect(g.matches('ſ')).toHaveLength(1);
  });

  it('a translated rule compiles re2js only for a text V8 does not take, with the same groups (a worker starts without compiling every rule twice)', () => {
    const compile = vi.spyOn(RE2JS, 'compile');
    try {
      const fresh = GITLEAKS.rules.filter((r) => r.regex !== undefined).map((r) => new GoRegex(r.regex!));
      // only the rules the translation refuses are compiled at construction (they run in re2js alone)
      expect(compile).toHaveBeenCalledTimes(fresh.filter((g) => !g.v8).length);
      const g = fresh.find((x) => x.v8 && x.groups > 0)!;
      compile.mockClear();
      g.matches('token=abc'); // eligible: V8 alone
      expect(compile).not.toHaveBeenCalled();
      const text = `${'ſ'} ${'token=abc'}`;
      expect(g.matches(text)).toEqual(g.re2Matches(text)); // ineligible: re2js, compiled once, now
      expect(compile).toHaveBeenCalledTimes(1);
      expect(g.re2.groupCount()).toBe(g.groups);
    } finally {
      compile.mockRestore();
    }
  });
});

const rules = GITLEAKS.rules.filter((r) => r.regex !== undefined).map((r) => ({ rule: r, re: new GoRegex(r.regex!) }));
const translated = rules.filter((r) => r.re.v8);

describe('every translated gitleaks rule equals re2js', () => {
  it('translates most rules; the refusals are the constructs that differ', () => {
    expect(translated.length).toBeGreaterThanOrEqual(200);
    for (const r of rules.filter((x) => !x.re.v8)) expect(r.re.refusal, r.rule.id).toBeTruthy();
  });

  it('on every view of the labelled corpus (records holding one of the rule\'s keywords, as the detector runs it)', () => {
    const corpus = generateRedactionCorpus({ seed: 12, allContexts: true, piiRecords: 300, cleanRecords: 500 });
    const views = corpus.files.flatMap((f) => f.records).flatMap((r) => viewsOf(r).map((v) => v.text)).filter((t) => !ineligible(t));
    let compared = 0;
    let matched = 0;
    for (const { rule, re } of translated) {
      for (const text of views) {
        const lower = text.toLowerCase();
        if (rule.keywords.length && !rule.keywords.some((k) => lower.includes(k))) continue;
        const a = re.v8Matches(text);
        expect(a, `${rule.id} on ${JSON.stringify(text.slice(0, 200))}`).toEqual(re.re2Matches(text));
        // the tester (without an optional lead) says whether there is a match as re2js does
        expect(re.v8Test(text), `${rule.id} test on ${JSON.stringify(text.slice(0, 200))}`).toBe(a.length > 0);
        compared++;
        if (a.length) matched++;
      }
    }
    expect(matched).toBeGreaterThan(1000); // the comparison saw real matches, not only misses
    expect(compared).toBeGreaterThan(matched);
  }, 240_000);

  it('on generated strings seeded with each rule\'s keywords and samples', () => {
    const rng = new Rng(7);
    const specials = ['\n', '\r', '\r\n', '\u2028', '\v', '\u00a0', '\t', ' ', '"', "'", '=', ':', '\\n', '`', ';', ',', '/', '+', '-', '_', '.', 'ſ', '\u212a', '😀', 'é', '='];
    for (const { rule, re } of translated) {
      const samples: string[] = [];
      for (let i = 0; i < 4; i++) {
        try { samples.push(sampleFor(rule.regex!, rng)); } catch { /* a construct the sampler lacks: keywords still seed */ }
      }
      const pieces = [...rule.keywords, ...rule.keywords.map((k) => k.toUpperCase()), ...samples, ...specials];
      const piece = fc.oneof(
        fc.constantFrom(...pieces),
        fc.constantFrom(...(samples.length ? samples : pieces)).chain((s) => fc.tuple(fc.nat(s.length), fc.nat(s.length)).map(([a, b]) => s.slice(Math.min(a, b), Math.max(a, b)))),
        fc.string({ unit: fc.constantFrom(...'aAzZ09_-+/=.kKsS'.split('')), maxLength: 12 }),
      );
      // a sample with a few characters replaced by, or preceded by, a special: the boundaries of each class
      const mutated = fc.constantFrom(...(samples.length ? samples : pieces)).chain((s) => fc.array(
        fc.tuple(fc.nat(Math.max(0, s.length - 1)), fc.constantFrom(...specials), fc.boolean()), { minLength: 1, maxLength: 3 },
      ).map((edits) => {
        let t = s;
        for (const [at, c, insert] of edits) t = t.slice(0, at) + c + t.slice(insert ? at : at + 1);
        return t;
      }));
      const text = fc.oneof(fc.array(piece, { maxLength: 12 }).map((a) => a.join('')), mutated, fc.tuple(piece, mutated, piece).map((a) => a.join('')));
      fc.assert(fc.property(text, (text) => {
        if (!ineligible(text)) {
          const a = re.v8Matches(text);
          expect(a, `${rule.id} on ${JSON.stringify(text)}`).toEqual(re.re2Matches(text));
          expect(re.v8Test(text), `${rule.id} test on ${JSON.stringify(text)}`).toBe(a.length > 0);
        }
        // the production path routes ineligible texts to re2js, so it equals re2js on every text
        expect(re.matches(text)).toEqual(re.re2Matches(text));
      }), { numRuns: 100, seed: 12 });
    }
  }, 240_000);
});

describe('operator patterns (strict translation)', () => {
  it('takes simple id patterns into V8 and equals re2js on them; leaves catastrophic and polynomial ones to re2js', () => {
    const ids = ['[A-Z]{4,6}[0-9]{3,}', '[A-Z]+\\d{4}', 'TXN[0-9]{8,12}', '(?i)kyc-[a-z0-9]{6}'];
    const texts = ['GAMMA1234 OMEGA3231_OMEGA7380 txn TXN123456789 KYC-ab12cd kyc-AB12CD', 'ABCD12 ABCDEFG1234 ſ K', `${'A'.repeat(300)}123`];
    for (const p of ids) {
      const g = new GoRegex(`(?:${p})`, { v8: 'strict' });
      expect(g.v8, p).toBe(true);
      for (const t of texts) expect(g.matches(t), `${p} on ${t}`).toEqual(g.re2Matches(t));
      fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'AGMZakyTXN0129-_ ſ'.split('')), maxLength: 40 }), (t) => {
        if (!ineligible(t)) expect(g.v8Matches(t)).toEqual(g.re2Matches(t));
      }), { numRuns: 300, seed: 5 });
    }
    for (const p of ['(a+)+b', '(?:a|aa)*b', 'a*a*b', '(?:x+y+)+z']) expect(new GoRegex(`(?:${p})`, { v8: 'strict' }).v8, p).toBe(false);
  });

  it('leaves to re2js a pattern whose bounded repetitions multiply their choices: no nesting, yet exponential in V8', () => {
    // Each ran in V8: \w{0,30} three times took 1.65 CPU-seconds on one 8,000-character line, four times \w{0,100}
    // did not end in 5 minutes, and 30 a? before 30 a is 2^30 tries per position.
    for (const p of ['\\w{0,30}\\w{0,30}\\w{0,30}X', '\\w{0,100}\\w{0,100}\\w{0,100}\\w{0,100}X', `${'a?'.repeat(30)}${'a'.repeat(30)}`, '\\w{0,1000}\\w*X', '[a-z]{1,20}[0-9]{1,20}[a-z]{1,20}']) {
      const g = new GoRegex(`(?:${p})`, { v8: 'strict' });
      expect(g.v8, p).toBe(false);
      expect(g.refusal, p).toBe('repetitions whose choices multiply past 256 (operator pattern)');
    }
    // Few choices stay in V8: fixed counts, a short range, one unbounded run.
    for (const p of ['[A-Z]{3}[0-9]{6}', 'ACC-\\d{4,6}-[A-Z]{2,3}', '\\w{0,255}X', '[A-Z]+\\d{2,5}']) expect(new GoRegex(`(?:${p})`, { v8: 'strict' }).v8, p).toBe(true);
  });
});

describe('translated rules on hostile texts', () => {
  it('stay bounded on crafted texts of the largest size V8 takes (keyword floods, long runs, repeated samples)', () => {
    const rng = new Rng(3);
    const fill = (s: string) => s.repeat(Math.ceil(MAX_V8_TEXT / Math.max(1, s.length))).slice(0, MAX_V8_TEXT);
    let worst = 0;
    for (const { rule, re } of translated) {
      let sample = rule.keywords[0] ?? 'a';
      try { sample = sampleFor(rule.regex!, rng); } catch { /* keyword instead */ }
      const kw = rule.keywords[0] ?? 'key';
      for (const t of [fill(kw), fill(sample), fill(sample.slice(0, -1)), `${kw}=${fill('a-')}`]) {
        const s = performance.now();
        re.matches(t);
        worst = Math.max(worst, performance.now() - s);
      }
    }
    // re2js takes ~10 ms on such a text; the worst translated rule measured ~90 ms on a quiet machine
    expect(worst).toBeLessThan(2000);
  }, 120_000);
});
