// The pre-filter may only ever skip work, never a finding: the screened detector stack must give exactly the spans
// of the unscreened one (every detector on every view) on the labelled corpora and on random lines with planted
// values in every encoding, and every key the key rules accept must hold one of the pre-filter's key words.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTEXTS, ENCODE, generateRedactionCorpus } from '../../testkit/redaction/corpus';
import { Detectors } from './detect';
import { classifyKey, KEY_ATOMS, keyPatternSources } from './keys';

const same = (d: Detectors, text: string) => {
  expect(d.findAll(text), text).toEqual(d.findAll(text, false, { screen: false }));
  expect(d.findAll(text, true), text).toEqual(d.findAll(text, true, { screen: false }));
  // what findAll() skips, mayFind() says it may skip
  if (!d.mayFind(text)) expect(d.findAll(text, false, { screen: false })).toEqual([]);
};

describe('the detectors pre-filter', () => {
  it('drops no finding on the full labelled corpus and the held-out one: every changed record is flagged', () => {
    let records = 0;
    let skipped = 0;
    for (const corpus of [generateRedactionCorpus({ seed: 12, allContexts: true }), generateRedactionCorpus({ seed: 7, heldOut: true })]) {
      const d = new Detectors({ rules: corpus.rules, idPatterns: corpus.idPatterns, harvest: corpus.harvest });
      for (const f of corpus.files) {
        for (const r of f.records) {
          records++;
          const reference = d.findAll(r, false, { screen: false });
          expect(d.findAll(r), r).toEqual(reference);
          expect(d.findAll(r, true), r).toEqual(d.findAll(r, true, { screen: false }));
          if (reference.length) expect(d.mayFind(r), r).toBe(true);
          else if (!d.mayFind(r)) skipped++;
        }
      }
    }
    expect(records).toBeGreaterThan(2500);
    // and it does skip: clean records of the corpus are screened out without running a detector
    expect(skipped).toBeGreaterThanOrEqual(10);
  });

  it('drops no finding on random lines with planted values, in every encoding (fast-check)', () => {
    const d = new Detectors({
      rules: { domains: ['acmeinc.com'], hosts: ['db-main'], words: [{ type: 'project', words: ['Zephyr Ledger'] }], secretKeys: ['X-Vault-Ref'] },
      idPatterns: [{ kind: 'client_id', regex: '[A-Z]{4,6}[0-9]{3,}' }],
      harvest: [{ type: 'user', value: 'kiran.r' }, { type: 'name', value: "D'Souza" }, { type: 'user', value: 'Tomás' }],
    });
    const planted = fc.constantFrom(
      'ravi.kumar@acme-client.in', '+91 98765 43210', '09876543210', '+44 20 7946 0958', '10.20.30.40', 'fe80::1ff:fe23:4567:890a',
      '2001:db8:0:0:1:0:0:1', '4111 1111 1111 1111', '5500-0000-0000-0004', 'password=hunter2x', '"api_key": "zq81Kx0"', "{'user': 'kiran'}",
      'Authorization: Bearer abcdef0123456789', 'Basic dXNlcjpwYXNz', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_abc', 'postgresql://app:s3cr3t@db7:5432/x',
      'https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.io/2', 'sentry_key=0123456789abcdef0123456789abcdef', '/home/anil/x',
      'db7.acme.internal', 'worker3.aip.acmeinc.com', 'db-main', 'Zephyr Ledger', 'ALPHA1234', 'kiran.r', "D'Souza", 'Tomás',
      'AKIAIOSFODNN7EXAMPLE', 'ghp_0123456789abcdefghijABCDEFGHIJ012345', 'xoxb-123456789012-1234567890123-abcdefghijABCDEFGHIJabcd',
      'X-Vault-Ref: v.abc', 'xVaultRef=q', '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----', 'smtpPassword=x9',
      'beneficiary_name="Wei Zhang"', 'sender_acc_id_no=00123', 'customer_mobile: 9876543210', '?appid=abc123&x=1', 'token_count=3',
      "sshpass -p 'S3cr3t!x' ssh", 'mysql -u root -pS3cr3tX db', '--password S3cr3tX', '--db-password=S3cr3tX', 'PGPASSWORD=S3cr3tX psql',
      "password 'S3cr3tX'", '--password-file /etc/pw', 'PasswordAuthentication yes',
    );
    const filler = fc.constantFrom(' ', ' ', 'INFO', '2023-07-01 00:04:46,778', 'task done', ':', '=', '"', "'", '\\', '\\"', '%', '%2F', '&', '?',
      '/', '.', '-', '_', '+', '@', '{', '}', '[', ']', '\n', '\t', "''", 'where', '12345', '9', 'name', 'api', 'key', 'select', '::', '<user:ab12>', '-p', 'mysql', 'sshpass', '--password');
    const enc = fc.constantFrom(...CONTEXTS);
    fc.assert(fc.property(fc.array(fc.oneof(planted, filler, fc.tuple(enc, planted).map(([c, p]) => ENCODE[c](p))), { maxLength: 24 }), enc, (parts, outer) => {
      const line = parts.join('');
      same(d, line);
      same(d, ENCODE[outer](line));
    }), { numRuns: 1500 });
  });

  it('drops no finding on arbitrary strings over the characters that matter (fast-check)', () => {
    const d = new Detectors({ idPatterns: [{ kind: 'client_id', regex: '[A-Z]{4,6}[0-9]{3,}' }], harvest: [{ type: 'user', value: 'anil' }] });
    const ch = fc.constantFrom(...'aZ09_.-:=@/\\"\'%+?&{}[]<> \n\t5678ey'.split(''), 'eyJ', 'sk', 's.', '\\u0040', '%40', '%3D', 'home', '::', 'ANIL', 'ALPHA');
    fc.assert(fc.property(fc.array(ch, { maxLength: 80 }), (parts) => same(d, parts.join(''))), { numRuns: 3000 });
  });

  it('screens out clean log lines, so it can fail (a filter that passes everything would not skip these)', () => {
    const d = new Detectors({ idPatterns: [{ kind: 'client_id', regex: '[A-Z]{4,6}[0-9]{3,}' }] });
    for (const clean of ['2023-07-01 00:04:46,778 INFO worker started in 35 ms', '[W 2023-07-01 00:20:07.148 ServerApp] Notebook is not trusted', 'GET /health 200']) {
      expect(d.mayFind(clean), clean).toBe(false);
    }
    expect(d.mayFind('mail ravi@x.io')).toBe(true);
    expect(d.mayFind('pass\\u0077ord=x')).toBe(true); // an escape decodes into a key name: the decoded view is screened too
  });
});

describe('the pre-filter\'s key words', () => {
  // every word the key patterns name, joined as keys are written (snake, kebab, dotted, camel, upper case)
  const words = [...new Set(keyPatternSources().join(' ').match(/[a-z]+/g) ?? [])];
  const hasAtom = (key: string) => KEY_ATOMS.some((a) => key.toLowerCase().includes(a));
  const camel = (ws: string[]) => ws.map((w, i) => (i ? w[0]!.toUpperCase() + w.slice(1) : w)).join('');

  it('are in every key of one or two pattern words that classifyKey accepts, in every spelling', () => {
    let accepted = 0;
    for (const a of words) {
      for (const b of ['', ...words]) {
        const ws = b ? [a, b] : [a];
        for (const key of [ws.join('_'), ws.join('-'), ws.join('.'), ws.join(''), camel(ws), ws.join('_').toUpperCase()]) {
          if (!classifyKey(key)) continue;
          accepted++;
          expect(hasAtom(key), key).toBe(true);
        }
      }
    }
    expect(accepted).toBeGreaterThan(500);
  });

  it('are in every generated key that classifyKey accepts (fast-check)', () => {
    const piece = fc.oneof(fc.constantFrom(...words), fc.constantFrom('_', '-', '.', 'x', 'Id', 'No', 'By', 'Name', 'Key', '2'));
    fc.assert(fc.property(fc.array(piece, { minLength: 1, maxLength: 5 }), (ps) => {
      const key = ps.join('');
      if (/^[A-Za-z_][\w.-]{0,63}$/.test(key) && classifyKey(key)) expect(hasAtom(key), key).toBe(true);
    }), { numRuns: 5000 });
  });
});
