// The CI gate: on the small labelled corpus no planted secret or configured identifier survives, every entity keeps
// one token, hard negatives and clean records are left alone, and the fail-closed re-scan of the output is silent:
// both for the redactor fed the records directly and through the product (the corpus imported by the real importer
// into a real case, exported by the real export, the written extract read against the truth: product.ts).
import { describe, expect, it } from 'vitest';
import { CONTEXTS, ENCODE, generateRedactionCorpus } from './corpus';
import { type Efficacy, evaluate } from './evaluate';
import { evaluateThroughProduct } from './product';

function expectClean(e: Efficacy): void {
  expect(e.leaks).toEqual([]);
  for (const [type, r] of Object.entries(e.recall)) expect(r.caught, type).toBe(r.planted);
  expect(e.recall['secret:gitleaks']!.planted).toBeGreaterThanOrEqual(200);
  expect(e.consistency.consistent).toBe(e.consistency.entities);
  expect(e.consistency.sharedTokens).toBe(0);
  for (const [cls, n] of Object.entries(e.negatives)) expect(n.redacted, cls).toBe(0);
  expect(e.cleanOverRedaction).toBe(0);
  expect(e.rescanHits).toEqual([]);
}

describe('labelled redaction corpus', () => {
  const corpus = generateRedactionCorpus({ seed: 12 });

  it('is deterministic and labelled: same seed, same records and truth; spans point at the planted values', () => {
    const again = generateRedactionCorpus({ seed: 12 });
    expect(again.files).toEqual(corpus.files);
    expect(again.truth).toEqual(corpus.truth);
    for (const p of corpus.truth) {
      const raw = corpus.files.find((f) => f.path === p.file)!.records[p.record]!;
      const written = raw.slice(p.start, p.end);
      expect([p.value, ENCODE[p.context](p.value)]).toContain(written);
    }
    // every gitleaks rule but the multi-line YAML one has a sample; every structural case sits in every context
    expect(corpus.unsynthesised).toEqual(['kubernetes-secret-yaml']);
    for (const rule of ['key-value:password', 'url-password', 'sentry-dsn', 'sentry-public-key', 'bearer', 'basic-auth', 'jwt', 'private-key',
      'sshpass', 'mysql-password', 'password-option', 'key-value:PGPASSWORD', 'password-prose']) {
      expect(new Set(corpus.truth.filter((p) => p.type === rule).map((p) => p.context))).toEqual(new Set(CONTEXTS));
    }
    expect(new Set(corpus.files.map((f) => f.format))).toEqual(new Set(['system', 'taskblade', 'celery', 'gunicorn', 'doodle', 'prefect']));
  });

  it('0 leaks, every secret and configured id caught, PII recall 1, consistency 100 %, no false hits, silent re-scan', async () => {
    expectClean(await evaluate(corpus));
  });

  // The same gate on the written extract of a real import and export: every column of every row searched, the case's
  // identifiers as its import found them (not handed in), the export not blocked.
  it('through import and export: the same, on every column of the extract; each file read as its format, each record an event', async () => {
    const e = await evaluateThroughProduct(corpus, { workers: 2 });
    expect(e.blocked).toBeNull();
    expectClean(e);
    for (const [file, f] of Object.entries(e.formats)) expect(f.detected, file).toBe(f.expected);
    expect(Object.keys(e.formats).length).toBe(corpus.files.length);
    expect(e.events).toBe(e.records);
    expect([e.unmapped, e.recordsWithoutEvent, e.columnMismatches]).toEqual([0, 0, 0]);
    expect(e.unaligned).toEqual([]);
  }, 120_000);

  // The measurement is an export's: its pass-1 harvest runs (export/setup.ts, in DuckDB), not a list handed in. A
  // user that only a URL-encoded /home/ path names is harvested there and replaced in free text elsewhere (issue 12:
  // the bench could not show that gap, it skipped the export's harvest).
  it('runs the export\'s harvest: a user only a URL-encoded /home/ path names is replaced in free text too', async () => {
    const records = ['[2023-07-06 06:30:00 +0530] [2501] [DEBUG] GET /search?q=file%20%2Fhome%2Fzorbuser7%2Fnotebooks%2Frun.ipynb&page=1',
      '[2023-07-06 06:30:01,000: INFO/MainProcess] search for SIGMA1124 by zorbuser7'];
    const at = records[1]!.indexOf('zorbuser7');
    const e = await evaluate({
      files: [{ path: 'enrich/logs/mixed.log', format: 'gunicorn', records }], harvest: [], rules: {}, idPatterns: [], unsynthesised: [],
      truth: [{ file: 'enrich/logs/mixed.log', record: 1, start: at, end: at + 9, kind: 'pii', type: 'user', entity: 'user:z', context: 'text', value: 'zorbuser7' }],
    });
    expect(e.leaks).toEqual([]);
    expect(e.recall.user).toEqual({ planted: 1, caught: 1 });
  });

  it('the gate can fail: without the harvest list and client rules, configured ids leak', async () => {
    const e = await evaluate({ ...corpus, harvest: [], idPatterns: [], rules: {} });
    expect(e.leaks.length).toBeGreaterThan(0);
    expect(e.recall.client_id!.caught).toBeLessThan(e.recall.client_id!.planted);
  });
});
