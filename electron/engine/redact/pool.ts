// A worker_threads pool for redaction: batches go to idle workers, results come back in submission order (the
// ordered writer consumes them as they complete in order). Memory is bounded by the batches in flight.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BatchResult, RedactSetup, RowIn } from './batch';
import type { CleanClaim } from './cleanCells';
import type { LineLayout } from './lines';
import type { RescanHit, RescanTables } from './rescan';

/** The worker file beside this module: TypeScript through tsx when running from source, the built .js otherwise. */
function workerEntry(): { url: URL; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  return fromSource
    ? { url: new URL('./worker.mjs', import.meta.url), execArgv: [] }
    : { url: new URL('./redact-worker.js', import.meta.url), execArgv: [] };
}

interface Pending { resolve: (r: never) => void; reject: (e: Error) => void }
/** What the pool asks of a worker (worker.ts): a batch to redact, or with `labels` one to re-scan. */
export interface Body {
  rows: RowIn[]; lines?: string[]; range?: { file: string; start: number; end: number };
  labels?: string[]; claim?: CleanClaim; layout?: LineLayout;
}

export class RedactPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: ({ seq: number } & Body)[] = [];
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private failed: Error | null = null;
  readonly ready: Promise<void>;

  constructor(setup: RedactSetup, size = Math.max(1, os.availableParallelism())) {
    const entry = workerEntry();
    const readies: Promise<void>[] = [];
    for (let i = 0; i < size; i++) {
      const w = new Worker(entry.url, { workerData: setup, execArgv: entry.execArgv });
      readies.push(new Promise((resolve, reject) => {
        w.once('error', reject);
        w.on('message', (m: { ready?: boolean; seq?: number; result?: never; error?: string }) => {
          if (m.ready) { resolve(); this.release(w); return; }
          const p = this.pending.get(m.seq!);
          this.pending.delete(m.seq!);
          if (m.error !== undefined) p?.reject(new Error(m.error)); else p?.resolve(m.result!);
          this.release(w);
        });
      }));
      w.on('error', (e) => this.fail(e));
      this.workers.push(w);
    }
    this.ready = Promise.all(readies).then(() => undefined);
  }

  private fail(e: Error): void {
    this.failed = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private release(w: Worker): void {
    const next = this.queue.shift();
    if (next) w.postMessage(next); else this.idle.push(w);
  }

  /**
   * Redact one batch; resolves with its result (callers await in submission order for an ordered writer). With a
   * `layout` the result carries the rows as written (`chunk`) instead of their cells.
   */
  run(rows: RowIn[], layout?: LineLayout): Promise<BatchResult> {
    return this.post<BatchResult>(layout ? { rows, layout } : { rows });
  }

  /**
   * Re-scan one batch (a pool set up with `rescan`): cell i of a row is labelled `labels[i]` in the hits; `claim`
   * is the redaction pass's clean-cell claim for exactly these rows (trusted only where it verifies).
   */
  scan(rows: RowIn[], labels: string[], claim?: CleanClaim): Promise<RescanHit[]> {
    return this.post<RescanHit[]>({ rows, labels, claim });
  }

  /** Re-scan the records of these JSONL lines (parsed in the worker), cell i being field `labels[i]`. */
  scanLines(lines: string[], labels: string[], claim?: CleanClaim): Promise<RescanHit[]> {
    return this.post<RescanHit[]>({ rows: [], lines, labels, claim });
  }

  /** Re-scan the records of bytes [start, end) of a JSONL file (whole lines; read and parsed in the worker). */
  scanRange(file: string, start: number, end: number, labels: string[], claim?: CleanClaim): Promise<RescanHit[]> {
    return this.post<RescanHit[]>({ rows: [], range: { file, start, end }, labels, claim });
  }

  /**
   * Turns a redaction pool into a re-scan pool once every batch is back: each worker forgets its redactor (its copy
   * of the pseudonym key is zeroed) and scans with the same detectors and these originals' tables. Saves starting
   * and compiling a second set of workers.
   */
  async rescanWith(tables: RescanTables): Promise<void> {
    if (this.failed) throw this.failed;
    if (this.pending.size || this.queue.length) throw new Error('the pool still has batches in flight');
    this.idle.length = 0; // every worker is idle: each is released again by its answer
    await Promise.all(this.workers.map((w) => {
      const seq = this.seq++;
      const p = new Promise<void>((resolve, reject) => this.pending.set(seq, { resolve: resolve as (r: never) => void, reject }));
      w.postMessage({ seq, rows: [], rescan: tables });
      return p;
    }));
  }

  private post<T>(body: Body): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    const seq = this.seq++;
    const p = new Promise<T>((resolve, reject) => this.pending.set(seq, { resolve: resolve as (r: never) => void, reject }));
    const msg = { seq, ...body };
    const w = this.idle.pop();
    if (w) w.postMessage(msg); else this.queue.push(msg);
    return p;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
