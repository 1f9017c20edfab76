// Output files of the generator: buffered sequential writers that count lines and records as they go.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { once } from 'node:events';

export type FileKind =
  | 'system' | 'pipeline' | 'taskblade' | 'prefect' | 'celery' | 'doodle' | 'gunicorn' | 'jupyter' | 'empty';

const FLUSH_AT = 1 << 20;

export class Sink {
  lines = 0;
  records = 0;
  /** Uncompressed bytes written. */
  bytes = 0;
  /** Records scheduled but not yet written; with `sealed` tells when the file can be closed early. */
  pending = 0;
  sealed = false;
  closed = false;
  /** The previous record did not end in a newline (a torn last line). */
  private openLine = false;
  private chunks: (string | Buffer)[] = [];
  private chunkLen = 0;
  private fd: number | null = null;
  private gz: zlib.Gzip | null = null;
  private gzDone: Promise<void> | null = null;

  constructor(
    readonly id: number,
    readonly rel: string,
    readonly abs: string,
    readonly kind: FileKind,
    readonly gzip: boolean,
  ) {}

  /** Appends one record and returns the 1-based line where it starts. */
  write(text: string | Buffer, lines: number, endsWithNewline: boolean): number {
    if (this.closed) throw new Error(`write after close: ${this.rel}`);
    const start = this.openLine ? this.lines : this.lines + 1;
    this.lines = start - 1 + lines;
    this.openLine = !endsWithNewline;
    this.records++;
    this.bytes += text.length;
    this.chunks.push(text);
    this.chunkLen += text.length;
    if (this.chunkLen >= FLUSH_AT) this.flush();
    return start;
  }

  /** True while the gzip stream asks the producer to wait. */
  get needsDrain(): boolean {
    return this.gz?.writableNeedDrain ?? false;
  }

  async drain(): Promise<void> {
    if (this.gz?.writableNeedDrain) await once(this.gz, 'drain');
  }

  private flush(): void {
    if (this.chunks.length === 0) return;
    const data = this.chunks.every((c) => typeof c === 'string')
      ? Buffer.from((this.chunks as string[]).join(''), 'latin1')
      : Buffer.concat(this.chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'latin1') : c)));
    this.chunks = [];
    this.chunkLen = 0;
    if (this.gzip) {
      if (!this.gz) this.openGzip();
      this.gz!.write(data);
    } else {
      if (this.fd === null) this.fd = fs.openSync(this.abs, 'w', 0o600);
      let off = 0;
      while (off < data.length) off += fs.writeSync(this.fd, data, off, data.length - off);
    }
  }

  private openGzip(): void {
    const out = fs.createWriteStream(this.abs, { mode: 0o600 });
    this.gz = zlib.createGzip({ level: 6, chunkSize: 256 << 10 });
    this.gz.pipe(out);
    this.gzDone = new Promise((resolve, reject) => {
      out.on('finish', () => resolve());
      out.on('error', reject);
      this.gz!.on('error', reject);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.gzip) {
      if (!this.gz) this.openGzip();
      this.gz!.end();
      await this.gzDone;
    } else {
      if (this.fd === null) this.fd = fs.openSync(this.abs, 'w', 0o600);
      fs.closeSync(this.fd);
      this.fd = null;
    }
  }
}

/** All output files by path relative to the tree root. Text is ASCII (Latin-1 encoded) unless a Buffer is given. */
export class Sinks {
  readonly list: Sink[] = [];
  private readonly byRel = new Map<string, Sink>();
  private readonly dirs = new Set<string>();

  constructor(private readonly root: string) {}

  get(rel: string, kind: FileKind, gzip = false): Sink {
    const hit = this.byRel.get(rel);
    if (hit) return hit;
    const abs = path.join(this.root, rel);
    const dir = path.dirname(abs);
    if (!this.dirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.dirs.add(dir);
    }
    const sink = new Sink(this.list.length, rel, abs, kind, gzip);
    this.list.push(sink);
    this.byRel.set(rel, sink);
    return sink;
  }

  has(rel: string): boolean {
    return this.byRel.has(rel);
  }
}

/** Physical lines a record occupies (a final line without newline still counts). */
export function countLines(text: string | Buffer): number {
  let n = 0;
  if (typeof text === 'string') {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
    return text.endsWith('\n') ? n : n + 1;
  }
  for (let i = text.indexOf(10); i !== -1; i = text.indexOf(10, i + 1)) n++;
  return text[text.length - 1] === 10 ? n : n + 1;
}
