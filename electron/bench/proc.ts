// Runs a child process and measures wall time and peak resident memory of it and all its descendants,
// sampling /proc every 100 ms (Linux). Peak = max over samples of the tree's summed VmRSS, or the largest
// single VmHWM seen, whichever is higher (VmHWM catches spikes between samples).
import { spawn } from 'node:child_process';
import fs from 'node:fs';

export interface Measured {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  peakRssBytes: number;
  /** CPU-seconds (user + system) of the child and the descendants it waited for; null off Linux. */
  cpuSeconds: number | null;
}

/**
 * CPU-seconds of this process's reaped children (cutime + cstime of /proc/self/stat): read before a child starts and
 * after it is reaped, the difference is that child's tree exactly, with no sampling gap. A ratio of CPU-seconds holds
 * better than one of wall times on a machine shared with other work. Exact only for runs one after another.
 */
function childrenCpuSeconds(): number | null {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    // The fields after the command's closing parenthesis: state is field 3, cutime and cstime fields 16 and 17.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

function status(pid: number): { rss: number; hwm: number } | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

function descendants(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i]!;
    let tasks: string[];
    try { tasks = fs.readdirSync(`/proc/${p}/task`); } catch { continue; }
    for (const t of tasks) {
      try {
        for (const c of fs.readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/)) if (c) out.push(Number(c));
      } catch { /* task ended */ }
    }
  }
  return out;
}

export function runMeasured(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const cpuBefore = childrenCpuSeconds();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let peak = 0;
    const sample = (): void => {
      if (child.pid === undefined) return;
      let sum = 0;
      for (const p of descendants(child.pid)) {
        const s = status(p);
        if (!s) continue;
        sum += s.rss;
        peak = Math.max(peak, s.hwm);
      }
      peak = Math.max(peak, sum);
    };
    const timer = setInterval(sample, 100);
    child.on('error', (e) => { clearInterval(timer); reject(e); });
    child.on('close', (code) => {
      clearInterval(timer);
      const cpuAfter = childrenCpuSeconds();
      resolve({
        code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), wallMs: performance.now() - began,
        peakRssBytes: peak, cpuSeconds: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
      });
    });
    // Sample once right after spawn, and on exit of the main process before its status disappears.
    setImmediate(sample);
    child.on('exit', sample);
  });
}
