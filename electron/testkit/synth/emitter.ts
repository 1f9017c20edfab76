// Schedules records from many overlapping scenarios and writes each file in time order.
// Scenarios emit records at future instants; a min-heap on (time, sequence) releases them once the
// generator clock has passed, so every file is time-ordered while tasks and requests interleave.
import { countLines, type FileKind, type Sink, Sinks } from './sink';

export type Category = 'system' | 'celery' | 'taskblade' | 'pipeline' | 'other';
export type FaultKind = 'torn_json' | 'binary_garbage' | 'invalid_utf8' | 'torn_last_line' | 'empty_file' | 'truncated_gz';

export const CATEGORY_OF: Record<FileKind, Category> = {
  system: 'system', celery: 'celery', taskblade: 'taskblade', pipeline: 'pipeline',
  prefect: 'other', doodle: 'other', gunicorn: 'other', jupyter: 'other', empty: 'other',
};

interface Pending {
  ts: number;
  seq: number;
  sink: Sink;
  text: string | Buffer;
  /** Chain index(es) this record belongs to, or -1. */
  refs: number | number[];
  fault: FaultKind | null;
}

function before(a: Pending, b: Pending): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.seq < b.seq);
}

class Heap {
  private readonly items: Pending[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Pending | undefined {
    return this.items[0];
  }

  push(p: Pending): void {
    const a = this.items;
    a.push(p);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): Pending | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

export interface PlantedFault { sink: Sink; line: number; kind: FaultKind }

export class Emitter {
  private readonly heap = new Heap();
  private seq = 0;
  /** Scheduled bytes per volume category (what drives the mix). */
  readonly bytesBy: Record<Category, number> = { system: 0, celery: 0, taskblade: 0, pipeline: 0, other: 0 };
  readonly bytesByKind = new Map<FileKind, number>();
  /** Flat [fileId, line, fileId, line, ...] per chain. */
  readonly chainEvents: number[][] = [];
  readonly faults: PlantedFault[] = [];
  /** Latest instant scheduled so far. */
  maxTs = 0;

  constructor(readonly sinks: Sinks) {}

  get scheduledBytes(): number {
    const b = this.bytesBy;
    return b.system + b.celery + b.taskblade + b.pipeline + b.other;
  }

  newChain(): number {
    this.chainEvents.push([]);
    return this.chainEvents.length - 1;
  }

  private count(sink: Sink, bytes: number): void {
    sink.pending++;
    this.bytesBy[CATEGORY_OF[sink.kind]] += bytes;
    this.bytesByKind.set(sink.kind, (this.bytesByKind.get(sink.kind) ?? 0) + bytes);
  }

  emit(sink: Sink, ts: number, text: string | Buffer, refs: number | number[] = -1, fault: FaultKind | null = null): void {
    this.count(sink, text.length);
    if (ts > this.maxTs) this.maxTs = Math.floor(ts);
    this.heap.push({ ts: Math.floor(ts), seq: this.seq++, sink, text, refs, fault });
  }

  /** Writes every record stamped before `clock`; closes files whose scenario is complete. */
  async release(clock: number): Promise<void> {
    for (let top = this.heap.peek(); top && top.ts < clock; top = this.heap.peek()) {
      this.heap.pop();
      this.write(top);
      if (top.sink.needsDrain) await top.sink.drain();
      if (top.sink.sealed && top.sink.pending === 0) await top.sink.close();
    }
  }

  async releaseAll(): Promise<void> {
    await this.release(Number.POSITIVE_INFINITY);
  }

  /** Writes a record immediately, bypassing the schedule (used for a file's final torn line). */
  writeNow(sink: Sink, text: string | Buffer, fault: FaultKind | null): void {
    this.count(sink, text.length);
    this.write({ ts: 0, seq: this.seq++, sink, text, refs: -1, fault });
  }

  private write(p: Pending): void {
    const endsNl = typeof p.text === 'string' ? p.text.endsWith('\n') : p.text[p.text.length - 1] === 10;
    const line = p.sink.write(p.text, countLines(p.text), endsNl);
    p.sink.pending--;
    if (p.fault) this.faults.push({ sink: p.sink, line, kind: p.fault });
    if (typeof p.refs === 'number') {
      if (p.refs >= 0) this.chainEvents[p.refs]!.push(p.sink.id, line);
    } else {
      for (const r of p.refs) this.chainEvents[r]!.push(p.sink.id, line);
    }
  }
}
