// Structure-aware rules the secret scanners lack: values under sensitive names whatever their entropy (JSON,
// Python reprs, key=value text, headers, SQL `col = '…'`, query parameters), URL userinfo, Sentry DSN and baggage
// keys, Bearer/Basic credentials, JWTs and PEM private keys. Patterns have no nested unbounded quantifiers: linear.
import { Automaton } from './automaton';
import { classifyKey } from './keys';
import { EMPTY_VALUE, type Finding } from './types';

// key (optionally quoted), separator, value: quoted ("…", '…', b'…', SQL's '' inside) or bare up to a delimiter.
// The value is only looked at (lookahead), so a value that is itself `"{"` does not hide the key after it.
export const KEY_VALUE =
  /(?<![\w.<-])(["']?)([A-Za-z_][\w.-]{0,63})\1[ \t]*(?::|=>|=)[ \t]*(?=(b?"(?:[^"\\\n]|\\.){0,4096}"|b?'(?:[^'\\\n]|\\.|''){0,4096}'|[^\s,;&'"{}[\]()<>]{1,4096}))/g;
// Header-like values run to the end of the line: `Authorization: Basic …`, `Cookie: a=1; sid=…`.
const WHOLE_LINE_KEYS = /^(?:authorization|proxy_authorization|cookie|set_cookie|x_api_key|x_auth_token)$/;
// The user may be empty: `redis://:password@host` is how Redis (Celery's broker and result backend) URLs carry a password.
export const URL_USERINFO = /\b([a-zA-Z][a-zA-Z0-9+.-]{1,20}):\/\/([^\s:/@'"<>\\]{0,256})(?::([^\s/@'"<>\\]{0,256}))?@(?=[^\s/:?#'"<>\\])/g;
const SENTRY_KEY = /\bsentry[-_]public[-_]key=([0-9a-f]{32})\b|\bsentry_key=([0-9a-f]{32})\b/gi;
const BEARER = /\b(?:Bearer|Token)\s+([A-Za-z0-9._~+/=-]{8,4096})/gi;
const BASIC = /\bBasic\s+([A-Za-z0-9+/]{6,4096}={0,2})/g;
const JWT = /\beyJ[A-Za-z0-9_-]{5,4096}\.[A-Za-z0-9_-]{2,8192}\.[A-Za-z0-9_-]{0,4096}/g;
const PEM_BEGIN = /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END = /-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
// Passwords on command lines and in prose, where no key=value shape holds them. A value is quoted or a bare word;
// a bare one never starts with `-` (the next option) and is never a placeholder the redactor wrote.
const ARG = `'([^'\\n]{1,256})'|"([^"\\n]{1,256})"|([^\\s'"-][^\\s'"]{0,255})`;
/** `sshpass -p 'pw' ssh …` (the value attached or after one blank). */
const SSHPASS = new RegExp(`\\bsshpass\\s+-p\\s?(?:${ARG})`, 'g');
/** The MySQL clients take `-p<pw>` attached (`-p` alone prompts, and the next word is the database). */
const MYSQL_P = new RegExp(`\\bmysql(?:dump|admin|import|check|slap|sh)?\\b[^\\n|;&]{0,300}?\\s-p(?:${ARG})`, 'g');
/** `--password pw`, `--password=pw`, `--db-password=pw` (not `--password-file /path`, not `--password` alone). */
const LONG_PASSWORD = new RegExp(`(?<![\\w-])--(?:[a-z0-9]+-){0,3}(?:password|passwd|passphrase)(?:=|[ \\t]+)(?:${ARG})`, 'gi');
/** Prose: `password 'pw'`, `password is "pw"` (quoted only: `password reset requested` stays). */
const PROSE_PASSWORD = new RegExp(`\\b(?:password|passwd|passphrase)[ \\t]+(?:is[ \\t]+|was[ \\t]+|set to[ \\t]+)?(?:'([^'\\n]{1,256})'|"([^"\\n]{1,256})")`, 'gi');

export interface StructuralOptions {
  /** Extra sensitive key names (normalised) from the client's rules. */
  secretKeys?: ReadonlySet<string>;
  /**
   * Classify each key before matching its value, and skip the pattern for keys no rule takes (default). False: the
   * pattern at every key first (the reference the pre-filter's tests compare against).
   */
  keysFirst?: boolean;
  /** Only secrets are wanted (the re-scan): with keysFirst, keys that only ever name personal data are skipped too. */
  secretsOnly?: boolean;
  /**
   * Run each credential and URL pattern only on texts holding its word, and look for userinfo from the `://`s
   * (default). False: every pattern scans every text (the reference the pre-filter's tests compare against).
   */
  hints?: boolean;
}

function unquote(v: string, start: number): [number, number] {
  let s = start;
  let e = start + v.length;
  if (v.startsWith('b"') || v.startsWith("b'")) { s += 2; e -= 1; }
  else if (v.startsWith('"') || v.startsWith("'")) { s += 1; e -= 1; }
  return [s, e];
}

/** `KEY_VALUE` anchored at one position (sticky): tried only where `keyStarts` says a key can begin. */
const KEY_VALUE_AT = new RegExp(KEY_VALUE.source, 'y');

const isKeyChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45;
const isKeyLead = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/**
 * Where `KEY_VALUE` can match, in order: every match is `[quote]key[quote][ \t]*` before a `:` or `=`, and its key is
 * a whole run of key characters (the lookbehind refuses a start inside one). So from each separator, look back over
 * blanks, a quote and the run: the quote's position and the run's start are the only candidates. One pass over
 * the text instead of the pattern tried at every position (keyValues.test.ts checks it against the global scan).
 */
export function keyStarts(text: string): number[] {
  const out: number[] = [];
  let colon = text.indexOf(':');
  let equals = text.indexOf('=');
  while (colon >= 0 || equals >= 0) {
    let i: number;
    if (equals < 0 || (colon >= 0 && colon < equals)) { i = colon; colon = text.indexOf(':', i + 1); } else { i = equals; equals = text.indexOf('=', i + 1); }
    let j = i;
    while (j > 0 && (text.charCodeAt(j - 1) === 32 || text.charCodeAt(j - 1) === 9)) j--;
    const close = j > 0 ? text.charCodeAt(j - 1) : -1;
    if (close === 34 || close === 39) j--;
    const end = j;
    while (j > 0 && end - j <= 64 && isKeyChar(text.charCodeAt(j - 1))) j--;
    if (j === end || end - j > 64 || !isKeyLead(text.charCodeAt(j))) continue;
    const open = j > 0 ? text.charCodeAt(j - 1) : -1;
    if (open === 34 || open === 39) out.push(j - 1);
    out.push(j);
  }
  return out;
}

/**
 * Every `KEY_VALUE` match, as `text.matchAll(KEY_VALUE)` gives them, found from the separators. With `keep`, only
 * those whose key it keeps: a key is the whole run of key characters at its start (so the pattern is not tried for a
 * key `keep` refuses); skipping such a match changes no other, as every start inside it (between its key and the
 * blanks after its separator) is its own unquoted twin, with the same key.
 */
export function keyValueMatches(text: string, keep?: (key: string) => boolean): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  let from = 0;
  for (const at of keyStarts(text)) {
    if (at < from) continue;
    if (keep) {
      const c = text.charCodeAt(at);
      const k = c === 34 || c === 39 ? at + 1 : at;
      let e = k;
      while (e < text.length && isKeyChar(text.charCodeAt(e))) e++;
      if (!keep(text.slice(k, e))) continue;
    }
    KEY_VALUE_AT.lastIndex = at;
    const m = KEY_VALUE_AT.exec(text);
    if (!m) continue;
    from = at + m[0].length;
    out.push(m);
  }
  return out;
}

function keyValues(text: string, opts: StructuralOptions, out: Finding[]): void {
  const keep = opts.keysFirst === false ? undefined : opts.secretsOnly
    ? (key: string) => classifyKey(key, opts.secretKeys)?.kind === 'secret'
    : (key: string) => classifyKey(key, opts.secretKeys) !== null;
  for (const m of keyValueMatches(text, keep)) {
    const key = m[2]!;
    const cls = classifyKey(key, opts.secretKeys);
    if (!cls) continue;
    const value = m[3]!;
    const vStart = m.index + m[0].length;
    const [s, end] = unquote(value, vStart);
    let e = end;
    const quoted = s !== vStart;
    if (!quoted && m[1] !== '"' && cls.kind === 'secret' && WHOLE_LINE_KEYS.test(key.toLowerCase().replace(/-/g, '_'))) {
      // the rest of the line, up to a closing quote of an enclosing string
      const stop = text.slice(s).search(/[\n"']|\\[nr"']/);
      e = stop < 0 ? text.length : s + stop;
      while (e > s && /[\s,]/.test(text[e - 1]!)) e--;
    }
    const v = text.slice(s, e);
    if (EMPTY_VALUE.test(v.trim())) continue;
    out.push({ start: s, end: e, kind: cls.kind, type: cls.type, rule: cls.kind === 'secret' ? 'key-value' : `field-${cls.type}` });
  }
}

/** `URL_USERINFO` anchored at one position (sticky): tried only within a scheme's reach of a `://`. */
const URL_USERINFO_AT = new RegExp(URL_USERINFO.source, 'y');

/**
 * Every `URL_USERINFO` match, as `text.matchAll(URL_USERINFO)` gives them, found from the `://`s instead of the
 * pattern tried at every word start. A match starts with its scheme (2-21 characters, no `:`) right before the first
 * `:` after its start, which is a `://`; so the starts within 21 characters before each `://`, in order and not
 * before the previous match's end, are the only ones to try, and the first that matches is the leftmost.
 */
export function userinfoMatches(text: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  let from = 0;
  for (let c = text.indexOf('://'); c >= 0; c = text.indexOf('://', c + 1)) {
    for (let s = Math.max(from, c - 21); s <= c - 2; s++) {
      URL_USERINFO_AT.lastIndex = s;
      const m = URL_USERINFO_AT.exec(text);
      if (m) { out.push(m); from = s + m[0].length; break; }
    }
  }
  return out;
}

function urls(text: string, words: number, hinted: boolean, out: Finding[]): void {
  for (const m of hinted ? userinfoMatches(text) : text.matchAll(URL_USERINFO)) {
    const user = m[2]!;
    const pass = m[3];
    const userStart = m.index + m[1]!.length + 3;
    if (pass === undefined && /^[0-9a-f]{32}$/i.test(user)) {
      out.push({ start: userStart, end: userStart + user.length, kind: 'secret', type: 'secret', rule: 'sentry-dsn' });
      continue;
    }
    if (!EMPTY_VALUE.test(user)) out.push({ start: userStart, end: userStart + user.length, kind: 'pii', type: 'user', rule: 'url-userinfo' });
    if (pass) {
      const ps = userStart + user.length + 1;
      out.push({ start: ps, end: ps + pass.length, kind: 'secret', type: 'secret', rule: 'url-password' });
    }
  }
  if (words & SENTRY_WORD) for (const m of text.matchAll(SENTRY_KEY)) {
    const g = m[1] ?? m[2]!;
    const s = m.index + m[0].length - g.length;
    out.push({ start: s, end: s + g.length, kind: 'secret', type: 'secret', rule: 'sentry-public-key' });
  }
}

const BEARER_WORD = 1;
const BASIC_WORD = 2;
const JWT_WORD = 4;
const PEM_WORD = 8;
const SENTRY_WORD = 16;
const PASS_WORD = 32;
const MYSQL_WORD = 64;
/**
 * The word each pattern below (and the Sentry checks) needs, case-folded (a superset of what each takes: `Basic`,
 * `eyJ` and `-----BEGIN` are case-sensitive in their patterns), found in one automaton pass: a pattern runs only on
 * a text holding its word.
 */
const HINTS: [string, number][] = [['bearer', BEARER_WORD], ['token', BEARER_WORD], ['basic', BASIC_WORD], ['eyj', JWT_WORD], ['-----begin', PEM_WORD], ['sentry', SENTRY_WORD],
  ['pass', PASS_WORD], ['mysql', MYSQL_WORD]];
const ALL_WORDS = 127;
const hints = new Automaton(HINTS.map(([w]) => w)).masker(HINTS.map(([, b]) => b));

function credentials(text: string, words: number, out: Finding[]): void {
  if (words & BEARER_WORD) for (const m of text.matchAll(BEARER)) {
    const g = m[1]!;
    if (!/[0-9]/.test(g) && g.length < 20) continue; // "Bearer realm" prose
    out.push({ start: m.index + m[0].length - g.length, end: m.index + m[0].length, kind: 'secret', type: 'secret', rule: 'bearer' });
  }
  if (words & BASIC_WORD) for (const m of text.matchAll(BASIC)) {
    const g = m[1]!;
    if (!Buffer.from(g, 'base64').toString('latin1').includes(':')) continue;
    out.push({ start: m.index + m[0].length - g.length, end: m.index + m[0].length, kind: 'secret', type: 'secret', rule: 'basic-auth' });
  }
  if (words & JWT_WORD) for (const m of text.matchAll(JWT)) {
    const head = m[0].slice(0, m[0].indexOf('.'));
    let alg = false;
    try {
      alg = 'alg' in (JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as object);
    } catch { /* not JSON: not a JWT */ }
    if (alg) out.push({ start: m.index, end: m.index + m[0].length, kind: 'secret', type: 'secret', rule: 'jwt' });
  }
  if (words & PEM_WORD) for (const m of text.matchAll(PEM_BEGIN)) {
    PEM_END.lastIndex = m.index + m[0].length;
    const end = PEM_END.exec(text);
    out.push({ start: m.index, end: end ? end.index + end[0].length : text.length, kind: 'secret', type: 'secret', rule: 'private-key' });
  }
}

function commandLines(text: string, words: number, out: Finding[]): void {
  const add = (re: RegExp, rule: string) => {
    for (const m of text.matchAll(re)) {
      const g = m[1] ?? m[2] ?? m[3]!;
      const e = m.index + m[0].length - (m[3] === undefined ? 1 : 0);
      if (EMPTY_VALUE.test(g)) continue;
      out.push({ start: e - g.length, end: e, kind: 'secret', type: 'secret', rule });
    }
  };
  if (words & PASS_WORD) {
    add(SSHPASS, 'sshpass');
    add(LONG_PASSWORD, 'password-option');
    add(PROSE_PASSWORD, 'password-prose');
  }
  if (words & MYSQL_WORD) add(MYSQL_P, 'mysql-password');
}

export function structuralFindings(text: string, opts: StructuralOptions = {}): Finding[] {
  const out: Finding[] = [];
  if (/[:=]/.test(text)) keyValues(text, opts, out);
  const hinted = opts.hints !== false;
  const words = hinted ? hints(text, ALL_WORDS) : ALL_WORDS;
  if (text.includes('://') || (words & SENTRY_WORD)) urls(text, words, hinted, out);
  if (words & (BEARER_WORD | BASIC_WORD | JWT_WORD | PEM_WORD)) credentials(text, words, out);
  if (words & (PASS_WORD | MYSQL_WORD)) commandLines(text, words, out);
  return out;
}
