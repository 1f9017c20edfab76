// System log (enrich/logs/app/app.json.log*): the dashboard's JSON lines, in the seed's key order.
import { pyEpoch } from './time';
import { DASHBOARD_APP, KYC_PREFIXES, PY_SITE, USERS } from './vocab';
import type { World } from './world';

export interface SystemRecord {
  message: string;
  level: 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
  funcName: string;
  lineno: number;
  pathname: string;
  data: string;
  excInfo?: string;
}

const q = JSON.stringify;

export function moduleOf(pathname: string): string {
  const base = pathname.slice(pathname.lastIndexOf('/') + 1);
  return base.endsWith('.py') ? base.slice(0, -3) : base;
}

export function systemLine(w: World, ts: number, r: SystemRecord): string {
  const exc = r.excInfo === undefined ? '' : `, "exc_info": ${q(r.excInfo)}`;
  return `{"message": ${q(r.message)}, "levelname": "${r.level}", "name": "app", "asctime": "${w.zone.naiveComma(ts)}", `
    + `"funcName": "${r.funcName}", "lineno": ${r.lineno}, "pathname": "${r.pathname}", "module": "${moduleOf(r.pathname)}", `
    + `"created": ${pyEpoch(ts, w.rng.int(0, 9999))}, "data": ${q(r.data)}${exc}, "transform": "", "logid": "${w.nextLogId()}"}\n`;
}

export function emitSystem(w: World, ts: number, r: SystemRecord, refs: number | number[] = -1): void {
  w.em.emit(w.systemSink(ts), ts, systemLine(w, ts, r), refs);
}

export const VIEWS = `${DASHBOARD_APP}/Compliance/dashboard/compapp/views.py`;
const OPS_VIEWS = `${DASHBOARD_APP}/Operations/dashboard/opsapp/views.py`;
const LIB = '/home/scribble/enrich/dashboard/lib/utils.py';
const AUTH = '/home/scribble/enrich/dashboard/accounts/views.py';
const SCHED = '/home/scribble/enrich/dashboard/lib/scheduler.py';

export function kycId(w: World): string {
  return `${w.rng.pick(KYC_PREFIXES)}${w.rng.int(1000, 9999)}`;
}

export function traceback(w: World, frames: [string, number, string, string][], error: string): string {
  let s = 'Traceback (most recent call last):\n';
  for (const [file, line, fn, code] of frames) s += `  File "${file}", line ${line}, in ${fn}\n    ${code}\n`;
  void w;
  return s + error;
}

function noiseRecord(w: World): SystemRecord {
  const rng = w.rng;
  const roll = rng.next();
  const user = rng.pick(USERS);
  if (roll < 0.22) {
    const id = kycId(w);
    return { message: 'Rendering persona details', level: 'DEBUG', funcName: 'persona_details', lineno: 212, pathname: VIEWS,
      data: `\npersona=Customer KYCs table=Search query=${id} user=${user}` };
  }
  if (roll < 0.36) {
    return { message: 'Loaded usecase', level: 'DEBUG', funcName: 'usecase_home', lineno: 88, pathname: OPS_VIEWS,
      data: `\nusecase=${rng.pick(['Operations', 'Compliance', 'Retail', 'Contrib'])} apps=${rng.int(3, 14)} user=${user}` };
  }
  if (roll < 0.48) {
    return { message: 'Cache lookup', level: 'DEBUG', funcName: 'cached_fetch', lineno: 57, pathname: LIB,
      data: `\nkey=persona:${rng.hex(12)} hit=${rng.chance(0.7) ? 'True' : 'False'} age=${rng.int(1, 3600)}s` };
  }
  if (roll < 0.58) {
    return { message: 'User login', level: 'INFO', funcName: 'login_view', lineno: 41, pathname: AUTH,
      data: `\nuser=${user} ip=10.0.${rng.int(0, 9)}.${rng.int(2, 250)} method=password` };
  }
  if (roll < 0.70) {
    const id = kycId(w);
    return { message: 'Query executed', level: 'DEBUG', funcName: 'run_query', lineno: 133, pathname: LIB,
      data: `\nSELECT * FROM persona_kyc WHERE kyc_id = '${id}' LIMIT 100\nrows=${rng.int(0, 100)} elapsed=${(rng.next() * 2).toFixed(3)}s` };
  }
  if (roll < 0.80) {
    return { message: 'Scheduler heartbeat', level: 'DEBUG', funcName: 'heartbeat', lineno: 19, pathname: SCHED,
      data: `\nqueued=${rng.int(0, 30)} running=${rng.int(0, 8)} workers=8` };
  }
  if (roll < 0.90) {
    return { message: 'Timeline page', level: 'DEBUG', funcName: 'timeline_view', lineno: 301, pathname: OPS_VIEWS,
      data: `\nstart_date=2023-06-${String(rng.int(1, 28)).padStart(2, '0')} limit=${rng.pick([100, 1000, 10000])} user=${user}` };
  }
  if (roll < 0.97) {
    return { message: 'Slow query', level: 'WARNING', funcName: 'run_query', lineno: 141, pathname: LIB,
      data: `\nelapsed=${(5 + rng.next() * 40).toFixed(2)}s table=transactions user=${user}` };
  }
  return {
    message: 'Failed to load dataset', level: 'ERROR', funcName: 'load_dataset', lineno: 96, pathname: LIB,
    data: `\ndataset=${rng.pick(['acme-kyc', 'acme-transactions', 'acme-retail'])} user=${user}`,
    excInfo: traceback(w, [
      [LIB, 96, 'load_dataset', 'df = pd.read_csv(path, compression="gzip")'],
      [`${PY_SITE}/pandas/io/parsers/readers.py`, 912, 'read_csv', 'return _read(filepath_or_buffer, kwds)'],
      [`${PY_SITE}/pandas/io/common.py`, 753, 'get_handle', 'handle = gzip.GzipFile('],
    ], `FileNotFoundError: [Errno 2] No such file or directory: '/home/scribble/enrich/data/acme/shared/${rng.hex(8)}.csv.gz'`),
  };
}

/** A burst of unrelated dashboard activity: the bulk of the system log. */
export function systemNoise(w: World, t0: number): void {
  let ts = t0;
  const n = w.rng.int(3, 25);
  for (let i = 0; i < n; i++) {
    emitSystem(w, ts, noiseRecord(w));
    ts += w.rng.int(5, 4000);
  }
}

/** A noise record cut mid-object (still newline-terminated), as a crashed writer leaves it. */
export function tornSystemLine(w: World, ts: number): string {
  const full = systemLine(w, ts, noiseRecord(w));
  return full.slice(0, Math.floor(full.length * (0.3 + w.rng.next() * 0.4))) + '\n';
}
