// Doodle (metadata server), dashboard gunicorn, and JupyterLab logs: mostly access noise, some tracebacks.
import { utcSpaced } from './time';
import { DASHBOARD_APP, PY_SITE } from './vocab';
import type { World } from './world';

export const DOODLE_LOG = 'enrich/logs/doodle/doodle.log';
export const DOODLE_PIDS = [31917, 31918, 31921, 31924] as const;
export const GUNICORN_LOG = 'enrich/logs/gunicorn/gunicorn_supervisor.log';
export const JUPYTER_LOG = 'enrich/logs/jupyterlab/jupyterlab.log';
const GUNICORN_PIDS = [2501, 2502, 2507] as const;

export function doodleLine(ts: number, pid: number, method: string, url: string): string {
  return `[${utcSpaced(ts)}] [${pid}] [DEBUG] ${method} ${url}\n`;
}

/** Doodle traffic: list endpoints plus entities that only the metadata server ever mentions. */
export function doodleBurst(w: World, t0: number): void {
  const rng = w.rng;
  const sink = w.sinks.get(DOODLE_LOG, 'doodle');
  const pid = rng.pick(DOODLE_PIDS);
  let ts = t0;
  for (let n = rng.int(3, 12); n > 0; n--) {
    if (rng.chance(0.4)) {
      const url = rng.pick(['/metadata/api/v1/features', '/metadata/api/v1/sources', '/metadata/api/v1/health', '/metadata/api/v1/features?page=2']);
      w.em.emit(sink, ts, doodleLine(ts, pid, 'GET', url));
    } else {
      const uuid = rng.uuid();
      const entity = rng.chance(0.7) ? 'features' : 'sources';
      const chain = w.em.newChain();
      w.truth.metadata.push({ uuid, entity, runid: null, chain });
      for (let k = rng.int(1, 3); k > 0; k--) {
        w.em.emit(sink, ts, doodleLine(ts, pid, k === 1 ? 'POST' : 'GET', `/metadata/api/v1/${entity}/${uuid}`), chain);
        ts += rng.int(0, 900);
      }
    }
    ts += rng.int(0, 1500);
  }
}

function gunicornLine(w: World, ts: number, pid: number, level: string, msg: string): string {
  return `[${w.zone.spaced(ts)}] [${pid}] [${level}] ${msg}\n`;
}

/** One dashboard access line, part of a chain when `refs` says so (an API call naming a task id in its URL). */
export function gunicornAccess(w: World, ts: number, method: string, url: string, refs: number | number[] = -1): void {
  w.em.emit(w.sinks.get(GUNICORN_LOG, 'gunicorn'), ts, gunicornLine(w, ts, w.rng.pick(GUNICORN_PIDS), 'DEBUG', `${method} ${url}`), refs);
}

const PAGES = [
  '/accounts/login/', '/accounts/login/', '/dashboard/', '/dashboard/usecases/Compliance/applications/persona/details',
  '/dashboard/usecases/Operations/applications/timeline/', '/dashboard/usecases/Retail/', '/static/css/app.css', '/static/js/app.js',
] as const;

/** Dashboard access lines; now and then an unhandled exception with its traceback. */
export function gunicornBurst(w: World, t0: number, opts: { error?: boolean } = {}): void {
  const rng = w.rng;
  const sink = w.sinks.get(GUNICORN_LOG, 'gunicorn');
  const pid = rng.pick(GUNICORN_PIDS);
  let ts = t0;
  for (let n = rng.int(3, 15); n > 0; n--) {
    const page = rng.pick(PAGES);
    const method = page === '/accounts/login/' && rng.chance(0.3) ? 'POST' : 'GET';
    w.em.emit(sink, ts, gunicornLine(w, ts, pid, 'DEBUG', `${method} ${page}`));
    ts += rng.int(0, 20_000);
  }
  if (opts.error ?? rng.chance(0.05)) {
    const tb = `Traceback (most recent call last):\n`
      + `  File "${PY_SITE}/gunicorn/workers/sync.py", line 136, in handle\n    self.handle_request(listener, req, client, addr)\n`
      + `  File "${PY_SITE}/django/core/handlers/base.py", line 181, in _get_response\n    response = wrapped_callback(request, *callback_args, **callback_kwargs)\n`
      + `  File "${DASHBOARD_APP}/Operations/dashboard/opsapp/views.py", line 301, in timeline_view\n    start = parse_date(request.GET["start_date"])\n`
      + `django.utils.datastructures.MultiValueDictKeyError: 'start_date'`;
    w.em.emit(sink, ts, gunicornLine(w, ts, pid, 'ERROR', `Error handling request /dashboard/usecases/Operations/applications/timeline/\n${tb}`));
  }
  if (rng.chance(0.03)) {
    ts += rng.int(1000, 5000);
    w.em.emit(sink, ts, gunicornLine(w, ts, pid, 'INFO', `Booting worker with pid: ${pid}`));
  }
}

/** A dashboard access line whose query string carries invalid UTF-8 bytes. */
export function invalidUtf8Gunicorn(w: World, ts: number): Buffer {
  return Buffer.concat([
    Buffer.from(`[${w.zone.spaced(ts)}] [2501] [DEBUG] GET /dashboard/search?q=`, 'latin1'),
    Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x80]),
    Buffer.from('ALPHA1234\n', 'latin1'),
  ]);
}

function jupyterLine(w: World, ts: number, level: 'I' | 'W' | 'E', app: string, msg: string): string {
  return `[${level} ${w.zone.naiveDot(ts)} ${app}] ${msg}\n`;
}

const COLLISION = `Collisions detected in /home/scribble/.jupyter/jupyter_notebook_config.py and /home/scribble/.jupyter/jupyter_notebook_config.json config files. /home/scribble/.jupyter/jupyter_notebook_config.json has higher priority: {
      "NotebookApp": {
        "nbserver_extensions": "{'jupyterlab_git': True, 'jupyterlab_templates': True} ignored, using {'jupyterlab_templates.extension': True}"
      }
    }`;

/** JupyterLab server start: linked extensions, config warnings (one with a multi-line JSON block). */
export function jupyterStart(w: World, t0: number): void {
  const sink = w.sinks.get(JUPYTER_LOG, 'jupyter');
  let ts = t0;
  const next = (): number => (ts += w.rng.int(0, 3));
  w.em.emit(sink, next(), jupyterLine(w, ts, 'I', 'ServerApp', 'jupyterlab | extension was successfully linked.'));
  w.em.emit(sink, next(), jupyterLine(w, ts, 'I', 'ServerApp', 'jupyterlab_templates | extension was successfully linked.'));
  w.em.emit(sink, next(), jupyterLine(w, ts, 'W', 'NotebookApp', COLLISION));
  for (const key of ['allow_remote_access', 'base_url', 'ip', 'notebook_dir', 'port']) {
    w.em.emit(sink, next(), jupyterLine(w, ts, 'W', 'NotebookApp', `'${key}' has moved from NotebookApp to ServerApp. This config will be passed to ServerApp. Be sure to update your config before our next release.`));
  }
  w.em.emit(sink, next(), jupyterLine(w, ts, 'W', 'ServerApp', 'notebook_dir is deprecated, use root_dir'));
  w.em.emit(sink, next(), jupyterLine(w, ts, 'I', 'ServerApp', 'Writing notebook server cookie secret to /home/scribble/.local/share/jupyter/runtime/jupyter_cookie_secret'));
  w.em.emit(sink, next(), jupyterLine(w, ts, 'I', 'LabApp', 'JupyterLab extension loaded from /app/scribble/enrich/.virtualenvs/jupyterenv/lib/python3.6/site-packages/jupyterlab'));
}

/** Notebook activity: API access lines, saves, kernel warnings. */
export function jupyterBurst(w: World, t0: number): void {
  const rng = w.rng;
  if (rng.chance(0.02)) return jupyterStart(w, t0);
  const sink = w.sinks.get(JUPYTER_LOG, 'jupyter');
  let ts = t0;
  for (let n = rng.int(2, 10); n > 0; n--) {
    const nb = `notebooks/acme/${rng.pick(['analysis', 'kyc-review', 'sales', 'scratch'])}-${rng.int(1, 9)}.ipynb`;
    const roll = rng.next();
    const text = roll < 0.5
      ? jupyterLine(w, ts, 'I', 'ServerApp', `200 GET /api/contents/${nb}?content=0 (10.0.3.${rng.int(2, 250)}) ${(rng.next() * 40).toFixed(2)}ms`)
      : roll < 0.8
        ? jupyterLine(w, ts, 'I', 'ServerApp', `Saving file at /${nb}`)
        : roll < 0.95
          ? jupyterLine(w, ts, 'W', 'ServerApp', `Notebook ${nb} is not trusted`)
          : jupyterLine(w, ts, 'W', 'ServerApp', `Kernel deleted before session insert: {\n      "path": "${nb}",\n      "kernel": "python3"\n    }`);
    w.em.emit(sink, ts, text);
    ts += rng.int(10, 60_000);
  }
}

/** Start-up lines of every service, so each format is present even in a tiny tree. */
export function banners(w: World, t0: number): void {
  const g = w.sinks.get(GUNICORN_LOG, 'gunicorn');
  for (const msg of ['Starting gunicorn 20.1.0', 'Listening at: http://127.0.0.1:8000 (2490)', 'Using worker: sync', 'Booting worker with pid: 2501']) {
    w.em.emit(g, t0, gunicornLine(w, t0, 2490, 'INFO', msg));
  }
  const d = w.sinks.get(DOODLE_LOG, 'doodle');
  w.em.emit(d, t0, doodleLine(t0, 31917, 'GET', '/metadata/api/v1/health'));
  jupyterStart(w, t0 + 5);
}
