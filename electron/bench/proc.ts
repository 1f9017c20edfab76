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
}

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
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), wallMs: performance.now() - began, peakRssBytes: peak });
    });
    // Sample once right after spawn, and on exit of the main process before its status disappears.
    setImmediate(sample);
    child.on('exit', sample);
  });
}
