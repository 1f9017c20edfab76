import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base32, normalise, Pseudonymizer } from './pseudonym';

const K = Buffer.alloc(32, 3);

describe('pseudonyms', () => {
  it('TOKEN is the first 10 base32 characters of HMAC-SHA-256(K, type ‖ 0x00 ‖ normalised value)', () => {
    const mac = crypto.createHmac('sha256', K).update(Buffer.concat([Buffer.from('email'), Buffer.of(0), Buffer.from('priya@acme.in')])).digest();
    expect(new Pseudonymizer(K).token('email', ' Priya@ACME.in ')).toBe(`<email:${base32(mac).slice(0, 10)}>`);
    expect(base32(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
  });

  it('one entity, one token in every spelling; the type is in the MAC; another key, other tokens', () => {
    const p = new Pseudonymizer(K);
    const t = p.token('phone', '9876543210');
    for (const v of ['+91 98765 43210', '+919876543210', '09876543210', '%2B919876543210']) expect(p.token('phone', v)).toBe(t);
    expect(p.token('user', 'venkata')).toBe(p.token('user', 'VENKATA'));
    expect(p.token('user', 'venkata').slice(6)).not.toBe(p.token('name', 'venkata').slice(6));
    expect(new Pseudonymizer(Buffer.alloc(32, 4)).token('phone', '9876543210')).not.toBe(t);
    expect(normalise('ip', '010.001.002.003')).toBe('10.1.2.3');
    expect(normalise('ip', 'FD00:0:0:0:0:0:0:1')).toBe('fd00::1');
  });

  it('lengthens a token on a collision so distinct values never share one, and keeps the first one stable', () => {
    const p = new Pseudonymizer(K, undefined, 1); // one character: 32 possible tokens, collisions certain
    const values = Array.from({ length: 200 }, (_, i) => `user${i}`);
    const tokens = values.map((v) => p.token('user', v));
    expect(new Set(tokens).size).toBe(values.length);
    expect(tokens.some((t) => t.length > '<user:X>'.length)).toBe(true);
    expect(values.map((v) => p.token('user', v))).toEqual(tokens);
    expect(p.entries()).toHaveLength(200);
    expect(p.entries()[0]).toMatchObject({ type: 'user', original: 'user0' });
  });

  it('refuses a short key', () => {
    expect(() => new Pseudonymizer(Buffer.alloc(8))).toThrow(/128 bits/);
  });
});
