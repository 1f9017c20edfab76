// truth.json: what the generator planted, so correlation and ingest tests can check themselves against it.
// Lines are 1-based and count physical lines of the (decompressed) file; `line` is where a record starts.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fsyncDir } from '../../engine/util/atomic';
import type { FileKind } from './sink';
import type { FaultKind } from './emitter';

export const TRUTH_SCHEMA = 'casefile-synth-truth/1';

export interface TruthEvent { file: string; line: number }

export interface CeleryTruth {
  id: string;
  name: string;
  status: 'success' | 'failure';
  parentId: string | null;
  rootId: string;
  children: string[];
  /** Runtime the worker reported in "succeeded in Ns" (or until it raised). */
  runtimeS: number;
  /** First and last event of the chain (dashboard submit/polls included). */
  startUtc: string;
  endUtc: string;
  kycIds: string[];
  events: TruthEvent[];
}

export interface TaskbladeTruth {
  request_id: string;
  service: string;
  user: string;
  dataset: string;
  status: 'success' | 'failure';
  startUtc: string;
  endUtc: string;
  events: TruthEvent[];
}

export interface PipelineTruth {
  runid: string;
  application: string;
  /** The run's log.json. */
  file: string;
  /** Prefect task that launched it (`run_<application lowercased>`), null for ad-hoc runs. */
  prefectTask: string | null;
  prefectFile: string | null;
  status: 'success' | 'failure';
  startUtc: string;
  endUtc: string;
  records: number;
  /** Metadata entity UUIDs the run registered. */
  metadata: string[];
}

export interface PrefectFlowTruth {
  file: string;
  flow: string;
  status: 'success' | 'failure';
  startUtc: string;
  endUtc: string;
  tasks: { task: string; status: 'success' | 'failure'; startUtc: string; endUtc: string; runid: string | null }[];
}

export interface MetadataTruth {
  uuid: string;
  entity: 'features' | 'sources';
  /** Pipeline run that registered it, null when it only appears in Doodle. */
  runid: string | null;
  events: TruthEvent[];
}

export interface FileTruth {
  file: string;
  kind: FileKind;
  /** Physical lines (a final line without newline counts). */
  lines: number;
  /** Records as written: one per JSON line, one per multi-line text record, one per planted garbage line. */
  records: number;
  /** Uncompressed bytes. */
  bytes: number;
  gzip: boolean;
  /** Only for a planted truncated .gz: lines/records/bytes describe the full content before truncation. */
  truncated?: boolean;
}

export interface FaultTruth { file: string; line: number; kind: FaultKind }

export interface Truth {
  schema: typeof TRUTH_SCHEMA;
  seed: number;
  targetBytes: number;
  siteTz: string;
  start: string;
  end: string;
  /** Paths are relative to the directory holding truth.json (they start with 'enrich/'). */
  files: FileTruth[];
  faults: FaultTruth[];
  celery: CeleryTruth[];
  taskblade: TaskbladeTruth[];
  pipelines: PipelineTruth[];
  prefectFlows: PrefectFlowTruth[];
  metadata: MetadataTruth[];
}

/**
 * Streams a Truth-shaped JSON document to `file` atomically (temp + fsync + rename). Chain event lists can
 * reach millions of entries on a 1 GB tree, so they are expanded one chain at a time, never as one string.
 */
export class TruthWriter {
  private readonly tmp: string;
  private readonly fd: number;
  private buf = '';

  constructor(private readonly file: string) {
    this.tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
    this.fd = fs.openSync(this.tmp, 'w', 0o600);
  }

  raw(s: string): void {
    this.buf += s;
    if (this.buf.length > 1 << 20) this.flush();
  }

  /** Writes `"key": [items...]` with one item per line. */
  array<T>(key: string, items: Iterable<T>, render: (item: T) => string, last = false): void {
    this.raw(`  ${JSON.stringify(key)}: [`);
    let first = true;
    for (const item of items) {
      this.raw(`${first ? '' : ','}\n    ${render(item)}`);
      first = false;
    }
    this.raw(`${first ? '' : '\n  '}]${last ? '' : ','}\n`);
  }

  private flush(): void {
    fs.writeSync(this.fd, this.buf);
    this.buf = '';
  }

  async close(): Promise<void> {
    this.flush();
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    fs.renameSync(this.tmp, this.file);
    await fsyncDir(path.dirname(this.file));
  }
}

/** Reads a truth.json back (tests, benchmarks). */
export function readTruth(file: string): Truth {
  const t = JSON.parse(fs.readFileSync(file, 'utf8')) as Truth;
  if (t.schema !== TRUTH_SCHEMA) throw new Error(`${file}: not a ${TRUTH_SCHEMA} document`);
  return t;
}

/** The head of a truth.json (everything up to and including `files`): big trees' truth outgrows a JS string. */
export type TruthHead = Pick<Truth, 'schema' | 'seed' | 'targetBytes' | 'siteTz' | 'start' | 'end' | 'files'>;

/** Reads only the head (the writer puts `files` first, one item per line), streaming, so any size of tree works. */
export async function readTruthHead(file: string): Promise<TruthHead> {
  const lines: string[] = [];
  const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) {
    lines.push(line);
    if (/^ {2}\],?$/.test(line)) break; // the end of the first array: `files`
  }
  rl.close();
  const head = JSON.parse(`${lines.join('\n').replace(/,\s*$/, '')}\n}`) as TruthHead;
  if (head.schema !== TRUTH_SCHEMA || !Array.isArray(head.files)) throw new Error(`${file}: not a ${TRUTH_SCHEMA} document`);
  return head;
}
