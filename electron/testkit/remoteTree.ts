// A small server-side log tree in the Enrich layout, for pull tests: one file per source, a rotation series with
// staged mtimes, a file outside the layout, and (optionally) a directory the SFTP account may not read.
import { chmodSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const DAY = 86_400_000;

export function systemLines(from: number, n: number, tag = 'x'): string {
  let out = '';
  for (let i = 0; i < n; i++) {
    const t = (from + i * 1000) / 1000;
    out += `${JSON.stringify({ message: `event ${tag} ${i}`, levelname: 'INFO', name: 'app', asctime: new Date(t * 1000).toISOString().replace('T', ' ').replace('Z', '').replace('.', ','), created: t, logid: `${tag}.${i}` })}\n`;
  }
  return out;
}

export interface TreeFile { rel: string; mtime: number }

/**
 * Writes a file under root readable by the lab's SFTP account (nobody), its folders listable, whatever this process's
 * umask: an Engine created in the same process (a test worker) sets it to 077, which `mode` options do not override.
 */
export function writePublic(root: string, rel: string, body: string): string {
  const full = path.join(root, rel);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, body);
  chmodSync(full, 0o644);
  for (let dir = path.dirname(full); dir.startsWith(root); dir = path.dirname(dir)) chmodSync(dir, 0o755);
  return full;
}

export function writeRemoteTree(root: string, now = Date.now(), opts: { denied?: boolean } = {}): TreeFile[] {
  const files: [string, string, number][] = [
    ['logs/app/app.json.log', systemLines(now - 3600_000, 200, 'live'), now],
    ['logs/app/app.json.log.1', systemLines(now - 1.5 * DAY, 200, 'r1'), now - DAY],
    ['logs/app/app.json.log.2', systemLines(now - 3.5 * DAY, 200, 'r2'), now - 3 * DAY],
    ['data/acme/compliance/outputs/persona/run-1/log.json', systemLines(now - 7200_000, 50, 'run'), now - 3600_000],
    ['llm-agents/logs/summariser/app.json.log', systemLines(now - 7200_000, 50, 'tb'), now - 1800_000],
    ['logs/workflows/daily_ingest.log', '[2026-11-20 10:00:00+0530] INFO - prefect | started\n', now - 600_000],
    ['logs/celery/worker.log', '[2026-11-20 10:00:00,000: INFO/MainProcess] ready.\n', now - 600_000],
    ['logs/doodle/doodle.log', '[2026-11-20 10:00:00 +0000] [12] [INFO] GET /api\n', now - 600_000],
    ['logs/gunicorn/gunicorn_supervisor.log', '[2026-11-20 10:00:00 +0000] [12] [INFO] Booting\n', now - 600_000],
    ['logs/jupyterlab/lab/jupyter.log', '[I 2026-11-20 10:00:00.000 ServerApp] started\n', now - 600_000],
    ['other/not-a-log.txt', 'not in the layout\n', now],
  ];
  for (const [rel, body, mtime] of files) {
    const full = writePublic(root, rel, body);
    utimesSync(full, new Date(mtime), new Date(mtime));
  }
  if (opts.denied) {
    const secret = path.join(root, 'logs/netdata/private');
    writePublic(root, 'logs/netdata/private/netdata.log', 'hidden\n');
    chmodSync(secret, 0o700); // owned by root: the lab's SFTP account (nobody) may not list it
    writePublic(root, 'logs/netdata/access.log', 'visible\n');
  }
  return files.map(([rel, , mtime]) => ({ rel, mtime }));
}
