import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinkCase, deepLink, formatViewQuery, MAX_LINK_CHARS, parseDeepLink, parseViewQuery, ViewLink } from './viewLink';

const CASE = '3f9c1a2e-7b4d-4c1e-9a55-0b6d2e8f1c34';

describe('links: one format for the address bar and casefile://open', () => {
  it('round-trips every member through both forms', () => {
    const s: ViewLink = { caseId: CASE, view: 'trace', filter: { levels: ['ERROR'], text: 'a&b=c #x', regex: true }, trace: 'k/1?x&y=#z', event: 42 };
    expect(parseViewQuery(formatViewQuery(s))).toEqual(s);
    expect(deepLink(s)).toMatch(/^casefile:\/\/open\?case=/);
    expect(parseDeepLink(deepLink(s))).toEqual({ ok: true, link: s });
    // The browser form is the same query on the served origin.
    expect(parseViewQuery(new URL(`http://127.0.0.1:4173/${formatViewQuery(s)}`).search)).toEqual(s);
  });

  it('carries the Chains view\'s filters with that view only, and drops a malformed or unknown one whole', () => {
    const chains = { kinds: ['pipeline_run' as const], statuses: ['failure' as const], text: 'sneha & co', minDur: '5', sort: 'duration' as const, followWindow: false };
    const s: ViewLink = { caseId: CASE, view: 'chains', chains };
    expect(parseViewQuery(formatViewQuery(s))).toEqual(s);
    expect(parseDeepLink(deepLink(s))).toEqual({ ok: true, link: s });
    expect(formatViewQuery({ caseId: CASE, view: 'timeline', chains })).not.toContain('chains=');
    const bad = (c: unknown) => parseViewQuery(`?case=${CASE}&view=chains&chains=${encodeURIComponent(JSON.stringify(c))}`);
    expect(bad({ kinds: ['no_such_kind'] })).toEqual({ caseId: CASE, view: 'chains' });
    expect(bad({ statuses: ['failure'], sql: 'x' })).toEqual({ caseId: CASE, view: 'chains' });
    expect(parseViewQuery(`?case=${CASE}&view=chains&chains=%7Bnot-json`)).toEqual({ caseId: CASE, view: 'chains' });
  });

  it('round-trips any valid place (property)', () => {
    const place = fc.record({
      caseId: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$/),
      event: fc.nat(),
      // eslint-disable-next-line no-control-regex
      trace: fc.string({ minLength: 1, maxLength: 80 }).filter((t) => !/[\u0000-\u001f\u007f]/.test(t)),
      text: fc.string({ minLength: 1, maxLength: 60 }),
    });
    fc.assert(fc.property(place, ({ caseId, event, trace, text }) => {
      const s: ViewLink = { caseId, view: 'trace', trace, event, filter: { text } };
      expect(parseDeepLink(deepLink(s))).toEqual({ ok: true, link: s });
    }), { numRuns: 200 });
  });

  it('never carries the token or a member it does not know', () => {
    expect(formatViewQuery({ caseId: CASE, view: 'timeline' })).not.toContain('token');
    expect(parseViewQuery(`?token=secret&case=${CASE}&x-casefile-token=s&__proto__=1&constructor=2`)).toEqual({ caseId: CASE });
    const r = parseDeepLink(`casefile://open?case=${CASE}&token=abc&event=5`);
    expect(r).toEqual({ ok: true, link: { caseId: CASE, event: 5 } });
    expect(JSON.stringify(r)).not.toContain('abc');
    // A filter with a member the engine does not know is left out whole, not passed through.
    expect(parseViewQuery(`?case=${CASE}&filter=${encodeURIComponent(JSON.stringify({ levels: ['ERROR'], sql: 'DROP TABLE events' }))}`)).toEqual({ caseId: CASE });
  });

  it('leaves out malformed members and keeps the rest', () => {
    expect(parseViewQuery(`?case=${CASE}&view=drop&filter={bad&event=1e400`)).toEqual({ caseId: CASE });
    for (const ev of ['1e3', '0x10', '-1', ' 7', '7 ', '1.5', '99999999999999999', 'NaN', 'Infinity', '']) {
      expect(parseViewQuery(`?case=${CASE}&event=${encodeURIComponent(ev)}`), ev).toEqual({ caseId: CASE });
    }
    expect(parseViewQuery(`?filter=${encodeURIComponent(JSON.stringify({ levels: ['LOUD'] }))}`)).toEqual({});
    expect(parseViewQuery('?case=c1&view=trace&trace=a%00b')).toEqual({ caseId: 'c1', view: 'trace' });
  });

  it('refuses hostile case ids: path tricks, script, SQL, huge values', () => {
    for (const bad of ['../../etc/passwd', '..', '.hidden', '/abs', 'C:\\x', 'a/b', '<script>alert(1)</script>', "x' OR 1=1 --", 'a b', 'é', 'x'.repeat(129), '%2e%2e']) {
      expect(parseViewQuery(`?case=${encodeURIComponent(bad)}`).caseId, bad).toBeUndefined();
      expect(parseDeepLink(`casefile://open?case=${encodeURIComponent(bad)}`), bad).toMatchObject({ ok: false });
    }
  });

  it('refuses links that are not casefile://open, whatever they look like', () => {
    const bad = [
      `https://evil.example/open?case=${CASE}`, `javascript:alert(1)//casefile://open?case=${CASE}`, `file:///etc/passwd?case=${CASE}`,
      `app://casefile/index.html?case=${CASE}`, `casefile:open?case=${CASE}`, `casefile:///open?case=${CASE}`,
      `casefile://evil.example/?case=${CASE}`, `casefile://open.evil.example?case=${CASE}`, `casefile://user:pw@open?case=${CASE}`,
      `casefile://open:8080?case=${CASE}`, `casefile://open/../../etc/passwd?case=${CASE}`, `casefile://open/x?case=${CASE}`,
      `casefile://open/%2e%2e/?case=${CASE}`, `casefile://open\\..\\x?case=${CASE}`, `casefile://open?case=${CASE}#frag`,
      `casefile://open?case=${CASE}\n--inspect`, `casefile://open?case=${CASE}&event=1\u0000`,
      `casefile://open?event=5`, `casefile://open`, 'casefile://', '', 'not a url', `casefile://open?case=${CASE}&x=${'a'.repeat(MAX_LINK_CHARS)}`,
    ];
    for (const raw of bad) expect(parseDeepLink(raw), raw).toMatchObject({ ok: false });
    for (const raw of [null, undefined, 42, {}, ['casefile://open?case=c1']]) expect(parseDeepLink(raw)).toMatchObject({ ok: false });
  });

  it('accepts the scheme and host in any case, with or without a trailing slash', () => {
    for (const raw of [`CASEFILE://OPEN?case=${CASE}`, `casefile://open/?case=${CASE}`, `Casefile://Open?case=${CASE}&event=7`]) {
      expect(parseDeepLink(raw), raw).toMatchObject({ ok: true, link: { caseId: CASE } });
    }
  });

  it('opens a link only for a case this installation knows', () => {
    const link = { caseId: CASE, event: 3 };
    expect(checkLinkCase(link, [CASE, 'other'])).toEqual({ ok: true, link });
    expect(checkLinkCase(link, ['other'])).toMatchObject({ ok: false, reason: expect.stringMatching(/not in this installation/) });
    expect(checkLinkCase({ event: 3 }, [CASE])).toMatchObject({ ok: false });
  });

  it('never throws, whatever the input (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => {
      const r = parseDeepLink(`casefile://open?${s}`);
      if (r.ok) expect(ViewLink.safeParse(r.link).success).toBe(true);
      expect(() => parseViewQuery(s)).not.toThrow();
    }), { numRuns: 500 });
  });
});
