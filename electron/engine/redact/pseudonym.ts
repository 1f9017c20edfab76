// Pseudonyms: TOKEN = base32(HMAC-SHA-256(K, type ‖ 0x00 ‖ normalise(value))), 10 characters (50 bits), lengthened
// when two values of the scope would share one. The type is inside the MAC, so one string in two roles gets two
// tokens. K never leaves this object except into the encrypted re-identification map.
import crypto from 'node:crypto';
import net from 'node:net';

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const TOKEN_CHARS = 10;

export function base32(buf: Uint8Array): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const b of buf) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

/** %XX escapes only ('+' stays: it starts an E.164 phone). */
function safeDecode(s: string): string {
  if (!/%[0-9a-fA-F]{2}/.test(s)) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Trim, URL-decode; emails, hosts and users lower-cased; phones to E.164; IPs canonical. */
export function normalise(type: string, value: string): string {
  const v = safeDecode(value).trim();
  switch (type) {
    case 'email':
    case 'host':
    case 'user':
      return v.toLowerCase();
    case 'phone': {
      const d = v.replace(/[^\d+]/g, '');
      if (d.startsWith('+')) return d;
      const digits = d.replace(/^0+/, '');
      return digits.length === 10 ? `+91${digits}` : digits;
    }
    case 'ip': {
      const addr = v.replace(/%.*$/, '');
      if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(addr)) return addr.split('.').map((o) => String(Number(o))).join('.');
      if (net.isIPv6(addr)) {
        try {
          return new URL(`http://[${addr}]/`).hostname.slice(1, -1);
        } catch {
          return addr.toLowerCase();
        }
      }
      return addr;
    }
    case 'card':
      return v.replace(/[ -]/g, '');
    default:
      return v;
  }
}

export interface MapEntry {
  token: string;
  type: string;
  original: string;
  firstEvent: string | null;
}

export class Pseudonymizer {
  private readonly byValue = new Map<string, string>();
  private readonly byToken = new Map<string, MapEntry>();
  private forgotten = false;
  /** Entries made since the last takeAdded(). */
  private added: MapEntry[] = [];
  /** Values whose token is longer than the default (a collision happened in this scope). */
  readonly lengthened = new Map<string, number>();

  /** `chars` below the default only in tests, to make collisions happen. */
  constructor(private readonly key: Buffer, lengths?: ReadonlyMap<string, number>, private readonly chars = TOKEN_CHARS) {
    if (key.length < 16) throw new Error('pseudonym key must be at least 128 bits');
    if (lengths) for (const [k, n] of lengths) this.lengthened.set(k, n);
  }

  static randomKey(): Buffer {
    return crypto.randomBytes(32);
  }

  private mac(type: string, norm: string): string {
    return base32(crypto.createHmac('sha256', this.key).update(type).update(Buffer.of(0)).update(norm).digest());
  }

  /** `<type:TOKEN>` for a value, recorded in the map with the first event it appeared in. */
  token(type: string, value: string, eventId: string | null = null): string {
    const norm = normalise(type, value);
    const id = `${type}\u0000${norm}`;
    const known = this.byValue.get(id);
    if (known) return known;
    if (this.forgotten) throw new Error('the pseudonym key was zeroed: no new token can be made');
    const full = this.mac(type, norm);
    let len = this.lengthened.get(id) ?? this.chars;
    let token = `<${type}:${full.slice(0, len)}>`;
    while (this.byToken.has(token)) {
      len += 2;
      token = `<${type}:${full.slice(0, len)}>`;
    }
    if (len !== this.chars) this.lengthened.set(id, len);
    this.byValue.set(id, token);
    const entry = { token, type, original: value, firstEvent: eventId };
    this.byToken.set(token, entry);
    this.added.push(entry);
    return token;
  }

  /** The re-identification map: token → type, original, first event. For the encrypted map only. */
  entries(): MapEntry[] {
    return [...this.byToken.values()];
  }

  /** Zeroes the key: no new token can be made after this (a value already tokenised keeps its token). */
  forgetKey(): void {
    this.key.fill(0);
    this.forgotten = true;
  }

  /** The entries made since the last call (a long-lived redactor hands its map over batch by batch). */
  takeAdded(): MapEntry[] {
    const out = this.added;
    this.added = [];
    return out;
  }

  get size(): number {
    return this.byToken.size;
  }
}
