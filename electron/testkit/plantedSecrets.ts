// A small Enrich bundle with secrets planted where operators meet them on screen (issue 16): a database URL with
// its password and a GitHub token in Celery messages, a private key in a multi-line record, a password field and
// an API key in the dashboard's JSON log. Used by the engine test and the Playwright spec of secrets on screen.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const PLANTED = {
  dbPassword: 'Xy7qP2mLz9Wk',
  githubToken: 'ghp_pLIix6MEOLeMa61EqJomTEI1JEzO3joOj37H',
  privateKeyBody: 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0',
  fieldPassword: 'hunter2-Corral-Battery',
  apiKey: 'k7Gd92LmQ0pZx4Rt8VwY1bNc',
} as const;

export const FAILED_TASK = '5c2b9e1a-7d34-4f0e-8a61-3b9d2e4c7f10';

/** Writes the bundle under `dir`; returns its root. */
export function writePlantedSecretsBundle(dir: string): string {
  const root = path.join(dir, 'enrich');
  mkdirSync(path.join(root, 'logs/celery'), { recursive: true });
  mkdirSync(path.join(root, 'logs/app'), { recursive: true });
  const T = '9a1e3c55-0c1d-4e8a-9f6b-2d7c4b1a0e11';
  writeFileSync(path.join(root, 'logs/celery/celery-worker.log'), [
    `[2023-07-06 12:07:36,774: INFO/MainProcess] Task sync_ledger[${T}] received`,
    `[2023-07-06 12:07:36,776: INFO/ForkPoolWorker-1] sync_ledger[${T}]: connecting to postgresql://enrich:${PLANTED.dbPassword}@db.acme.example:5432/ledger`,
    `[2023-07-06 12:07:37,100: WARNING/ForkPoolWorker-1] sync_ledger[${T}]: pushing with token ${PLANTED.githubToken} to the mirror`,
    `[2023-07-06 12:07:37,200: ERROR/ForkPoolWorker-1] sync_ledger[${T}]: loaded key`,
    '-----BEGIN RSA PRIVATE KEY-----',
    PLANTED.privateKeyBody,
    '-----END RSA PRIVATE KEY-----',
    `[2023-07-06 12:07:39,834: INFO/ForkPoolWorker-1] Task sync_ledger[${T}] succeeded in 3.05s: None`,
    // A failed task whose traceback ends in the database URL, password and all: its failure reason holds a secret.
    `[2023-07-06 12:08:00,000: INFO/MainProcess] Task load_rates[${FAILED_TASK}] received`,
    `[2023-07-06 12:08:01,000: ERROR/ForkPoolWorker-1] Task load_rates[${FAILED_TASK}] raised unexpected: OperationalError('connection failed')`,
    'Traceback (most recent call last):',
    '  File "/srv/app/tasks.py", line 10, in load_rates',
    '    engine.connect()',
    `sqlalchemy.exc.OperationalError: could not connect to postgresql://enrich:${PLANTED.dbPassword}@db.acme.example:5432/ledger`,
  ].join('\n') + '\n');
  const rec = (message: string, extra: Record<string, unknown>, at: string) => JSON.stringify({
    message, levelname: 'INFO', name: 'app', asctime: `2023-07-06 12:07:${at},000`, funcName: 'view', lineno: 1,
    pathname: '/srv/app/views.py', module: 'views', created: Date.parse(`2023-07-06T06:37:${at}Z`) / 1000, ...extra,
  });
  writeFileSync(path.join(root, 'logs/app/app.json.log'), [
    rec('Settings loaded', { password: PLANTED.fieldPassword, db_user: 'enrich' }, '30'),
    rec(`Calling partner API with api_key=${PLANTED.apiKey}`, {}, '31'),
    rec('User login', { data: '\nuser=sneha ip=10.0.4.93 method=password' }, '32'),
  ].join('\n') + '\n');
  return root;
}
