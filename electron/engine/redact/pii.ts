// Personal data found by its shape: emails, phones (India and international), IPv4/IPv6 (validated), payment cards
// (issuer prefix and Luhn), `/home/<user>/` paths and internal host names. Patterns are bounded: linear time.
import net from 'node:net';
import type { Finding } from './types';

// not the `user:password@host` of a URL (that is the URL userinfo rule's: user, secret, host)
const NOT_IN_URL = String.raw`(?<!:\/\/[^\s/@]{0,256})`;
// A local part never starts on the letter of a `\n`, `\t` or `\r` escape (an odd run of backslashes before it): in a
// record's raw text `\nfarah@x.org` is `farah@x.org` after a newline, as its decoded view reads it. Taking the `n`
// gave the address another token than it has elsewhere and broke the escape, and with it the JSON.
const NOT_ESCAPE_LETTER = String.raw`(?![ntr](?<=(?:^|[^\\])(?:\\\\)*\\[ntr]))`;
const EMAIL_BODY = NOT_ESCAPE_LETTER + String.raw`[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![\w-])`;
export const EMAIL = new RegExp(NOT_IN_URL + EMAIL_BODY, 'g');
/** EMAIL tried at one position; without its look-behind for texts with no `://`, where it always holds. */
const EMAIL_AT = new RegExp(NOT_IN_URL + EMAIL_BODY, 'y');
const EMAIL_AT_NO_URL = new RegExp(EMAIL_BODY, 'y');
const isLocalPart = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;

/**
 * `text.matchAll(EMAIL)`, found from the `@`s instead of trying the pattern at every position. A match holds exactly
 * one `@` (neither part takes one) and starts at most 64 local-part characters before it, so for each `@` only the
 * leftmost start of its local-part run (within 64, not before the previous match's end) can be the match: a later
 * start in the run sees the same domain and the same failing look-behind (the run holds no blank, `/` or `@`).
 * detectors.test.ts checks it against the pattern's own scan.
 */
function emails(text: string, push: (start: number, end: number) => void): void {
  const re = text.includes('://') ? EMAIL_AT : EMAIL_AT_NO_URL;
  let from = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', Math.max(at + 1, from))) {
    let s = at;
    const floor = Math.max(from, at - 64);
    while (s > floor && isLocalPart(text.charCodeAt(s - 1))) s--;
    if (escapeLetterAt(text, s)) s++; // see NOT_ESCAPE_LETTER
    if (s === at) continue;
    re.lastIndex = s;
    const m = re.exec(text);
    if (!m) continue;
    push(s, s + m[0].length);
    from = s + m[0].length;
  }
}

/**
 * A Celery node name is no e-mail: `celery@<host>` (a worker's default name) and `gen<pid>@<host>` (the anonymous
 * name in a task's `origin`). Its host part is a host name, left to the host detectors (client domains and hosts,
 * internal host names), so it gets the token that host has everywhere else.
 */
const NODE_NAME = /^(?:celery|gen\d+)@/;

/** Whether text[i] is the letter of a `\n`, `\t` or `\r` escape: n, t or r after an odd run of backslashes. */
function escapeLetterAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c !== 110 && c !== 116 && c !== 114) return false;
  let b = i;
  while (b > 0 && text.charCodeAt(b - 1) === 92) b--;
  return (i - b) % 2 === 1;
}

const isHex = (c: number) => (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);

/**
 * Whether `text` holds four groups of 1-4 hex digits joined by colons (`/[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){3}/i`), the
 * IPv6 gate: checked from each colon (a hex digit before it, two groups each closed by a colon, a hex digit after)
 * instead of the pattern tried at every hex digit of the text.
 */
export function hasFourHexGroups(text: string): boolean {
  for (let c = text.indexOf(':'); c >= 0; c = text.indexOf(':', c + 1)) {
    if (c === 0 || !isHex(text.charCodeAt(c - 1))) continue;
    let at = c;
    let groups = 0;
    while (groups < 2) {
      let j = at + 1;
      while (j < text.length && j - at <= 4 && isHex(text.charCodeAt(j))) j++;
      if (j === at + 1 || text.charCodeAt(j) !== 58) break;
      at = j;
      groups++;
    }
    if (groups === 2 && isHex(text.charCodeAt(at + 1))) return true;
  }
  return false;
}
const PHONE_IN = /(?<![\w+.-])(?:\+91[ -]?|0)?[6-9]\d{4}[ -]?\d{5}(?![\w.])/g;
const PHONE_INTL = /(?<![\w+])\+[1-9](?:[ -]?\d){7,14}(?![\w.])/g;
const IPV4 = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]|\.\d)/g;
const IPV6 = /(?<![\w:.])(?=[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:)[0-9A-Fa-f:]{2,39}(?:%[\w]{1,16})?(?![\w:])/g;
// not followed by the rest of a UUID (its first groups, 8-4-4 digits, read as a Luhn-valid card) nor by `.` and a
// digit (a decimal); a full stop after it ends a sentence (it was missed there). Only the UUID's own tail is refused:
// a card before `-exp` or `-a0d7` is still a card.
const CARD = /(?<![\w.-])\d(?:[ -]?\d){12,18}(?!\w|\.\d|-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Fa-f]))/g;
const HOME = /\/(?:home|Users)\/([A-Za-z0-9._-]{1,64})(?=\/|\b)/g;
const INTERNAL_SUFFIX = /\.(?:internal|local|lan|corp|intra|intranet|localdomain|home\.arpa)\b/i;
const INTERNAL_HOST = /\b(?:[a-z0-9](?:[a-z0-9-]{0,62})\.){1,8}(?:internal|local|lan|corp|intra|intranet|localdomain|home\.arpa)\b(?![.-]\w)/gi;

export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Card issuers' prefixes (Visa, Mastercard, Amex, Discover, RuPay, JCB, Diners, Maestro): epoch-ms and ids rarely pass. */
const CARD_PREFIX = /^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|6(?:011|5|4[4-9]|0|52)|35|8[12]|50|5[6-8])/;

function isIPv4(s: string): boolean {
  return s.split('.').every((o) => o.length <= 3 && Number(o) <= 255 && !(o.length > 1 && o.startsWith('0')));
}

export function piiFindings(text: string): Finding[] {
  const out: Finding[] = [];
  const push = (start: number, end: number, type: string, rule: string) => out.push({ start, end, kind: 'pii', type, rule });
  emails(text, (start, end) => { if (!NODE_NAME.test(text.slice(start, end))) push(start, end, 'email', 'email'); });
  // a card written in groups (`4111 1111 1111 1111`) has no five digits in a row
  if (/\d{5}|\d{4}[ -]\d{4}/.test(text)) {
    for (const m of text.matchAll(PHONE_IN)) push(m.index, m.index + m[0].length, 'phone', 'phone-in');
    for (const m of text.matchAll(CARD)) {
      const d = m[0].replace(/[ -]/g, '');
      if (d.length >= 13 && d.length <= 19 && CARD_PREFIX.test(d) && luhn(d)) push(m.index, m.index + m[0].length, 'card', 'card');
    }
  }
  if (text.includes('+')) for (const m of text.matchAll(PHONE_INTL)) push(m.index, m.index + m[0].length, 'phone', 'phone-intl');
  if (text.includes('.')) for (const m of text.matchAll(IPV4)) if (isIPv4(m[0])) push(m.index, m.index + m[0].length, 'ip', 'ipv4');
  if (text.includes('::') || hasFourHexGroups(text)) {
    for (const m of text.matchAll(IPV6)) {
      const addr = m[0].replace(/%.*$/, '');
      if (addr.length > 2 && net.isIPv6(addr) && /[0-9a-f]/i.test(addr)) push(m.index, m.index + m[0].length, 'ip', 'ipv6');
    }
  }
  if (text.includes('/home/') || text.includes('/Users/')) {
    for (const m of text.matchAll(HOME)) push(m.index + m[0].length - m[1]!.length, m.index + m[0].length, 'user', 'home-path');
  }
  // the suffix first (a plain search): the full pattern tries every label start of every line otherwise
  if (INTERNAL_SUFFIX.test(text)) for (const m of text.matchAll(INTERNAL_HOST)) push(m.index, m.index + m[0].length, 'host', 'internal-host');
  return out;
}
