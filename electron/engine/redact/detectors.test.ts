// Views, structural rules and PII detectors, on the shapes the seed logs have.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyKey } from './keys';
import { EMAIL, hasFourHexGroups, luhn, piiFindings } from './pii';
import { structuralFindings } from './structural';
import { hasPercentEscape, hasQueryParam, toRaw, viewsOf } from './views';

const found = (fs: { start: number; end: number; rule: string; type: string }[], s: string) => fs.map((f) => `${f.rule}:${s.slice(f.start, f.end)}`);

describe('decoded views', () => {
  it('maps JSON-in-JSON, URL and SQL decodings back to raw offsets', () => {
    const raw = '{"data": "{\\"pw\\": \\"a\\\\\\"b\\"}", "u": "x%40y.com", "q": "WHERE x = \'it\'\'s\'"}';
    const views = viewsOf(raw);
    const json2 = views.find((v) => v.name === 'json+json')!;
    expect(json2.text).toContain('{"pw": "a"b"}');
    const at = json2.text.indexOf('a"b');
    const [s, e] = toRaw(json2, at, at + 3);
    expect(raw.slice(s, e)).toBe('a\\\\\\"b');
    const url = views.find((v) => v.name === 'url')!;
    const u = url.text.indexOf('x@y.com');
    expect(raw.slice(...toRaw(url, u, u + 7))).toBe('x%40y.com');
    const sql = views.find((v) => v.name === 'sql')!;
    const q = sql.text.indexOf("it's");
    expect(raw.slice(...toRaw(sql, q, q + 4))).toBe("it''s");
  });

  it('property: every character of every view maps to the raw characters it was decoded from, in order', () => {
    const ch = fc.constantFrom('a', 'Z', '0', ' ', '"', "'", "''", '\\', '\\\\', '\\"', '\\n', '\\u0041', '\\x41', '%41', '%2', '%C3%A9', '%F0%9F%98%80',
      '+', '?', '&', 'x=1', 'where ', '=', '\n');
    fc.assert(fc.property(fc.array(ch, { maxLength: 40 }), (parts) => {
      const raw = parts.join('');
      for (const v of viewsOf(raw).slice(1)) {
        let last: [number, number] = [0, 0];
        for (let k = 0; k < v.text.length; k++) {
          const [a, b] = toRaw(v, k, k + 1);
          expect(0 <= a && a < b && b <= raw.length, `${v.name} ${k}`).toBe(true);
          expect(a >= last[0] && b >= last[1], `${v.name} ${k}: in order`).toBe(true);
          // a character mapped to one raw character is that character (or a query separator made a line end, a URL `+` a space)
          if (b - a === 1) expect([raw[a], raw[a] === '+' ? ' ' : raw[a], '?&'.includes(raw[a]!) ? '\n' : raw[a]], `${v.name} ${k}`).toContain(v.text[k]);
          expect(toRaw(v, 0, k + 1), `${v.name} 0..${k}`).toEqual([toRaw(v, 0, 1)[0], b]);
          last = [a, b];
        }
      }
    }), { numRuns: 2000 });
  });

  it('decides which decoders apply as their patterns do (fast-check)', () => {
    const ch = fc.constantFrom('a', 'Z', '0', 'f', 'F', 'g', '_', '.', '-', '%', '%2', '%4f', '?', '&', '=', '==', ' ', 'x'.repeat(63), 'é', '\n');
    fc.assert(fc.property(fc.array(ch, { maxLength: 30 }), (parts) => {
      const s = parts.join('');
      expect(hasPercentEscape(s), s).toBe(/%[0-9a-fA-F]{2}/.test(s));
      expect(hasQueryParam(s), s).toBe(/[?&][\w.%-]{1,64}=/.test(s));
    }), { numRuns: 5000 });
    for (const n of [1, 63, 64, 65, 66]) {
      for (const s of [`?${'k'.repeat(n)}=`, `&${'k'.repeat(n)}=v`, `?${'k'.repeat(n)}`]) expect(hasQueryParam(s), s).toBe(/[?&][\w.%-]{1,64}=/.test(s));
    }
  });

  it('bounds the number of views on hostile nesting', () => {
    expect(viewsOf('\\\\\\\\\\\\\\\\"%2541%25%27\'\'&a=1'.repeat(100)).length).toBeLessThanOrEqual(8);
  });
});

describe('key-aware rules', () => {
  it('classifies field names by normalised tokens', () => {
    expect(classifyKey('X-Api-Key')?.kind).toBe('secret');
    expect(classifyKey('dbPassword')?.kind).toBe('secret');
    expect(classifyKey('token_count')).toBeNull();
    expect(classifyKey('password_required')).toBeNull();
    expect(classifyKey('author')).toBeNull();
    expect(classifyKey('sender_name')).toEqual({ kind: 'pii', type: 'name' });
    expect(classifyKey('sender_acc_id_no')).toEqual({ kind: 'pii', type: 'account' });
    expect(classifyKey('sending_party_mob')).toEqual({ kind: 'pii', type: 'phone' });
    expect(classifyKey('vault_ref', new Set(['vault_ref']))?.kind).toBe('secret');
  });

  it('finds values under sensitive names in JSON, reprs, key=value, SQL, query strings and headers', () => {
    const s = `{"db_password": "p@ss w0rd", 'api_key': b'k3y', token=abc123; UPDATE u SET secret = 'it''s' ?appid=99ff&x=1\nAuthorization: Token t0k3n-value\nCookie: a=1; sid=zz`;
    const f = found(structuralFindings(s), s);
    expect(f).toEqual(expect.arrayContaining([
      'key-value:p@ss w0rd', 'key-value:k3y', 'key-value:abc123', "key-value:it''s", 'key-value:99ff',
      'key-value:Token t0k3n-value', 'key-value:a=1; sid=zz',
    ]));
  });

  it('leaves prose and empty values alone', () => {
    for (const s of [`'password' has moved from NotebookApp to ServerApp.`, `token_count=512`, `{"token": null, "secret": ""}`, `"password": "<secret:key-value>"`]) {
      expect(structuralFindings(s)).toEqual([]);
    }
  });

  it('URL userinfo, Sentry DSN and baggage, Bearer, Basic, JWT and PEM blocks', () => {
    const jwt = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('{"sub":"1"}').toString('base64url')}.c2lnbmF0dXJl`;
    const basic = Buffer.from('svc:hunter22').toString('base64');
    const s = `postgresql://scribble:Pa55@db:5432/x https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.io/2 `
      + `sentry-public_key=e085c5e165b6441c92f29beacd0be47e Bearer abcdefghij0123456789 Basic ${basic} ${jwt} `
      + `-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- tail`;
    const f = found(structuralFindings(s), s);
    expect(f).toEqual(expect.arrayContaining([
      'url-userinfo:scribble', 'url-password:Pa55', 'sentry-dsn:0123456789abcdef0123456789abcdef',
      'sentry-public-key:e085c5e165b6441c92f29beacd0be47e', 'bearer:abcdefghij0123456789', `basic-auth:${basic}`, `jwt:${jwt}`,
      'private-key:-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----',
    ]));
    // Redis URLs (Celery's broker) carry a password with no user: the password is a secret all the same.
    const redis = 'broker redis://:Sup3rS3cretRedisPw@redis.acme.internal:6379/0 and amqp://:G00dPassw0rd@rabbit//';
    expect(found(structuralFindings(redis), redis)).toEqual(expect.arrayContaining(['url-password:Sup3rS3cretRedisPw', 'url-password:G00dPassw0rd']));
    expect(found(structuralFindings(redis), redis).filter((x) => x.startsWith('url-userinfo'))).toEqual([]);
    // no END: to the end of the record
    const cut = 'x -----BEGIN PRIVATE KEY-----\nMIIE';
    expect(found(structuralFindings(cut), cut)).toEqual(['private-key:-----BEGIN PRIVATE KEY-----\nMIIE']);
    // not a JWT: the header has no alg
    const notJwt = `${Buffer.from('{"typ":"x"}').toString('base64url')}.abcdefgh.ijk`;
    expect(structuralFindings(notJwt)).toEqual([]);
  });
});

describe('PII', () => {
  it('emails, Indian and international phones, validated IPs, Luhn cards, home paths, internal hosts', () => {
    const s = 'to priya.s@acme.in call +91 98765 43210 or 9876543210 or +44 20 7946 0958 from 10.1.2.3 and fd00::1:2 '
      + 'card 4111 1111 1111 1111 /home/venkata/x db7.acme.internal';
    const f = found(piiFindings(s), s);
    expect(f).toEqual(expect.arrayContaining([
      'email:priya.s@acme.in', 'phone-in:+91 98765 43210', 'phone-in:9876543210', 'phone-intl:+44 20 7946 0958',
      'ipv4:10.1.2.3', 'ipv6:fd00::1:2', 'card:4111 1111 1111 1111', 'home-path:venkata', 'internal-host:db7.acme.internal',
    ]));
  });

  it('a UUID is no card, even when its first groups read as a Luhn-valid card number (a doodle URL\'s id in the 1 GB tree); a card written in groups is found alone on its line and before a full stop', () => {
    for (const s of ['GET /metadata/api/v1/sources/41111111-1111-1111-94cd-828a95f87712', 'id=41111111-1111-1111-9411-987654321012 ok',
      '"feature": "54545454-5454-5454-a1e2-017f4fe0a885"']) {
      expect(found(piiFindings(s), s).filter((f) => f.startsWith('card:')), s).toEqual([]);
    }
    // cards written in groups are found with no other five digits on the line (they were not), and before a full stop
    for (const [s, card] of [['card 4111 1111 1111 1111 ok', '4111 1111 1111 1111'], ['paid with 4111-1111-1111-1111.', '4111-1111-1111-1111'],
      ['card=5454-5454-5454-5454-', '5454-5454-5454-5454'],
      // a card followed by a dash and a word is still a card: only a UUID's own tail makes its first groups no card
      ['ref 4111111111111111-a0d7', '4111111111111111'], ['4111-1111-1111-1111-exp', '4111-1111-1111-1111']] as const) {
      expect(found(piiFindings(s), s), s).toContain(`card:${card}`);
    }
  });

  it('property: the e-mails found are exactly the full pattern\'s matches (found from the `@`s; its URL look-behind skipped only where no `://` is)', () => {
    // local parts up to and over the 64-character bound, every local-part character, adjacent and repeated `@`s
    const piece = fc.constantFrom('priya.s', '@', '@@', 'acme', '.in', '.co.uk', '://', 'https', 'user:pw', ' ', '/', '-', '_x', '9', 'a', '\n', '"',
      '%', '+', 'x'.repeat(30), 'y'.repeat(63), 'z'.repeat(64), 'w'.repeat(65), 'ab.cd-ef_gh%ij+kl', '.x.', 'a@b.cd@e.fg',
      '\\', '\\n', '\\\\', 'n', 't', 'r', 'celery', 'gen12');
    const text = fc.array(piece, { maxLength: 30 }).map((p) => p.join(''));
    fc.assert(fc.property(text, (s) => {
      const got = piiFindings(s).filter((f) => f.rule === 'email').map((f) => [f.start, f.end]);
      // but a Celery node name (`celery@host`, `gen<pid>@host`) is no e-mail
      expect(got).toEqual([...s.matchAll(EMAIL)].filter((m) => !/^(?:celery|gen\d+)@/.test(m[0])).map((m) => [m.index, m.index + m[0].length]));
    }), { numRuns: 3000 });
    // the look-behind still holds where a URL is: userinfo is not an e-mail, a later address is
    expect(found(piiFindings('https://user:pw@db.acme.in/x mail ops@acme.in'), 'https://user:pw@db.acme.in/x mail ops@acme.in')).toEqual(['email:ops@acme.in']);
    // an escape's letter is not the address's: after an escaped backslash it is
    for (const [t, want] of [['\\nfarah@x.org', 'farah@x.org'], ['\\\\nfarah@x.org', 'nfarah@x.org'], ['\\\\\\tom@x.org', 'om@x.org'], ['\\bob@x.org', 'bob@x.org']]) {
      expect(found(piiFindings(t!), t!), t).toEqual([`email:${want}`]);
    }
  });

  it('property: the IPv6 gate found from the colons is the four-hex-groups pattern', () => {
    const piece = fc.constantFrom(':', '::', '1', 'a', 'F', 'g', 'ab', '12345', 'fe80', 'ffff', 'x', ' ', '.', '-', '0:0', 'dead:beef');
    fc.assert(fc.property(fc.array(piece, { maxLength: 25 }), (ps) => {
      const s = ps.join('');
      expect(hasFourHexGroups(s), s).toBe(/[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}/i.test(s));
    }), { numRuns: 5000 });
    expect(hasFourHexGroups('at 12:07:36:1 ok')).toBe(true);
    expect(hasFourHexGroups('12:07:36 and 2023-07-06T00:04:46')).toBe(false);
  });

  it('not: invalid IPs, versions, timestamps, epochs, UUIDs, non-Luhn numbers', () => {
    const s = 'v1.2.3.4 999.1.1.1 12:07:36 1690543493.016718 7386fcfe-273e-4a1d-80e8-8b1848114362 4111 1111 1111 1112 2023-07-06';
    expect(piiFindings(s)).toEqual([]);
    expect(luhn('4111111111111111')).toBe(true);
    expect(luhn('4111111111111112')).toBe(false);
  });
});
