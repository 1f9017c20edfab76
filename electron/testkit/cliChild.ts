// The CLI run as a child process through its real entry (bin.mjs): synchronously, as most CLI tests run one command
// and read its output, or with text written to file descriptor 3 for `--passphrase-fd 3`, as the tests that unlock
// keys drive it.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../cli/bin.mjs');

/** A runner of `casefile <args>` in `env`, waiting for it (killed after `timeout` ms). */
export function cliRunner(env: NodeJS.ProcessEnv, timeout = 120_000): (...args: string[]) => SpawnSyncReturns<string> {
  return (...args) => spawnSync(process.execPath, [CLI_BIN, ...args], { env, encoding: 'utf8', timeout });
}

export interface CliChildRun { code: number | null; stdout: string; stderr: string }

export function runCliChild(args: string[], env: NodeJS.ProcessEnv, fd3 = ''): Promise<CliChildRun> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const fd = p.stdio[3] as NodeJS.WritableStream;
    fd.on('error', () => undefined); // a child that never reads it (it failed first) resets the pipe
    fd.end(fd3);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
