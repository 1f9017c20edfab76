// `casefile serve`: browser mode. The same UI and contract as the desktop app, over loopback HTTP with a
// one-time token, for machines without the Electron runtime.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { Engine } from '../../engine/engine';
import { startServer } from '../../serve/server';
import type { JobInfo } from '../../../shared/contract';
import { onCtrlC } from '../ctrlC';
import { fail } from '../output';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEFAULT_RENDERER_DIR = path.join(ROOT, 'out', 'renderer');

export interface ServeOptions {
  case?: string;
  port: number;
  open: boolean;
  renderer: string;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Browser mode: serve the investigator UI on 127.0.0.1 with a one-time token (opens the demo case without --case)')
    .option('--case <dir>', 'case folder to open first (default: the bundled demo case)')
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', parsePort, 0)
    .option('--no-open', 'print the URL but do not open a browser')
    .option('--renderer <dir>', 'built renderer folder', DEFAULT_RENDERER_DIR)
    .action(async (opts: ServeOptions) => {
      try {
        await runServe(opts);
      } catch (e) {
        fail(e);
      }
    });
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port must be 0..65535, got ${v}`);
  return n;
}

/** Builds the renderer when its output is missing (a fresh checkout), so `casefile serve` works at once. */
export async function ensureRenderer(rendererDir: string): Promise<void> {
  if (existsSync(path.join(rendererDir, 'index.html'))) return;
  const config = path.join(ROOT, 'renderer', 'vite.config.ts');
  if (path.resolve(rendererDir) !== DEFAULT_RENDERER_DIR || !existsSync(config)) {
    throw new Error(`No built UI in ${rendererDir}. Build it with: npm run build:renderer`);
  }
  process.stderr.write(`casefile: no built UI in ${rendererDir}; building it now (npm run build:renderer)…\n`);
  try {
    const vite = await import('vite');
    await vite.build({ configFile: config, logLevel: 'warn' });
  } catch (e) {
    throw new Error(`Building the UI failed: ${e instanceof Error ? e.message.split('\n').slice(0, 4).join(' ') : String(e)}. Run: npm run build:renderer`, { cause: e });
  }
}

export async function runServe(opts: ServeOptions): Promise<void> {
  await ensureRenderer(opts.renderer);
  const engine = await Engine.create({ via: 'browser' });
  let caseNote: string;
  try {
    const caseId = await engine.openDefaultCase(opts.case ? path.resolve(opts.case) : undefined);
    caseNote = opts.case ? `case ${opts.case} (${caseId})` : `demo case (${caseId})`;
  } catch (e) {
    // Still serve: the UI lists and creates cases; say why the first case did not open.
    caseNote = `no case open (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ engine, port: opts.port, rendererDir: opts.renderer });
  } catch (e) {
    await engine.close(); // the case it opened is closed and unlocked, not left to a dying process
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`Port ${opts.port} on 127.0.0.1 is taken (another casefile serve?): give another with --port, or --port 0 for any free one.`, { cause: e });
    throw e;
  }
  process.stdout.write(
    'Casefile browser mode (127.0.0.1 only)\n'
    + `  Opened: ${caseNote}\n`
    + `  URL: ${server.url}\n`
    + '  The token in this URL is the key to this session: do not share it. Ctrl+C stops the server.\n',
  );
  if (opts.open) openBrowser(server.url);

  // Stopping cancels the running jobs rather than waiting for them (an export of a large case ran on for a minute
  // after Ctrl-C): each still cleans up (an export removes its partial extract) and the case closes cleanly. A second
  // Ctrl-C quits at once; the case's write-ahead log replays on its next open.
  const how = await new Promise<'SIGINT' | 'SIGTERM'>((resolve) => {
    onCtrlC(() => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const work = engine.runningWork();
  process.stderr.write(work.length
    ? `casefile: stopping: cancelling the running ${namesOf(work)} (Ctrl-C again to quit at once)\n`
    : 'casefile: stopping… (Ctrl-C again to quit at once)\n');
  await Promise.all([server.close(), engine.quit()]);
  // Work stopped by Ctrl-C ends as the other commands' Ctrl-C does; a server with nothing running stopped as asked.
  if (work.length && how === 'SIGINT') process.exitCode = 130;
}

const JOB_NAMES: Record<string, string> = { retime: 'time zone change', correlate: 'chain build' };

/** "export", "import and chain build": what the operator sees cancelled. */
function namesOf(jobs: JobInfo[]): string {
  const names = [...new Set(jobs.map((j) => JOB_NAMES[j.kind] ?? j.kind))];
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}` : names[0]!;
}

function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]]
    : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]]
    : ['xdg-open', [url]];
  try {
    const child = spawn(cmd as string, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => process.stderr.write('casefile: could not open a browser; open the URL above yourself.\n'));
    child.unref();
  } catch {
    process.stderr.write('casefile: could not open a browser; open the URL above yourself.\n');
  }
}
