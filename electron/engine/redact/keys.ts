// Which field names hold what: secrets whatever their value looks like, or personal data by its column.

/** Normalise a key: camelCase and separators to `_`, lower case (`X-Api-Key`, `apiKey` → `x_api_key`, `api_key`). */
export function normaliseKey(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

const SECRET_NAME =
  /(?:^|_)(?:password|passwd|passphrase|pass|pwd|pgpassword|secret|secret_key|token|api_?key|apikey|access_?key|private_?key|client_secret|auth|authorization|cookie|set_cookie|session_?id|sessionid|session_key|dsn|appid|app_?key|app_secret|credentials?|creds|signature|otp|bearer|jwt|csrf_?token|x_api_key|refresh_token|access_token)(?:$|_)/;
/** A sensitive word that only names an attribute of the secret: `token_count`, `password_required`, `secret_name`. */
const NOT_SECRET =
  /(?:^|_)(?:count|counts|type|types|len|length|limit|limits|expires?|expiry|ttl|required|url|uri|endpoint|file|path|name|names|usage|enabled|format|max|min|size|prefix|policy|version|hint|field|label|reset|changed|updated|at|in|header|algorithm|alg)$/;

export interface KeyClass {
  kind: 'secret' | 'pii';
  type: string;
}

/** `<prefix>_name` holds a person's name; these whole keys hold a user name (normalised forms). */
const NAME_PREFIXES = ['sender', 'receiver', 'reciever', 'customer', 'cust', 'full', 'first', 'last', 'middle', 'account', 'acc', 'holder',
  'beneficiary', 'payer', 'payee', 'person', 'contact', 'card_?holder', 'nominee', 'father', 'mother', 'spouse'];
const USER_KEYS = ['user_?name', 'username', 'login', 'user', 'owner', 'created_by', 'modified_by', 'requested_by'];

/**
 * An RE2 pattern (DuckDB's regexp_matches) true for every text holding a key the detectors class as a name or a
 * user, followed by its separator: a superset (it does not look at where the key starts), so a case's rows can be
 * narrowed in SQL before the harvest pass reads their fields in JS. Escaped (`\"user\":`) and URL-encoded
 * (`user%3D`) separators count: the detectors find those keys in decoded views.
 */
export const PERSON_KEY_HINT = `(?i)(?:(?:${NAME_PREFIXES.join('|')})[^a-z0-9]*name|(?:${USER_KEYS.join('|')}))(?:\\\\|["'])*[ \\t]*(?:[:=]|%3[ad])`
  .replace(/_\??/g, '[^a-z0-9]*');

/**
 * An RE2 pattern whose matches are the key-and-value snippets around those keys (`"user": "kiran"`,
 * `beneficiary_name = 'Tomás Garcia'`, `\"createdBy\": \"wei\"`, `owner%3Dpriya`): DuckDB extracts the distinct
 * snippets of a whole case, and the detectors read each one once (FieldHarvest) instead of every row that holds one.
 */
export const PERSON_FIELD_SNIPPET = `${PERSON_KEY_HINT.replace('(?i)', '(?i)(?:\\\\?["\'])?[\\w.-]*')}`
  + `[ \\t]*(?:b?\\\\?["'](?:[^"'\\\\\\n]|\\\\[^"'\\n]){1,200}\\\\?["']|[^\\s,;&'"{}\\[\\]()<>\\\\]{1,200})`;

/**
 * Pieces of which every key classifyKey() accepts holds at least one, case-folded, in the key as written (the
 * normalisation lower-cases and puts `_` between words, never inside one): the pre-filter's key names
 * (prefilter.ts). Checked against every word of the patterns here and generated keys (prefilter.test.ts).
 */
export const KEY_ATOMS = [
  // secret names (SECRET_NAME)
  'pass', 'pwd', 'secret', 'token', 'key', 'auth', 'cookie', 'session', 'dsn', 'appid', 'cred', 'signature', 'otp', 'bearer', 'jwt',
  // personal-data keys (PII_KEYS)
  'name', 'user', 'login', 'owner', 'created', 'modified', 'requested', 'mail', 'mob', 'phone', 'msisdn', 'tel', 'contact',
  'acc', 'iban', 'card', 'pan', 'aadha', 'kyc', 'ifsc', 'upi',
] as const;

/** The patterns classifyKey() decides with (for the pre-filter's proof: every word they name holds a key atom). */
export const keyPatternSources = (): string[] => [SECRET_NAME.source, ...PII_KEYS.map(([re]) => re.source)];

const PII_KEYS: [RegExp, string][] = [
  [new RegExp(`(?:^|_)(?:${NAME_PREFIXES.join('|')})_name$`), 'name'],
  [new RegExp(`^(?:${USER_KEYS.join('|')})$`), 'user'],
  [/(?:^|_)e_?mail(?:_id|_address)?$/, 'email'],
  [/(?:^|_)(?:mob|mobile|phone|msisdn|tel|telephone|contact_no|party_mob)(?:_no|_num|_number)?$/, 'phone'],
  [/(?:^|_)(?:acc|account|acct|iban|card|pan|aadhaar|aadhar|kyc|ifsc|upi)(?:_id)?_(?:no|num|number|id)$|(?:^|_)(?:iban|account_number|acc_no|upi_id)$/, 'account'],
];

/** Key names recur on every line: each as written is normalised and classified once (one lookup, bounded). */
const known = new Map<string, { normalised: string; cls: KeyClass | null }>();
const EMPTY: ReadonlySet<string> = new Set();
const CLIENT_SECRET: KeyClass = { kind: 'secret', type: 'secret' };

/** Extra sensitive names from the client's rules are matched after normalising, as whole keys. */
export function classifyKey(key: string, extraSecret: ReadonlySet<string> = EMPTY): KeyClass | null {
  let k = known.get(key);
  if (k === undefined) {
    const normalised = normaliseKey(key);
    k = { normalised, cls: classifyNormalised(normalised) };
    if (known.size >= 10_000) known.clear();
    known.set(key, k);
  }
  return extraSecret.size && extraSecret.has(k.normalised) ? CLIENT_SECRET : k.cls;
}

function classifyNormalised(k: string): KeyClass | null {
  if (!k || k.length > 64) return null;
  for (const [re, type] of PII_KEYS) if (re.test(k)) return { kind: 'pii', type };
  if (SECRET_NAME.test(k) && !NOT_SECRET.test(k)) return { kind: 'secret', type: 'secret' };
  return null;
}
