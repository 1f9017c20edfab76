// The import: evidence into bundles, each file's format detected, the site timezone inferred, every record parsed
// into event_store. One transaction per file: a file is either wholly in the case or not at all, so an import
// killed midway leaves a readable case and a re-run picks up exactly the files that are missing.
import { promises as fs } from 'node:fs';
import { counted } from '../../../shared/plural';
import path from 'node:path';
import type { DuckDBAppender, DuckDBValue } from '@duckdb/node-api';
import type { FileImportResult, ImportProgress, ImportResult, TimeZoneRule } from '../../../shared/domain';
import type { CaseDb } from '../store/db';
import { EngineError } from '../util/errors';
import { insertRows } from '../store/insert';
import type { FormatDefinition } from '../formats/types';
import type { EnvelopeDefinition } from '../formats/envelopes/types';
import { detectFormat, headerRegex, overridden, type Detection, type FormatOverride } from './detect';
import { formatById } from '../formats/registry';
import { unwrapper } from './envelope';
import { EnvelopeStage, envelopeNeedsContext, envelopeYear } from './envelopeStage';
import { isGzipPath, readHead, readRecords, type ReadStats, type StartsRecord } from './records';
import { ensureFreeSpace, resolveLimits, type IntakeLimits } from './limits';
import { caseFolder, CopyMeter, expandArchives, loadStagedBundle, stageBundles, type HeadInspector, type NestedArchive, type StagedBundle } from './bundle';
import { keptNote, sniffMagic, type Magic } from './magic';
import { recordKeptFiles, renoteKeptFiles, type KeptFile } from './keptFiles';
import { compactSamples, inferZone, inlineOffset, naiveAsUtcMs, type OffsetSample } from './timezone';
import { describeContext, fileNeedsContext, headFirstStamp, jsonStamp, stageContexts, stampContexts, textStamp, type FirstStamp, type StampContext } from './stampContext';
import { completeTimesSql, transformCuts, transformSql, type TransformParams } from './transform';
import { createDeferred, insertUntimed, mostlyUntimed, setApartUntimed, UNTIMED_TABLES } from './untimed';
import { FAST_GROUP_MAX_BYTES, fastLineBytes, fastPathEligible, stageFast, type FastFile } from './fastRead';
import { scanFile, scanGzip, type FileScan } from './scan';
import { REPAIR_DIR, repairedCopy } from './repair';
import { markCorrelationPending } from './correlationStage';
import { finishCustody, markDigestPending, noteCommitted } from './custodyStage';
import { withMemoryLimit, withMemoryRetry } from '../store/memoryRetry';
import { withAppender } from '../store/appender';
import { addStageTime, timed } from '../util/stageTimes';
import { faultPoint } from './fault';
import { settleHeap } from '../util/heap';
import { cutGroups } from '../util/cutGroups';

/**
 * What the importer needs of a case. It reads what the case remembers and never writes case.json: what it learns
 * goes to `hooks.remember`, and the case layer keeps it.
 */
export interface ImportTarget {
  readonly dir: string;
  readonly files: { bundles: string };
  readonly readOnly: boolean;
  readonly readOnlyReason: string | undefined;
  /** Why nothing can be written here, naming the process that holds the case (caseStore.ts). */
  readonly writeRefusal: string;
  readonly meta: { timezone: TimeZoneRule; formatOverrides: FormatOverride[]; limits?: Record<string, number> | undefined };
  withWriter<T>(fn: (db: CaseDb) => Promise<T>, opts?: { keepOpen?: boolean }): Promise<T>;
}

/** What an import learned for the case to keep: the site zone it inferred, the operator's new format overrides. */
export interface ImportLearned { timezone?: TimeZoneRule; formatOverrides?: FormatOverride[] }

export interface ImportHooks {
  /**
   * What the case should keep, called once after detection and before any event is written (those events are
   * placed in that zone, so it must be kept even if the import then stops).
   */
  remember?: (learned: ImportLearned) => Promise<void>;
  /**
   * Runs inside a batch's transaction after its events are in (identifier extraction), with the batch's file ids.
   * Without it the batch's files are marked for the correlation stage (correlationStage.ts), run after the import.
   */
  afterBatch?: (db: CaseDb, fileIds: number[]) => Promise<void>;
  /** Runs once after all files (chain building). */
  afterImport?: (db: CaseDb) => Promise<void>;
  /** Audit of the files imported (chain of custody), one bundle's files at a time, once their digests are in (custodyStage.ts). */
  auditFiles?: (bundle: AuditedBundle, files: ImportedFileRecord[]) => Promise<void>;
  /** Audit of the files recorded as aliases (content already in the case), one bundle at a time. */
  auditAliases?: (bundle: string, files: AliasRecord[]) => Promise<void>;
}

export interface AliasRecord { path: string; sha256: string; of: { bundle: string; path: string } }

/** The bundle of an `import.files` entry: its id and the sha256 of its manifest file. */
export interface AuditedBundle { id: string; manifestSha256: string | null }

/**
 * What an `import.files` audit entry records per file. `fileSha` pins the file's row in the `files` table
 * (format, zone, rule, counts: store/digest.ts); `recovered` marks an entry written by a later process for a file
 * whose events a process killed before their custody committed (custodyStage.ts).
 */
export interface ImportedFileRecord { path: string; sha256: string; format: string; records: number; rowsDigest: string; fileSha: string; recovered?: true }


export interface ImportOptions {
  /** Operator overrides for this import (before the case's remembered ones). */
  formatOverrides?: FormatOverride[];
  /**
   * `auto` (default): files that scan clean are read by DuckDB (fastRead.ts), the rest by the JavaScript reader.
   * `js`: every file by the JavaScript reader, in the smaller batches it was built for (the reference the
   * differential tests compare against).
   */
  reader?: 'auto' | 'js';
  /** Which reader took each file (for tests and the bench's breakdown). */
  onReader?: (file: string, reader: 'duckdb' | 'js') => void;
  jobId?: string;
  /**
   * The rows digests and audit entries are left to the job that follows the import (custodyStage.ts, run before
   * correlation), so the import returns when the events are queryable. Without it the import records them itself.
   */
  custodyAfter?: boolean;
  /**
   * A job follows that writes to the case (custody, correlation): the writer stays open for it (CaseHandle.withWriter's
   * `keepOpen`), so the events are queryable as soon as they commit, and the checkpoint of the last batches is that
   * job's, not a wait before "events ready".
   */
  keepWriter?: boolean;
  onProgress?: (p: ImportProgress) => void;
  /** Cancels the import: a batch DuckDB is running is interrupted and rolled back; batches committed before stay. */
  signal?: AbortSignal;
  hooks?: ImportHooks;
  /** The operator's date (YYYY-MM-DD) for stamps that carry no date or year (the first record's date). */
  date?: string;
}

/**
 * What detection makes of a file's head, kept instead of the head (a tree of 100,000 files would hold gigabytes of
 * heads until its last file is in). Made during the evidence copy (bundle.ts) for plain files, after it for the rest.
 */
interface HeadInfo { d: Detection; first: FirstStamp | null; tz?: PlannedFile['tz']; magic?: Magic }

function headInspector(overrides: FormatOverride[]): HeadInspector<HeadInfo> {
  return (rel, head, raw) => {
    // Content with a known magic (an image, a database…) is not read as lines, unless the operator says it is.
    const magic = overridden(rel, overrides) ? null : sniffMagic(raw, rel, isGzipPath(rel));
    if (magic) return { d: { format: formatById('raw')!, reason: `magic bytes: ${magic.what}` }, first: null, magic };
    const d = detectFormat(rel, head, overrides);
    const shown = d.envelope ? d.envelope.streams[0]!.head : head;
    const tz = headTzEvidence(d.format, shown, rel);
    const first = headFirstStamp(shown, d.format);
    for (const s of d.envelope?.streams ?? []) s.head = [];
    return { d, first, ...(tz ? { tz } : {}) };
  };
}

interface PlannedFile {
  bundle: StagedBundle<HeadInfo>; rel: string; size: number; sha256: string; format: FormatDefinition; reason: string;
  /**
   * What the head showed, kept instead of the head (a tree of 100,000 files would hold gigabytes of heads until its
   * last file is in): the site timezone's evidence and the first complete stamp.
   */
  tz?: { kind: 'pair' | 'offset'; samples: OffsetSample[] };
  first: FirstStamp | null;
  /** Read from this byte: what comes before is already in the case as another bundle's file. */
  startByte?: number;
  continues?: string;
  /** Modification time from the manifest (ISO), and where stamps without a date take theirs from. */
  mtime?: string;
  context?: StampContext;
  /** The file is wrapped in an envelope; its streams, each with its own format (several: one batch of its own). */
  envelope?: Detection['envelope'];
  scan?: FileScan;
  /** Kept as evidence, not read as lines (magic.ts): the files row's format and note. */
  kept?: { format: KeptFile['format']; note: string };
}

/**
 * Where the file's copy is. Made when needed, not kept: for 99,434 files the joined paths (path.join builds them
 * piece by piece) held ~60 MB of heap through the import.
 */
const absOf = (f: PlannedFile) => path.join(f.bundle.dir, f.rel);

/** One copy of each distinct detection reason (a tree of many small files repeats a few hundred reasons). */
function interned(seen: Map<string, string>, s: string): string {
  const had = seen.get(s);
  if (had !== undefined) return had;
  seen.set(s, s);
  return s;
}

/** Is the file read as streams (an envelope naming services, pods…)? Such a file is a batch of its own. */
const isStreamed = (f: PlannedFile) => Boolean(f.envelope?.def.stream?.length);

/** The format column of a file: its format, or its streams' formats joined by `+` when it holds several. */
function formatLabel(f: PlannedFile): string {
  return isStreamed(f) ? [...new Set(f.envelope!.streams.map((s) => s.format.id))].join('+') : f.format.id;
}

function startsRecordFor(def: FormatDefinition): StartsRecord {
  if (def.kind === 'raw') return 'every-line';
  // JSON: every non-blank line starts a record (blank lines stay with the record above, so they are counted), unless
  // the format says where an object starts (pretty-printed objects span lines).
  if (def.kind === 'json' && !def.recordStart) return (l) => (l.length > 0 && l.charCodeAt(0) > 32) || l.trim() !== '';
  const re = headerRegex(def)!;
  return (l) => re.test(l);
}

/** Evidence for the site timezone in a file's head (compacted: the head itself is not kept). */
function headTzEvidence(def: FormatDefinition, head: string[], rel: string): PlannedFile['tz'] {
  const ev = def.tzEvidence;
  if (!ev) return undefined;
  const samples: OffsetSample[] = [];
  for (const line of head.slice(0, 300)) {
    if (ev.kind === 'pair' && def.kind === 'json') {
      let o: Record<string, unknown>;
      try { o = JSON.parse(line) as Record<string, unknown>; } catch { continue; }
      const local = typeof o[ev.local] === 'string' ? naiveAsUtcMs(o[ev.local] as string) : null;
      const epoch = Number(o[ev.epoch]);
      if (local === null || !Number.isFinite(epoch)) continue;
      const minutes = Math.round((local - epoch * 1000) / 60000 / 15) * 15; // zones move in quarter hours
      samples.push({ at: epoch * 1000, offset: minutes, file: rel });
    } else if (ev.kind === 'offset') {
      const stamp = def.kind === 'json' ? jsonStamp(line, def.time.fields) : textStamp(line, def);
      if (!stamp) continue;
      const off = inlineOffset(stamp);
      const local = naiveAsUtcMs(stamp);
      if (off === null || local === null) continue;
      samples.push({ at: local - off * 60000, offset: off, file: rel });
    }
  }
  return samples.length ? { kind: ev.kind, samples: compactSamples(samples) } : undefined;
}

/**
 * Each file's stamp context (where stamps without a date or year take it from). What only planning needs of a file
 * (its head's timezone evidence, first stamp, modification time) is dropped here: the events phase keeps the planned
 * files, and on the 10 GB tree these and the context's own list held ~1 KB a file of heap beside DuckDB's peak.
 */
function assignContexts(planned: PlannedFile[], zone: string, operatorDate?: string): void {
  const ctxFiles = planned.filter((f) => !f.kept).map((f) => ({ rel: f.rel, bundleId: f.bundle.id, format: f.format, first: f.first, ...(f.mtime ? { mtime: f.mtime } : {}), f,
    needs: envelopeNeedsContext(f.envelope?.def) || (f.envelope?.streams ?? []).some((s) => fileNeedsContext(s.format)) }));
  for (const [c, context] of stampContexts(ctxFiles, zone, operatorDate)) c.f.context = context;
  for (const f of planned) {
    f.tz = undefined;
    f.first = null;
    f.mtime = undefined;
  }
}

/** The site timezone's evidence over all files about to be imported. */
function timezoneEvidence(files: PlannedFile[]): { pair: OffsetSample[]; offset: OffsetSample[] } {
  return {
    pair: files.flatMap((f) => (f.tz?.kind === 'pair' ? f.tz.samples : [])),
    offset: files.flatMap((f) => (f.tz?.kind === 'offset' ? f.tz.samples : [])),
  };
}

function describeRule(def: FormatDefinition, zone: TimeZoneRule, context?: StampContext, envelope?: EnvelopeDefinition): string {
  const parts: string[] = [];
  if (envelope) parts.push(`the record's own stamp, else its ${envelope.name} envelope's`);
  if (context) parts.push(describeContext(context));
  if (def.time.epoch?.length) parts.push(`epoch field ${def.time.epoch.join('/')} (absolute)`);
  if (def.time.inline?.length) parts.push('offset written in the stamp');
  if (def.time.naive?.length) parts.push(`naive stamps in site zone ${zone.zone} (${zone.how})`);
  return parts.length ? parts.join(', else ') : 'no timestamps: placed in file order';
}

/**
 * Stages one file's records (file_id, line, line_count, raw) into the temp table the transform reads; an enveloped
 * file's records are grouped per stream and their envelope side goes to stage_env.
 */
async function stageFile(app: DuckDBAppender, fileId: number, f: PlannedFile, limits: IntakeLimits, onBytes: (n: number) => void, envStage: EnvelopeStage | null, zone: string): Promise<ReadStats> {
  const env = f.envelope;
  const year = envelopeYear(f.context);
  const streamStarts = new Map((env?.streams ?? []).map((s) => [s.name, startsRecordFor(s.format)]));
  const stats = await readRecords(absOf(f), startsRecordFor(f.format), (line, count, text, wrapped) => {
    app.appendInteger(fileId);
    app.appendInteger(line);
    app.appendInteger(count);
    app.appendVarchar(text);
    app.endRow();
    if (wrapped && env && envStage) envStage.add(fileId, line, wrapped, env.def, zone, year);
  }, {
    onProgress: onBytes, limits, bundle: f.bundle.expansion, label: `${f.bundle.id}/${f.rel}`, ...(f.startByte ? { startByte: f.startByte } : {}),
    // A stream the head did not show (it starts past 64 KB) is read as raw text: every line still lands.
    ...(env ? { envelope: { unwrap: unwrapper(env.def), startsRecord: (s: string) => streamStarts.get(s) ?? 'every-line' } } : {}),
  });
  app.flushSync();
  return stats;
}

function fileNote(stats: ReadStats, size: number, badValues: number): string | undefined {
  const notes: string[] = [];
  if (stats.lines === 0) notes.push('empty file');
  if (badValues) notes.push(`${counted(badValues, 'record')} with a value that could not be converted (epoch out of range, NaN…): kept as text, flagged malformed`);
  const gz = stats.gzipBroken;
  if (gz) {
    // The line the break tore is said here: "torn write?" would send the operator looking for the wrong cause.
    // zlib finds damage where decoding fails (or at the end, by the checksum): lines before that may be garbled.
    notes.push(`gzip stream is ${gz.how} (${gz.why}): kept what decompressed before the ${gz.how === 'truncated' ? 'cut' : 'damage was found'}`
      + `${stats.lastLineTorn ? ', its last line cut off' : ''}${gz.how === 'damaged' ? '; the lines just before it may be garbled' : ''}`);
  }
  if (stats.badUtf8Lines) notes.push(`${counted(stats.badUtf8Lines, 'line')} with bytes that are not UTF-8 (shown as U+FFFD; exact bytes kept in the bundle)`);
  if (stats.nulLines) notes.push(`${counted(stats.nulLines, 'line')} with NUL bytes (shown as \u2400)`);
  if (stats.lastLineTorn && !gz) notes.push('last line has no newline (torn write?)');
  if (stats.longLines) notes.push(`${counted(stats.longLines, 'line')} longer than the line limit: cut, with their length and sha256 in the event (the evidence file holds every byte)`);
  if (stats.splitRecords) notes.push(`${counted(stats.splitRecords, 'record')} longer than the record limit: continued in the next record`);
  if (stats.encoding) notes.push(`decoded as ${stats.encoding.toUpperCase()} (byte order mark)`);
  return notes.length ? notes.join('; ') : undefined;
}

/** The start of the line holding byte `offset - 1`'s successor: `offset` itself after a newline, else the start of
 * the torn last line of the earlier copy, which is read again whole. */
async function lineStartAtOrBefore(file: string, offset: number): Promise<number> {
  const fh = await fs.open(file, 'r');
  try {
    for (let end = offset; end > 0;) {
      const from = Math.max(0, end - (1 << 16));
      const buf = Buffer.alloc(end - from);
      await fh.read(buf, 0, buf.length, from);
      const nl = buf.lastIndexOf(10);
      if (nl >= 0) return from + nl + 1;
      end = from;
    }
    return 0;
  } finally { await fh.close(); }
}

export async function importPaths(handle: ImportTarget, inputs: string[], opts: ImportOptions = {}): Promise<ImportResult> {
  return runImport(handle, async (limits, inspect, asLines, meter) => stageBundles(handle.files.bundles, inputs, limits, inspect, asLines, await caseFolder(handle.dir), meter), opts);
}

/** Imports bundles already in the case folder (a finished pull moves its files in as a bundle), and the archives in them. */
export async function importBundles(handle: ImportTarget, ids: string[], opts: ImportOptions = {}): Promise<ImportResult> {
  return runImport(handle, async (limits, inspect, asLines, meter) => expandArchives(handle.files.bundles,
    await Promise.all(ids.map((id) => loadStagedBundle<HeadInfo>(handle.files.bundles, id))), limits, inspect, asLines, meter), opts);
}

/** The note of an archive inside a bundle: what it is, and which bundle its contents became (or why none). */
function archiveNote(a: NestedArchive): string {
  const kept = `${a.what}: kept as evidence, not read as log lines`;
  if (a.state === 'expanded') return `${kept}; its ${counted(a.files, 'file')} ${a.files === 1 ? 'was' : 'were'} imported as bundle ${a.bundle}`;
  if (a.state === 'failed') return `${kept}; its contents could not be imported: ${a.why}`;
  return `${kept}, and not expanded: it is inside the archive ${a.within}, and archives are expanded one level deep only`;
}

/** Progress points within a phase (the copy's files, the reading's chunks) at most this often: ~10 a second. */
const PROGRESS_EVERY_MS = 100;

/** True at most once per `ms`: a progress point within a phase is sent only then (its first and last always are). */
function everyMs(ms: number): () => boolean {
  let last = -Infinity;
  return () => {
    const now = performance.now();
    if (now - last < ms) return false;
    last = now;
    return true;
  };
}

async function runImport(handle: ImportTarget, stage: (limits: IntakeLimits, inspect: HeadInspector<HeadInfo>, readAsLines: (rel: string) => boolean, meter: CopyMeter) => Promise<StagedBundle<HeadInfo>[]>, opts: ImportOptions): Promise<ImportResult> {
  const started = performance.now();
  const jobId = opts.jobId ?? `import-${Date.now()}`;
  if (handle.readOnly) throw new EngineError('read_only', handle.writeRefusal);
  // Records committed so far, and when the first were: the views show them while the rest import.
  let eventsCommitted = 0;
  let firstEventsSeconds: number | undefined;
  const progress = (p: Omit<ImportProgress, 'jobId' | 'eventsCommitted'>) => opts.onProgress?.({ jobId, ...p, ...(eventsCommitted ? { eventsCommitted } : {}) });
  const overrides = [...(opts.formatOverrides ?? []), ...handle.meta.formatOverrides];

  const limits = resolveLimits(handle.meta.limits);
  progress({ phase: 'copy', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, message: 'copying evidence into the case' });
  const inspect = headInspector(overrides);
  // The copy's files and bytes, done of total, as it goes. A cancel stops it before its next file: the files under way
  // finish, then its staging folder is removed (bundle.ts); bundles that had landed stay, whole, for a re-run.
  const copyTick = everyMs(PROGRESS_EVERY_MS);
  const copyProgress = (m: CopyMeter) => progress({ phase: 'copy', filesDone: m.filesDone, filesTotal: m.filesTotal, bytesDone: m.bytesDone, bytesTotal: m.bytesTotal, message: 'copying evidence into the case' });
  const meter = new CopyMeter((m) => { if (copyTick()) { try { copyProgress(m); } catch { /* cancelled: the meter's signal stops the copy */ } } }, opts.signal);
  // Plain files are detected as they are copied (in the copy's stage time); .gz files and bundles staged before here.
  const bundles = await timed('evidence copy + sha256 + scan', () => stage(limits, inspect, (rel) => overridden(rel, overrides) !== null, meter));
  copyProgress(meter);

  const planned: PlannedFile[] = [];
  const reasons = new Map<string, string>();
  const detectStarted = performance.now();
  for (const b of bundles) {
    for (const f of b.manifest.files) {
      let info = b.heads.get(f.path);
      if (!info) {
        const head = await readHead(path.join(b.dir, f.path));
        info = inspect(f.path, head.lines, head.raw);
      }
      const { d, first, tz, magic } = info;
      const scan = b.scans.get(f.path);
      const archive = b.archives.get(f.path);
      const kept = archive ? { format: 'archive' as const, note: archiveNote(archive) } : magic ? { format: 'binary' as const, note: keptNote(magic) } : undefined;
      planned.push({ bundle: b, rel: f.path, size: f.size, sha256: f.sha256, format: d.format,
        reason: interned(reasons, archive ? `magic bytes: ${archive.what}` : d.reason),
        first, ...(tz ? { tz } : {}), mtime: f.mtime, ...(d.envelope ? { envelope: d.envelope } : {}), ...(scan ? { scan } : {}), ...(kept ? { kept } : {}) });
    }
    b.heads.clear();
  }
  addStageTime('head reading + detection', performance.now() - detectStarted);
  const bytesTotal = planned.reduce((n, f) => n + f.size, 0);
  progress({ phase: 'detect', filesDone: 0, filesTotal: planned.length, bytesDone: 0, bytesTotal });

  // Site timezone: the operator's word stands; otherwise the strongest evidence in this import decides.
  let zone = handle.meta.timezone;
  if (zone.how !== 'operator') {
    const ev = timezoneEvidence(planned);
    const inferred = inferZone(ev.pair, 'pair') ?? inferZone(ev.offset, 'offset');
    if (inferred && (inferred.rule.zone !== zone.zone || zone.how === 'default')) zone = inferred.rule;
  }
  // Overrides are kept with the case so re-imports and other files of the same shape agree.
  const learned: ImportLearned = {
    ...(zone !== handle.meta.timezone ? { timezone: zone } : {}),
    ...(opts.formatOverrides?.length ? { formatOverrides: opts.formatOverrides } : {}),
  };
  if (learned.timezone || learned.formatOverrides) await opts.hooks?.remember?.(learned);
  assignContexts(planned, zone.zone, opts.date);

  const results: FileImportResult[] = [];
  await handle.withWriter(async (db) => {
    for (const b of bundles) {
      await db.run(`INSERT INTO bundles (id, label, origin, files, bytes, imported_at) VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT DO NOTHING`,
        [b.id, path.basename(b.manifest.origin.inputs[0] ?? b.id), b.manifest.origin.kind, b.manifest.files.length, b.bytes]);
    }
    // What an import or job killed before custody left (digests, audit entries) is recorded first.
    await finishCustody(db, handle.dir, handle.files.bundles, opts.hooks?.auditFiles);
    let bytesDone = 0;
    let filesDone = 0;
    const todo: PlannedFile[] = [];
    const kept: PlannedFile[] = [];
    const already = await fileRows(db, bundles.map((b) => b.id));
    // Content already in the case under another name (the same logs packed from another folder level, a copy) is an
    // alias: parsing it again would show every record twice. The first name seen keeps the events; empty files have
    // no records to double and stay files of their own.
    const known = new Map<string, { bundle: string; path: string }>();
    for (const r of await db.all<{ sha256: string; bundle: string; path: string }>(
      `SELECT sha256, bundle, path FROM files WHERE sha256 IS NOT NULL AND size > 0 ORDER BY file_id`)) {
      if (!known.has(r.sha256)) known.set(r.sha256, { bundle: r.bundle, path: r.path });
    }
    const aliases = new Map<string, AliasRecord[]>();
    const renoted: { fileId: number; note: string }[] = [];
    for (const f of planned) {
      const done = already.get(`${f.bundle.id}/${f.rel}`);
      if (done) {
        if (f.bundle.archives.get(f.rel)?.state === 'expanded' && done.note !== f.kept!.note) {
          renoted.push({ fileId: Number(done.file_id), note: f.kept!.note });
          done.note = f.kept!.note;
        }
        results.push(fileResult(f, done, true)); bytesDone += f.size; filesDone++; continue;
      }
      const same = f.size === 0 ? undefined : known.get(f.sha256);
      if (same) {
        results.push(aliasResult(f, same));
        const list = aliases.get(f.bundle.id) ?? [];
        list.push({ path: f.rel, sha256: f.sha256, of: same });
        aliases.set(f.bundle.id, list);
        bytesDone += f.size; filesDone++; continue;
      }
      if (f.size > 0) known.set(f.sha256, { bundle: f.bundle.id, path: f.rel });
      // Pulled logs come again as they grow and rotate: a grown file continues where its earlier copy ended.
      if ((f.bundle.manifest.origin.kind as string) === 'sftp') {
        const c = f.bundle.manifest.files.find((m) => m.path === f.rel)?.continues;
        const earlier = c && await db.one<{ n: number }>('SELECT count(*)::INTEGER AS n FROM files WHERE bundle = $1 AND path = $2 AND sha256 = $3', [c.bundle, c.path, c.sha256]);
        if (c && earlier?.n && c.bytes < f.size && !isGzipPath(f.rel)) {
          f.startByte = await lineStartAtOrBefore(absOf(f), c.bytes);
          f.continues = `${c.bundle}/${c.path}`;
        }
      }
      if (f.kept) kept.push(f); else todo.push(f);
    }
    for (const [bundle, files] of aliases) await opts.hooks?.auditAliases?.(bundle, files);
    await renoteKeptFiles(db, renoted, handle.dir);
    // Files kept as evidence but not read (images, archives…): their rows, no events (keptFiles.ts).
    results.push(...await recordKeptFiles(db, kept.map((f) => ({ bundle: f.bundle.id, path: f.rel, sha256: f.sha256, size: f.size,
      format: f.kept!.format, reason: f.reason, note: f.kept!.note })), zone.zone, handle.dir));
    for (const f of kept) { bytesDone += f.size; filesDone++; }
    // Through the events phase these would hold a record per file (99,434 on the 10 GB tree) beside DuckDB's peak.
    already.clear();
    known.clear();
    aliases.clear();
    const reader = opts.reader ?? 'auto';
    // Few large commits: DuckDB's automatic checkpoint (at 16 MB of WAL) would otherwise run inside most of them;
    // a checkpoint per batch's worth of input (formats with little data share one) keeps the WAL, its replay after a
    // crash, and memory bounded by the batch size.
    if (reader === 'auto') await db.run(`SET checkpoint_threshold = '4GB'`);
    await fs.rm(path.join(handle.dir, REPAIR_DIR), { recursive: true, force: true }); // a killed import's copies
    let sinceCheckpoint = 0;
    let toImport = todo.reduce((n, f) => n + f.size, 0);
    // The reading reports per chunk it reads (64 KB): sent ~10 a second, the points between batches always.
    const readTick = everyMs(PROGRESS_EVERY_MS);
    // What the copy and detection left dead (per-file reads, heads) goes before the first batch, not after it.
    settleHeap(true);
    try {
      // The events phase's staging spills well: its own limit (peak RSS), whatever the writer's is.
      await withMemoryLimit(db, importMemory(), async () => {
        for (const batch of batches(todo, reader)) {
          // Also the cancellation point before a batch the DuckDB reader takes whole.
          progress({ phase: 'parse', file: batch[0]!.rel, filesDone, filesTotal: planned.length, bytesDone, bytesTotal });
          await ensureFreeSpace(handle.dir, batch.reduce((n, f) => n + f.size * (isGzipPath(f.rel) ? 20 : 2), 0), limits, 'the next files\' events');
          // A batch whose working set DuckDB cannot spill at that limit (a window over one very large multi-line file) is
          // tried once more at the retry's limit: its transaction rolled back, and it stages afresh. What its first try
          // decompressed leaves its bundles' expansion totals, or the second try would count it twice against the cap.
          const expanded = new Map(batch.map((f) => [f.bundle.expansion, f.bundle.expansion.expanded]));
          const runBatch = () => db.interruptible(opts.signal, () => importBatch(db, batch, { zone, limits, reader, caseDir: handle.dir, ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.hooks ? { hooks: opts.hooks } : {}), ...(opts.onReader ? { onReader: opts.onReader } : {}) },
            (file, n) => { if (readTick()) progress({ phase: 'parse', file, filesDone, filesTotal: planned.length, bytesDone: bytesDone + n, bytesTotal }); }),
            // A batch the DuckDB reader takes whole reports no progress until it ends: a cancel interrupts its statement.
            { statementsAfter: true });
          // A step after the batch's COMMIT (dropping its staging) can run out of memory too: the retry then takes the
          // committed rows as they are instead of importing the batch a second time.
          const batchResults = await withMemoryRetry(db, runBatch, () => { for (const [meter, before] of expanded) meter.expanded = before; },
            async () => (await committedBatch(db, handle.dir, batch)) ?? runBatch());
          const size = batch.reduce((n, f) => n + f.size, 0);
          sinceCheckpoint += size;
          toImport -= size;
          // Not when the rest of the import fits beside what the WAL holds under two batches' worth (the most it holds
          // before a checkpoint anyway): the last batches' checkpoint then runs after "events ready", in the job after
          // it (keepWriter) or when the writer closes, instead of before it.
          if (reader === 'auto' && sinceCheckpoint >= batchBytes(reader) && sinceCheckpoint + toImport >= 2 * batchBytes(reader)) {
            await timed('checkpoint', () => db.run('CHECKPOINT'));
            sinceCheckpoint = 0;
          }
          results.push(...batchResults);
          faultPoint('after-batch-commit');
          const added = batchResults.reduce((n, r) => n + r.records, 0);
          eventsCommitted += added;
          if (added > 0) firstEventsSeconds ??= (performance.now() - started) / 1000;
          const gcStarted = performance.now();
          if (settleHeap()) addStageTime('heap collection between batches', performance.now() - gcStarted);
          bytesDone += batch.reduce((n, f) => n + f.size, 0);
          filesDone += batch.length;
          progress({ phase: 'parse', filesDone, filesTotal: planned.length, bytesDone, bytesTotal });
        }
      });
    } finally {
      if (reader === 'auto') await db.run('RESET checkpoint_threshold');
      await dropStage(db);
    }
    if (!opts.custodyAfter) await finishCustody(db, handle.dir, handle.files.bundles, opts.hooks?.auditFiles);
    if (opts.hooks?.afterImport) {
      progress({ phase: 'index', filesDone, filesTotal: planned.length, bytesDone, bytesTotal, message: 'linking identifiers' });
      await opts.hooks.afterImport(db);
    }
  }, { keepOpen: !!opts.keepWriter });
  progress({ phase: 'done', filesDone: planned.length, filesTotal: planned.length, bytesDone: bytesTotal, bytesTotal });
  return {
    bundles: bundles.map((b) => {
      // An archive in the bundle whose contents could not be imported is said here too, beside what was left out.
      const notes = [...(b.manifest.dropped ?? []), ...[...b.archives].flatMap(([p, a]) => (a.state === 'failed' ? [`${p}: an archive whose contents could not be imported (the archive itself is kept as evidence): ${a.why}`] : []))];
      return { id: b.id, files: b.manifest.files.length, bytes: b.bytes, reused: b.reused, ...(notes.length ? { notes } : {}), ...(b.from ? { from: { bundle: b.from.bundle, file: b.from.path } } : {}) };
    }),
    files: results,
    timezone: zone,
    seconds: (performance.now() - started) / 1000,
    ...(firstEventsSeconds !== undefined ? { firstEventsSeconds } : {}),
  };
}

function fileResult(f: PlannedFile, row: Record<string, unknown>, skipped: boolean): FileImportResult {
  return {
    // The planned file's reason when it is the same text: one copy per distinct reason, not one per file.
    file: f.rel, bundle: f.bundle.id, format: String(row.format), reason: row.reason === f.reason ? f.reason : String(row.reason),
    records: Number(row.records), lines: Number(row.lines), ok: Number(row.ok), malformed: Number(row.malformed),
    unparsed: Number(row.unparsed), untimed: Number(row.untimed), tzRule: String(row.tz_rule),
    from: (row.min_ts as string | null) ?? null, to: (row.max_ts as string | null) ?? null, skipped,
    ...(row.note ? { note: String(row.note) } : {}),
  };
}

function aliasResult(f: PlannedFile, of: { bundle: string; path: string }): FileImportResult {
  return {
    file: f.rel, bundle: f.bundle.id, format: f.format.id, reason: f.reason, records: 0, lines: 0, ok: 0, malformed: 0,
    unparsed: 0, untimed: 0, tzRule: '', from: null, to: null, skipped: true, aliasOf: { bundle: of.bundle, file: of.path },
    note: `same content (sha256 ${f.sha256.slice(0, 12)}…) as ${of.bundle}/${of.path}, already in the case: recorded as an alias, not parsed again`,
  };
}

const FILE_RESULT_COLUMNS = `file_id, format, reason, lines, records, ok, malformed, unparsed, untimed, tz_rule, note,
  strftime(min_ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS min_ts, strftime(max_ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS max_ts`;

/**
 * Small files share a transaction (a commit costs an fsync); a file is never split across two. The DuckDB reader
 * takes a batch in one statement, so its batches are larger; the JavaScript reader's stay as they were.
 */
const BATCH = { auto: { bytes: FAST_GROUP_MAX_BYTES, files: 4000 }, js: { bytes: 48 * 1024 * 1024, files: 400 } } as const;

/**
 * DuckDB's memory limit while batches are imported. 256 MB kept the 1 GB import under 0.9 GB RSS; the writer's own
 * limit (store/db.ts: 320 MB, which the rows digests need) holds outside this phase, the chain build's below it.
 */
const importMemory = () => process.env.CASEFILE_IMPORT_MEMORY ?? '256MB';

/** CASEFILE_IMPORT_BATCH_BYTES: smaller batches, for tests that need several on a small tree. */
const batchBytes = (reader: 'auto' | 'js') => Number(process.env.CASEFILE_IMPORT_BATCH_BYTES) || BATCH[reader].bytes;

/** The import's batches: files of one format together, in order; the first one small (FIRST_BATCH_BYTES). Exported for its test. */
export function* batches(files: PlannedFile[], reader: 'auto' | 'js', firstBytes = FIRST_BATCH_BYTES): Generator<PlannedFile[]> {
  const { files: BATCH_FILES } = BATCH[reader];
  const BATCH_BYTES = batchBytes(reader);
  const byFormat = new Map<string, PlannedFile[]>();
  // A file holding several streams is a batch of its own (one transform per stream).
  const key = (f: PlannedFile) => (isStreamed(f) ? `streams:${f.bundle.id}/${f.rel}` : f.format.id);
  // Appended in place: copying the group per file was quadratic (67,827 pipeline logs: ~60 s and ~350 MB of heap).
  for (const f of files) {
    const group = byFormat.get(key(f));
    if (group) group.push(f); else byFormat.set(key(f), [f]);
  }
  let first = true;
  for (const group of byFormat.values()) {
    // The first batch is small: its events are on screen (importJob.ts) while the rest import, seconds before a full
    // batch's would be, and never larger than a batch. The files keep their order, so their ids do not change.
    const head = first ? cutGroups(group, BATCH_FILES, Math.min(firstBytes, BATCH_BYTES), (f) => f.size)[0]! : [];
    first = false;
    if (head.length) yield head;
    yield* cutGroups(group.slice(head.length), BATCH_FILES, BATCH_BYTES, (f) => f.size);
  }
}

/** The first batch's bytes at most (unless its first file alone is larger). */
const FIRST_BATCH_BYTES = 16 * 1024 * 1024;

/**
 * Imports files of one format in one transaction: stage all their records, one transform statement, per-file
 * statistics by GROUP BY, then their `files` rows (their digests follow the commit: custodyStage.ts). Ids are base + line, so a file's ids follow its lines.
 */
async function importBatch(db: CaseDb, batch: PlannedFile[], { zone, limits, reader, caseDir, signal, hooks, onReader }: {
  zone: TimeZoneRule; limits: IntakeLimits; reader: 'auto' | 'js'; caseDir: string; signal?: AbortSignal; hooks?: ImportHooks; onReader?: ImportOptions['onReader'] },
  onBytes: (file: string, n: number) => void): Promise<FileImportResult[]> {
  const def = batch[0]!.format;
  const next = await db.one<{ file_id: number; base: string }>(
    `SELECT coalesce(max(file_id), 0) + 1 AS file_id, (coalesce(max(last_id), 0) + 1)::VARCHAR AS base FROM files`);
  const firstId = Number(next!.file_id);
  let base = Number(next!.base);
  await db.freshTemp('stage', 'file_id INTEGER, line INTEGER, line_count INTEGER, raw VARCHAR');
  await db.freshTemp('stage_files', 'file_id INTEGER, base BIGINT');
  // File ids follow the batch order; event ids (base + line) are given once every file's line count is known.
  const stats = new Map<number, ReadStats>();
  const fast: FastFile[] = [];
  const slow: { f: PlannedFile; fileId: number }[] = [];
  const repairedLines = new Map<number, number>();
  for (const [i, f] of batch.entries()) {
    const fileId = firstId + i;
    const scan = reader === 'auto' ? await scanOf(f, limits) : undefined;
    const candidate = { ...f, abs: absOf(f) };
    if (scan && fastPathEligible(candidate, scan, def, limits).ok) {
      fast.push({ fileId, abs: candidate.abs, scan });
      // What DuckDB will decompress counts toward the bundle's cap (limits.ts) as the JavaScript reader's does.
      if (scan.compressedBytes !== undefined) f.bundle.expansion.expanded += scan.bytes;
      continue;
    }
    // Clean but for a few lines that are not UTF-8: DuckDB reads a copy with those lines decoded (repair.ts).
    const fixed = scan && !scan.utf8 && scan.compressedBytes === undefined && fastPathEligible(candidate, { ...scan, utf8: true }, def, limits).ok
      ? await timed('read: repaired copies', () => repairedCopy(candidate.abs, path.join(caseDir, REPAIR_DIR, `${fileId}.log`))) : undefined;
    if (fixed && fastPathEligible({ abs: fixed.abs, size: fixed.scan.bytes }, fixed.scan, def, limits).ok) {
      fast.push({ fileId, abs: fixed.abs, scan: fixed.scan });
      repairedLines.set(fileId, fixed.badLines);
    } else slow.push({ f, fileId });
  }
  let back: FastFile[] = [];
  try {
    if (fast.length) back = await timed('read: DuckDB line reader + SQL grouping', () => stageFast(db, def, fast, limits));
  } finally {
    if (repairedLines.size) await fs.rm(path.join(caseDir, REPAIR_DIR), { recursive: true, force: true });
  }
  for (const x of fast) if (!back.includes(x)) stats.set(x.fileId, { ...scanStats(x.scan), badUtf8Lines: repairedLines.get(x.fileId) ?? 0 });
  // The JavaScript reader counts what it decompresses itself.
  for (const x of back) if (x.scan.compressedBytes !== undefined) batch[x.fileId - firstId]!.bundle.expansion.expanded -= x.scan.bytes;
  for (const x of back) slow.push({ f: batch[x.fileId - firstId]!, fileId: x.fileId });
  for (const [i, f] of batch.entries()) onReader?.(f.rel, stats.has(firstId + i) ? 'duckdb' : 'js');
  // Enveloped files (always the JavaScript reader's) bring their envelope side; the transform LEFT JOINs it.
  const envStage = batch.some((f) => f.envelope) ? await EnvelopeStage.open(db) : null;
  // A failed try's appenders are discarded, not closed: a memory retry stages afresh (store/appender.ts).
  try {
    if (slow.length) await timed('read: JavaScript reader + appender', () => withAppender(db, 'stage', async (app) => {
      let before = 0;
      for (const { f, fileId } of slow) {
        stats.set(fileId, await stageFile(app, fileId, f, limits, (n) => onBytes(f.rel, before + Math.min(n, f.size)), envStage, zone.zone));
        before += f.size;
      }
    }));
    envStage?.close();
  } catch (e) {
    envStage?.discard();
    throw e;
  }
  // The JavaScript reader's lines and buffers are dead once staged: collected before the transform's peak, not on top of
  // it (the 10 GB tree's 275 MB Jupyter log left ~100 MB on the heap through its transform: util/heap.ts).
  if (slow.length) settleHeap();
  const staged = batch.map((f, i) => {
    const fileId = firstId + i;
    const s = stats.get(fileId)!;
    const x = { f, fileId, base, stats: s };
    base += s.lines + 1;
    return x;
  });
  const values = staged.map((x) => `(${x.fileId}, ${x.base})`).join(', ');
  await db.run(`INSERT INTO stage_files VALUES ${values}`);
  const ids = staged.map((x) => x.fileId);
  const idList = ids.join(', ');
  if (staged.some((x) => x.f.context)) await stageContexts(db, staged.flatMap((x) => (x.f.context ? [{ fileId: x.fileId, context: x.f.context }] : [])));
  const streams = batch.length === 1 && isStreamed(batch[0]!) ? batch[0]!.envelope!.streams : null;

  let bodyDone = 0;
  const rows = await timed('events transaction', () => db.tx(async () => {
    // Cut by staged rowids so that one statement's working set stays bounded whatever the batch or file size.
    // A compressed file's size says little of its text (a rotated log is often a tenth of it): measure what was staged.
    const bytes = batch.some((f) => isGzipPath(f.rel))
      ? Number((await db.one<{ n: string }>('SELECT coalesce(sum(strlen(raw)), 0)::VARCHAR AS n FROM stage'))!.n)
      : batch.reduce((n, f) => n + f.size, 0);
    const cuts = transformCuts(Number((await db.one<{ n: string }>('SELECT (coalesce(max(rowid), -1) + 1)::VARCHAR AS n FROM stage'))!.n), bytes);
    // Each call inserts the records it timed; the others are set apart and inserted once all calls ran (untimed.ts).
    let apart = false;
    const transform = async (d: FormatDefinition, params: TransformParams) => timed('transform SQL', async () => {
      const each = (p: TransformParams) => cuts.map((rows) => transformSql(d, cuts.length > 1 ? { ...p, rows } : p));
      if (await mostlyUntimed(db, d, params, idList)) {
        if (!apart) await createDeferred(db);
        for (const sql of each({ ...params, deferred: true })) await db.run(sql);
        const complete = completeTimesSql(d, params, idList, 'stage_deferred');
        if (complete) await db.run(complete);
        apart = true;
        return;
      }
      let inserted = 0;
      for (const sql of each({ ...params, timed: true })) inserted += await db.changes(sql);
      // No record timed and none can be (no partial stamps; no other call to time one): they are all final untimed.
      if (inserted === 0 && !streams && !completeTimesSql(d, params, idList)) {
        for (const sql of each(params)) await db.run(sql);
        return;
      }
      apart = await timed('events: untimed records set apart', () => setApartUntimed(db, d, params, idList, inserted, apart));
    });
    if (streams) {
      for (const s of streams) await transform(s.format, { source: s.format.id, zone: zone.zone, envelope: true, stream: s.name });
      // Streams the head did not show (they start past it, or past the stream cap) are read as raw text.
      await transform(formatById('raw')!, { source: 'raw', zone: zone.zone, envelope: true, otherStreams: streams.map((s) => s.name) });
    } else {
      await transform(def, { source: def.id, zone: zone.zone, envelope: envStage !== null });
    }
    if (apart) await timed('events: untimed records inserted', () => insertUntimed(db));
    if (hooks?.afterBatch) await hooks.afterBatch(db, ids);
    else await markCorrelationPending(db, ids);
    // Rows digests and audit entries follow the commit (custodyStage.ts): the events are queryable first.
    await markDigestPending(db, ids);
    const stats = new Map((await timed('events: per-file stats', () => db.all<Record<string, unknown>>(
      `SELECT file_id, count(*) AS records, count_if(parse_status = 'ok') AS ok, count_if(parse_status = 'malformed') AS malformed,
              count_if(parse_status = 'unparsed') AS unparsed, count_if(ts_flag IN ('inherited', 'none')) AS untimed,
              count_if(parse_status = 'malformed' AND fields IS NULL) AS bad_values,
              min(ts)::VARCHAR AS min_ts, max(ts)::VARCHAR AS max_ts
       FROM event_store WHERE file_id IN (${idList}) GROUP BY file_id`))).map((r) => [Number(r.file_id), r]));
    // All the batch's files rows in one statement (a statement per file costs more than the rows themselves).
    const rowsOut = staged.map((x) => {
      const s = stats.get(x.fileId);
      const num = (k: string) => Number(s?.[k] ?? 0);
      return {
        file_id: x.fileId, bundle: x.f.bundle.id, path: x.f.rel, sha256: x.f.sha256, size: x.f.size, format: formatLabel(x.f),
        reason: x.f.reason, tz_zone: zone.zone, tz_rule: describeRule(def, zone, x.f.context, x.f.envelope?.def), lines: x.stats.lines,
        records: num('records'), ok: num('ok'), malformed: num('malformed'), unparsed: num('unparsed'), untimed: num('untimed'),
        min_ts: (s?.min_ts as string | null) ?? null, max_ts: (s?.max_ts as string | null) ?? null,
        first_id: x.base, last_id: x.base + x.stats.lines, rows_digest: null,
        note: [x.f.continues ? `continues ${x.f.continues}: read from byte ${x.f.startByte} (the bytes before are that file's events)` : null,
          fileNote(x.stats, x.f.size, num('bad_values'))].filter(Boolean).join('; ') || null,
      } satisfies Record<string, DuckDBValue>;
    });
    await timed('events: files rows', () => insertRows(db, 'files', rowsOut, { min_ts: 'TIMESTAMPTZ', max_ts: 'TIMESTAMPTZ' }, { imported_at: 'now()', audited: 'false' }));
    const out = await db.all<Record<string, unknown>>(`SELECT ${FILE_RESULT_COLUMNS} FROM files WHERE file_id IN (${idList}) ORDER BY file_id`);
    // A cancel that came while no statement ran (the interrupt then stops nothing) still rolls the batch back.
    signal?.throwIfAborted();
    bodyDone = performance.now();
    return out;
  }));
  addStageTime('events: COMMIT', performance.now() - bodyDone);
  noteCommitted(caseDir, ids);
  await dropStage(db);
  return rows.map((row, i) => fileResult(staged[i]!.f, row, false));
}

/** The files rows the case holds of these bundles (their result columns), by `bundle/path`. */
async function fileRows(db: CaseDb, bundleIds: Iterable<string>): Promise<Map<string, Record<string, unknown>>> {
  const rows = new Map<string, Record<string, unknown>>();
  for (const id of bundleIds) {
    for (const r of await db.all<Record<string, unknown>>(`SELECT path, ${FILE_RESULT_COLUMNS} FROM files WHERE bundle = $1`, [id])) rows.set(`${id}/${String(r.path)}`, r);
  }
  return rows;
}

/** The results of a batch whose transaction committed (its files rows are in), else null (nothing of it is). */
async function committedBatch(db: CaseDb, caseDir: string, batch: PlannedFile[]): Promise<FileImportResult[] | null> {
  const rows = await fileRows(db, new Set(batch.map((f) => f.bundle.id)));
  const done = batch.map((f) => rows.get(`${f.bundle.id}/${f.rel}`));
  if (!done.some(Boolean)) return null;
  // One transaction wrote them all: a part of a batch is a fault of ours, not something to import again.
  if (!done.every(Boolean)) throw new Error(`A batch of ${batch.length} files is partly in the case (${done.filter(Boolean).length}): not imported again.`);
  noteCommitted(caseDir, done.map((r) => Number(r!.file_id)));
  return done.map((r, i) => fileResult(batch[i]!, r!, false));
}

/** The staging tables a batch fills (each made anew per batch: db.freshTemp); dropped once their batch is in. */
const STAGE_TABLES = ['stage', 'stage_files', 'stage_ctx', 'stage_env', 'fast_files', ...UNTIMED_TABLES] as const;
async function dropStage(db: CaseDb): Promise<void> {
  for (const t of STAGE_TABLES) await db.run(`DROP TABLE IF EXISTS temp.${t}`);
}

/**
 * A file's scan: from the evidence copy's read, or (a bundle staged before) a read of its own. A .gz file's is of its
 * decompressed text, read here (the copy hashes the compressed bytes); the bundle's running total of decompressed
 * bytes is what the files of it read before have added (the JavaScript reader's or the DuckDB reader's).
 */
async function scanOf(f: PlannedFile, limits: IntakeLimits): Promise<FileScan | undefined> {
  if (f.size === 0 || f.startByte) return undefined;
  // An enveloped file is the JavaScript reader's whatever its text: no need to decompress it twice.
  if (isGzipPath(f.rel)) return f.envelope ? undefined : timed('read: gzip scan', () => scanGzip(absOf(f), limits, f.bundle.expansion, fastLineBytes(limits)));
  f.scan ??= await scanFile(absOf(f));
  return f.scan;
}

/** What the JavaScript reader would have counted for a file the scan found clean. */
function scanStats(scan: FileScan): ReadStats {
  return { lines: scan.lines, bytesRead: scan.compressedBytes ?? scan.bytes, badUtf8Lines: 0, nulLines: 0, gzipBroken: null, lastLineTorn: scan.torn, longLines: 0, splitRecords: 0 };
}
