// The redactor end to end, and its properties over generated input (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Detectors } from './detect';
import { Pseudonymizer } from './pseudonym';
import { Redactor } from './redactor';
import { Rescanner, base64Variants } from './rescan';

const detectors = new Detectors({
  idPatterns: [{ kind: 'client_id', regex: '[A-Z]{4,6}[0-9]{3,}' }],
  harvest: [{ type: 'user', value: 'venkata' }],
  rules: { domains: ['acmeinc.com'], words: [{ type: 'project', words: ['Bluebird'], action: 'remove' }] },
});
const redactor = () => new Redactor(detectors, new Pseudonymizer(Buffer.alloc(32, 9)));

describe('redactor', () => {
  it('redacts a seed-style Celery record and keeps the story readable', () => {
    const raw = `[2023-07-06 12:07:36,774: DEBUG/MainProcess] {'argsrepr': "({'query': 'GAMMA1234', 'api_key': 'zq81bX0pLm3n'},)", `
      + `'origin': 'gen18892@aip.acmeinc.com', 'user': 'venkata', 'note': 'Bluebird'}`;
    const { text, replacements } = redactor().redact(raw, '42');
    expect(text).not.toMatch(/GAMMA1234|zq81bX0pLm3n|venkata|acmeinc|Bluebird/);
    expect(text).toMatch(/'api_key': '<secret:[a-z-]+>'/);
    expect(text).toMatch(/'query': '<client_id:[A-Z2-7]{10}>'/);
    expect(text).toContain("'note': '<removed:project>'");
    expect(text.startsWith('[2023-07-06 12:07:36,774: DEBUG/MainProcess]')).toBe(true);
    expect(replacements.map((r) => r.kind)).toContain('secret');
  });

  // A Celery node name (`celery@<host>`, the anonymous `gen<pid>@<host>` of a task's origin) is no e-mail: it went
  // out as `<email:…>`, a token no other mention of the host shares. Its host is a host name, taken as such or left.
  it('a Celery node name keeps its node part; its host is pseudonymised as the host is elsewhere', () => {
    const r = redactor();
    const raw = `celery@worker2.aip.acmeinc.com ready. origin gen18892@worker2.aip.acmeinc.com; upstream worker2.aip.acmeinc.com `
      + `missed heartbeat from celery@worker-1 celery@worker1.corp.local mail anil@example.org and celeryops@acmeinc.com`;
    const out = r.redact(raw).text;
    const host = /upstream (<host:[A-Z2-7]{10}>)/.exec(out)?.[1];
    expect(host, out).toBeDefined();
    expect(out).toMatch(new RegExp(`^celery@${host} ready\\. origin gen18892@${host}; upstream ${host} missed heartbeat from celery@worker-1 `
      + 'celery@<host:[A-Z2-7]{10}> mail <email:[A-Z2-7]{10}> and <email:[A-Z2-7]{10}>$'));
  });

  it('keeps JSON valid, bare numbers under PII fields included', () => {
    const raw = JSON.stringify({ user: 'venkata', account_no: 1234567890, mobile: 9876543210, data: JSON.stringify({ password: 'x"y\\z' }) });
    const out = redactor().redact(raw).text;
    const parsed = JSON.parse(out) as Record<string, unknown>;
    expect(parsed.account_no).toMatch(/^<account:/);
    expect(JSON.parse(parsed.data as string)).toEqual({ password: '<secret:key-value>' });
  });

  it('gives an e-mail after an escape (JSON \\n, \\t) the token it has everywhere else', () => {
    const r = redactor();
    const plain = r.redact(JSON.stringify({ data: 'mail farah.k@example.org today' })).text;
    const token = /<email:[^>]+>/.exec(plain)![0];
    for (const raw of [JSON.stringify({ data: '\nfarah.k@example.org' }), JSON.stringify({ data: 'to:\tfarah.k@example.org' }), '{"data": "a\\rfarah.k@example.org"}']) {
      const out = r.redact(raw).text;
      expect(out, raw).toContain(token);
      expect(out, raw).not.toMatch(/farah/);
    }
  });

  const sensitive = fc.constantFrom('password', 'api_key', 'secret', 'access_token', 'Authorization', 'sender_name', 'email', 'note', 'count');
  const value = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom('venkata', 'GAMMA1234', 'priya@acme.in', '+91 98765 43210', '10.0.0.7', 'ghp_0123456789abcdefghijABCDEFGHIJ012345'),
    fc.integer(),
  );
  const record = fc.dictionary(sensitive, fc.oneof(value, fc.dictionary(sensitive, value, { maxKeys: 3 })), { maxKeys: 6 });

  it('property: JSON records stay valid JSON with the same keys', () => {
    fc.assert(fc.property(record, (obj) => {
      const raw = JSON.stringify(obj);
      const out = redactor().redact(raw).text;
      const parsed = JSON.parse(out) as Record<string, unknown>;
      expect(Object.keys(parsed).sort()).toEqual(Object.keys(obj).sort());
    }), { numRuns: 300 });
  });

  it('property: redaction is idempotent-safe (a redacted record redacts to itself) and nothing replaced survives', () => {
    fc.assert(fc.property(record, fc.constantFrom('json', 'repr', 'kv'), (obj, shape) => {
      const raw = shape === 'json' ? JSON.stringify(obj)
        : shape === 'repr' ? `{${Object.entries(obj).map(([k, v]) => `'${k}': ${typeof v === 'string' ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : JSON.stringify(v)}`).join(', ')}}`
          : Object.entries(obj).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
      const r = redactor();
      const once = r.redact(raw).text;
      expect(r.redact(once).text).toBe(once);
      const hits: unknown[] = [];
      new Rescanner(detectors, [...r.originals].filter(([, k]) => k === 'secret').map(([v]) => v).filter((v) => v.length >= 8)).scan(once, 'x', hits as never);
      expect(hits).toEqual([]);
    }), { numRuns: 300 });
  });
});

describe('fail-closed re-scan', () => {
  const secret = 'Zq81bX0pLm3nR7sT';

  it('finds a replaced original in every variant, base64 at every alignment inside a longer blob', () => {
    const rs = new Rescanner(detectors, [secret]);
    const outs = [
      `x ${secret} y`, `x ${secret.toLowerCase()} y`, `q=${encodeURIComponent(secret + '/+')}`, JSON.stringify({ a: `${secret}"` }),
      ...[0, 1, 2].map((pad) => `blob ${Buffer.concat([Buffer.alloc(pad, 65), Buffer.from(secret), Buffer.from('tail')]).toString('base64')}`),
      `u ${Buffer.from('xx' + secret).toString('base64url')}`,
    ];
    for (const o of outs) {
      const hits: { detail: string }[] = [];
      rs.scan(o, 'e1:raw', hits as never);
      expect(hits.length, o).toBeGreaterThan(0);
    }
    expect(base64Variants(secret)).toHaveLength(6);
  });

  it('flags a secret any detector still sees, and passes a clean redacted record, without values in the hit', () => {
    const rs = new Rescanner(detectors, []);
    const hits: { where: string; check: string; detail: string }[] = [];
    rs.scan('slack=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', 'e7:raw', hits as never);
    expect(hits).toEqual([{ where: 'e7:raw', check: 'detector', detail: 'slack-bot-token' }]);
    const clean: unknown[] = [];
    rs.scan(redactor().redact('password=hunter2hunter2 user venkata').text, 'e8:raw', clean as never);
    expect(clean).toEqual([]);
  });
});
