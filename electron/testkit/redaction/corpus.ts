// Labelled redaction corpus: records in every seed-000 format with planted secrets (one sample per gitleaks rule,
// synthesised from its own regex, plus every structural case) in every context (JSON value, nested JSON string,
// dict repr, SQL literal, URL-encoded parameter, header, key=value text), a fixed cast of people whose PII recurs
// across files, hard negatives and clean records. Seeded: same options, same corpus, same truth.
import { GitleaksDetector } from '../../engine/redact/gitleaks';
import type { HarvestValue } from '../../engine/redact/harvest';
import { GITLEAKS } from '../../engine/redact/rules/gitleaks.generated';
import { Rng } from '../synth/prng';
import type { RedactionRulesInput } from '../../../shared/redaction';
import type { IdPattern } from '../../../shared/correlation';
import { sampleFor } from './regexSample';

export const CONTEXTS = ['json', 'nested', 'repr', 'sql', 'url', 'header', 'text'] as const;
export type Context = (typeof CONTEXTS)[number];

export interface Planted {
  file: string;
  record: number;
  /** Raw offsets in the record (the encoded form as written). */
  start: number;
  end: number;
  kind: 'secret' | 'pii' | 'negative';
  type: string;
  /** Same entity, same id: what pseudonym consistency is measured on. */
  entity: string;
  context: Context;
  /** The planted value before encoding. */
  value: string;
}

export interface CorpusFile { path: string; format: string; records: string[] }

export interface Corpus {
  files: CorpusFile[];
  truth: Planted[];
  /** What the case's identifiers table would hold for this cast. */
  harvest: HarvestValue[];
  rules: RedactionRulesInput;
  idPatterns: IdPattern[];
  /** gitleaks rules whose regex could not produce a sample the rule itself detects. */
  unsynthesised: string[];
}

export interface CorpusOptions {
  seed?: number;
  /** Put every gitleaks sample in every context (full corpus) or in one rotating context (small CI corpus). */
  allContexts?: boolean;
  cleanRecords?: number;
  piiRecords?: number;
  /**
   * The held-out corpus: other names, user and email shapes, phone spellings, sensitive key names, URL schemes and
   * surrounding words than the ones the detectors were tuned on (use with another seed). Efficacy on it is reported
   * apart; it gates nothing.
   */
  heldOut?: boolean;
}

/** The surface forms a corpus is written in: the tuned set, or the held-out one. */
interface Surface {
  first: string[];
  last: string[];
  user: (f: string, l: string, n: number) => string;
  email: (f: string, l: string) => string;
  phoneForms: (p: string) => string[];
  clientPrefixes: string[];
  secretKeys: string[];
  dbScheme: string;
  words: { mail: string; call: string; search: string; by: string; from: string; card: string; home: string; host: string };
  hostOf: (i: number) => string;
  nameKey: string;
  accountKey: string;
  phoneKey: string;
}

const TUNED: Surface = {
  first: ['Ravi', 'Priya', 'Arjun', 'Meera', 'Sneha', 'Farah', 'Kiran', 'Deepa'],
  last: ['Kumar', 'Sharma', 'Iyer', 'Nair', 'Reddy', 'Khan', 'Das', 'Menon'],
  user: (f, l, n) => `${f.toLowerCase()}${l[0]!.toLowerCase()}${n}`,
  email: (f, l) => `${f.toLowerCase()}.${l.toLowerCase()}@acme-client.in`,
  phoneForms: (p) => [p, `+91 ${p.slice(0, 5)} ${p.slice(5)}`, `+91${p}`, `0${p}`],
  clientPrefixes: ['ALPHA', 'GAMMA', 'SIGMA', 'KAPPA'],
  secretKeys: ['password', 'db_password', 'api_key', 'client_secret', 'access_token', 'appid', 'secret'],
  dbScheme: 'postgresql',
  words: { mail: 'mail to ', call: 'callback ', search: 'search for ', by: ' by ', from: 'from ', card: 'card ', home: 'file /home/', host: 'host ' },
  hostOf: (i) => `worker${i % 5}.aip.acmeinc.com`,
  nameKey: 'sender_name',
  accountKey: 'sender_acc_id_no',
  phoneKey: 'sending_party_mob',
};

const HELD_OUT: Surface = {
  first: ['Wei', 'Olga', 'Tomás', 'Aisha', 'Jurgen', 'Mei', 'Bongani', 'Ines'],
  last: ['Zhang', 'Petrova', 'Garcia', 'Bello', 'Muller', 'Tanaka', 'Dlamini', 'Costa'],
  user: (f, l) => `${f.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}_${l.toLowerCase()}`,
  email: (f, l) => `${f[0]!.toLowerCase()}${l.toLowerCase()}+ops@globex-corp.co.uk`,
  phoneForms: (p) => [`+91-${p.slice(0, 5)}-${p.slice(5)}`, `+91 ${p.slice(0, 3)} ${p.slice(3, 6)} ${p.slice(6)}`, `${p.slice(0, 5)} ${p.slice(5)}`, `+91 ${p}`],
  clientPrefixes: ['DELTA', 'OMEGA', 'THETA', 'ZETA'],
  secretKeys: ['passphrase', 'smtpPassword', 'X-Api-Key', 'clientSecret', 'refresh_token', 'pwd', 'auth_token'],
  dbScheme: 'mysql',
  words: { mail: 'notify ', call: 'sms to ', search: 'lookup ', by: ' requested by ', from: 'peer ', card: 'pan ', home: 'opened /Users/', host: 'upstream ' },
  hostOf: (i) => `etl-${i % 5}.prod.acmeinc.com`,
  nameKey: 'beneficiary_name',
  accountKey: 'payee_account_number',
  phoneKey: 'customer_mobile',
};

// ---- encodings of a value in each context ----------------------------------------------------------------------
const jsonEsc = (s: string) => JSON.stringify(s).slice(1, -1);
const reprEsc = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n');
export const ENCODE: Record<Context, (s: string) => string> = {
  json: jsonEsc,
  nested: (s) => jsonEsc(jsonEsc(s)),
  repr: reprEsc,
  sql: (s) => s.replace(/'/g, "''"),
  url: (s) => encodeURIComponent(s),
  header: (s) => s.replace(/\n/g, ' '),
  text: (s) => s.replace(/\n/g, ' '),
};

/** Builds one record while recording where each planted value landed. */
class Rec {
  text = '';
  plants: Omit<Planted, 'file' | 'record'>[] = [];
  constructor(readonly context: Context) {}
  t(s: string): this { this.text += s; return this; }
  p(value: string, kind: Planted['kind'], type: string, entity: string, enc: (s: string) => string = ENCODE[this.context]): this {
    const e = enc(value);
    this.plants.push({ start: this.text.length, end: this.text.length + e.length, kind, type, entity, context: this.context, value });
    this.text += e;
    return this;
  }
}

type Slot = (r: Rec) => void;

// ---- carriers: one record of a seed-000 format around a slot, by context ----------------------------------------
const FILES: Record<Context, { path: string; format: string }> = {
  json: { path: 'enrich/logs/app/app.json.log', format: 'system' },
  nested: { path: 'enrich/llm-agents/logs/datagpt/app.json.log', format: 'taskblade' },
  repr: { path: 'enrich/logs/celery/celery-worker.log', format: 'celery' },
  sql: { path: 'enrich/logs/celery/celery-sql.log', format: 'celery' },
  url: { path: 'enrich/logs/gunicorn/gunicorn_supervisor.log', format: 'gunicorn' },
  header: { path: 'enrich/logs/doodle/doodle.log', format: 'doodle' },
  text: { path: 'enrich/logs/workflows/daily.log', format: 'prefect' },
};

class Clock {
  private ms = Date.parse('2023-07-06T06:30:00Z');
  next(rng: Rng): Date { this.ms += rng.int(5, 4000); return new Date(this.ms); }
}

/** Python logging's asctime: `2023-07-06 06:30:00,123`. */
const naive = (d: Date) => { const iso = d.toISOString(); return iso.slice(0, 19).replace('T', ' ') + ',' + iso.slice(20, 23); };

function carrier(ctx: Context, rng: Rng, clock: Clock, slot: Slot, key?: string): Rec {
  const r = new Rec(ctx);
  const d = clock.next(rng);
  const iso = d.toISOString();
  const uuid = rng.uuid();
  switch (ctx) {
    case 'json':
      r.t(`{"asctime": "${naive(d)}", "name": "app", "levelname": "INFO", "message": "`);
      if (key) { r.t(`settings loaded", "${key}": "`); slot(r); r.t('"'); } else { r.t('request context: '); slot(r); r.t('"'); }
      // logid: the system log's own key (formats/system.ts sniffs it); without it the importer reads generic JSON
      r.t(`, "pathname": "/app/enrich/dashboard/views.py", "lineno": ${rng.int(10, 900)}, "created": ${Math.floor(d.getTime() / 1000)}.${rng.int(100000, 999999)}, "logid": "${(d.getTime() / 1000).toFixed(2)}"}`);
      break;
    case 'nested':
      r.t(`{"message": "Query Status: pending", "levelname": "DEBUG", "name": "app", "asctime": "${naive(d)}", "source": "service", "request_id": "${uuid}", "dataset": "acme-retail", "data": "{\\n    \\"query\\": \\"how many rows?\\",\\n    \\"`);
      r.t(key ?? 'context').t('\\": \\"');
      slot(r);
      r.t('\\"\\n}"}');
      break;
    case 'repr':
      r.t(`[${naive(d)}: DEBUG/MainProcess] TaskPool: Apply <function fast_trace_task at 0x7f55e1ada820> (args:('search_transactions', '${uuid}', {'lang': 'py', 'task': 'search_transactions', 'id': '${uuid}', 'argsrepr': "({'start_date': '2023-04-06', '${key ?? 'query'}': '`);
      slot(r);
      r.t(`'},)", 'kwargsrepr': '{}', 'retries': 0}) kwargs:{})`);
      break;
    case 'sql':
      r.t(`[${naive(d)}: INFO/ForkPoolWorker-1] search_transactions[${uuid}]: [0] Chunk running SQL: UPDATE settings\n            SET ${key ?? 'note'} = '`);
      slot(r);
      r.t(`'\n            WHERE (DATE(modified_on) >= '2023-04-06')`);
      break;
    case 'url':
      r.t(`[${iso.slice(0, 19).replace('T', ' ')} +0530] [2501] [DEBUG] GET /dashboard/usecases/Compliance/search?${key ?? 'q'}=`);
      slot(r);
      r.t(`&page=${rng.int(1, 9)}`);
      break;
    case 'header':
      r.t(`[${iso.slice(0, 19).replace('T', ' ')} +0000] [31917] [DEBUG] POST /metadata/api/v1/features/${uuid}\n    ${key ?? 'X-Debug-Context'}: `);
      slot(r);
      break;
    case 'text':
      r.t(`[${iso.slice(0, 19).replace('T', ' ')}.${iso.slice(20, 23)}+0530] INFO - prefect.task_runs | run_acme started with ${key ? `${key}=` : 'context '}`);
      slot(r);
      r.t(' retries=3');
      break;
  }
  return r;
}

// ---- the cast -------------------------------------------------------------------------------------------------
interface Person { id: string; user: string; name: string; email: string; phone: string; account: string; client: string }
function cast(rng: Rng, sf: Surface): Person[] {
  return sf.first.map((f, i) => {
    const last = sf.last[i]!;
    return {
      id: `p${i}`,
      user: sf.user(f, last, rng.int(10, 99)),
      name: `${f} ${last}`,
      email: sf.email(f, last),
      phone: `${rng.pick(['9', '8', '7'])}${rng.int(100000000, 999999999)}`,
      account: String(rng.int(10, 99)) + String(rng.int(1e9, 9.9e9)),
      client: `${rng.pick(sf.clientPrefixes)}${rng.int(1000, 9999)}`,
    };
  });
}

function luhnComplete(prefix: string, rng: Rng, len: number): string {
  let d = prefix;
  while (d.length < len - 1) d += String(rng.int(0, 9));
  for (let c = 0; c <= 9; c++) {
    const cand = d + c;
    let sum = 0;
    for (let i = 0; i < cand.length; i++) {
      let x = cand.charCodeAt(cand.length - 1 - i) - 48;
      if (i % 2 === 1) { x *= 2; if (x > 9) x -= 9; }
      sum += x;
    }
    if (sum % 10 === 0) return cand;
  }
  throw new Error('unreachable');
}

const b64url = (s: string) => Buffer.from(s).toString('base64url');
const alnum = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.pick([...'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'])).join('');

export function generateRedactionCorpus(opts: CorpusOptions = {}): Corpus {
  const rng = new Rng(opts.seed ?? 12);
  const clock = new Clock();
  const sf = opts.heldOut ? HELD_OUT : TUNED;
  const people = cast(rng, sf);
  const files = new Map<string, CorpusFile>();
  const truth: Planted[] = [];
  const add = (r: Rec, where = FILES[r.context]) => {
    let f = files.get(where.path);
    if (!f) files.set(where.path, (f = { path: where.path, format: where.format, records: [] }));
    for (const p of r.plants) truth.push({ ...p, file: f.path, record: f.records.length });
    f.records.push(r.text);
  };

  // 1. gitleaks: one sample per rule, synthesised from its regex and checked against the rule itself.
  const detector = new GitleaksDetector();
  const unsynthesised: string[] = [];
  let n = 0;
  for (const rule of detector.rules) {
    const regex = GITLEAKS.rules.find((r) => r.id === rule.id)!.regex!;
    let sample: { text: string; start: number; end: number } | null = null;
    for (let k = 0; k < 40 && !sample; k++) {
      const s = sampleFor(regex, rng);
      if (/[\n\r]/.test(s)) continue;
      // a sample must pass the whole pipeline (keyword pre-filter included); add a keyword after it when it lacks one
      for (const text of [s, `${s} ${GITLEAKS.rules.find((r) => r.id === rule.id)!.keywords[0] ?? ''}`]) {
        const hit = detector.detect(text).find((f) => f.rule === rule.id);
        if (hit && !sample) sample = { text, start: hit.start, end: hit.end };
      }
    }
    if (!sample) { unsynthesised.push(rule.id); continue; }
    const contexts = opts.allContexts ? CONTEXTS : [CONTEXTS[n++ % CONTEXTS.length]!];
    for (const ctx of contexts) {
      const { text, start, end } = sample;
      // the secret part is the planted value; what surrounds it in the sample is written as-is around it
      add(carrier(ctx, rng, clock, (r) => {
        r.t(ENCODE[ctx](text.slice(0, start)));
        r.p(text.slice(start, end), 'secret', rule.id, `gitleaks:${rule.id}`);
        r.t(ENCODE[ctx](text.slice(end)));
      }));
    }
  }

  // 2. structural cases, each in every context
  const secret = (rule: string, value: string, key?: string) => {
    for (const ctx of CONTEXTS) add(carrier(ctx, rng, clock, (r) => r.p(value, 'secret', rule, `${rule}:${value}`), key));
  };
  for (const key of sf.secretKeys) {
    secret(`key-value:${key}`, `${alnum(rng, 4)}!${alnum(rng, 9)}`, key);
  }
  const pg = people[0]!;
  for (const ctx of CONTEXTS) {
    const pass = `${alnum(rng, 6)}#${alnum(rng, 6)}`;
    add(carrier(ctx, rng, clock, (r) => {
      r.t(ENCODE[ctx](`${sf.dbScheme}://`)).p(pg.user, 'pii', 'user', `user:${pg.id}`).t(ENCODE[ctx](':'))
        .p(pass, 'secret', 'url-password', `url-password:${pass}`).t(ENCODE[ctx]('@db7.acme.internal:5432/enrich'));
    }));
    const dsnKey = rng.hex(32);
    add(carrier(ctx, rng, clock, (r) => {
      r.t(ENCODE[ctx]('https://')).p(dsnKey, 'secret', 'sentry-dsn', `dsn:${dsnKey}`).t(ENCODE[ctx](`@o${rng.int(1000, 9999)}.ingest.sentry.io/${rng.int(1000, 9999)}`));
    }));
    const pub = rng.hex(32);
    add(carrier(ctx, rng, clock, (r) => {
      r.t(ENCODE[ctx](`sentry-trace_id=${rng.hex(32)},sentry-environment=production,sentry-public_key=`))
        .p(pub, 'secret', 'sentry-public-key', `baggage:${pub}`).t(ENCODE[ctx](',sentry-sample_rate=0.0'));
    }));
    const bearer = `${alnum(rng, 24)}.${alnum(rng, 12)}`;
    add(carrier(ctx, rng, clock, (r) => { r.t(ENCODE[ctx]('Bearer ')).p(bearer, 'secret', 'bearer', `bearer:${bearer}`); }));
    const basic = Buffer.from(`svc_${alnum(rng, 4)}:${alnum(rng, 12)}`).toString('base64');
    add(carrier(ctx, rng, clock, (r) => { r.t(ENCODE[ctx]('Basic ')).p(basic, 'secret', 'basic-auth', `basic:${basic}`); }));
    const jwt = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(`{"sub":"${pg.user}","exp":${rng.int(1.6e9, 1.8e9)}}`)}.${b64url(alnum(rng, 32))}`;
    add(carrier(ctx, rng, clock, (r) => { r.t(ENCODE[ctx]('session ')).p(jwt, 'secret', 'jwt', `jwt:${jwt}`); }));
    const body = Array.from({ length: 4 }, () => Buffer.from(alnum(rng, 48)).toString('base64').slice(0, 64)).join('\n');
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
    const penc = ctx === 'sql' || ctx === 'url' || ctx === 'json' || ctx === 'nested' || ctx === 'repr' ? ENCODE[ctx] : (s: string) => s;
    add(carrier(ctx, rng, clock, (r) => { r.t(ENCODE[ctx]('key material ')).p(pem, 'secret', 'private-key', `pem:${body.slice(0, 16)}`, penc); }));
    // passwords on command lines and in prose (no key=value shape holds them)
    const cli: [string, string, string][] = [
      ['sshpass', "sshpass -p '", "' ssh -o BatchMode=yes backup-host uptime"],
      ['mysql-password', 'mysqldump -u root -p', ' --single-transaction enrich'],
      ['password-option', 'restic backup --password ', ' /srv/data'],
      ['password-option', 'pg_dump --db-password=', ' enrich'],
      ['key-value:PGPASSWORD', 'PGPASSWORD=', ' psql -h db7 -U app enrich'],
      ['password-prose', "login failed with password '", "' for svc_report"],
    ];
    for (const [rule, before, after] of cli) {
      const pw = `${alnum(rng, 5)}!${alnum(rng, 7)}`;
      add(carrier(ctx, rng, clock, (r) => { r.t(ENCODE[ctx](before)).p(pw, 'secret', rule, `${rule}:${pw}`).t(ENCODE[ctx](after)); }));
    }
  }

  // 3. PII of the cast, recurring across files and contexts
  const piiRecords = opts.piiRecords ?? 140;
  for (let i = 0; i < piiRecords; i++) {
    const p = people[i % people.length]!;
    const ctx = CONTEXTS[Math.floor(i / people.length) % CONTEXTS.length]!;
    const which = i % 7;
    add(carrier(ctx, rng, clock, (r) => {
      const enc = ENCODE[ctx];
      const w = sf.words;
      if (which === 0) r.t(enc(w.mail)).p(p.email, 'pii', 'email', `email:${p.id}`).t(enc(' bounced'));
      else if (which === 1) r.t(enc(w.call)).p(rng.pick(sf.phoneForms(p.phone)), 'pii', 'phone', `phone:${p.id}`).t(enc(' failed'));
      else if (which === 2) r.t(enc(w.search)).p(p.client, 'pii', 'client_id', `client:${p.id}`).t(enc(w.by)).p(p.user, 'pii', 'user', `user:${p.id}`);
      else if (which === 3) {
        const v4 = `10.${rng.int(0, 255)}.${i % 8}.${10 + (i % 8)}`;
        const v6 = `fd00::${(i % 8).toString(16)}:${rng.hex(4)}`;
        r.t(enc(w.from)).p(v4, 'pii', 'ip', `ip:${v4}`).t(enc(' and ')).p(v6, 'pii', 'ip', `ip:${v6}`);
      }
      else if (which === 4) r.t(enc(w.card)).p(luhnComplete(rng.pick(['4', '51', '6521']), rng, 16), 'pii', 'card', `card:${i}`).t(enc(' declined'));
      else if (which === 5) r.t(enc(w.home)).p(p.user, 'pii', 'user', `user:${p.id}`).t(enc('/notebooks/run.ipynb'));
      else r.t(enc(w.host)).p(sf.hostOf(i), 'pii', 'host', `host:${sf.hostOf(i)}`).t(enc(' via ')).p(`+44 20 7946 ${String(1000 + (i % 8)).slice(0, 4)}`, 'pii', 'phone', `phone-uk:${i % 8}`);
    }));
  }
  // field-based PII: names and account numbers by column
  for (const [i, p] of people.entries()) {
    const ctx = (['json', 'repr', 'sql', 'nested'] as const)[i % 4]!;
    add(carrier(ctx, rng, clock, (r) => r.p(p.name, 'pii', 'name', `name:${p.id}`), sf.nameKey));
    add(carrier(ctx, rng, clock, (r) => r.p(p.account, 'pii', 'account', `account:${p.id}`), sf.accountKey));
    add(carrier(ctx, rng, clock, (r) => r.p(p.phone, 'pii', 'phone', `phone:${p.id}`), sf.phoneKey));
  }
  // held out only: a person's name in free text, under no known field (no detector claims to find these)
  if (opts.heldOut) {
    for (const [i, p] of people.entries()) {
      const ctx = CONTEXTS[i % CONTEXTS.length]!;
      add(carrier(ctx, rng, clock, (r) => { r.t(ENCODE[ctx]('refund approved by ')).p(p.name, 'pii', 'name', `name:${p.id}`).t(ENCODE[ctx](' after review')); }));
    }
  }

  // 4. hard negatives
  const negatives: [string, () => string][] = [
    ['uuid', () => rng.uuid()],
    ['sha256', () => rng.hex(64)],
    ['git-sha', () => rng.hex(40)],
    ['trace-id', () => `${rng.hex(32)}-${rng.hex(16)}-0`],
    ['version', () => `v${rng.int(1, 9)}.${rng.int(0, 40)}.${rng.int(0, 20)}`],
    ['token-count', () => `token_count=${rng.int(10, 9000)}`],
    ['example-key', () => 'AKIAIOSFODNN7EXAMPLE'],
    ['epoch', () => `${rng.int(1.6e9, 1.8e9)}.${rng.int(100000, 999999)}`],
    // near the command-line and prose password rules, holding no password
    ['password-file', () => `restic backup --password-file /etc/restic/pw${rng.int(1, 9)} /srv/data`],
    ['password-reset', () => 'password reset requested for user'],
    ['sshd-option', () => `PasswordAuthentication ${rng.pick(['yes', 'no'])}`],
    ['port-option', () => rng.pick([`docker run -p ${rng.int(1024, 9999)}:80 nginx`, `nc -l -p ${rng.int(1024, 9999)}`, 'mysql -u root -p enrich'])],
  ];
  for (const [cls, make] of negatives) {
    for (const ctx of CONTEXTS) {
      const v = make();
      add(carrier(ctx, rng, clock, (r) => { r.t(ENCODE[ctx]('ref ')).p(v, 'negative', cls, `neg:${cls}`); }));
    }
  }

  // 5. clean records
  const words = ['query', 'completed', 'rows', 'pipeline', 'transform', 'FileOperations', 'chunk', 'processed', 'status', 'success', 'Validated', 'results'];
  for (let i = 0; i < (opts.cleanRecords ?? 300); i++) {
    const ctx = CONTEXTS[i % CONTEXTS.length]!;
    add(carrier(ctx, rng, clock, (r) => {
      r.t(ENCODE[ctx](`${rng.pick(words)} ${rng.pick(words)} ${rng.int(1, 50000)} in ${rng.int(1, 900)}ms run daily-20230309-${rng.int(100000, 235959)} id ${rng.uuid()}`));
    }));
  }

  // 6. after the rest (so the records above are drawn as before): a harvested name before a digit, which a
  // letter-to-digit change bounds (`.virtualenvs/scribble3.8/`), and hex-like or short harvested names beside digits,
  // which it does not (inside a hash, UUID or git SHA); Celery node names, whose host is a host, not an e-mail's
  const service = opts.heldOut ? 'ledgerbot' : 'scribble';
  const hexName = 'faced';
  const shortName = 'ann';
  for (const [k, ctx] of CONTEXTS.entries()) {
    const enc = ENCODE[ctx];
    add(carrier(ctx, rng, clock, (r) => {
      r.t(enc('/app/')).p(service, 'pii', 'user', `user:${service}`).t(enc('/enrich/.virtualenvs/'))
        .p(service, 'pii', 'user', `user:${service}`).t(enc('3.8/lib/python3.8/site-packages'));
    }));
    const hexed: [string, string][] = [
      ['name-in-sha256', `${rng.hex(20)}9${hexName}7${rng.hex(37)}`],
      ['name-in-uuid', `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-a${rng.hex(3)}-0${hexName}7${rng.hex(5)}`],
      ['name-in-git-sha', `3${hexName}7${rng.hex(33)}`],
      ['short-name-digit', `${shortName}${k + 2}`],
    ];
    for (const [cls, v] of hexed) add(carrier(ctx, rng, clock, (r) => { r.t(enc('ref ')).p(v, 'negative', cls, `neg:${cls}`); }));
    const host = sf.hostOf(k);
    add(carrier(ctx, rng, clock, (r) => {
      r.p('celery@', 'negative', 'celery-node', 'neg:celery-node').p(host, 'pii', 'host', `host:${host}`).t(enc(' ready.'));
    }));
    add(carrier(ctx, rng, clock, (r) => {
      r.t(enc('origin ')).p(`gen${rng.int(1000, 99999)}@`, 'negative', 'celery-node', 'neg:celery-node').p(host, 'pii', 'host', `host:${host}`);
    }));
    add(carrier(ctx, rng, clock, (r) => { r.t(enc('missed heartbeat from ')).p(`celery@worker-${k + 1}`, 'negative', 'celery-node-bare', 'neg:celery-node-bare'); }));
  }

  const harvest: HarvestValue[] = [...people.flatMap((p) => [{ type: 'user', value: p.user }, { type: 'client_id', value: p.client }]),
    ...[service, hexName, shortName].map((value) => ({ type: 'user', value }))];

  // 7. where a case's identifiers come from: each harvested user under the `user` field of a TaskBlade request (the
  // importer reads it as a user identifier), so a case imported from these files holds the harvest list above (the
  // client ids it holds by the case's idPatterns). The direct evaluation is handed the list; an import finds it here.
  const entityOf = new Map<string, string>([...people.map((p) => [p.user, `user:${p.id}`] as const), [service, `user:${service}`]]);
  for (const { value } of harvest.filter((v) => v.type === 'user')) {
    const r = new Rec('json');
    r.t(`{"message": "Query Status: pending", "levelname": "DEBUG", "name": "app", "asctime": "${naive(clock.next(rng))}", "source": "service", "request_id": "${rng.uuid()}", "user": "`)
      .p(value, 'pii', 'user', entityOf.get(value) ?? `user:${value}`).t('", "dataset": "acme-retail"}');
    add(r, FILES.nested);
  }

  // 8. cards as printed, in groups of four spaced or dashed (they were looked for only in a text with five digits in a
  // row somewhere: these records' URL and Prefect lines have none)
  for (const ctx of CONTEXTS) {
    for (const sep of [' ', '-']) {
      const card = luhnComplete(rng.pick(['4', '51', '6521']), rng, 16).replace(/(\d{4})(?=\d)/g, `$1${sep}`);
      add(carrier(ctx, rng, clock, (r) => { r.t(ENCODE[ctx]('card ')).p(card, 'pii', 'card', `card:${card}`).t(ENCODE[ctx](' declined')); }));
    }
  }

  return {
    files: [...files.values()],
    truth,
    harvest,
    rules: { domains: ['acmeinc.com'] },
    idPatterns: [{ kind: 'client_id', regex: '[A-Z]{4,6}[0-9]{3,}' }],
    unsynthesised,
  };
}
